/*
 * upload.c — a file received in pieces made a job for review (upload.h).
 *
 * The bytes go straight into a blob writer of the database's blob store,
 * which hashes them as they pass (blob.c): the file is never in memory
 * and never read twice to be fingerprinted. At the end the blob is
 * published under its SHA-256 (the key every queued file has) and handed
 * to the function li_review_create() runs (li__import_prepare_review, with
 * the hash it already has), so that an uploaded file meets exactly the
 * checks, refusals and mapping of a file given on the command line.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "jobsInt.h"
#include "leadimport/blob.h"
#include "leadimport/upload.h"

#define NAME_MAX_BYTES 255

struct li_upload {
    li_store *s;
    li_blob_store *bs;
    li_blob_writer *w;
    li_import_opts o;  /* the caller's, with the copies below */
    char *file_name;   /* owned: the last part of the name given */
    char *as_user;     /* owned */
    uint64_t size, limit;
};

/* The name kept: its part after the last '/' or '\' (a browser may send a
 * Windows path), or NULL if that is empty, too long, not UTF-8 or holds a
 * control character. malloc'ed. */
static char *clean_name(const char *given) {
    if (!given)
        return NULL;
    const char *base = given;
    for (const char *p = given; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    size_t n = strlen(base);
    if (n == 0 || n > NAME_MAX_BYTES || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)base[i] < 0x20 || base[i] == 0x7f)
            return NULL;
    json_t *j = json_string(base); /* NULL for a text that is not UTF-8 */
    if (!j)
        return NULL;
    json_decref(j);
    return strdup(base);
}

static li_status too_large(const li_upload *u, li_error *err) {
    char max[32];
    li__human_size(u->limit, max);
    return li_error_set(err, LI_ELIMIT, LI_MSG_UPLOAD_TOO_LARGE, u->file_name, max);
}

void li_upload_abort(li_upload *u) {
    if (!u)
        return;
    li_blob_writer_abort(u->w);
    li_blob_store_free(u->bs);
    free(u->file_name);
    free(u->as_user);
    free(u);
}

li_status li_upload_begin(li_store *s, const li_import_opts *o, int64_t declared,
                          li_upload **out, li_error *err) {
    li_status st;
    li_upload *u = calloc(1, sizeof *u);
    *out = NULL;
    if (!u)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    u->s = s;
    u->o = *o;
    u->o.path = NULL;
    u->limit = o->max_size ? o->max_size : LI_IMPORT_MAX_SIZE;
    if (!(u->file_name = clean_name(o->file_name))) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_UPLOAD_NAME_INVALID, NAME_MAX_BYTES);
        goto fail;
    }
    if (o->as_user && !(u->as_user = strdup(o->as_user))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto fail;
    }
    u->o.file_name = u->file_name;
    u->o.as_user = u->as_user;
    /* Announced too big: refused before a byte is stored or read. */
    if (declared >= 0 && (uint64_t)declared > u->limit) {
        st = too_large(u, err);
        goto fail;
    }
    if ((st = li_blob_store_of(s, &u->bs, err)) != LI_OK ||
        (st = li_blob_writer_open(u->bs, &u->w, err)) != LI_OK)
        goto fail;
    *out = u;
    return LI_OK;
fail:
    li_upload_abort(u);
    return st;
}

li_status li_upload_write(li_upload *u, const void *data, size_t n, li_error *err) {
    if (n > u->limit - u->size) /* never more than the limit on disk */
        return too_large(u, err);
    li_status st = li_blob_write(u->w, data, n, err);
    if (st == LI_OK)
        u->size += n;
    return st;
}

uint64_t li_upload_size(const li_upload *u) {
    return u->size;
}

/*
 * The messages of the reader and the mapping name the file by its path:
 * here the stored copy's, a name the user never gave (and a path of the
 * server). Each occurrence becomes the name the user gave.
 */
static void name_in_message(li_error *err, const char *path, const char *name) {
    if (!err || !path || !*path)
        return;
    char out[LI_ERROR_MAX];
    size_t o = 0, plen = strlen(path), nlen = strlen(name);
    const char *p = err->message;
    int changed = 0;
    while (*p && o + 1 < sizeof out) {
        if (strncmp(p, path, plen) == 0 && o + nlen + 1 < sizeof out) {
            memcpy(out + o, name, nlen);
            o += nlen;
            p += plen;
            changed = 1;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    if (changed)
        memcpy(err->message, out, o + 1);
}

static li_status already_imported(const li_job_rec *prev, li_error *err) {
    return li_error_set(err, LI_EREFUSED, LI_MSG_UPLOAD_ALREADY_IMPORTED, (long long)prev->id,
                        prev->created_at, prev->file_name);
}

li_status li_upload_finish(li_upload *u, li_import_result *res, li_error *err) {
    char sha[LI_SHA256_HEX];
    char *path = NULL;
    int published = 0;
    uint64_t have = 0;
    memset(res, 0, sizeof *res);
    li_status st = li_blob_writer_digest(u->w, sha, err);
    if (st != LI_OK)
        goto out;
    /* A file already imported is refused before it is kept (the same test
     * runs again below, under the write lock, against a race). */
    static const li_job_state done[] = {LI_JOB_COMPLETED};
    int found = 0;
    if ((st = li_store_job_find_by_sha(u->s, sha, done, 1, &res->previous, &found, err)) != LI_OK)
        goto out;
    if (found && !u->o.force) {
        res->refused = 1;
        st = already_imported(&res->previous, err);
        goto out;
    }
    /* Named by its hash: a blob of that key holds these very bytes already
     * (another job's copy, left as it is). */
    if (li_blob_size(u->bs, sha, &have, NULL) == LI_OK && have == u->size) {
        li_blob_writer_abort(u->w);
    } else {
        st = li_blob_writer_commit(u->w, sha, NULL, err);
        published = st == LI_OK;
    }
    u->w = NULL;
    if (st != LI_OK)
        goto out;
    if (!(path = li_blob_local_path(u->bs, sha))) {
        st = li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "upload: no local copy");
        goto out;
    }
    li_import_opts o = u->o;
    o.path = path;
    /* The copy has no extension: a name that says workbook is read as one
     * (a CSV renamed .xlsx is refused as it would be on the command line). */
    if (!o.reader.format && li_reader_named_workbook(u->file_name))
        o.reader.format = "xlsx";
    st = li__import_prepare_review(u->s, &o, sha, res, err);
    if (st != LI_OK) {
        if (res->refused)
            already_imported(&res->previous, err);
        name_in_message(err, path, u->file_name);
    }
out:
    if (st != LI_OK && published) {
        int used = 1;
        if (li_store_blob_shared(u->s, sha, 0, &used, NULL) == LI_OK && !used)
            li_blob_delete(u->bs, sha, NULL);
    }
    free(path);
    li_upload_abort(u);
    return st;
}
