/*
 * storeInt.h — what the files of the SQLite backend share.
 *
 * The backend is split by concern: sqlite.c (connection, transactions,
 * statement cache, shared helpers, the operations table), sqlite_batch.c
 * (deferred multi-row inserts), sqlite_schema.c (migrations), sqlite_jobs.c,
 * sqlite_queue.c, sqlite_rows.c (staged rows), sqlite_leads.c (leads and
 * history, bulk-load hint), sqlite_mappings.c, sqlite_users.c, and below
 * them sqlite_fault.c (errors) and sqlite_vfs.c (write coalescing). Each
 * operation of store_ops.def is li__sqlite_NAME, in the file of its concern.
 */
#ifndef LEADIMPORT_STORE_INT_H
#define LEADIMPORT_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "leadimport/store.h"
#include "store_users.h"

/* The operations (store_ops.def), named li__sqlite_NAME. */
#define LI_STORE_OP(R, name, params, args) R li__sqlite_##name params;
#define LI_STORE_VOP(name, params, args) void li__sqlite_##name params;
#define LI_STORE_IOP(name, params, args) li_status li__sqlite_##name params;
#include "store_ops.def"
#undef LI_STORE_OP
#undef LI_STORE_VOP
#undef LI_STORE_IOP

/*
 * The indexes on the leads' match keys. A bulk load may drop them and build
 * them again at its end (sorting once is far cheaper than a random B-tree
 * insert per row); `IF NOT EXISTS` lets the same text restore them whenever
 * they are missing.
 */
#define LI__SQLITE_LEAD_KEY_INDEXES                                                                \
    "CREATE INDEX IF NOT EXISTS leads_email ON leads(email) WHERE email IS NOT NULL;"              \
    "CREATE INDEX IF NOT EXISTS leads_phone ON leads(phone) WHERE phone IS NOT NULL;"              \
    "CREATE INDEX IF NOT EXISTS leads_external_id ON leads(external_id)"                           \
    "  WHERE external_id IS NOT NULL;"
extern const char li__sqlite_lead_key_indexes[];

/*
 * The rows a report lists (store.h): refused, matched a lead (skipped,
 * updated, or created with match_lead set), or imported with issues. The
 * partial index import_rows_listed (migration 6) holds exactly these, so
 * that the report and its count read a few percent of a job's rows instead
 * of scanning them all; a query uses it only if its WHERE has this very
 * text, hence one macro. No IN list: see migration 6.
 */
#define LI__SQLITE_REPORT_ROWS                                                                     \
    " (status = 'invalid' OR status = 'skipped' OR status = 'updated' OR"                          \
    " (status = 'imported' AND (match_lead IS NOT NULL OR errors IS NOT NULL)))"

/* NULL-terminated list of SQLite migrations; entry i brings version i to i+1. */
extern const char *const li__sqlite_migrations[];

/*
 * Named columns. A query's columns are an X-macro list of X(NAME, "SQL
 * expression"): the file makes the positions from it (an enum of
 * PREFIX_NAME), and LI__SQLITE_COLUMN_TEXT the select list, so that a
 * column is read by its name and the two can never drift apart. The text
 * ends with a constant NULL column (each entry is followed by a comma).
 */
#define LI__SQLITE_COLUMN_SQL(name, sql) sql ", "
#define LI__SQLITE_COLUMN_TEXT(LIST) LIST(LI__SQLITE_COLUMN_SQL) "NULL"

/* Deferred inserts (sqlite_batch.c): a lead with its 'created' history. */
typedef struct li__sqlite_pending_lead {
    int64_t id;
    li_slice value[LI_FIELD__COUNT];
    li_slice custom;
    li_lead_meta meta;
    int64_t job_id;
    uint64_t row_no;
    const char *now;
} li__sqlite_pending_lead;

typedef struct li__sqlite_pending_row {
    int64_t job_id;
    li_staged_row row;
} li__sqlite_pending_row;

/* The checkpoints of a bulk load, on a thread of their own (sqlite_ckpt.c). */
typedef struct li__sqlite_ckpt li__sqlite_ckpt;

/* The writer's automatic checkpoint: when the WAL passes this many frames (64 MiB). */
#define LI__SQLITE_AUTO_FRAMES 16384

/* Statements kept prepared for the connection's life (sqlite.c). */
#define LI__SQLITE_CACHED 24

/* A SQLite connection: a li_store whose ops are SQLite's. */
typedef struct li__sqlite {
    li_store base; /* first: a li_store * of this backend is a li__sqlite * */
    sqlite3 *db;
    char *path;
    char *file_dir;   /* li_store_file_dir() */
    char *legacy_dir; /* li_store_legacy_file_dir() */
    struct {
        const char *sql; /* the key: a static text's address */
        int rows;        /* > 1: its VALUES tuple repeated this many times */
        sqlite3_stmt *q;
    } cached[LI__SQLITE_CACHED];
    int ncached;
    /*
     * Deferred inserts (see store.h): leads with their 'created' history
     * entry, and staged rows, written by multi-row INSERTs at the next
     * flush. next_lead_id is the id the next lead gets, known while this
     * connection holds the write lock (0 = ask the table).
     */
    li__sqlite_pending_lead *lead;
    size_t nlead;
    li__sqlite_pending_row *row;
    size_t nrow;
    int64_t next_lead_id;
    double last_yield; /* see li__sqlite_commit() */
    li__sqlite_ckpt *ckpt; /* during a bulk load: its checkpointer */
    int rehearsal;         /* li_store_rehearsal() is on */
} li__sqlite;

static inline li__sqlite *li__sq(li_store *s) {
    return (li__sqlite *)s;
}

/*
 * For every file of the backend (and tests): the connection, and the
 * status and French message of its last failure (sqlite_fault.c).
 */
sqlite3 *li__sqlite_db(li_store *s);
li_status li__sqlite_error(li_store *s, li_error *err);

/* --- shared helpers (sqlite.c) --------------------------------------------- */
/* The failure of the connection's last call, as the store's status (LI_EDB...). */
li_status li__sqlite_fail(li__sqlite *s, li_error *err);
li_status li__sqlite_exec(li__sqlite *s, const char *sql, li_error *err);
/*
 * The cached statement of sql (a static text: its address is the key),
 * reset, prepared on first use. rows > 1: "INSERT ... VALUES (..)" with its
 * tuple repeated rows times. Bindings stay until cleared: a statement
 * bound to borrowed strings is cleared (sqlite3_clear_bindings) before the
 * call returns.
 */
li_status li__sqlite_stmt(li__sqlite *s, const char *sql, int rows, sqlite3_stmt **q,
                          li_error *err);
/* A statement for one call (finalized by the caller, or by li__sqlite_done). */
li_status li__sqlite_prepare(li__sqlite *s, const char *sql, sqlite3_stmt **q, li_error *err);
/* Steps q, which returns no row, then finalizes it. */
li_status li__sqlite_done(li__sqlite *s, sqlite3_stmt *q, li_error *err);
/* Empty slice, NULL or "" text, and id 0 are bound as NULL; the text is not copied. */
void li__sqlite_bind_slice(sqlite3_stmt *q, int i, li_slice v);
void li__sqlite_bind_text(sqlite3_stmt *q, int i, const char *v);
void li__sqlite_bind_id(sqlite3_stmt *q, int i, int64_t id);
/* A text column ("" for NULL): as a slice into the row, copied into dst, or strdup'ed. */
li_slice li__sqlite_col_slice(sqlite3_stmt *q, int col);
void li__sqlite_col_copy(char *dst, size_t cap, sqlite3_stmt *q, int col);
li_status li__sqlite_col_dup(sqlite3_stmt *q, int col, char **out, li_error *err);
/* now + secs in li_store_now()'s format (times are text that orders like time). */
void li__sqlite_stamp_in(double secs, char out[32]);

/* --- checkpoints of a bulk load (sqlite_ckpt.c) ----------------------------- */
/*
 * Starts checkpointing s's WAL from another connection on a thread of its
 * own, instead of in s's commits; nothing (the writer checkpoints as
 * always) when that cannot be set up. Stop restores s's own automatic
 * checkpoint; both accept being called twice.
 */
void li__sqlite_ckpt_start(li__sqlite *s);
void li__sqlite_ckpt_stop(li__sqlite *s);

/* --- deferred inserts (sqlite_batch.c) ------------------------------------- */
/* Flushes the queued leads and rows, if any: a read that could see them calls it. */
li_status li__sqlite_settle(li__sqlite *s, li_error *err);
/* The same, only when staged rows (or leads) wait: a read of rows (of leads). */
li_status li__sqlite_settle_rows(li__sqlite *s, li_error *err);
li_status li__sqlite_settle_leads(li__sqlite *s, li_error *err);
/* Flushes only if lead id is still queued (see sqlite_batch.c). */
li_status li__sqlite_settle_for(li__sqlite *s, int64_t id, li_error *err);
/* The queued lead id, or NULL. */
const li__sqlite_pending_lead *li__sqlite_pending(const li__sqlite *s, int64_t id);

/*
 * Registers the write-coalescing VFS (sqlite_vfs.c) once per process; returns
 * its name, or NULL if it could not be set up (then the default VFS is used).
 */
#define LI__SQLITE_VFS_NAME "li-coalesce"
const char *li__sqlite_vfs_register(void);
/* 1: this thread's writes may use the WAL's spare reservation (sqlite_vfs.c). */
void li__sqlite_vfs_use_spare(int on);

/*
 * Failures (sqlite_fault.c). li__sqlite_fault() turns the extended result
 * code of a failed call and the errno behind it (sqlite3_system_errno) into
 * the store's status and French message: LI_ENOSPACE (disk full, quota),
 * LI_EREADONLY, LI_EBUSY (locked past the busy timeout; the message names
 * the process holding the lock when /proc/locks tells it), else LI_EDB.
 * path is the database's, for the message. The busy timeout is
 * LI__SQLITE_BUSY_TIMEOUT_S seconds, or $LEADIMPORT_BUSY_TIMEOUT;
 * li__sqlite_busy_restore() installs the handler that waits for it.
 */
#define LI__SQLITE_BUSY_TIMEOUT_S 10.0
li_status li__sqlite_fault(sqlite3 *db, const char *path, int code, int sys_errno, li_error *err);
double li__sqlite_busy_timeout(void);
void li__sqlite_busy_restore(sqlite3 *db);
/* Who holds a lock on the database at path, in French ("le processus 12 (« python3 »)"). */
void li__sqlite_lock_holder(sqlite3 *db, const char *path, char *out, size_t cap);

#endif
