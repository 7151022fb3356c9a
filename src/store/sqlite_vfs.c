/*
 * sqlite_vfs.c — a thin SQLite VFS over the default one that coalesces
 * sequential writes.
 *
 * SQLite appends a WAL frame as two writes (its 24-byte header, then the
 * page), so a transaction of a few hundred rows is a few hundred small
 * pwrite() calls; on virtual machines a system call costs tens of
 * microseconds, and imports commit every LI_IMPORT_BATCH rows. This layer
 * gathers writes that follow each other into one buffer and issues them as
 * one pwrite() when the run breaks, and before anything that could make the
 * written bytes observable or durable: a read, a sync, a size or truncate,
 * a lock, a shared-memory barrier or lock (that is how a WAL commit is
 * published to other connections), a close. Bytes therefore reach the file
 * before SQLite relies on them, in the order SQLite wrote them; a crash
 * before a flush is a crash before those writes, which SQLite's recovery
 * already handles (a WAL frame is only valid once published and
 * checksummed).
 *
 * Reads get the mirror treatment: a read that starts at or a little after
 * where the previous one ended (a table scan: an index build, an export,
 * the key scan; a checkpoint copying the WAL's frames) fetches
 * the next WRITE_PIECE bytes at once and serves the following pages from
 * them. That copy is dropped at every write to the file and at every lock
 * or shared-memory lock of any file (a new transaction may see bytes
 * another process wrote); within one transaction the pages SQLite reads
 * from the database file cannot change under it (a checkpoint only writes
 * pages the reader takes from the WAL).
 *
 * Only the main database and WAL files are buffered; the rest pass through.
 *
 * A full disk. A buffered write reaches the file later, and the flush in a
 * shared-memory barrier cannot report a failure: that barrier is the
 * moment a WAL commit is published, so a commit whose last frames failed
 * to be written (ENOSPC) would be published anyway. The WAL's disk space
 * is therefore reserved ahead (fallocate, keeping the file's size, one call
 * per RESERVE_STEP of growth) inside the write call itself, whose failure
 * SQLite does see: the transaction fails with SQLITE_FULL and is rolled
 * back, and nothing is published; and a little more is kept (RESERVE_SPARE)
 * so that the failure itself can be recorded. A file system that cannot
 * reserve space keeps the old behaviour.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storeInt.h"

#define COALESCE_MAX (1024 * 1024)

typedef struct cfile {
    sqlite3_file base;
    sqlite3_file *real; /* the default VFS's file, allocated right after us */
    int buffered;
    pthread_mutex_t mu;
    char *buf;
    size_t len;
    sqlite3_int64 off; /* file offset of buf[0] */
    char *rbuf;        /* read-ahead: rlen bytes of the file from roff */
    size_t rlen;
    sqlite3_int64 roff;
    sqlite3_int64 last_end; /* end of the last read: the next one at it is sequential */
    struct cfile *next, *prev;
    const char *name;       /* the WAL's path (valid until xClose), or NULL */
    sqlite3_int64 reserved; /* bytes of the WAL known to have disk space */
} cfile;

#define RESERVE_STEP (1024 * 1024)
/*
 * Every write that has to reserve keeps this much reserved beyond its end.
 * When a transaction fails for want of space, the frames it wrote are
 * rolled back and their reserved space stays: the next transaction writes
 * from there, so a small one (the queue recording the failure: the job
 * failed with its reason) always fits in what is already reserved.
 */
#define RESERVE_SPARE (256 * 1024)

/*
 * The spare is kept for the outcome: an ordinary write must leave
 * RESERVE_SPARE reserved beyond its end, so that batches committed after a
 * failure (a retry that made some progress) cannot eat it; only a thread
 * that records an outcome (li_store_use_spare) may write into it.
 */
static _Thread_local int use_spare;

void li__sqlite_vfs_use_spare(int on) {
    use_spare = on;
}

static sqlite3_vfs *real_vfs;
static sqlite3_vfs coalesce_vfs;
static pthread_mutex_t list_mu = PTHREAD_MUTEX_INITIALIZER;
static cfile *open_files;

/* The unix VFS writes at most 128 KiB - 1 bytes per call (it never needs
 * more than a page), so a run is written in pieces of that size at most. */
#define WRITE_PIECE (128 * 1024 - 4096)

static int flush_locked(cfile *f) {
    int rc = SQLITE_OK;
    for (size_t done = 0; done < f->len && rc == SQLITE_OK; done += WRITE_PIECE) {
        size_t n = f->len - done < WRITE_PIECE ? f->len - done : WRITE_PIECE;
        rc =
            f->real->pMethods->xWrite(f->real, f->buf + done, (int)n, f->off + (sqlite3_int64)done);
    }
    f->len = 0;
    return rc;
}

static int flush(cfile *f) {
    if (!f->buffered)
        return SQLITE_OK;
    pthread_mutex_lock(&f->mu);
    int rc = flush_locked(f);
    f->rlen = 0;
    pthread_mutex_unlock(&f->mu);
    return rc;
}

/* Before a WAL commit is published (shared-memory barrier or lock), every
 * buffered file of the process is written out. */
static int flush_all(void) {
    int rc = SQLITE_OK;
    pthread_mutex_lock(&list_mu);
    for (cfile *f = open_files; f; f = f->next) {
        int r = flush(f);
        if (r != SQLITE_OK)
            rc = r;
    }
    pthread_mutex_unlock(&list_mu);
    return rc;
}

#define REAL(f) (((cfile *)(f))->real)
#define RM(f) (REAL(f)->pMethods)

static int c_close(sqlite3_file *p) {
    cfile *f = (cfile *)p;
    int rc = flush(f);
    if (f->buffered) {
        pthread_mutex_lock(&list_mu);
        if (f->prev)
            f->prev->next = f->next;
        else
            open_files = f->next;
        if (f->next)
            f->next->prev = f->prev;
        pthread_mutex_unlock(&list_mu);
        pthread_mutex_destroy(&f->mu);
        free(f->buf);
        free(f->rbuf);
    }
    int rc2 = RM(p)->xClose(REAL(p));
    return rc != SQLITE_OK ? rc : rc2;
}

static int c_read(sqlite3_file *p, void *out, int amt, sqlite3_int64 off) {
    cfile *f = (cfile *)p;
    if (!f->buffered || amt <= 0)
        return RM(p)->xRead(REAL(p), out, amt, off);
    pthread_mutex_lock(&f->mu);
    int rc = flush_locked(f);
    if (rc == SQLITE_OK && f->rlen && off >= f->roff &&
        off + amt <= f->roff + (sqlite3_int64)f->rlen) {
        memcpy(out, f->rbuf + (off - f->roff), (size_t)amt);
        f->last_end = off + amt;
        pthread_mutex_unlock(&f->mu);
        return SQLITE_OK;
    }
    /* Forward, close to the last read: a scan, or a checkpoint walking the
     * WAL's frames in page order (it skips the frames of pages rewritten). */
    int sequential = off >= f->last_end && off - f->last_end <= WRITE_PIECE;
    f->last_end = off + amt;
    f->rlen = 0;
    sqlite3_int64 size = 0;
    if (rc == SQLITE_OK && sequential && amt <= WRITE_PIECE / 4 &&
        RM(p)->xFileSize(REAL(p), &size) == SQLITE_OK && off + amt <= size) {
        size_t n = size - off < WRITE_PIECE ? (size_t)(size - off) : WRITE_PIECE;
        if (RM(p)->xRead(REAL(p), f->rbuf, (int)n, off) == SQLITE_OK) {
            f->roff = off;
            f->rlen = n;
            memcpy(out, f->rbuf, (size_t)amt);
            pthread_mutex_unlock(&f->mu);
            return SQLITE_OK;
        }
    }
    pthread_mutex_unlock(&f->mu);
    return rc != SQLITE_OK ? rc : RM(p)->xRead(REAL(p), out, amt, off);
}

/*
 * Makes sure the WAL has disk space up to end (f->mu held). Its own
 * descriptor is opened and closed: closing a descriptor drops the
 * process's POSIX locks on the file, and SQLite takes none on a WAL (its
 * locks are on the database and -shm files).
 */
static int reserve_locked(cfile *f, sqlite3_int64 end) {
    if (!use_spare)
        end += RESERVE_SPARE; /* what must stay reserved beyond an ordinary write */
    if (!f->name || end <= f->reserved)
        return SQLITE_OK;
    sqlite3_int64 want = (end + RESERVE_STEP - 1) / RESERVE_STEP * RESERVE_STEP;
    int fd = open(f->name, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return SQLITE_OK; /* the write itself will tell */
    int e = fallocate(fd, FALLOC_FL_KEEP_SIZE, f->reserved, want - f->reserved) != 0 ? errno : 0;
    if (e == ENOSPC || e == EDQUOT) {
        /* Nearly full: room for this write (and the spare behind it) will do. */
        want = end;
        e = fallocate(fd, FALLOC_FL_KEEP_SIZE, f->reserved, want - f->reserved) != 0 ? errno : 0;
    }
    close(fd);
    if (e == 0) {
        f->reserved = want;
        return SQLITE_OK;
    }
    if (e == ENOSPC || e == EDQUOT)
        return SQLITE_FULL;
    f->name = NULL; /* cannot reserve here (EOPNOTSUPP...): writes are on their own */
    return SQLITE_OK;
}

static int c_write(sqlite3_file *p, const void *data, int amt, sqlite3_int64 off) {
    cfile *f = (cfile *)p;
    if (!f->buffered || amt <= 0)
        return RM(p)->xWrite(REAL(p), data, amt, off);
    pthread_mutex_lock(&f->mu);
    int rc = reserve_locked(f, off + amt);
    if (rc != SQLITE_OK) {
        pthread_mutex_unlock(&f->mu);
        return rc;
    }
    f->rlen = 0;
    if (f->len && (off != f->off + (sqlite3_int64)f->len || f->len + (size_t)amt > COALESCE_MAX))
        rc = flush_locked(f);
    if (rc == SQLITE_OK) {
        if ((size_t)amt > WRITE_PIECE) {
            rc = RM(p)->xWrite(REAL(p), data, amt, off);
        } else {
            if (f->len == 0)
                f->off = off;
            memcpy(f->buf + f->len, data, (size_t)amt);
            f->len += (size_t)amt;
        }
    }
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static int c_truncate(sqlite3_file *p, sqlite3_int64 size) {
    cfile *f = (cfile *)p;
    if (f->buffered) {
        pthread_mutex_lock(&f->mu);
        if (f->reserved > size)
            f->reserved = size; /* truncating frees what lies beyond */
        pthread_mutex_unlock(&f->mu);
    }
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : RM(p)->xTruncate(REAL(p), size);
}

static int c_sync(sqlite3_file *p, int flags) {
    int rc = flush((cfile *)p);
    return rc != SQLITE_OK ? rc : RM(p)->xSync(REAL(p), flags);
}

static int c_file_size(sqlite3_file *p, sqlite3_int64 *size) {
    int rc = flush((cfile *)p);
    return rc != SQLITE_OK ? rc : RM(p)->xFileSize(REAL(p), size);
}

static int c_lock(sqlite3_file *p, int level) {
    int rc = flush_all();
    return rc != SQLITE_OK ? rc : RM(p)->xLock(REAL(p), level);
}

static int c_unlock(sqlite3_file *p, int level) {
    int rc = flush_all();
    return rc != SQLITE_OK ? rc : RM(p)->xUnlock(REAL(p), level);
}

static int c_check_reserved(sqlite3_file *p, int *out) {
    return RM(p)->xCheckReservedLock(REAL(p), out);
}

static int c_file_control(sqlite3_file *p, int op, void *arg) {
    int rc = flush((cfile *)p);
    if (rc != SQLITE_OK)
        return rc;
    return RM(p)->xFileControl(REAL(p), op, arg);
}

static int c_sector_size(sqlite3_file *p) {
    return RM(p)->xSectorSize(REAL(p));
}

static int c_device_characteristics(sqlite3_file *p) {
    return RM(p)->xDeviceCharacteristics(REAL(p));
}

static int c_shm_map(sqlite3_file *p, int pg, int pgsz, int extend, void volatile **out) {
    return RM(p)->xShmMap(REAL(p), pg, pgsz, extend, out);
}

static int c_shm_lock(sqlite3_file *p, int offset, int n, int flags) {
    int rc = flush_all();
    return rc != SQLITE_OK ? rc : RM(p)->xShmLock(REAL(p), offset, n, flags);
}

static void c_shm_barrier(sqlite3_file *p) {
    flush_all();
    RM(p)->xShmBarrier(REAL(p));
}

static int c_shm_unmap(sqlite3_file *p, int del) {
    int rc = flush_all();
    return rc != SQLITE_OK ? rc : RM(p)->xShmUnmap(REAL(p), del);
}

static int c_fetch(sqlite3_file *p, sqlite3_int64 off, int amt, void **pp) {
    int rc = flush((cfile *)p);
    return rc != SQLITE_OK ? rc : RM(p)->xFetch(REAL(p), off, amt, pp);
}

static int c_unfetch(sqlite3_file *p, sqlite3_int64 off, void *ptr) {
    return RM(p)->xUnfetch(REAL(p), off, ptr);
}

static const sqlite3_io_methods coalesce_methods = {
    3,
    c_close,
    c_read,
    c_write,
    c_truncate,
    c_sync,
    c_file_size,
    c_lock,
    c_unlock,
    c_check_reserved,
    c_file_control,
    c_sector_size,
    c_device_characteristics,
    c_shm_map,
    c_shm_lock,
    c_shm_barrier,
    c_shm_unmap,
    c_fetch,
    c_unfetch,
};

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *out_flags) {
    (void)vfs;
    cfile *f = (cfile *)p;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)(f + 1);
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK || !f->real->pMethods) {
        p->pMethods = NULL;
        return rc;
    }
    if (f->real->pMethods->iVersion < 3) {
        /* Our table forwards version-3 methods: never wrap an older file. */
        f->real->pMethods->xClose(f->real);
        p->pMethods = NULL;
        return SQLITE_CANTOPEN;
    }
    if (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)) {
        f->buf = malloc(COALESCE_MAX);
        f->rbuf = malloc(WRITE_PIECE);
        if (!f->buf || !f->rbuf) {
            free(f->buf);
            free(f->rbuf);
            f->buf = f->rbuf = NULL;
        } else {
            f->buffered = 1;
            if (flags & SQLITE_OPEN_WAL)
                f->name = name;
            pthread_mutex_init(&f->mu, NULL);
            pthread_mutex_lock(&list_mu);
            f->next = open_files;
            if (open_files)
                open_files->prev = f;
            open_files = f;
            pthread_mutex_unlock(&list_mu);
        }
    }
    p->pMethods = &coalesce_methods;
    return SQLITE_OK;
}

static int v_delete(sqlite3_vfs *v, const char *name, int sync_dir) {
    (void)v;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}
static int v_access(sqlite3_vfs *v, const char *name, int flags, int *out) {
    (void)v;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}
static int v_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out) {
    (void)v;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}
static void *v_dlopen(sqlite3_vfs *v, const char *name) {
    (void)v;
    return real_vfs->xDlOpen(real_vfs, name);
}
static void v_dlerror(sqlite3_vfs *v, int n, char *msg) {
    (void)v;
    real_vfs->xDlError(real_vfs, n, msg);
}
static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void) {
    (void)v;
    return real_vfs->xDlSym(real_vfs, h, sym);
}
static void v_dlclose(sqlite3_vfs *v, void *h) {
    (void)v;
    real_vfs->xDlClose(real_vfs, h);
}
static int v_randomness(sqlite3_vfs *v, int n, char *out) {
    (void)v;
    return real_vfs->xRandomness(real_vfs, n, out);
}
static int v_sleep(sqlite3_vfs *v, int us) {
    (void)v;
    return real_vfs->xSleep(real_vfs, us);
}
static int v_current_time(sqlite3_vfs *v, double *out) {
    (void)v;
    return real_vfs->xCurrentTime(real_vfs, out);
}
static int v_last_error(sqlite3_vfs *v, int n, char *out) {
    (void)v;
    return real_vfs->xGetLastError(real_vfs, n, out);
}
static int v_current_time64(sqlite3_vfs *v, sqlite3_int64 *out) {
    (void)v;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

const char *li__sqlite_vfs_register(void) {
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs || real_vfs->iVersion < 2)
        return NULL;
    coalesce_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(cfile) + real_vfs->szOsFile,
        .mxPathname = real_vfs->mxPathname,
        .zName = LI__SQLITE_VFS_NAME,
        .xOpen = v_open,
        .xDelete = v_delete,
        .xAccess = v_access,
        .xFullPathname = v_full_pathname,
        .xDlOpen = v_dlopen,
        .xDlError = v_dlerror,
        .xDlSym = v_dlsym,
        .xDlClose = v_dlclose,
        .xRandomness = v_randomness,
        .xSleep = v_sleep,
        .xCurrentTime = v_current_time,
        .xGetLastError = v_last_error,
        .xCurrentTimeInt64 = v_current_time64,
    };
    return sqlite3_vfs_register(&coalesce_vfs, 0) == SQLITE_OK ? LI__SQLITE_VFS_NAME : NULL;
}
