/*
 * blob_dir.c — the local folder backend of the blob store (blob.h).
 *
 * A blob is a file dir/KEY, 0600 in 0700 folders (leads are personal
 * data). It is written as a hidden temporary in dir (".part-PID-N",
 * created O_EXCL | O_NOFOLLOW), synced, and renamed to its key: a blob cut
 * short by a crash or a full disk never has a key, and a reader sees the
 * old blob or the new one. A temporary left by a killed process is never
 * a valid key (keys cannot start with "."), so nothing reads it.
 *
 * legacy_dir is where older versions kept the files of every database of
 * a folder: read only. A blob found only there is linked into dir (the
 * file is named by its SHA-256, so it is the same whichever database
 * stored it; a link, not a move: another database may need it too), or
 * copied where a link cannot be made.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leadimport/blob.h"
#include "leadimport/outfile.h"

typedef struct dir_ctx {
    char *dir, *legacy;
} dir_ctx;

typedef struct dir_sink {
    int fd;
    char *part;
} dir_sink;

static atomic_uint part_seq;

static char *join(const char *dir, const char *key) {
    size_t n = strlen(dir) + strlen(key) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, key);
    return p;
}

static li_status store_failed(const dir_ctx *c, int e, li_error *err) {
    return li_error_set(err, li_status_from_errno(e, LI_EIO), LI_MSG_FILE_STORE_FAILED, c->dir,
                        li_msg_errno(e));
}

/* mkdir -p, 0700, of dir and of the folders of key under it. */
static int make_dirs(const dir_ctx *c, const char *key) {
    if (li_outfile_mkdir_private(c->dir) != 0)
        return -1;
    char *p = join(c->dir, key);
    int rc = p ? 0 : -1;
    for (char *slash = p ? p + strlen(c->dir) + 1 : NULL; rc == 0 && slash &&
                                                          (slash = strchr(slash, '/'));
         slash++) {
        *slash = '\0';
        rc = li_outfile_mkdir_private(p);
        *slash = '/';
    }
    if (!p)
        errno = ENOMEM;
    free(p);
    return rc;
}

static int write_all(int fd, const void *data, size_t n) {
    const char *b = data;
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static li_status d_create(void *ctx, void **sink, li_error *err) {
    dir_ctx *c = ctx;
    dir_sink *k = calloc(1, sizeof *k);
    char name[64];
    *sink = NULL;
    if (!k)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    k->fd = -1;
    snprintf(name, sizeof name, ".part-%ld-%u", (long)getpid(), atomic_fetch_add(&part_seq, 1));
    if (make_dirs(c, name) != 0 || !(k->part = join(c->dir, name))) {
        int e = errno;
        free(k);
        return store_failed(c, e, err);
    }
    unlink(k->part); /* left by a killed process of the same pid */
    k->fd = open(k->part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (k->fd < 0 || fchmod(k->fd, 0600) != 0) { /* 0600 whatever the umask */
        int e = errno;
        if (k->fd >= 0) {
            close(k->fd);
            unlink(k->part);
        }
        free(k->part);
        free(k);
        return store_failed(c, e, err);
    }
    *sink = k;
    return LI_OK;
}

static li_status d_append(void *ctx, void *sink, const void *data, size_t n, li_error *err) {
    dir_sink *k = sink;
    return write_all(k->fd, data, n) == 0 ? LI_OK : store_failed(ctx, errno, err);
}

static void d_discard(void *ctx, void *sink) {
    (void)ctx;
    dir_sink *k = sink;
    if (!k)
        return;
    if (k->fd >= 0)
        close(k->fd);
    unlink(k->part);
    free(k->part);
    free(k);
}

static li_status d_publish(void *ctx, void *sink, const char *key, li_error *err) {
    dir_ctx *c = ctx;
    dir_sink *k = sink;
    char *dst = join(c->dir, key);
    int e = 0;
    if (!dst)
        e = ENOMEM;
    else if (fsync(k->fd) != 0 || close(k->fd) != 0)
        e = errno;
    k->fd = -1;
    if (!e && (make_dirs(c, key) != 0 || rename(k->part, dst) != 0))
        e = errno;
    free(dst);
    if (e) {
        d_discard(ctx, sink);
        return e == ENOMEM ? li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY)
                           : store_failed(c, e, err);
    }
    free(k->part);
    free(k);
    return LI_OK;
}

/* Copies the open file in to out, the kernel doing it when it can. 0, or -1 with errno. */
static int copy_fd(int in, int out) {
    for (;;) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
        if (n == 0)
            return 0;
        if (n > 0)
            continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
            return -1;
        break; /* not supported here: plain reads and writes */
    }
    char buf[1 << 16];
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (write_all(out, buf, (size_t)n) != 0)
            return -1;
    }
}

/* 1 if key is a SHA-256 in hex: a file named by its content. */
static int content_key(const char *key) {
    size_t n = strspn(key, "0123456789abcdef");
    return n == LI_SHA256_HEX - 1 && key[n] == '\0';
}

/*
 * The blob of key from the legacy folder, linked (or copied) into dir when
 * only that folder has it. Only files named by their SHA-256: the same
 * name is the same content whichever database stored it (a report's name,
 * a job number, is not). Best effort: on failure the blob is missing.
 */
static void adopt_legacy(dir_ctx *c, const char *key, const char *own) {
    struct stat sb;
    char *old = c->legacy && content_key(key) ? join(c->legacy, key) : NULL;
    if (old && lstat(old, &sb) == 0 && S_ISREG(sb.st_mode) && make_dirs(c, key) == 0 &&
        link(old, own) != 0 && errno != EEXIST) {
        int in = open(old, O_RDONLY | O_NOFOLLOW | O_CLOEXEC); /* no hard links here: a copy */
        void *sink = NULL;
        if (in >= 0 && d_create(c, &sink, NULL) == LI_OK) {
            if (copy_fd(in, ((dir_sink *)sink)->fd) == 0)
                d_publish(c, sink, key, NULL);
            else
                d_discard(c, sink);
        }
        if (in >= 0)
            close(in);
    }
    free(old);
}

static char *d_local_path(void *ctx, const char *key) {
    dir_ctx *c = ctx;
    char *own = join(c->dir, key);
    struct stat sb;
    if (own && lstat(own, &sb) != 0 && errno == ENOENT)
        adopt_legacy(c, key, own);
    return own;
}

static li_status d_open(void *ctx, const char *key, void **src, li_error *err) {
    (void)ctx;
    char *p = d_local_path(ctx, key);
    li_status st = LI_OK;
    int *box = NULL;
    int fd = -1;
    if (!p || !(box = malloc(sizeof *box))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if ((fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        int e = errno;
        st = e == ENOENT ? li_error_set(err, LI_ENOTFOUND, LI_MSG_BLOB_NOT_FOUND, key)
                         : li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, p, li_msg_errno(e));
        goto out;
    }
    *box = fd;
    *src = box;
    box = NULL;
out:
    free(box);
    free(p);
    return st;
}

static li_status d_read(void *ctx, void *src, void *buf, size_t cap, size_t *got, li_error *err) {
    dir_ctx *c = ctx;
    for (;;) {
        ssize_t n = read(*(int *)src, buf, cap);
        if (n >= 0) {
            *got = (size_t)n;
            return LI_OK;
        }
        if (errno != EINTR)
            return li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, c->dir, li_msg_errno(errno));
    }
}

static void d_close(void *ctx, void *src) {
    (void)ctx;
    if (src) {
        close(*(int *)src);
        free(src);
    }
}

static li_status d_size(void *ctx, const char *key, uint64_t *size, li_error *err) {
    dir_ctx *c = ctx;
    struct stat sb;
    int legacy = c->legacy && content_key(key);
    char *own = join(c->dir, key), *old = legacy ? join(c->legacy, key) : NULL;
    li_status st = LI_OK;
    if (!own || (legacy && !old))
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    else if ((lstat(own, &sb) == 0 || (old && lstat(old, &sb) == 0)) && S_ISREG(sb.st_mode))
        *size = (uint64_t)sb.st_size;
    else
        st = li_error_set(err, LI_ENOTFOUND, LI_MSG_BLOB_NOT_FOUND, key);
    free(own);
    free(old);
    return st;
}

static li_status d_remove(void *ctx, const char *key, li_error *err) {
    dir_ctx *c = ctx;
    char *own = join(c->dir, key);
    li_status st = LI_OK;
    if (!own)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    if (unlink(own) != 0 && errno != ENOENT) /* never in the legacy folder: read only */
        st = li_error_set(err, li_status_from_errno(errno, LI_EIO), LI_MSG_FILE_UNWRITABLE, own,
                          li_msg_errno(errno));
    free(own);
    return st;
}

static void d_free(void *ctx) {
    dir_ctx *c = ctx;
    if (c) {
        free(c->dir);
        free(c->legacy);
        free(c);
    }
}

static const li_blob_ops dir_ops = {
    .name = "dir",
    .create = d_create,
    .append = d_append,
    .publish = d_publish,
    .discard = d_discard,
    .open = d_open,
    .read = d_read,
    .close = d_close,
    .size = d_size,
    .remove = d_remove,
    .local_path = d_local_path,
    .free = d_free,
};

li_status li_blob_store_dir(const char *dir, const char *legacy_dir, li_blob_store **out,
                            li_error *err) {
    dir_ctx *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c || !(c->dir = strdup(dir)) || (legacy_dir && !(c->legacy = strdup(legacy_dir)))) {
        d_free(c);
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    return li_blob_store_new(&dir_ops, c, out, err);
}
