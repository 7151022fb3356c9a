/*
 * sqlite_fault.c — what a failed SQLite call means, in the store's terms.
 *
 * SQLite says "disk I/O error" for a disk that is full as well as for a
 * dying one, and "database is locked" without saying by whom. The queue
 * must know what a retry can cure and the user must read what happened, so
 * every failure of the backend goes through li__sqlite_fault(), which
 * looks at the extended result code and at the system's errno behind it:
 *
 *   disk full, quota exceeded       LI_ENOSPACE   db_full
 *   read-only file, folder or disk  LI_EREADONLY  db_readonly
 *   locked past the busy timeout    LI_EBUSY      db_busy (and who holds it)
 *   not a database, or damaged      LI_EFORMAT    db_error (a file problem, not a bug:
 *                                                 permanent, exit code 4)
 *   anything else                   LI_EDB        db_error
 *
 * Who holds the lock is read from /proc/locks: SQLite takes POSIX record
 * locks on the database file (rollback journal) or on its -shm file (WAL:
 * the writer's lock), and the kernel lists each with the pid that holds
 * it. When that pid runs an import of this database (a work item's
 * owner "host:pid:thread"), the message names the import too.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "storeInt.h"

static double busy_timeout_s = LI__SQLITE_BUSY_TIMEOUT_S;

/* Read once per process: the variable is the operator's, not a per-call knob. */
static void read_busy_timeout(void) {
    const char *env = getenv("LEADIMPORT_BUSY_TIMEOUT");
    if (env && *env) {
        char *end = NULL;
        double d = strtod(env, &end);
        if (end && !*end && d >= 0 && d <= 3600)
            busy_timeout_s = d;
    }
}

double li__sqlite_busy_timeout(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, read_busy_timeout);
    return busy_timeout_s;
}

/*
 * Waiting for another connection's lock: retry every millisecond, up to
 * the busy timeout. SQLite's own handler backs off to 100 ms between
 * tries, and a writer that commits batch after batch (a worker) leaves the
 * lock free only for moments: `jobs cancel` or a second worker would wait
 * for its whole job. A thread waits on one connection at a time, so the
 * start of the wait can be the thread's.
 */
static _Thread_local double busy_since;
/* The thread's last wait ran out: the message may say how long it waited.
 * SQLite also answers "busy" without waiting at all (a transaction that
 * read, then wants to write while another connection writes or wrote). */
static _Thread_local int busy_timed_out;

static int busy_wait(void *ctx, int tries) {
    (void)ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double t = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    if (tries == 0) {
        busy_since = t;
        busy_timed_out = 0;
    } else if (t - busy_since >= li__sqlite_busy_timeout()) {
        busy_timed_out = 1;
        return 0;
    }
    struct timespec ms = {0, 1000 * 1000};
    nanosleep(&ms, NULL);
    return 1;
}

void li__sqlite_busy_restore(sqlite3 *db) {
    sqlite3_busy_handler(db, busy_wait, NULL);
}

/* 1 if the line of /proc/locks is a write lock that pid holds on dev:ino. */
static int parse_lock(const char *line, long *pid, unsigned *maj, unsigned *min,
                      unsigned long *ino) {
    char kind[16], mode[16], access[16];
    if (strstr(line, "->")) /* a process waiting for the lock, not holding it */
        return 0;
    if (sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%lu", kind, mode, access, pid, maj, min, ino) !=
        7)
        return 0;
    return strcmp(access, "WRITE") == 0 && *pid > 0;
}

/*
 * The pid of another process that holds a write lock on the file at path
 * or on its -shm companion, with its command name; 0 if none is known.
 */
static long lock_holder_pid(const char *path, char comm[64]) {
    struct stat sb[2];
    char shm[PATH_MAX];
    int have[2];
    snprintf(shm, sizeof shm, "%s-shm", path);
    have[0] = stat(path, &sb[0]) == 0;
    have[1] = stat(shm, &sb[1]) == 0;
    FILE *f = fopen("/proc/locks", "r");
    long found = 0;
    if (!f)
        return 0;
    char line[256];
    while (!found && fgets(line, sizeof line, f)) {
        long pid;
        unsigned maj, min;
        unsigned long ino;
        if (!parse_lock(line, &pid, &maj, &min, &ino) || pid == (long)getpid())
            continue;
        for (int i = 0; i < 2; i++)
            if (have[i] && sb[i].st_ino == (ino_t)ino && major(sb[i].st_dev) == maj &&
                minor(sb[i].st_dev) == min)
                found = pid;
    }
    fclose(f);
    comm[0] = '\0';
    if (found) {
        char p[64];
        snprintf(p, sizeof p, "/proc/%ld/comm", found);
        FILE *c = fopen(p, "r");
        if (c) {
            if (!fgets(comm, 64, c))
                comm[0] = '\0';
            fclose(c);
        }
        comm[strcspn(comm, "\n")] = '\0';
        /* A command name is the process's own choice: keep it printable. */
        for (char *q = comm; *q; q++)
            if ((unsigned char)*q < 0x20 || *q == 0x7f)
                *q = '?';
    }
    return found;
}

/* The import that process pid of this host runs on db, or 0. Never waits for a lock. */
static long long job_of_pid(sqlite3 *db, long pid) {
    char host[256], like[300];
    long long job = 0;
    sqlite3_stmt *q = NULL;
    if (!db || gethostname(host, sizeof host - 1) != 0)
        return 0;
    host[sizeof host - 1] = '\0';
    snprintf(like, sizeof like, "%s:%ld:%%", host, pid);
    /* The database is locked: a read must not wait another busy timeout. */
    sqlite3_busy_handler(db, NULL, NULL);
    if (sqlite3_prepare_v2(db,
                           "SELECT job_id FROM work_items WHERE state='running' AND owner LIKE ?1"
                           " LIMIT 1",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, like, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) == SQLITE_ROW)
            job = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    li__sqlite_busy_restore(db);
    return job;
}

void li__sqlite_lock_holder(sqlite3 *db, const char *path, char *out, size_t cap) {
    char comm[64];
    long pid = path ? lock_holder_pid(path, comm) : 0;
    long long job = pid ? job_of_pid(db, pid) : 0;
    if (job)
        li_msg_format(out, cap, LI_MSG_LOCK_HOLDER_JOB, pid, comm[0] ? comm : "?", job);
    else if (pid)
        li_msg_format(out, cap, LI_MSG_LOCK_HOLDER_PROCESS, pid, comm[0] ? comm : "?");
    else
        li_msg_format(out, cap, LI_MSG_LOCK_HOLDER_UNKNOWN);
}

/*
 * Why a database that SQLite could not open, or only read, cannot be
 * written, asked of the file system: SQLite's errno is often that of its
 * last fallback (opening the -shm read-only: ENOENT). 0 if it can be.
 */
static int unwritable_because(const char *path) {
    struct statvfs vfs;
    if (!path)
        return 0;
    if (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
        return EROFS;
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
    if (access(path, W_OK) != 0 && (errno == EACCES || errno == EROFS || errno == EPERM))
        return errno;
    /* Beside the file, SQLite creates its -wal and -shm. */
    if (access(dir, W_OK) != 0 && (errno == EACCES || errno == EROFS || errno == EPERM))
        return errno;
    return 0;
}

li_status li__sqlite_fault(sqlite3 *db, const char *path, int code, int sys, li_error *err) {
    int primary = code & 0xFF;
    if ((primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) && sys != EROFS &&
        sys != EACCES && sys != EPERM) {
        int why = unwritable_because(path);
        if (why)
            sys = why;
    }
    const char *where = path ? path : "?";
    int io = primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN;
    if (primary == SQLITE_FULL || (io && (sys == ENOSPC || sys == EDQUOT)))
        return li_error_set(err, LI_ENOSPACE, LI_MSG_DB_FULL, where,
                            li_msg_errno(sys == EDQUOT ? EDQUOT : ENOSPC));
    if (primary == SQLITE_READONLY || (io && sys == EROFS) ||
        (primary == SQLITE_CANTOPEN && (sys == EACCES || sys == EPERM))) {
        const char *why = sys == EROFS || sys == EACCES || sys == EPERM ? li_msg_errno(sys)
                                                                         : li_msg_sqlite(code);
        return li_error_set(err, LI_EREADONLY, LI_MSG_DB_READONLY, where, why);
    }
    if (primary == SQLITE_BUSY) {
        int waited = busy_timed_out && code != SQLITE_BUSY_SNAPSHOT;
        busy_timed_out = 0;
        if (!waited)
            return li_error_set(err, LI_EBUSY, LI_MSG_DB_BUSY_CHANGED, where);
        char holder[256];
        li__sqlite_lock_holder(db, path, holder, sizeof holder);
        return li_error_set(err, LI_EBUSY, LI_MSG_DB_BUSY, where, holder,
                            (int)(li__sqlite_busy_timeout() + 0.5));
    }
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
        return li_error_set(err, LI_EFORMAT, LI_MSG_DB_ERROR, li_msg_sqlite(code));
    return li_error_set(err, LI_EDB, LI_MSG_DB_ERROR, li_msg_sqlite(code));
}
