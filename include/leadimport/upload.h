/*
 * upload.h — a file sent over the network (an HTTP request body) made a
 * job for review, never held whole in memory:
 *
 *   li_upload_begin()   a nameless blob opened in the database's blob store
 *                       (blob.h: written aside, 0600, renamed when complete)
 *   li_upload_write()   each piece appended as it arrives, its SHA-256
 *                       computed on the way, the size limit enforced
 *   li_upload_finish()  the blob published under its SHA-256, then the job
 *                       created as li_review_create() creates one (the same
 *                       function, fed the hash instead of reading the file
 *                       again): a file already imported is refused unless
 *                       forced, with the earlier import; the file is sniffed
 *                       and mapped; the job waits in state « déposé »
 *   li_upload_abort()   drops what was written (the client left, a refusal)
 *
 * One upload is used by one thread at a time; many uploads may run at once
 * on their own connections to the store.
 */
#ifndef LEADIMPORT_UPLOAD_H
#define LEADIMPORT_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "leadimport/error.h"
#include "leadimport/import.h"
#include "leadimport/store.h"

typedef struct li_upload li_upload;

/*
 * Starts an upload into s's blob store with o's options for the job
 * (li_review_create()'s: reader, map, mapping_name, region, as_user, force,
 * max_size: the limit, 0 = LI_IMPORT_MAX_SIZE; o->path is ignored).
 * o->file_name is required: the name the user gave (only its last part
 * after '/' or '\' is kept), 1 to 255 bytes of UTF-8 without control
 * characters, else LI_EUSAGE (upload_name_invalid). declared: the size the
 * sender announced (an HTTP Content-Length), or -1: one above the limit is
 * refused at once (LI_ELIMIT, upload_too_large) before a byte is stored.
 * o is copied; file_name and as_user too; the other strings o points to
 * must stay valid until li_upload_finish() or li_upload_abort(). *out is
 * freed by one of those two.
 */
li_status li_upload_begin(li_store *s, const li_import_opts *o, int64_t declared,
                          li_upload **out, li_error *err);

/*
 * Appends n bytes. LI_ELIMIT (upload_too_large) when the upload would pass
 * its limit: nothing more is stored, and the caller aborts it. Storage
 * errors as the blob store's (LI_ENOSPACE for a full disk).
 */
li_status li_upload_write(li_upload *u, const void *data, size_t n, li_error *err);

/* Bytes received so far. */
uint64_t li_upload_size(const li_upload *u);

/*
 * Ends the upload and creates its job; frees u in every case. res as
 * li_review_create() fills it: res->job the job in state uploaded (or the
 * job in review of the same file, res->resumed). A file already imported:
 * LI_EREFUSED, res->refused and res->previous (upload_already_imported);
 * nothing is kept. Other errors as li_review_create()'s (a file that
 * cannot be read, file_no_data...), whose messages name the file by the
 * name the user gave; the stored bytes are removed unless a job uses them.
 */
li_status li_upload_finish(li_upload *u, li_import_result *res, li_error *err);

/* Drops the upload and what it stored. Accepts NULL. */
void li_upload_abort(li_upload *u);

#endif
