/*
 * xlsx_sst.c — the shared-string table of a workbook, in memory or spilled
 * to a temporary file.
 *
 * Excel writes every text cell through the shared strings: a sheet of
 * 1,048,576 rows of leads holds millions of unique strings (e-mails, names),
 * hundreds of MiB of text. The table is first kept in memory, in one arena
 * with an array of 32-bit offsets (no per-string allocation); once it holds
 * more than t->memory bytes (LI_READER_DEFAULT_SST_MEMORY, opts.sst_memory)
 * it is written to two temporary files, the strings one after another and
 * their 64-bit offsets, and every later string goes there too. The files
 * are created 0600 in $TMPDIR (else /tmp) and unlinked at once: nothing is
 * left behind, even after a SIGKILL.
 *
 * A spilled table is then read through two small direct-mapped caches of
 * LI__SPILL_BLOCK-byte blocks (offsets, strings): Excel numbers strings in
 * the order it first meets them, so a sheet names them mostly in order
 * and a block is read once; the repeated values (a country, a source) have
 * low numbers and stay in their slots. A sheet that names them in random
 * order (rows sorted after the strings were numbered) costs one pread of a
 * block per cell, from the page cache: slower, still bounded in memory.
 *
 * Memory is bounded by t->memory plus the caches (1.25 MiB) and one string;
 * the files by what the sharedStrings part inflates to, which the zip-bomb
 * limits (r->max_inflated) bound. A full or unwritable temporary folder is
 * an error with its French cause (XLSX_TEMP_FAILED), never a partial table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlsxInt.h"

#define SST_LONG32 0x80000000u            /* memory: on a string's offset, over max_field */
#define SST_LONG64 (UINT64_C(1) << 63)    /* spilled: the same on a 64-bit offset */
#define SST_MAX_MEMORY (512u * 1024u * 1024u) /* the arena's offsets keep their top bit free */
#define SST_WBUF (256u * 1024u)           /* strings written to the file by this much */
#define SST_IBUF 8192u                    /* offsets written by this many */
#define SST_DATA_BLOCKS 256u              /* 1 MiB of strings cached */
#define SST_INDEX_BLOCKS 64u              /* 256 KiB of offsets cached */

static const char empty[] = "";

void li__sst_init(li__sst *t, const char *path, uint64_t memory, size_t max_string) {
    memset(t, 0, sizeof *t);
    t->path = path;
    t->memory = memory == 0 || memory > SST_MAX_MEMORY ? SST_MAX_MEMORY : memory;
    t->max_string = max_string;
}

static const char *temp_dir(void) {
    const char *d = getenv("TMPDIR");
    return d && *d ? d : "/tmp";
}

/* The French error of a failed create, write or read of a temporary file. */
static li_status fail(li__sst *t, int errnum, li_error *err) {
    return li_error_set(err, li_status_from_errno(errnum, LI_EIO), LI_MSG_XLSX_TEMP_FAILED,
                        t->path, temp_dir(), li_msg_errno(errnum));
}

static li_status spill_create(li__sst *t, li__spill *s, li_error *err) {
    char name[4096];
    int n = snprintf(name, sizeof name, "%s/.leadimport-sst-XXXXXX", temp_dir());
    if (n < 0 || (size_t)n >= sizeof name)
        return fail(t, ENAMETOOLONG, err);
    /* mkstemp: O_EXCL, mode 0600; unlinked at once, so that the file goes
       with the process however it ends */
    s->fd = mkstemp(name);
    if (s->fd < 0)
        return fail(t, errno, err);
    s->open = 1;
    unlink(name);
    return LI_OK;
}

static li_status spill_write(li__sst *t, li__spill *s, const void *p, size_t n, li_error *err) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(s->fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return fail(t, w < 0 ? errno : ENOSPC, err);
        c += w;
        n -= (size_t)w;
    }
    return LI_OK;
}

/* Copies n bytes at offset off of the file through its cache into dst. */
static li_status spill_read(li__sst *t, li__spill *s, uint64_t off, void *dst, size_t n,
                            li_error *err) {
    char *d = dst;
    while (n > 0) {
        uint64_t b = off / LI__SPILL_BLOCK;
        size_t slot = (size_t)(b % s->nblocks), in = (size_t)(off % LI__SPILL_BLOCK);
        size_t k = LI__SPILL_BLOCK - in < n ? LI__SPILL_BLOCK - in : n;
        char *blk = s->mem + slot * LI__SPILL_BLOCK;
        if (s->tag[slot] != b + 1) {
            size_t got = 0;
            while (got < LI__SPILL_BLOCK) {
                ssize_t r = pread(s->fd, blk + got, LI__SPILL_BLOCK - got,
                                  (off_t)(b * LI__SPILL_BLOCK + got));
                if (r < 0 && errno == EINTR)
                    continue;
                if (r < 0)
                    return fail(t, errno, err);
                if (r == 0)
                    break; /* the file's last block */
                got += (size_t)r;
            }
            if (got < in + k)
                return fail(t, EIO, err); /* shorter than what was written */
            s->tag[slot] = b + 1;
        }
        memcpy(d, blk + in, k);
        d += k;
        off += k;
        n -= k;
    }
    return LI_OK;
}

static li_status flush_index(li__sst *t, li_error *err) {
    li_status rc = spill_write(t, &t->index, t->ibuf, t->ilen * sizeof *t->ibuf, err);
    t->ilen = 0;
    return rc;
}

static li_status put_index(li__sst *t, uint64_t v, li_error *err) {
    t->ibuf[t->ilen++] = v;
    return t->ilen == SST_IBUF ? flush_index(t, err) : LI_OK;
}

static li_status flush_data(li__sst *t, li_error *err) {
    li_status rc = spill_write(t, &t->data, t->buf, t->len, err);
    t->written += t->len;
    t->len = 0;
    return rc;
}

/* The table outgrew t->memory: everything so far goes to the files. */
static li_status spill(li__sst *t, li_error *err) {
    li_status rc;
    if (!(t->ibuf = malloc(SST_IBUF * sizeof *t->ibuf)))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    if ((rc = spill_create(t, &t->data, err)) != LI_OK ||
        (rc = spill_create(t, &t->index, err)) != LI_OK)
        return rc;
    for (size_t i = 0; i < t->n; i++) {
        uint64_t v = t->off[i] & ~SST_LONG32;
        if (t->off[i] & SST_LONG32)
            v |= SST_LONG64;
        if ((rc = put_index(t, v, err)) != LI_OK)
            return rc;
    }
    if ((rc = flush_data(t, err)) != LI_OK)
        return rc;
    free(t->off);
    t->off = NULL;
    t->offcap = 0;
    t->spilled = 1;
    /* from now on the arena is only a write buffer */
    char *small = realloc(t->buf, SST_WBUF + t->max_string);
    if (small) {
        t->buf = small;
        t->cap = SST_WBUF + t->max_string;
    }
    return LI_OK;
}

li_status li__sst_append(li__sst *t, const char *s, size_t n, li_error *err) {
    if (t->cap - t->len < n) {
        size_t cap = t->cap ? t->cap : 64 * 1024;
        while (cap - t->len < n)
            cap *= 2;
        char *p = realloc(t->buf, cap);
        if (!p)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        t->buf = p;
        t->cap = cap;
    }
    if (n)
        memcpy(t->buf + t->len, s, n);
    t->len += n;
    return LI_OK;
}

li_status li__sst_add(li__sst *t, size_t start, size_t len, int too_long, li_error *err) {
    li_status rc;
    t->len = start + len;
    if (t->spilled) {
        uint64_t v = (t->written + start) | (too_long ? SST_LONG64 : 0);
        if ((rc = put_index(t, v, err)) != LI_OK)
            return rc;
        t->n++;
        return t->len >= SST_WBUF ? flush_data(t, err) : LI_OK;
    }
    if (t->n + 2 > t->offcap) {
        size_t cap = t->offcap ? t->offcap * 2 : 1024;
        uint32_t *v = realloc(t->off, cap * sizeof *v);
        if (!v)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        t->off = v;
        t->offcap = cap;
    }
    t->off[t->n] = (uint32_t)start | (too_long ? SST_LONG32 : 0);
    t->n++;
    t->off[t->n] = (uint32_t)t->len;
    if ((uint64_t)t->len + (uint64_t)t->n * sizeof *t->off > t->memory)
        return spill(t, err);
    return LI_OK;
}

li_status li__sst_finish(li__sst *t, li_error *err) {
    li_status rc;
    if (!t->spilled)
        return LI_OK;
    if ((rc = flush_data(t, err)) != LI_OK || (rc = put_index(t, t->written, err)) != LI_OK ||
        (rc = flush_index(t, err)) != LI_OK)
        return rc;
    free(t->buf);
    free(t->ibuf);
    t->buf = NULL;
    t->ibuf = NULL;
    t->len = t->cap = 0;
    t->data.nblocks = SST_DATA_BLOCKS;
    t->index.nblocks = SST_INDEX_BLOCKS;
    if (!(t->data.mem = malloc((size_t)SST_DATA_BLOCKS * LI__SPILL_BLOCK)) ||
        !(t->data.tag = calloc(SST_DATA_BLOCKS, sizeof *t->data.tag)) ||
        !(t->index.mem = malloc((size_t)SST_INDEX_BLOCKS * LI__SPILL_BLOCK)) ||
        !(t->index.tag = calloc(SST_INDEX_BLOCKS, sizeof *t->index.tag)) ||
        !(t->scratch = malloc(t->max_string + 1)))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    return LI_OK;
}

li_status li__sst_get(li__sst *t, size_t i, const char **s, size_t *n, int *too_long,
                      li_error *err) {
    if (!t->spilled) {
        uint32_t from = t->off[i] & ~SST_LONG32, to = t->off[i + 1] & ~SST_LONG32;
        *s = t->buf ? t->buf + from : empty;
        *n = to - from;
        *too_long = (t->off[i] & SST_LONG32) != 0;
        return LI_OK;
    }
    uint64_t ends[2];
    li_status rc = spill_read(t, &t->index, (uint64_t)i * sizeof ends[0], ends, sizeof ends, err);
    if (rc != LI_OK)
        return rc;
    uint64_t from = ends[0] & ~SST_LONG64, to = ends[1] & ~SST_LONG64;
    if (to < from || to - from > t->max_string)
        return fail(t, EIO, err); /* not what was written */
    *n = (size_t)(to - from);
    *too_long = (ends[0] & SST_LONG64) != 0;
    *s = t->scratch;
    return spill_read(t, &t->data, from, t->scratch, *n, err);
}

void li__sst_free(li__sst *t) {
    free(t->buf);
    free(t->off);
    free(t->ibuf);
    free(t->scratch);
    li__spill *s[2] = {&t->data, &t->index};
    for (int k = 0; k < 2; k++) {
        if (s[k]->open)
            close(s[k]->fd);
        free(s[k]->mem);
        free(s[k]->tag);
    }
    memset(t, 0, sizeof *t);
}
