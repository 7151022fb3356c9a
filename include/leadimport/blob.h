/*
 * blob.h — where the files of jobs are kept: uploaded files (named by
 * their SHA-256) and stored error reports ("reports/N.erreurs.csv").
 *
 * A blob store is a backend behind a table of operations (as the row
 * reader is), so that a database-backed or object store can be added as
 * one new file. The first backend is a local folder (blob_dir.c): the
 * store's li_store_file_dir(), files 0600 in a 0700 folder, each written
 * aside and renamed into place, so that a blob cut short never has its
 * name.
 *
 * Blobs are streamed both ways, never held whole in memory: a file may
 * be gigabytes. A writer hashes (SHA-256) what it is given as it goes;
 * the caller publishes it under a key of its choice, or under that hash.
 */
#ifndef LEADIMPORT_BLOB_H
#define LEADIMPORT_BLOB_H

#include <stdint.h>
#include <stdio.h>

#include "leadimport/error.h"
#include "leadimport/hash.h"
#include "leadimport/store.h"

/*
 * What a backend implements. ctx is the backend's own state (given to
 * li_blob_store_new()); "sink" is one blob being written, "src" one being
 * read. Every function that can fail fills err with a French message and
 * returns a status; LI_ENOTFOUND when a key names no blob.
 */
typedef struct li_blob_ops {
    const char *name; /* "dir": for logs */
    /* A new, nameless blob to append to. */
    li_status (*create)(void *ctx, void **sink, li_error *err);
    li_status (*append)(void *ctx, void *sink, const void *data, size_t n, li_error *err);
    /*
     * Makes what was appended durable and visible under key, at once
     * (readers see the old blob or the new one, never a part), replacing
     * a blob of that key. The sink is released, whatever the result.
     */
    li_status (*publish)(void *ctx, void *sink, const char *key, li_error *err);
    /* Drops a blob never published. */
    void (*discard)(void *ctx, void *sink);
    li_status (*open)(void *ctx, const char *key, void **src, li_error *err);
    /* Up to cap bytes; *got 0 at the end. */
    li_status (*read)(void *ctx, void *src, void *buf, size_t cap, size_t *got, li_error *err);
    void (*close)(void *ctx, void *src);
    li_status (*size)(void *ctx, const char *key, uint64_t *size, li_error *err);
    /* Removes the blob of key; a key with no blob is not an error. */
    li_status (*remove)(void *ctx, const char *key, li_error *err);
    /*
     * Optional (NULL): a path on this machine where the blob's bytes can be
     * read as a regular file, malloc'ed, or NULL. The XLSX reader needs
     * random access (a zip's directory is at its end); a backend without
     * local files leaves this NULL, and li_blob_local_path() then says so.
     */
    char *(*local_path)(void *ctx, const char *key);
    void (*free)(void *ctx);
} li_blob_ops;

typedef struct li_blob_store li_blob_store;
typedef struct li_blob_writer li_blob_writer;
typedef struct li_blob_reader li_blob_reader;

/* A store over a backend; takes ctx (freed by ops->free with the store). */
li_status li_blob_store_new(const li_blob_ops *ops, void *ctx, li_blob_store **out, li_error *err);
void li_blob_store_free(li_blob_store *bs);

/*
 * The local folder backend: blobs are files under dir (made 0700 on the
 * first write). legacy_dir (may be NULL) is read only: a blob named by
 * its SHA-256 found only there (stored by an older version) is linked
 * into dir, or copied when a link cannot be made, the first time it is
 * opened; other keys (reports: "reports/N...") are never looked up there.
 */
li_status li_blob_store_dir(const char *dir, const char *legacy_dir, li_blob_store **out,
                            li_error *err);
/*
 * The PostgreSQL backend (blob_pg.c): blobs kept in the database of url
 * (tables blobs and blob_chunks, made on first use), streamed in and out
 * in chunks over connections of its own. cache_dir (may be NULL: no
 * local_path) is a folder of this machine where local_path copies a blob.
 */
li_status li_blob_store_pg(const char *url, const char *cache_dir, li_blob_store **out,
                           li_error *err);
/*
 * The blob store of a database: in the database itself for a database
 * server (li_store_server_url(): PostgreSQL), else its folder of stored
 * files (li_store_file_dir()).
 */
li_status li_blob_store_of(li_store *s, li_blob_store **out, li_error *err);

/*
 * Keys: 1 to 200 bytes of [A-Za-z0-9._-] in parts separated by "/", no
 * part empty or starting with ".". Anything else is refused (LI_EUSAGE):
 * a key never leaves the store's folder.
 */
int li_blob_key_valid(const char *key);

/* --- writing ------------------------------------------------------------------ */
li_status li_blob_writer_open(li_blob_store *bs, li_blob_writer **out, li_error *err);
li_status li_blob_write(li_blob_writer *w, const void *data, size_t n, li_error *err);
/*
 * A stdio stream over the writer, for code that writes with fputs/fprintf
 * (the report). Owned by w: do not fclose it. A failed write makes the
 * stream's writes fail and is reported by li_blob_writer_commit().
 */
FILE *li_blob_writer_stream(li_blob_writer *w);
/*
 * Ends the writing (no more li_blob_write, the stream is closed) and gives
 * the SHA-256 (hex) of what was written, before anything is published: a
 * caller that expects a hash checks it here and aborts on a difference.
 * A failure of an earlier write through the stream is returned here.
 */
li_status li_blob_writer_digest(li_blob_writer *w, char sha[LI_SHA256_HEX], li_error *err);
/*
 * Publishes what was written under key, or, key NULL, under its SHA-256
 * (hex). sha (may be NULL) gets the SHA-256 of the bytes. Frees w in every
 * case.
 */
li_status li_blob_writer_commit(li_blob_writer *w, const char *key, char sha[LI_SHA256_HEX],
                                li_error *err);
/* Drops what was written and frees w. Accepts NULL. */
void li_blob_writer_abort(li_blob_writer *w);

/* --- reading ------------------------------------------------------------------ */
li_status li_blob_open(li_blob_store *bs, const char *key, li_blob_reader **out, li_error *err);
li_status li_blob_read(li_blob_reader *r, void *buf, size_t cap, size_t *got, li_error *err);
/* Accepts NULL. */
void li_blob_reader_close(li_blob_reader *r);
/*
 * Hands r the store it was opened from: li_blob_reader_close() frees it
 * too (a reader given to someone who never saw the store: a download
 * streamed after the function that opened it returned).
 */
void li_blob_reader_own_store(li_blob_reader *r, li_blob_store *bs);
li_status li_blob_size(li_blob_store *bs, const char *key, uint64_t *size, li_error *err);
/* Removes a blob; one already gone is fine. */
li_status li_blob_delete(li_blob_store *bs, const char *key, li_error *err);
/* See li_blob_ops.local_path: a malloc'ed path, or NULL (no such blob, not local, no memory). */
char *li_blob_local_path(li_blob_store *bs, const char *key);

#endif
