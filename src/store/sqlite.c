/*
 * sqlite.c — the SQLite backend of the store (see store.h).
 *
 * One connection per li_store, WAL journal with synchronous=NORMAL (a crash
 * loses at most the last transactions, never consistency), prepared
 * statements kept for the life of the handle. The schema version lives in
 * PRAGMA user_version; migrations are in sqlite_schema.c.
 */
#include "leadimport/store.h"

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

/* Rows per multi-row INSERT: one statement step instead of one per row
 * (on this path the per-statement overhead costs more than the B-tree). */
#define LEADS_PER_INSERT 32
#define HISTORY_PER_INSERT 64
#define ROWS_PER_INSERT 64
/* Deferred inserts are flushed at the latest when this many wait. */
#define PENDING_MAX 1024

enum {
    ST_ROW_PUT,
    ST_ROW_PUT_MANY,
    ST_LEAD_INSERT_MANY,
    ST_HISTORY_CREATED_MANY,
    ST_LEAD_INSERT,
    ST_HISTORY_CREATED,
    ST_FIND_EMAIL,
    ST_FIND_PHONE,
    ST_FIND_EXTERNAL_ID,
    ST_LEAD_KEYS,
    ST_JOB_UPDATE,
    ST_HISTORY_ADD,
    ST_LEAD_GET,
    ST_LEAD_UPDATE,
    ST_JOB_STATUS,
    ST__COUNT
};

static const char *const stmt_sql[ST__COUNT] = {
    [ST_ROW_PUT] = "INSERT OR REPLACE INTO import_rows (job_id, row_no, status, data, errors,"
                   " lead_id, match_key, match_lead) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_LEAD_INSERT] = "INSERT INTO leads (id, first_name, last_name, email, phone, company,"
                       " job_title, address, postal_code, city, country, source, notes,"
                       " external_id, owner, custom, import_job_id, import_row, created_at,"
                       " updated_at, assigned_to, duplicate_of, phone_type) VALUES (?, ?, ?, ?,"
                       " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_HISTORY_CREATED] = "INSERT INTO lead_history (lead_id, action, job_id, at)"
                           " VALUES (?, 'created', ?, ?)",
    [ST_FIND_EMAIL] = "SELECT id FROM leads WHERE email = ?1 ORDER BY id LIMIT 1",
    [ST_FIND_PHONE] = "SELECT id FROM leads WHERE phone = ?1 ORDER BY id LIMIT 1",
    [ST_FIND_EXTERNAL_ID] = "SELECT id FROM leads WHERE external_id = ?1 ORDER BY id LIMIT 1",
    [ST_LEAD_KEYS] = "SELECT email, phone, external_id FROM leads WHERE id = ?1",
    [ST_JOB_UPDATE] =
        "UPDATE import_jobs SET format=?2, encoding=?3, delimiter=?4, has_header=?5,"
        " status=?6, phase=?7, rows_total=?8, rows_valid=?9, rows_invalid=?10,"
        " rows_warned=?11, created=?12, updated=?13, skipped=?14, bytes_total=?15,"
        " bytes_done=?16, parse_offset=?17, parse_row=?18, commit_row=?19,"
        " rows_per_s=?20, eta_s=?21, started_at=?22, finished_at=?23, error=?24,"
        " assigned=?25, flagged=?26,"
        " heartbeat_at=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id=?1",
    [ST_HISTORY_ADD] = "INSERT INTO lead_history (lead_id, action, job_id, changes, at)"
                       " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_LEAD_GET] = "SELECT first_name, last_name, email, phone, company, job_title,"
                    " address, postal_code, city, country, source, notes, external_id,"
                    " owner, custom, assigned_to, duplicate_of, import_job_id, created_at,"
                    " updated_at, phone_type FROM leads WHERE id=?1",
    [ST_LEAD_UPDATE] = "UPDATE leads SET first_name=?2, last_name=?3, email=?4, phone=?5,"
                       " company=?6, job_title=?7, address=?8, postal_code=?9, city=?10,"
                       " country=?11, source=?12, notes=?13, external_id=?14, owner=?15,"
                       " custom=?16, assigned_to=?17, updated_at=?18, phone_type=?19 WHERE id=?1",
    [ST_JOB_STATUS] = "SELECT status FROM import_jobs WHERE id=?1",
};

typedef struct pending_lead {
    int64_t id;
    li_slice value[LI_FIELD__COUNT];
    li_slice custom;
    li_lead_meta meta;
    int64_t job_id;
    uint64_t row_no;
    const char *now;
} pending_lead;

typedef struct pending_row {
    int64_t job_id;
    li_staged_row row;
} pending_row;

struct li_store {
    sqlite3 *db;
    char *path;
    char *file_dir;   /* li_store_file_dir() */
    char *legacy_dir; /* li_store_legacy_file_dir() */
    sqlite3_stmt *stmt[ST__COUNT];
    /*
     * Deferred inserts (see store.h): leads with their 'created' history
     * entry, and staged rows, written by multi-row INSERTs at the next
     * flush. next_lead_id is the id the next lead gets, known while this
     * connection holds the write lock (0 = ask the table).
     */
    pending_lead *lead;
    size_t nlead;
    pending_row *row;
    size_t nrow;
    int64_t next_lead_id;
    double last_yield; /* see li_store_commit() */
};

/* The status and message of the connection's last failure (sqlite_fault.c). */
static li_status db_error(li_store *s, li_error *err) {
    if (!s || !s->db)
        return li__sqlite_fault(NULL, NULL, SQLITE_ERROR, 0, err);
    return li__sqlite_fault(s->db, s->path, sqlite3_extended_errcode(s->db),
                            sqlite3_system_errno(s->db), err);
}

sqlite3 *li__sqlite_db(li_store *s) {
    return s->db;
}

li_status li__sqlite_error(li_store *s, li_error *err) {
    return db_error(s, err);
}

static li_status exec(li_store *s, const char *sql, li_error *err) {
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(s, err);
    return LI_OK;
}

/* "INSERT ... VALUES (?,..),(?,..)..." : the single-row text repeated n times. */
static char *multi_row_sql(const char *single, int n) {
    const char *values = strstr(single, "VALUES ");
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

static int many_base(int which, int *n) {
    switch (which) {
    case ST_ROW_PUT_MANY: *n = ROWS_PER_INSERT; return ST_ROW_PUT;
    case ST_LEAD_INSERT_MANY: *n = LEADS_PER_INSERT; return ST_LEAD_INSERT;
    case ST_HISTORY_CREATED_MANY: *n = HISTORY_PER_INSERT; return ST_HISTORY_CREATED;
    default: *n = 1; return which;
    }
}

/* Prepared statements are made on first use: most commands need few of them. */
static li_status stmt_get(li_store *s, int which, sqlite3_stmt **out, li_error *err) {
    if (!s->stmt[which]) {
        int n;
        int base = many_base(which, &n);
        char *sql = n > 1 ? multi_row_sql(stmt_sql[base], n) : NULL;
        if (n > 1 && !sql)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        int rc = sqlite3_prepare_v3(s->db, sql ? sql : stmt_sql[which], -1,
                                    SQLITE_PREPARE_PERSISTENT, &s->stmt[which], NULL);
        free(sql);
        if (rc != SQLITE_OK)
            return db_error(s, err);
    }
    sqlite3_reset(s->stmt[which]);
    *out = s->stmt[which];
    return LI_OK;
}

static void bind_slice(sqlite3_stmt *st, int i, li_slice v) {
    if (v.len == 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, v.ptr, (int)v.len, SQLITE_STATIC);
}

static li_slice column_slice(sqlite3_stmt *st, int i) {
    li_slice v = {(const char *)sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i)};
    if (!v.ptr)
        v.ptr = "";
    return v;
}

void li_store_now(char out[32]) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(tv.tv_usec / 1000) % 1000u);
}

li_status li_store_migrate(li_store *s, int *version, li_error *err) {
    li_status st = LI_OK;
    sqlite3_stmt *q = NULL;
    int v = 0;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (v > LI_STORE_SCHEMA_VERSION)
        return li_error_set(err, LI_EDB, LI_MSG_DB_TOO_NEW, v, LI_STORE_SCHEMA_VERSION);
    while (li__sqlite_migrations[v]) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", v + 1);
        if ((st = exec(s, "BEGIN IMMEDIATE", err)) != LI_OK)
            goto out;
        /* Another process may have migrated while we waited for the lock. */
        int now_v = 0;
        if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            now_v = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        q = NULL;
        if (now_v != v) {
            exec(s, "ROLLBACK", NULL);
            v = now_v;
            continue;
        }
        if ((st = exec(s, li__sqlite_migrations[v], err)) != LI_OK ||
            (st = exec(s, pragma, err)) != LI_OK) {
            exec(s, "ROLLBACK", NULL);
            goto out;
        }
        if ((st = exec(s, "COMMIT", err)) != LI_OK)
            goto out;
        v++;
    }
out:
    if (version)
        *version = v;
    return st;
}

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
 * such (db_error); anything else as "cannot open the database".
 */
static li_status open_error(li_store *s, li_error *err) {
    if (!s->db)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    int code = sqlite3_extended_errcode(s->db);
    li_status st = db_error(s, err);
    if (st == LI_EDB || st == LI_EFORMAT)
        st = li_error_set(err, st, LI_MSG_DB_OPEN, s->path, li_msg_sqlite(code));
    return st;
}

/* The database file a URL names (inside url), or NULL. */
static const char *url_path(const char *url) {
    const char *path = NULL;
    if (strncmp(url, "sqlite:", 7) == 0)
        path = url + 7;
    else if (strncmp(url, "sqlite://", 9) == 0)
        path = url + 9;
    return path && *path ? path : NULL;
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

li_status li_store_url_guard(const char *url, li_outfile_guard *g, char **owned, li_error *err) {
    const char *path = url_path(url);
    char *own = NULL, *legacy = NULL;
    memset(g, 0, sizeof *g);
    *owned = NULL;
    if (!path)
        return li_error_set(err, LI_EUSAGE, LI_MSG_DB_URL_INVALID, url);
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

void li_store_output_guard(li_store *s, li_outfile_guard *g) {
    memset(g, 0, sizeof *g);
    g->db = s->path;
    g->dirs[0] = s->file_dir;
    g->dirs[1] = s->legacy_dir;
}

static li_status store_open(const char *url, int create, li_store **out, li_error *err) {
    li_status st = LI_OK;
    li_store *s = NULL;
    *out = NULL;
    const char *path = url_path(url);
    if (!path)
        return li_error_set(err, LI_EUSAGE, LI_MSG_DB_URL_INVALID, url);
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
    if ((st = li__sqlite_queue_setup(s, err)) != LI_OK)
        goto out;
    /* cache_size bounds SQLite's page cache: memory stays flat however big
     * the tables grow. */
    if ((st = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                      "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384;"
                      "PRAGMA temp_store=FILE; PRAGMA wal_autocheckpoint=16384;",
                   err)) != LI_OK) {
        st = open_error(s, err);
        goto out;
    }
    if ((st = li_store_migrate(s, NULL, err)) != LI_OK)
        goto out;
    *out = s;
    s = NULL;
out:
    li_store_close(s);
    return st;
}

li_status li_store_open(const char *url, li_store **out, li_error *err) {
    return store_open(url, 1, out, err);
}

li_status li_store_open_existing(const char *url, li_store **out, li_error *err) {
    return store_open(url, 0, out, err);
}

void li_store_close(li_store *s) {
    if (!s)
        return;
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    free(s->lead);
    free(s->row);
    if (s->db)
        sqlite3_close(s->db);
    free(s->path);
    free(s->file_dir);
    free(s->legacy_dir);
    free(s);
}

li_status li_store_begin(li_store *s, li_error *err) {
    s->next_lead_id = 0;
    return exec(s, "BEGIN IMMEDIATE", err);
}

li_status li_store_commit(li_store *s, li_error *err) {
    li_status st = li_store_flush(s, err);
    s->next_lead_id = 0; /* the write lock goes: other writers may add leads */
    if (st != LI_OK || (st = exec(s, "COMMIT", err)) != LI_OK)
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

void li_store_use_spare(li_store *s, int on) {
    (void)s; /* per thread: the write path knows no store */
    li__sqlite_vfs_use_spare(on);
}

void li_store_rollback(li_store *s) {
    s->nlead = 0;
    s->nrow = 0;
    s->next_lead_id = 0;
    if (!sqlite3_get_autocommit(s->db))
        exec(s, "ROLLBACK", NULL);
}

static void bind_opt_text(sqlite3_stmt *q, int i, const char *s) {
    if (s && *s)
        sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, i);
}

/* An id, or NULL for 0. */
static void bind_id(sqlite3_stmt *q, int i, int64_t id) {
    if (id)
        sqlite3_bind_int64(q, i, id);
    else
        sqlite3_bind_null(q, i);
}

static void bind_lead(sqlite3_stmt *q, int at, const pending_lead *l) {
    sqlite3_bind_int64(q, at, l->id);
    for (int f = 0; f < LI_FIELD__COUNT; f++)
        bind_slice(q, at + 1 + f, l->value[f]);
    if (l->custom.len <= 2) /* "{}" */
        sqlite3_bind_null(q, at + 15);
    else
        bind_slice(q, at + 15, l->custom);
    sqlite3_bind_int64(q, at + 16, l->job_id);
    sqlite3_bind_int64(q, at + 17, (sqlite3_int64)l->row_no);
    sqlite3_bind_text(q, at + 18, l->now, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, at + 19, l->now, -1, SQLITE_STATIC);
    bind_id(q, at + 20, l->meta.assigned_to);
    bind_id(q, at + 21, l->meta.duplicate_of);
    bind_opt_text(q, at + 22, l->meta.phone_type); /* static strings */
}

static void bind_history(sqlite3_stmt *q, int at, const pending_lead *l) {
    sqlite3_bind_int64(q, at, l->id);
    sqlite3_bind_int64(q, at + 1, l->job_id);
    sqlite3_bind_text(q, at + 2, l->now, -1, SQLITE_STATIC);
}

static void bind_row(sqlite3_stmt *q, int at, const pending_row *p) {
    sqlite3_bind_int64(q, at, p->job_id);
    sqlite3_bind_int64(q, at + 1, (sqlite3_int64)p->row.row_no);
    sqlite3_bind_text(q, at + 2, p->row.status, -1, SQLITE_STATIC);
    bind_slice(q, at + 3, p->row.data);
    bind_slice(q, at + 4, p->row.errors);
    bind_id(q, at + 5, p->row.lead_id);
    bind_opt_text(q, at + 6, p->row.match_key); /* static strings */
    bind_id(q, at + 7, p->row.match_lead);
}

/* Inserts n items with the many-row statement by chunks, the rest one by one. */
static li_status insert_all(li_store *s, int many, int one, int per, int width, const void *items,
                            size_t size, size_t n,
                            void (*bind)(sqlite3_stmt *, int, const void *), li_error *err) {
    const char *p = items;
    size_t i = 0;
    li_status st;
    sqlite3_stmt *q;
    while (n - i >= (size_t)per) {
        if ((st = stmt_get(s, many, &q, err)) != LI_OK)
            return st;
        for (int k = 0; k < per; k++)
            bind(q, 1 + k * width, p + (i + (size_t)k) * size);
        if (sqlite3_step(q) != SQLITE_DONE)
            return db_error(s, err);
        i += (size_t)per;
    }
    for (; i < n; i++) {
        if ((st = stmt_get(s, one, &q, err)) != LI_OK)
            return st;
        bind(q, 1, p + i * size);
        if (sqlite3_step(q) != SQLITE_DONE)
            return db_error(s, err);
    }
    return LI_OK;
}

static void bind_lead_v(sqlite3_stmt *q, int at, const void *x) {
    bind_lead(q, at, x);
}
static void bind_history_v(sqlite3_stmt *q, int at, const void *x) {
    bind_history(q, at, x);
}
static void bind_row_v(sqlite3_stmt *q, int at, const void *x) {
    bind_row(q, at, x);
}

/* The 'assigned' history entries of the pending leads that have an assignee. */
static li_status history_assigned(li_store *s, li_error *err) {
    for (size_t i = 0; i < s->nlead; i++) {
        const pending_lead *l = &s->lead[i];
        if (!l->meta.assigned_to)
            continue;
        char changes[64];
        snprintf(changes, sizeof changes, "{\"assigned_to\":[null,%lld]}",
                 (long long)l->meta.assigned_to);
        sqlite3_stmt *q;
        li_status st = stmt_get(s, ST_HISTORY_ADD, &q, err);
        if (st != LI_OK)
            return st;
        sqlite3_bind_int64(q, 1, l->id);
        sqlite3_bind_text(q, 2, "assigned", -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, l->job_id);
        sqlite3_bind_text(q, 4, changes, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 5, l->now, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            return db_error(s, err);
    }
    return LI_OK;
}

li_status li_store_flush(li_store *s, li_error *err) {
    li_status st = LI_OK;
    if (s->nlead &&
        ((st = insert_all(s, ST_LEAD_INSERT_MANY, ST_LEAD_INSERT, LEADS_PER_INSERT, 23, s->lead,
                          sizeof *s->lead, s->nlead, bind_lead_v, err)) != LI_OK ||
         (st = insert_all(s, ST_HISTORY_CREATED_MANY, ST_HISTORY_CREATED, HISTORY_PER_INSERT, 3,
                          s->lead, sizeof *s->lead, s->nlead, bind_history_v, err)) != LI_OK ||
         (st = history_assigned(s, err)) != LI_OK))
        goto out;
    if (s->nrow)
        st = insert_all(s, ST_ROW_PUT_MANY, ST_ROW_PUT, ROWS_PER_INSERT, 8, s->row, sizeof *s->row,
                        s->nrow, bind_row_v, err);
out:
    /* Bound values are borrowed: clear them before the caller frees them. */
    for (int i = 0; i < ST__COUNT; i++)
        if (s->stmt[i])
            sqlite3_clear_bindings(s->stmt[i]);
    s->nlead = 0;
    s->nrow = 0;
    return st;
}

/* --- jobs ---------------------------------------------------------------- */

#define JOB_COLUMNS                                                                            \
    "id, file_name, file_size, file_sha256, format, encoding, delimiter, has_header, status,"  \
    " phase, rows_total, rows_valid, rows_invalid, rows_warned, created, updated, skipped,"     \
    " bytes_total, bytes_done, parse_offset, parse_row, commit_row, rows_per_s, eta_s,"        \
    " created_at, started_at, finished_at, error, assigned, flagged, attempts, worker,"        \
    " heartbeat_at, EXISTS (SELECT 1 FROM work_items w WHERE w.job_id=import_jobs.id"          \
    " AND w.state='running' AND w.lease_expiry>=strftime('%Y-%m-%dT%H:%M:%fZ','now')"          \
    " AND li_owner_alive(w.lease_owner))"

static void copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col) {
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/*
 * The store boundary: states and phases are stored as their names. A name
 * this version does not know (a database edited by hand, or by a newer
 * version) is an error, never guessed: LI_EFORMAT.
 */
static li_status job_from_row(sqlite3_stmt *q, li_job_rec *j, li_error *err) {
    memset(j, 0, sizeof *j);
    j->id = sqlite3_column_int64(q, 0);
    copy_text(j->file_name, sizeof j->file_name, q, 1);
    j->file_size = (uint64_t)sqlite3_column_int64(q, 2);
    copy_text(j->file_sha256, sizeof j->file_sha256, q, 3);
    copy_text(j->format, sizeof j->format, q, 4);
    copy_text(j->encoding, sizeof j->encoding, q, 5);
    copy_text(j->delimiter, sizeof j->delimiter, q, 6);
    j->has_header = sqlite3_column_int(q, 7);
    const char *state = (const char *)sqlite3_column_text(q, 8);
    if (!li_job_state_parse(state, &j->state))
        return li_error_set(err, LI_EFORMAT, LI_MSG_JOB_STATE_CORRUPT, (long long)j->id,
                            state ? state : "");
    const char *phase = (const char *)sqlite3_column_text(q, 9);
    if (!li_job_phase_parse(phase, &j->phase))
        return li_error_set(err, LI_EFORMAT, LI_MSG_JOB_STATE_CORRUPT, (long long)j->id, phase);
    uint64_t *counters[] = {&j->rows,    &j->valid,       &j->invalid,    &j->warnings,
                            &j->created, &j->updated,     &j->skipped,    &j->bytes_total,
                            &j->bytes_done, &j->parse_offset, &j->parse_row, &j->commit_row};
    for (int i = 0; i < 12; i++)
        *counters[i] = (uint64_t)sqlite3_column_int64(q, 10 + i);
    j->rows_per_s = sqlite3_column_double(q, 22);
    j->eta_s = sqlite3_column_int64(q, 23);
    copy_text(j->created_at, sizeof j->created_at, q, 24);
    copy_text(j->started_at, sizeof j->started_at, q, 25);
    copy_text(j->finished_at, sizeof j->finished_at, q, 26);
    copy_text(j->error, sizeof j->error, q, 27);
    j->assigned = (uint64_t)sqlite3_column_int64(q, 28);
    j->flagged = (uint64_t)sqlite3_column_int64(q, 29);
    j->attempts = (uint64_t)sqlite3_column_int64(q, 30);
    copy_text(j->worker, sizeof j->worker, q, 31);
    copy_text(j->heartbeat_at, sizeof j->heartbeat_at, q, 32);
    j->live = sqlite3_column_int(q, 33);
    return LI_OK;
}


li_status li_store_job_insert(li_store *s, li_job_rec *job, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    li_store_now(job->created_at);
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO import_jobs (file_name, file_size, file_sha256, status,"
                           " phase, bytes_total, created_at, created_by)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_text(q, 1, job->file_name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)job->file_size);
    sqlite3_bind_text(q, 3, job->file_sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, li_job_state_name(job->state), -1, SQLITE_STATIC);
    bind_opt_text(q, 5, li_job_phase_name(job->phase));
    sqlite3_bind_int64(q, 6, (sqlite3_int64)job->bytes_total);
    sqlite3_bind_text(q, 7, job->created_at, -1, SQLITE_STATIC);
    bind_id(q, 8, job->created_by);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = db_error(s, err);
    else
        job->id = sqlite3_last_insert_rowid(s->db);
    sqlite3_finalize(q);
    return st;
}

li_status li_store_job_update(li_store *s, const li_job_rec *j, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = stmt_get(s, ST_JOB_UPDATE, &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, j->id);
    bind_opt_text(q, 2, j->format);
    bind_opt_text(q, 3, j->encoding);
    bind_opt_text(q, 4, j->delimiter);
    sqlite3_bind_int(q, 5, j->has_header);
    sqlite3_bind_text(q, 6, li_job_state_name(j->state), -1, SQLITE_STATIC);
    bind_opt_text(q, 7, li_job_phase_name(j->phase));
    const uint64_t counters[] = {j->rows,        j->valid,      j->invalid,   j->warnings,
                                 j->created,     j->updated,    j->skipped,   j->bytes_total,
                                 j->bytes_done,  j->parse_offset, j->parse_row, j->commit_row};
    for (int i = 0; i < 12; i++)
        sqlite3_bind_int64(q, 8 + i, (sqlite3_int64)counters[i]);
    sqlite3_bind_double(q, 20, j->rows_per_s);
    sqlite3_bind_int64(q, 21, j->eta_s);
    bind_opt_text(q, 22, j->started_at);
    bind_opt_text(q, 23, j->finished_at);
    bind_opt_text(q, 24, j->error);
    sqlite3_bind_int64(q, 25, (sqlite3_int64)j->assigned);
    sqlite3_bind_int64(q, 26, (sqlite3_int64)j->flagged);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = db_error(s, err);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q); /* the strings are the caller's */
    return st;
}

li_status li_store_job_set_mapping(li_store *s, int64_t job_id, const char *header_json,
                                   const char *mapping_json, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    if (sqlite3_prepare_v2(s->db, "UPDATE import_jobs SET header=?2, mapping=?3 WHERE id=?1", -1,
                           &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_int64(q, 1, job_id);
    bind_opt_text(q, 2, header_json);
    bind_opt_text(q, 3, mapping_json);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = db_error(s, err);
    sqlite3_finalize(q);
    return st;
}

static li_status job_text(li_store *s, int64_t job_id, const char *sql, char **out_text,
                         li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *out_text = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_int64(q, 1, job_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        if (t && !(*out_text = strdup(t)))
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    } else if (rc == SQLITE_DONE) {
        st = li_error_set(err, LI_ENOTFOUND, LI_MSG_JOB_NOT_FOUND, (long long)job_id);
    } else {
        st = db_error(s, err);
    }
    sqlite3_finalize(q);
    return st;
}

li_status li_store_job_header(li_store *s, int64_t job_id, char **header_json, li_error *err) {
    return job_text(s, job_id, "SELECT header FROM import_jobs WHERE id=?1", header_json, err);
}

li_status li_store_job_mapping(li_store *s, int64_t job_id, char **mapping_json, li_error *err) {
    return job_text(s, job_id, "SELECT mapping FROM import_jobs WHERE id=?1", mapping_json, err);
}

const char *li_store_file_dir(li_store *s) {
    return s->file_dir;
}

const char *li_store_legacy_file_dir(li_store *s) {
    return s->legacy_dir;
}

li_status li_store_job_state(li_store *s, int64_t job_id, li_job_state *state, li_error *err) {
    sqlite3_stmt *q;
    li_status st = stmt_get(s, ST_JOB_STATUS, &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        if (!li_job_state_parse(name, state))
            st = li_error_set(err, LI_EFORMAT, LI_MSG_JOB_STATE_CORRUPT, (long long)job_id,
                              name ? name : "");
    } else if (rc == SQLITE_DONE)
        st = li_error_set(err, LI_ENOTFOUND, LI_MSG_JOB_NOT_FOUND, (long long)job_id);
    else
        st = db_error(s, err);
    sqlite3_reset(q);
    return st;
}

li_status li_store_jobs_each(li_store *s, const li_job_state *state, li_job_cb cb, void *ctx,
                             li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    const char *sql = state ? "SELECT " JOB_COLUMNS " FROM import_jobs WHERE status=?1"
                               " ORDER BY id DESC"
                             : "SELECT " JOB_COLUMNS " FROM import_jobs ORDER BY id DESC";
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    if (state)
        sqlite3_bind_text(q, 1, li_job_state_name(*state), -1, SQLITE_STATIC);
    int rc;
    li_job_rec job;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = job_from_row(q, &job, err)) != LI_OK || (st = cb(&job, ctx)) != LI_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = db_error(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li_store_job_get(li_store *s, int64_t id, li_job_rec *job, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    if (sqlite3_prepare_v2(s->db, "SELECT " JOB_COLUMNS " FROM import_jobs WHERE id=?1", -1, &q,
                           NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = job_from_row(q, job, err);
    else if (rc == SQLITE_DONE)
        st = li_error_set(err, LI_ENOTFOUND, LI_MSG_JOB_NOT_FOUND, (long long)id);
    else
        st = db_error(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li_store_job_find_by_sha(li_store *s, const char *sha256, const li_job_state *states,
                                   size_t nstates, li_job_rec *job, int *found, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *found = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT " JOB_COLUMNS " FROM import_jobs WHERE file_sha256=?1"
                           " ORDER BY id DESC",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_text(q, 1, sha256, -1, SQLITE_STATIC);
    int rc;
    li_job_rec cand; /* *job is only written with the job found */
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = job_from_row(q, &cand, err)) != LI_OK)
            goto out;
        int match = states == NULL;
        for (size_t i = 0; i < nstates && !match; i++)
            match = cand.state == states[i];
        if (match) {
            *job = cand;
            *found = 1;
            break;
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = db_error(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

/* --- staged rows --------------------------------------------------------- */

li_status li_store_row_put(li_store *s, int64_t job_id, const li_staged_row *row, li_error *err) {
    if (!s->row && !(s->row = malloc(PENDING_MAX * sizeof *s->row)))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    s->row[s->nrow].job_id = job_id;
    s->row[s->nrow].row = *row;
    s->nrow++;
    if (s->nrow == PENDING_MAX || sqlite3_get_autocommit(s->db))
        return li_store_flush(s, err);
    return LI_OK;
}

#define ROW_COLUMNS "row_no, status, data, errors, lead_id, match_key, match_lead"

/* The rows a report lists, through the partial index that holds exactly them. */
#define REPORT_ROWS_OF_JOB                                                                         \
    " FROM import_rows INDEXED BY import_rows_listed WHERE job_id=?1 AND" LI__SQLITE_REPORT_ROWS

/* Runs q (its parameters bound) and hands each row to cb. Finalizes q. */
static li_status rows_scan(li_store *s, sqlite3_stmt *q, li_row_cb cb, void *ctx, li_error *err) {
    li_status st = LI_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        li_staged_row row = {
            .row_no = (uint64_t)sqlite3_column_int64(q, 0),
            .status = (const char *)sqlite3_column_text(q, 1),
            .data = column_slice(q, 2),
            .errors = column_slice(q, 3),
            .lead_id = sqlite3_column_int64(q, 4),
            .match_key = (const char *)sqlite3_column_text(q, 5),
            .match_lead = sqlite3_column_int64(q, 6),
        };
        if ((st = cb(&row, ctx)) != LI_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = db_error(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li_store_rows_each(li_store *s, int64_t job_id, uint64_t after, const char *status,
                             uint64_t limit, li_row_cb cb, void *ctx, li_error *err) {
    li_status fst = s->nrow ? li_store_flush(s, err) : LI_OK; /* reads see queued rows */
    if (fst != LI_OK)
        return fst;
    sqlite3_stmt *q = NULL;
    const char *sql = status ? "SELECT " ROW_COLUMNS " FROM import_rows"
                               " WHERE job_id=?1 AND row_no>?2 AND status=?3 ORDER BY row_no"
                               " LIMIT ?4"
                             : "SELECT " ROW_COLUMNS " FROM import_rows"
                               " WHERE job_id=?1 AND row_no>?2 ORDER BY row_no LIMIT ?4";
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_int64(q, 1, job_id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)after);
    if (status)
        sqlite3_bind_text(q, 3, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, limit ? (sqlite3_int64)limit : -1);
    return rows_scan(s, q, cb, ctx, err);
}

li_status li_store_report_rows_each(li_store *s, int64_t job_id, li_row_cb cb, void *ctx,
                                    li_error *err) {
    li_status fst = s->nrow ? li_store_flush(s, err) : LI_OK; /* reads see queued rows */
    if (fst != LI_OK)
        return fst;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT " ROW_COLUMNS REPORT_ROWS_OF_JOB " ORDER BY row_no",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_int64(q, 1, job_id);
    return rows_scan(s, q, cb, ctx, err);
}

li_status li_store_report_rows_count(li_store *s, int64_t job_id, uint64_t *n, li_error *err) {
    li_status st = LI_OK;
    sqlite3_stmt *q = NULL;
    *n = 0;
    if (s->nrow && (st = li_store_flush(s, err)) != LI_OK)
        return st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT count(*)" REPORT_ROWS_OF_JOB, -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_int64(q, 1, job_id);
    if (sqlite3_step(q) == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(q, 0);
    else
        st = db_error(s, err);
    sqlite3_finalize(q);
    return st;
}

/* --- leads --------------------------------------------------------------- */

li_status li_store_lead_insert(li_store *s, const li_slice value[LI_FIELD__COUNT],
                               li_slice custom_json, const li_lead_meta *meta, int64_t job_id,
                               uint64_t row_no, const char *now, int64_t *id, li_error *err) {
    li_status st;
    if (!s->lead && !(s->lead = malloc(PENDING_MAX * sizeof *s->lead)))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    if (s->next_lead_id == 0 || sqlite3_get_autocommit(s->db)) {
        int64_t max_id = 0;
        if ((st = li_store_flush(s, err)) != LI_OK ||
            (st = li_store_leads_max_id(s, &max_id, err)) != LI_OK)
            return st;
        s->next_lead_id = max_id + 1;
    }
    pending_lead *l = &s->lead[s->nlead++];
    l->id = *id = s->next_lead_id++;
    memcpy(l->value, value, sizeof l->value);
    l->custom = custom_json;
    l->meta = meta ? *meta : (li_lead_meta){0, 0, NULL};
    l->job_id = job_id;
    l->row_no = row_no;
    l->now = now;
    if (s->nlead == PENDING_MAX || sqlite3_get_autocommit(s->db))
        return li_store_flush(s, err);
    return LI_OK;
}

li_status li_store_lead_find(li_store *s, li_field field, li_slice value, int64_t *id,
                             li_error *err) {
    li_status fst = s->nlead ? li_store_flush(s, err) : LI_OK; /* reads see queued leads */
    if (fst != LI_OK)
        return fst;
    int which = field == LI_FIELD_EMAIL   ? ST_FIND_EMAIL
                : field == LI_FIELD_PHONE ? ST_FIND_PHONE
                : field == LI_FIELD_EXTERNAL_ID ? ST_FIND_EXTERNAL_ID
                                                : -1;
    *id = 0;
    if (which < 0)
        return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "clé de recherche inconnue");
    sqlite3_stmt *q;
    li_status st = stmt_get(s, which, &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_text(q, 1, value.ptr, (int)value.len, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(q, 0);
    else if (rc != SQLITE_DONE)
        st = db_error(s, err);
    sqlite3_reset(q);
    return st;
}

li_status li_store_lead_keys_each(li_store *s, li_lead_key_cb cb, void *ctx, li_error *err) {
    li_status fst = s->nlead ? li_store_flush(s, err) : LI_OK; /* reads see queued leads */
    if (fst != LI_OK)
        return fst;
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    if (sqlite3_prepare_v2(s->db, "SELECT id, email, phone, external_id FROM leads", -1, &q,
                           NULL) != SQLITE_OK)
        return db_error(s, err);
    int rc;
    static const li_field keys[3] = {LI_FIELD_EMAIL, LI_FIELD_PHONE, LI_FIELD_EXTERNAL_ID};
    li_slice value[LI_FIELD__COUNT] = {{0}};
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        for (int k = 0; k < 3; k++)
            value[keys[k]] = column_slice(q, 1 + k);
        if ((st = cb(id, value, ctx)) != LI_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = db_error(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li_store_leads_each(li_store *s, li_lead_cb cb, void *ctx, li_error *err) {
    li_status fst = s->nlead ? li_store_flush(s, err) : LI_OK; /* reads see queued leads */
    if (fst != LI_OK)
        return fst;
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, first_name, last_name, email, phone, company, job_title,"
                           " address, postal_code, city, country, source, notes, external_id,"
                           " owner, custom, (SELECT u.email FROM users u WHERE u.id = assigned_to)"
                           " FROM leads ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        li_slice v[LI_FIELD__COUNT];
        for (int f = 0; f < LI_FIELD__COUNT; f++)
            v[f] = column_slice(q, f + 1);
        if ((st = cb(sqlite3_column_int64(q, 0), v, column_slice(q, 15), column_slice(q, 16),
                     ctx)) != LI_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = db_error(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

/* Copies v into scratch; *off gets where (an offset: scratch may move as it grows). */
static li_status keep(li_buf *scratch, li_slice v, size_t *off) {
    *off = scratch->len;
    return v.len ? li_buf_append(scratch, v.ptr, v.len) : LI_OK;
}

li_status li_store_lead_keys(li_store *s, int64_t id, li_buf *scratch,
                             li_slice value[LI_FIELD__COUNT], int *found, li_error *err) {
    static const li_field keys[3] = {LI_FIELD_EMAIL, LI_FIELD_PHONE, LI_FIELD_EXTERNAL_ID};
    li_slice v[3] = {{0}};
    size_t off[3] = {0};
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    memset(value, 0, LI_FIELD__COUNT * sizeof *value);
    li_buf_reset(scratch);
    *found = 0;
    if (s->nlead && id >= s->lead[0].id && id < s->lead[0].id + (int64_t)s->nlead) {
        /* Not written yet: pending ids are consecutive. */
        const pending_lead *l = &s->lead[id - s->lead[0].id];
        for (int k = 0; k < 3; k++)
            v[k] = l->value[keys[k]];
        *found = 1;
    } else {
        if ((st = stmt_get(s, ST_LEAD_KEYS, &q, err)) != LI_OK)
            return st;
        sqlite3_bind_int64(q, 1, id);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            for (int k = 0; k < 3; k++)
                v[k] = column_slice(q, k);
            *found = 1;
        } else if (rc != SQLITE_DONE) {
            st = db_error(s, err);
        }
    }
    for (int k = 0; k < 3 && st == LI_OK && *found; k++)
        if (keep(scratch, v[k], &off[k]) != LI_OK)
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    for (int k = 0; k < 3 && st == LI_OK && *found; k++)
        value[keys[k]] = (li_slice){v[k].len ? scratch->data + off[k] : NULL, v[k].len};
    if (q)
        sqlite3_reset(q);
    return st;
}

/* --- reading, changing and reverting one lead ------------------------------ */

void li_lead_rec_free(li_lead_rec *l) {
    if (l) {
        free(l->buf);
        l->buf = NULL;
    }
}

/* Flushes the deferred inserts: the statements below must see them. */
static li_status settle(li_store *s, li_error *err) {
    return s->nlead || s->nrow ? li_store_flush(s, err) : LI_OK;
}

/*
 * Flushes only if lead id is still waiting to be inserted: reading or
 * changing a lead the table already has must not break the batching of
 * the creations around it (an update-heavy import would insert one row
 * per statement otherwise).
 */
static li_status settle_for(li_store *s, int64_t id, li_error *err) {
    if (s->nlead && id >= s->lead[0].id && id < s->lead[0].id + (int64_t)s->nlead)
        return li_store_flush(s, err);
    return LI_OK;
}

li_status li_store_lead_get(li_store *s, int64_t id, li_lead_rec *out, int *found, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = settle_for(s, id, err);
    memset(out, 0, sizeof *out);
    *found = 0;
    if (st != LI_OK || (st = stmt_get(s, ST_LEAD_GET, &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        size_t total = 0;
        for (int c = 0; c <= LI_FIELD__COUNT; c++)
            total += (size_t)sqlite3_column_bytes(q, c) + 1;
        if (!(out->buf = malloc(total + 3))) {
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            goto out;
        }
        size_t at = 0;
        for (int c = 0; c <= LI_FIELD__COUNT; c++) {
            li_slice v = column_slice(q, c);
            if (c == LI_FIELD__COUNT && v.len == 0)
                v = (li_slice){"{}", 2};
            memcpy(out->buf + at, v.ptr ? v.ptr : "", v.len);
            li_slice copy = {out->buf + at, v.len};
            out->buf[at + v.len] = '\0';
            at += v.len + 1;
            if (c < LI_FIELD__COUNT)
                out->value[c] = copy;
            else
                out->custom = copy;
        }
        out->id = id;
        out->assigned_to = sqlite3_column_int64(q, 15);
        out->duplicate_of = sqlite3_column_int64(q, 16);
        out->import_job_id = sqlite3_column_int64(q, 17);
        copy_text(out->created_at, sizeof out->created_at, q, 18);
        copy_text(out->updated_at, sizeof out->updated_at, q, 19);
        copy_text(out->phone_type, sizeof out->phone_type, q, 20);
        *found = 1;
    } else if (rc != SQLITE_DONE) {
        st = db_error(s, err);
    }
out:
    sqlite3_reset(q);
    return st;
}

li_status li_store_lead_update(li_store *s, int64_t id, const li_slice value[LI_FIELD__COUNT],
                               li_slice custom_json, const li_lead_meta *meta, const char *now,
                               li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = settle_for(s, id, err);
    if (st != LI_OK || (st = stmt_get(s, ST_LEAD_UPDATE, &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    for (int f = 0; f < LI_FIELD__COUNT; f++)
        bind_slice(q, 2 + f, value[f]);
    if (custom_json.len <= 2)
        sqlite3_bind_null(q, 16);
    else
        bind_slice(q, 16, custom_json);
    bind_id(q, 17, meta->assigned_to);
    sqlite3_bind_text(q, 18, now, -1, SQLITE_STATIC);
    bind_opt_text(q, 19, meta->phone_type);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = db_error(s, err);
    sqlite3_clear_bindings(q); /* the values are the caller's */
    sqlite3_reset(q);
    return st;
}

li_status li_store_lead_delete(li_store *s, int64_t id, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = settle(s, err);
    if (st != LI_OK)
        return st;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM leads WHERE id=?1", -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = db_error(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li_store_history_add(li_store *s, int64_t lead_id, const char *action, int64_t job_id,
                               const char *changes_json, const char *now, li_error *err) {
    sqlite3_stmt *q;
    li_status st = settle_for(s, lead_id, err);
    if (st != LI_OK || (st = stmt_get(s, ST_HISTORY_ADD, &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, lead_id);
    sqlite3_bind_text(q, 2, action, -1, SQLITE_STATIC);
    bind_id(q, 3, job_id);
    bind_opt_text(q, 4, changes_json);
    sqlite3_bind_text(q, 5, now, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = db_error(s, err);
    sqlite3_clear_bindings(q);
    return st;
}

li_status li_store_job_history_each(li_store *s, int64_t job_id, li_history_cb cb, void *ctx,
                                    li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = settle(s, err);
    if (st != LI_OK)
        return st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, lead_id, action, changes, at FROM lead_history"
                           " WHERE job_id=?1 AND action <> 'created' ORDER BY id DESC",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_int64(q, 1, job_id);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        li_history_rec h = {
            .id = sqlite3_column_int64(q, 0),
            .lead_id = sqlite3_column_int64(q, 1),
            .job_id = job_id,
            .action = (const char *)sqlite3_column_text(q, 2),
            .changes = (const char *)sqlite3_column_text(q, 3),
            .at = (const char *)sqlite3_column_text(q, 4),
        };
        if ((st = cb(&h, ctx)) != LI_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = db_error(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li_store_lead_changed_since(li_store *s, int64_t id, int64_t after_id, int64_t job_id,
                                      int *changed, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *changed = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT 1 FROM lead_history WHERE lead_id=?1 AND id>?2"
                           " AND (job_id IS NULL OR job_id<>?3) LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, after_id);
    sqlite3_bind_int64(q, 3, job_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *changed = 1;
    else if (rc != SQLITE_DONE)
        st = db_error(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li_store_job_leads_each(li_store *s, int64_t job_id, li_id_cb cb, void *ctx,
                                  li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = settle(s, err);
    if (st != LI_OK)
        return st;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM leads WHERE import_job_id=?1 ORDER BY id", -1,
                           &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_int64(q, 1, job_id);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if ((st = cb(sqlite3_column_int64(q, 0), ctx)) != LI_OK)
            goto out;
    if (rc != SQLITE_DONE)
        st = db_error(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li_store_leads_max_id(li_store *s, int64_t *max_id, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *max_id = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT max(id) FROM leads", -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    if (sqlite3_step(q) == SQLITE_ROW)
        *max_id = sqlite3_column_int64(q, 0);
    else
        st = db_error(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li_store_lead_key_indexes(li_store *s, int present, li_error *err) {
    if (s->nlead || s->nrow) {
        li_status fst = li_store_flush(s, err);
        if (fst != LI_OK)
            return fst;
    }
    return exec(s,
                present ? li__sqlite_lead_key_indexes
                        : "DROP INDEX IF EXISTS leads_email; DROP INDEX IF EXISTS leads_phone;"
                          " DROP INDEX IF EXISTS leads_external_id;",
                err);
}

/* --- saved column mappings ------------------------------------------------ */

void li_mapping_rec_free(li_mapping_rec *m) {
    if (!m)
        return;
    free(m->headers_json);
    free(m->mapping_json);
    m->headers_json = m->mapping_json = NULL;
}

/* Columns read by mapping_from_row(), in order. */
#define MAPPING_COLUMNS "id, name, header_sig, headers, mapping, created_at, updated_at, used_at"

static li_status mapping_from_row(sqlite3_stmt *q, li_mapping_rec *m, li_error *err) {
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(q, 0);
    copy_text(m->name, sizeof m->name, q, 1);
    copy_text(m->header_sig, sizeof m->header_sig, q, 2);
    const char *h = (const char *)sqlite3_column_text(q, 3);
    const char *j = (const char *)sqlite3_column_text(q, 4);
    m->headers_json = strdup(h ? h : "[]");
    m->mapping_json = strdup(j ? j : "{}");
    copy_text(m->created_at, sizeof m->created_at, q, 5);
    copy_text(m->updated_at, sizeof m->updated_at, q, 6);
    copy_text(m->used_at, sizeof m->used_at, q, 7);
    if (!m->headers_json || !m->mapping_json) {
        li_mapping_rec_free(m);
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    return LI_OK;
}

li_status li_store_mapping_save(li_store *s, const char *name, const char *header_sig,
                                const char *headers_json, const char *mapping_json,
                                li_error *err) {
    /* Replace by name, or by signature for a remembered one, keeping the
     * creation date: read it, delete, insert, within a savepoint. */
    li_status st = exec(s, "SAVEPOINT mapping_save;", err);
    if (st != LI_OK)
        return st;
    sqlite3_stmt *q = NULL;
    char now[32];
    li_store_now(now);
    const char *keep = name ? "SELECT created_at FROM mappings WHERE name=?1"
                            : "SELECT created_at FROM mappings WHERE name IS NULL AND header_sig=?1";
    const char *del = name ? "DELETE FROM mappings WHERE name=?1"
                           : "DELETE FROM mappings WHERE name IS NULL AND header_sig=?1";
    char created[32];
    snprintf(created, sizeof created, "%s", now);
    if (sqlite3_prepare_v2(s->db, keep, -1, &q, NULL) != SQLITE_OK)
        goto dberr;
    sqlite3_bind_text(q, 1, name ? name : header_sig, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        copy_text(created, sizeof created, q, 0);
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(s->db, del, -1, &q, NULL) != SQLITE_OK)
        goto dberr;
    sqlite3_bind_text(q, 1, name ? name : header_sig, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        goto dberr;
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO mappings(name, header_sig, headers, mapping, created_at,"
                           " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &q, NULL) != SQLITE_OK)
        goto dberr;
    bind_opt_text(q, 1, name);
    sqlite3_bind_text(q, 2, header_sig, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, headers_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, mapping_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, created, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, now, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        goto dberr;
    sqlite3_finalize(q);
    return exec(s, "RELEASE mapping_save;", err);
dberr:
    st = db_error(s, err);
    sqlite3_finalize(q);
    exec(s, "ROLLBACK TO mapping_save; RELEASE mapping_save;", NULL);
    return st;
}

li_status li_store_mapping_get(li_store *s, const char *name, const char *header_sig,
                               li_mapping_rec *out, int *found, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *found = 0;
    const char *sql = name ? "SELECT " MAPPING_COLUMNS " FROM mappings WHERE name=?1"
                           : "SELECT " MAPPING_COLUMNS
                             " FROM mappings WHERE name IS NULL AND header_sig=?1";
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_text(q, 1, name ? name : header_sig, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        st = mapping_from_row(q, out, err);
        *found = st == LI_OK;
    } else if (rc != SQLITE_DONE) {
        st = db_error(s, err);
    }
    sqlite3_finalize(q);
    if (*found) { /* when it was last used: `mappings list` shows it */
        char now[32];
        li_store_now(now);
        if (sqlite3_prepare_v2(s->db, "UPDATE mappings SET used_at=?2 WHERE id=?1", -1, &q,
                               NULL) == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, out->id);
            sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
            sqlite3_step(q); /* best effort: a read-only moment must not fail the import */
            sqlite3_finalize(q);
        }
    }
    return st;
}

li_status li_store_mappings_each(li_store *s, int remembered, li_mapping_cb cb, void *ctx,
                                 li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    const char *sql = remembered ? "SELECT " MAPPING_COLUMNS
                                   " FROM mappings ORDER BY name IS NULL, name, updated_at DESC"
                                 : "SELECT " MAPPING_COLUMNS
                                   " FROM mappings WHERE name IS NOT NULL ORDER BY name";
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    int rc;
    while (st == LI_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        li_mapping_rec m;
        if ((st = mapping_from_row(q, &m, err)) != LI_OK)
            break;
        st = cb(&m, ctx);
        li_mapping_rec_free(&m);
    }
    if (st == LI_OK && rc != SQLITE_DONE)
        st = db_error(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li_store_mapping_delete(li_store *s, const char *name, int *found, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *found = 0;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM mappings WHERE name=?1", -1, &q, NULL) != SQLITE_OK)
        return db_error(s, err);
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = db_error(s, err);
    else
        *found = sqlite3_changes(s->db) > 0;
    sqlite3_finalize(q);
    return st;
}
