/*
 * blob.c — the blob store's front (blob.h): key checks, SHA-256 while
 * writing, a stdio stream over a writer; every byte goes to the backend's
 * operations, so a new backend needs none of this.
 */
#include "leadimport/blob.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

struct li_blob_store {
    const li_blob_ops *ops;
    void *ctx;
};

struct li_blob_writer {
    li_blob_store *bs;
    void *sink;
    EVP_MD_CTX *md;
    FILE *stream;     /* over this writer, or NULL */
    int done;         /* li_blob_writer_digest() ran: hex is the hash */
    char hex[LI_SHA256_HEX];
    li_status failed; /* first failure of a write through the stream */
    li_error err;
};

struct li_blob_reader {
    li_blob_store *bs;
    void *src;
    li_blob_store *owned; /* freed with the reader (li_blob_reader_own_store), or NULL */
};

li_status li_blob_store_new(const li_blob_ops *ops, void *ctx, li_blob_store **out, li_error *err) {
    *out = malloc(sizeof **out);
    if (!*out) {
        ops->free(ctx);
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    (*out)->ops = ops;
    (*out)->ctx = ctx;
    return LI_OK;
}

void li_blob_store_free(li_blob_store *bs) {
    if (bs) {
        bs->ops->free(bs->ctx);
        free(bs);
    }
}

int li_blob_key_valid(const char *key) {
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > 200)
        return 0;
    for (const char *p = key; *p;) {
        size_t part = strcspn(p, "/");
        if (part == 0 || p[0] == '.')
            return 0; /* "", "a//b", ".", "..", hidden names (the backend's temporaries) */
        for (size_t i = 0; i < part; i++) {
            char c = p[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-'))
                return 0;
        }
        p += part;
        if (*p == '/' && !*++p)
            return 0; /* "a/" */
    }
    return 1;
}

static li_status key_check(const char *key, li_error *err) {
    return li_blob_key_valid(key) ? LI_OK
                                  : li_error_set(err, LI_EUSAGE, LI_MSG_BLOB_KEY_INVALID,
                                                 key ? key : "");
}

/* --- writing --------------------------------------------------------------------- */

li_status li_blob_writer_open(li_blob_store *bs, li_blob_writer **out, li_error *err) {
    li_blob_writer *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w || !(w->md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) != 1) {
        if (w)
            EVP_MD_CTX_free(w->md);
        free(w);
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    w->bs = bs;
    li_status st = bs->ops->create(bs->ctx, &w->sink, err);
    if (st != LI_OK) {
        EVP_MD_CTX_free(w->md);
        free(w);
        return st;
    }
    *out = w;
    return LI_OK;
}

li_status li_blob_write(li_blob_writer *w, const void *data, size_t n, li_error *err) {
    if (w->done) /* after li_blob_writer_digest(): the hash would not cover these bytes */
        return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "li_blob_write");
    if (n == 0)
        return LI_OK;
    if (EVP_DigestUpdate(w->md, data, n) != 1)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    return w->bs->ops->append(w->bs->ctx, w->sink, data, n, err);
}

static ssize_t stream_write(void *cookie, const char *buf, size_t n) {
    li_blob_writer *w = cookie;
    if (w->failed != LI_OK) {
        errno = EIO;
        return -1;
    }
    li_status st = li_blob_write(w, buf, n, &w->err);
    if (st != LI_OK) {
        w->failed = st; /* its French message is given by li_blob_writer_commit() */
        errno = st == LI_ENOSPACE ? ENOSPC : st == LI_EREADONLY ? EROFS : EIO;
        return -1;
    }
    return (ssize_t)n;
}

FILE *li_blob_writer_stream(li_blob_writer *w) {
    if (!w->stream) {
        cookie_io_functions_t io = {.write = stream_write};
        w->stream = fopencookie(w, "w", io);
        if (w->stream)
            setvbuf(w->stream, NULL, _IOFBF, 1 << 16);
    }
    return w->stream;
}

/* Closes the stream (flushing it into the backend); the first failure of the writer. */
static li_status close_stream(li_blob_writer *w, li_error *err) {
    if (w->stream) {
        int bad = fclose(w->stream) != 0;
        w->stream = NULL;
        if (w->failed != LI_OK) {
            if (err)
                *err = w->err;
            return w->failed;
        }
        if (bad)
            return li_error_set(err, LI_EIO, LI_MSG_INTERNAL, "fclose");
    }
    return LI_OK;
}

li_status li_blob_writer_digest(li_blob_writer *w, char sha[LI_SHA256_HEX], li_error *err) {
    if (!w->done) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        li_status st = close_stream(w, err);
        if (st != LI_OK)
            return st;
        if (EVP_DigestFinal_ex(w->md, md, &len) != 1 || len * 2 + 1 != LI_SHA256_HEX)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        for (unsigned int i = 0; i < len; i++)
            snprintf(w->hex + 2 * i, 3, "%02x", md[i]);
        w->done = 1;
    }
    if (sha)
        memcpy(sha, w->hex, LI_SHA256_HEX);
    return LI_OK;
}

li_status li_blob_writer_commit(li_blob_writer *w, const char *key, char sha[LI_SHA256_HEX],
                                li_error *err) {
    li_status st = li_blob_writer_digest(w, sha, err);
    if (st == LI_OK)
        st = key_check(key ? key : w->hex, err);
    if (st == LI_OK)
        st = w->bs->ops->publish(w->bs->ctx, w->sink, key ? key : w->hex, err);
    else
        w->bs->ops->discard(w->bs->ctx, w->sink);
    EVP_MD_CTX_free(w->md);
    free(w);
    return st;
}

void li_blob_writer_abort(li_blob_writer *w) {
    if (!w)
        return;
    if (w->stream)
        fclose(w->stream);
    w->bs->ops->discard(w->bs->ctx, w->sink);
    EVP_MD_CTX_free(w->md);
    free(w);
}

/* --- reading --------------------------------------------------------------------- */

li_status li_blob_open(li_blob_store *bs, const char *key, li_blob_reader **out, li_error *err) {
    *out = NULL;
    li_status st = key_check(key, err);
    if (st != LI_OK)
        return st;
    li_blob_reader *r = malloc(sizeof *r);
    if (!r)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    r->bs = bs;
    r->owned = NULL;
    if ((st = bs->ops->open(bs->ctx, key, &r->src, err)) != LI_OK) {
        free(r);
        return st;
    }
    *out = r;
    return LI_OK;
}

li_status li_blob_read(li_blob_reader *r, void *buf, size_t cap, size_t *got, li_error *err) {
    return r->bs->ops->read(r->bs->ctx, r->src, buf, cap, got, err);
}

void li_blob_reader_close(li_blob_reader *r) {
    if (r) {
        r->bs->ops->close(r->bs->ctx, r->src);
        li_blob_store_free(r->owned);
        free(r);
    }
}

void li_blob_reader_own_store(li_blob_reader *r, li_blob_store *bs) {
    r->owned = bs;
}

li_status li_blob_size(li_blob_store *bs, const char *key, uint64_t *size, li_error *err) {
    li_status st = key_check(key, err);
    return st == LI_OK ? bs->ops->size(bs->ctx, key, size, err) : st;
}

li_status li_blob_delete(li_blob_store *bs, const char *key, li_error *err) {
    li_status st = key_check(key, err);
    return st == LI_OK ? bs->ops->remove(bs->ctx, key, err) : st;
}

char *li_blob_local_path(li_blob_store *bs, const char *key) {
    if (!li_blob_key_valid(key) || !bs->ops->local_path)
        return NULL;
    return bs->ops->local_path(bs->ctx, key);
}

li_status li_blob_store_of(li_store *s, li_blob_store **out, li_error *err) {
    const char *server = li_store_server_url(s);
    if (server)
        return li_blob_store_pg(server, li_store_file_dir(s), out, err);
    return li_blob_store_dir(li_store_file_dir(s), li_store_legacy_file_dir(s), out, err);
}
