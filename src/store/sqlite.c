/*
 * sqlite.c — the SQLite backend of the store: the connection (see store.h,
 * backend.h).
 *
 * One connection per li_store, WAL journal with synchronous=NORMAL (a crash
 * loses at most the last transactions, never consistency), prepared
 * statements kept for the life of the handle. The schema version lives in
 * PRAGMA user_version; migrations are in sqlite_schema.c. This file also
 * holds the helpers every file of the backend shares (storeInt.h) and the
 * operations table.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "storeInt.h"

/* --- shared helpers --------------------------------------------------------- */

li_status li__sqlite_fail(li__sqlite *s, li_error *err) {
    if (!s || !s->db)
        return li__sqlite_fault(NULL, NULL, SQLITE_ERROR, 0, err);
    return li__sqlite_fault(s->db, s->path, sqlite3_extended_errcode(s->db),
                            sqlite3_system_errno(s->db), err);
}

sqlite3 *li__sqlite_db(li_store *s) {
    return li__sq(s)->db;
}

li_status li__sqlite_error(li_store *s, li_error *err) {
    return li__sqlite_fail(li__sq(s), err);
}

li_status li__sqlite_exec(li__sqlite *s, const char *sql, li_error *err) {
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return li__sqlite_fail(s, err);
    return LI_OK;
}

/* "INSERT ... VALUES (?,..),(?,..)..." : the single-row text repeated n times. */
static char *multi_row_sql(const char *single, int n) {
    const char *values = strstr(single, "VALUES ");
    if (!values)
        return NULL;
    size_t head = (size_t)(values - single) + 7, tuple = strlen(values + 7);
    char *sql = malloc(head + (size_t)n * (tuple + 1) + 1);
    if (!sql)
        return NULL;
    memcpy(sql, single, head);
    size_t k = head;
    for (int i = 0; i < n; i++) {
        if (i)
            sql[k++] = ',';
        memcpy(sql + k, values + 7, tuple);
        k += tuple;
    }
    sql[k] = '\0';
    return sql;
}

/* Prepared on first use: most commands need few statements. A handful of
 * pointer compares per call: far below the cost of a step. */
li_status li__sqlite_stmt(li__sqlite *s, const char *sql, int rows, sqlite3_stmt **out,
                          li_error *err) {
    int i = 0;
    while (i < s->ncached && (s->cached[i].sql != sql || s->cached[i].rows != rows))
        i++;
    if (i == s->ncached) {
        if (i == LI__SQLITE_CACHED)
            return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "cache de requêtes plein");
        char *multi = rows > 1 ? multi_row_sql(sql, rows) : NULL;
        if (rows > 1 && !multi)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        int rc = sqlite3_prepare_v3(s->db, multi ? multi : sql, -1, SQLITE_PREPARE_PERSISTENT,
                                    &s->cached[i].q, NULL);
        free(multi);
        if (rc != SQLITE_OK)
            return li__sqlite_fail(s, err);
        s->cached[i].sql = sql;
        s->cached[i].rows = rows;
        s->ncached++;
    }
    sqlite3_reset(s->cached[i].q);
    *out = s->cached[i].q;
    return LI_OK;
}

li_status li__sqlite_prepare(li__sqlite *s, const char *sql, sqlite3_stmt **q, li_error *err) {
    if (sqlite3_prepare_v2(s->db, sql, -1, q, NULL) != SQLITE_OK)
        return li__sqlite_fail(s, err);
    return LI_OK;
}

li_status li__sqlite_done(li__sqlite *s, sqlite3_stmt *q, li_error *err) {
    li_status st = sqlite3_step(q) == SQLITE_DONE ? LI_OK : li__sqlite_fail(s, err);
    sqlite3_finalize(q);
    return st;
}

void li__sqlite_bind_slice(sqlite3_stmt *q, int i, li_slice v) {
    if (v.len == 0)
        sqlite3_bind_null(q, i);
    else
        sqlite3_bind_text(q, i, v.ptr, (int)v.len, SQLITE_STATIC);
}

void li__sqlite_bind_text(sqlite3_stmt *q, int i, const char *v) {
    if (v && *v)
        sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, i);
}

void li__sqlite_bind_id(sqlite3_stmt *q, int i, int64_t id) {
    if (id)
        sqlite3_bind_int64(q, i, id);
    else
        sqlite3_bind_null(q, i);
}

li_slice li__sqlite_col_slice(sqlite3_stmt *q, int col) {
    li_slice v = {(const char *)sqlite3_column_text(q, col), (size_t)sqlite3_column_bytes(q, col)};
    if (!v.ptr)
        v.ptr = "";
    return v;
}

void li__sqlite_col_copy(char *dst, size_t cap, sqlite3_stmt *q, int col) {
    const unsigned char *t = sqlite3_column_text(q, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

li_status li__sqlite_col_dup(sqlite3_stmt *q, int col, char **out, li_error *err) {
    const char *t = (const char *)sqlite3_column_text(q, col);
    *out = NULL;
    if (t && !(*out = strdup(t)))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    return LI_OK;
}

void li__sqlite_stamp_in(double secs, char out[32]) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    double t = (double)tv.tv_sec + (double)tv.tv_usec / 1e6 + secs;
    time_t whole = (time_t)t;
    struct tm tm;
    gmtime_r(&whole, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03uZ", (unsigned)((t - (double)whole) * 1000.0) % 1000u);
}

/* --- migrations ------------------------------------------------------------- */

/* Applies the pending migrations, each in its own transaction. */
static li_status apply_migrations(li__sqlite *s, int *version, li_error *err) {
    li_status st = LI_OK;
    sqlite3_stmt *q = NULL;
    int v = 0;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
        return li__sqlite_fail(s, err);
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (v > LI_STORE_SCHEMA_VERSION)
        return li_error_set(err, LI_EDB, LI_MSG_DB_TOO_NEW, v, LI_STORE_SCHEMA_VERSION);
    while (li__sqlite_migrations[v]) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", v + 1);
        if ((st = li__sqlite_exec(s, "BEGIN IMMEDIATE", err)) != LI_OK)
            goto out;
        /* Another process may have migrated while we waited for the lock. */
        int now_v = 0;
        if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            now_v = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        q = NULL;
        if (now_v != v) {
            li__sqlite_exec(s, "ROLLBACK", NULL);
            v = now_v;
            continue;
        }
        if ((st = li__sqlite_exec(s, li__sqlite_migrations[v], err)) != LI_OK ||
            (st = li__sqlite_exec(s, pragma, err)) != LI_OK) {
            li__sqlite_exec(s, "ROLLBACK", NULL);
            goto out;
        }
        if ((st = li__sqlite_exec(s, "COMMIT", err)) != LI_OK)
            goto out;
        v++;
    }
out:
    if (version)
        *version = v;
    return st;
}

/*
 * The explicit migrate (leadimport migrate) also repairs what an
 * interrupted bulk load left: the match key indexes it dropped. Opening
 * does not: a bulk load of another process may be under way.
 */
li_status li__sqlite_migrate(li_store *store, int *version, li_error *err) {
    li__sqlite *s = li__sq(store);
    li_status st = apply_migrations(s, version, err);
    return st == LI_OK ? li__sqlite_bulk_end(store, err) : st;
}

/* --- opening and closing ------------------------------------------------------ */

static const char *vfs_name; /* NULL: SQLite's default */

static double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void configure_sqlite(void) {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (!getenv("LEADIMPORT_PLAIN_VFS"))
        vfs_name = li__sqlite_vfs_register();
}

/*
 * A failure while opening: a full or read-only disk and a lock are said as
 * such (li__sqlite_fail); anything else as "cannot open the database".
 */
static li_status open_error(li__sqlite *s, li_error *err) {
    if (!s->db)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    int code = sqlite3_extended_errcode(s->db);
    li_status st = li__sqlite_fail(s, err);
    if (st == LI_EDB || st == LI_EFORMAT)
        st = li_error_set(err, st, LI_MSG_DB_OPEN, s->path, li_msg_sqlite(code));
    return st;
}

/*
 * The folders of stored files of the database at path: its own,
 * "<path>.files" (one database, one folder: two databases of a folder
 * never share a file), and the one all the databases of a folder shared
 * before, "<folder>/leadimport-files" (read only: see li_store_legacy_file_dir).
 */
static li_status file_dirs(const char *path, char **own, char **legacy, li_error *err) {
    const char *slash = strrchr(path, '/');
    int dlen = slash ? (int)(slash - path) : 0;
    size_t n = strlen(path) + sizeof "/leadimport-files" + 8;
    *own = malloc(n);
    *legacy = malloc(n);
    if (!*own || !*legacy) {
        free(*own);
        free(*legacy);
        *own = *legacy = NULL;
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    snprintf(*own, n, "%s.files", path);
    snprintf(*legacy, n, "%.*s%sleadimport-files", dlen, path, slash ? "/" : "");
    return LI_OK;
}

/*
 * A new database file is created here, 0600 whatever the umask, before
 * SQLite opens it: SQLite would create it 0644 less the umask, and it
 * holds password hashes and personal data. Its -wal and -shm files take
 * the database's mode (SQLite copies it). An existing file is left alone.
 */
static void create_private(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
        (void)fchmod(fd, 0600); /* on failure the file is still 0600 less the umask */
        close(fd);
    }
}

static li_status sqlite_url_guard(const char *path, li_outfile_guard *g, char **owned,
                                  li_error *err) {
    char *own = NULL, *legacy = NULL;
    li_status st = file_dirs(path, &own, &legacy, err);
    if (st != LI_OK)
        return st;
    size_t a = strlen(path) + 1, b = strlen(own) + 1, c = strlen(legacy) + 1;
    if ((*owned = malloc(a + b + c))) {
        memcpy(*owned, path, a);
        memcpy(*owned + a, own, b);
        memcpy(*owned + a + b, legacy, c);
        g->db = *owned;
        g->dirs[0] = *owned + a;
        g->dirs[1] = *owned + a + b;
    } else {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    free(own);
    free(legacy);
    return st;
}

void li__sqlite_output_guard(li_store *store, li_outfile_guard *g) {
    li__sqlite *s = li__sq(store);
    memset(g, 0, sizeof *g);
    g->db = s->path;
    g->dirs[0] = s->file_dir;
    g->dirs[1] = s->legacy_dir;
}

const char *li__sqlite_file_dir(li_store *store) {
    return li__sq(store)->file_dir;
}

/* A SQLite database keeps its blobs in a folder beside it (blob_dir.c). */
const char *li__sqlite_server_url(li_store *store) {
    (void)store;
    return NULL;
}

const char *li__sqlite_legacy_file_dir(li_store *store) {
    return li__sq(store)->legacy_dir;
}

static const li_store_ops sqlite_ops;

static li_status sqlite_open(const char *path, int create, li_store **out, li_error *err) {
    li_status st = LI_OK;
    li__sqlite *s = NULL;
    *out = NULL;
    struct stat sb;
    int found = stat(path, &sb) == 0;
    if (!create && !found && errno == ENOENT)
        return li_error_set(err, LI_EUSAGE, LI_MSG_DB_MISSING, path);
    if (found && S_ISDIR(sb.st_mode)) /* SQLite would only say "cannot open" */
        return li_error_set(err, LI_EUSAGE, LI_MSG_DB_OPEN, path, li_msg_errno(EISDIR));
    s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    s->base.ops = &sqlite_ops;
    if ((st = file_dirs(path, &s->file_dir, &s->legacy_dir, err)) != LI_OK)
        goto out;
    if (create)
        create_private(path);
    /* No memory statistics: they put a global mutex on every allocation. */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_sqlite);
    /* NOMUTEX: a connection is only ever used by one thread at a time, so
     * SQLite's per-call connection mutex is pure cost. */
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                            SQLITE_OPEN_NOMUTEX,
                        vfs_name) != SQLITE_OK) {
        st = open_error(s, err);
        goto out;
    }
    li__sqlite_busy_restore(s->db);
    /* cache_size bounds SQLite's page cache: memory stays flat however big
     * the tables grow. */
    if ((st = li__sqlite_exec(s,
                              "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                              "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384;"
                              "PRAGMA temp_store=FILE;",
                              err)) != LI_OK) {
        st = open_error(s, err);
        goto out;
    }
    sqlite3_wal_autocheckpoint(s->db, LI__SQLITE_AUTO_FRAMES);
    if ((st = apply_migrations(s, NULL, err)) != LI_OK)
        goto out;
    *out = &s->base;
    s = NULL;
out:
    if (s)
        li__sqlite_close(&s->base);
    return st;
}

li_status li__sqlite_open_again(li_store *store, li_store **out, li_error *err) {
    return sqlite_open(li__sq(store)->path, 0, out, err);
}

void li__sqlite_close(li_store *store) {
    li__sqlite *s = li__sq(store);
    li__sqlite_ckpt_stop(s);
    for (int i = 0; i < s->ncached; i++)
        sqlite3_finalize(s->cached[i].q);
    free(s->lead);
    free(s->row);
    if (s->db)
        sqlite3_close(s->db);
    free(s->path);
    free(s->file_dir);
    free(s->legacy_dir);
    free(s);
}

/* --- transactions ----------------------------------------------------------- */

li_status li__sqlite_begin(li_store *store, li_error *err) {
    li__sqlite *s = li__sq(store);
    s->next_lead_id = 0;
    return li__sqlite_exec(s, "BEGIN IMMEDIATE", err);
}

li_status li__sqlite_commit(li_store *store, li_error *err) {
    li__sqlite *s = li__sq(store);
    li_status st = li__sqlite_flush(store, err);
    s->next_lead_id = 0; /* the write lock goes: other writers may add leads */
    if (st != LI_OK || (st = li__sqlite_exec(s, "COMMIT", err)) != LI_OK)
        return st;
    /* A writer committing in a loop leaves the lock free for 2 ms every
     * half second, so that connections waiting for it (busy_wait) get
     * their turn: 0.4 % of its time. */
    double now = mono_now();
    if (now - s->last_yield >= 0.5) {
        if (s->last_yield > 0) {
            struct timespec ts = {0, 2 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        s->last_yield = mono_now();
    }
    return LI_OK;
}

void li__sqlite_use_spare(li_store *store, int on) {
    (void)store; /* per thread: the write path knows no store */
    li__sqlite_vfs_use_spare(on);
}

void li__sqlite_rollback(li_store *store) {
    li__sqlite *s = li__sq(store);
    s->nlead = 0;
    s->nrow = 0;
    s->next_lead_id = 0;
    if (!sqlite3_get_autocommit(s->db))
        li__sqlite_exec(s, "ROLLBACK", NULL);
}

/* --- the backend ------------------------------------------------------------- */

static const li_store_ops sqlite_ops = {
#define LI_STORE_OP(R, name, params, args) .name = li__sqlite_##name,
#define LI_STORE_VOP(name, params, args) .name = li__sqlite_##name,
#define LI_STORE_IOP(name, params, args) .name = li__sqlite_##name,
#include "store_ops.def"
#undef LI_STORE_OP
#undef LI_STORE_VOP
#undef LI_STORE_IOP
};

/* "sqlite:PATH" only: "sqlite:///abs" names "///abs", the same file as "/abs". */
const li_store_backend li__sqlite_backend = {
    .name = "SQLite",
    .schemes = {"sqlite:", NULL},
    .open = sqlite_open,
    .url_guard = sqlite_url_guard,
};
