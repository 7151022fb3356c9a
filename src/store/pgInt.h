/*
 * pgInt.h — what the files of the PostgreSQL backend share.
 *
 * The backend mirrors the SQLite one file by file: pg.c (connection,
 * reconnection, transactions, parameters, the operations table),
 * pg_fault.c (errors), pg_batch.c (COPY of queued inserts), pg_schema.c
 * (migrations), pg_jobs.c, pg_queue.c, pg_rows.c, pg_leads.c, pg_review.c,
 * and pg_users.c, pg_sessions.c, pg_mappings.c, pg_stats.c. Each operation
 * of store_ops.def is li__pg_NAME, in the file of its concern.
 *
 * Design (docs/architecture.md, "PostgreSQL backend"): one libpq connection
 * per li_store, text protocol, parameters always bound ($1...), never
 * pasted; times stored as text in li_store_now()'s format as on SQLite, but
 * leases and due times computed by the database's clock (LI__PG_NOW), the
 * one clock every machine shares.
 */
#ifndef LEADIMPORT_STORE_PG_INT_H
#define LEADIMPORT_STORE_PG_INT_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "leadimport/buf.h"
#include "leadimport/store.h"
#include "store_users.h"

/* The operations (store_ops.def), named li__pg_NAME. */
#define LI_STORE_OP(R, name, params, args) R li__pg_##name params;
#define LI_STORE_VOP(name, params, args) void li__pg_##name params;
#define LI_STORE_IOP(name, params, args) li_status li__pg_##name params;
#include "store_ops.def"
#undef LI_STORE_OP
#undef LI_STORE_VOP
#undef LI_STORE_IOP

extern const li_store_backend li__pg_backend;

/* NULL-terminated list of PostgreSQL migrations; entry i brings version i to i+1. */
extern const char *const li__pg_migrations[];

/* The database's clock, as li_store_now() writes it (UTC, milliseconds, "Z"). */
#define LI__PG_STAMP(ts) "to_char((" ts ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define LI__PG_NOW LI__PG_STAMP("clock_timestamp()")
/* now + $N seconds (a float8 parameter). */
#define LI__PG_NOW_PLUS(param) LI__PG_STAMP("clock_timestamp() + " param "::float8 * interval '1 second'")

/* The rows a report lists: the same text as LI__SQLITE_REPORT_ROWS (see storeInt.h). */
#define LI__PG_REPORT_ROWS                                                                         \
    " (status = 'invalid' OR status = 'skipped' OR status = 'updated' OR"                          \
    " (status = 'imported' AND (match_lead IS NOT NULL OR errors IS NOT NULL)))"

/* Advisory lock keys (pg_advisory_lock): 'LIMG', 'LICL' in ASCII. */
#define LI__PG_LOCK_MIGRATE 0x4C494D47LL /* migrations: one process at a time */
#define LI__PG_LOCK_CLAIM 0x4C49434CLL   /* claims: one at a time (dead leases ended once) */

/* Named columns, as on SQLite: X(NAME, "SQL expression"); the list ends with NULL. */
#define LI__PG_COLUMN_SQL(name, sql) sql ", "
#define LI__PG_COLUMN_TEXT(LIST) LIST(LI__PG_COLUMN_SQL) "NULL"

/*
 * A PostgreSQL connection: a li_store whose ops are PostgreSQL's.
 *
 * Deferred inserts are kept as the text of a COPY (text format), already
 * escaped: the caller's borrowed strings are copied at once, so nothing
 * waits on them, and a flush is one COPY per table (pg_batch.c).
 */
typedef struct li__pg {
    li_store base; /* first: a li_store * of this backend is a li__pg * */
    PGconn *conn;
    char *url;        /* the full URL, "postgresql://..." */
    char *file_dir;   /* li_store_file_dir(): a folder of this machine's cache */
    char *legacy_dir; /* li_store_legacy_file_dir(): the same (no older layout) */
    int in_tx;        /* between begin and commit/rollback */
    int broken;       /* the connection was lost in a transaction: rollback reconnects */
    char sqlstate[6]; /* of the last failure (li__pg_fail), "" if it had none */
    /* Lead ids (pg_batch.c): a block block_first..block_last taken from
     * lead_ids on a connection of its own, outside any transaction, so that
     * committers side by side never wait on each other for ids; id_next is
     * the next unused. */
    li_store *ids;       /* the id connection, opened at the first block */
    int64_t block_first, block_last, id_next; /* 0: no block */
    int64_t tx_first_id; /* the first id this transaction gave, 0: none */
    int committing;      /* COMMIT sent and not answered: its outcome is unknown */
    /* Committers side by side (li__pg_leads_recheck): the last batch of the
     * journal (lead_commit_log.n) whose leads this connection's committer
     * has, -1 before its key set was read. */
    int64_t log_seen;
    int64_t log_mine; /* the number this transaction's batch took (its turn), 0: none */
    /* leads has planner statistics (analysed once at least), or is small:
     * its look-ups (li__pg_leads_with_keys) do not scan a big table. Known
     * once seen; asked again while it is not. */
    int leads_analysed;
    /* Candidates' keys read ahead for this transaction (li_store_lead_keys_prefetch):
     * entries sorted by id, their texts in kc_text. */
    struct li__pg_kc *kc;
    size_t nkc, capkc;
    li_buf kc_text;
    /* Queued leads: ids first_lead.. first_lead+nlead-1, their COPY lines. */
    int64_t first_lead;
    size_t nlead;
    li_buf lead_copy; /* COPY leads (...) lines */
    int savepoint;    /* li_rows is open in this transaction (released by the next flush) */
    int relaxed;      /* this transaction commits without waiting for its WAL (pg_batch.c) */
    size_t nrow;
    li_buf row_copy; /* COPY of staged rows into the temporary table li_rows_in */
    int rows_in_made; /* li_rows_in exists on this connection */
    int64_t queued_job; /* the job of every queued row, 0 if they are of several */
    int64_t upsert_job; /* a job whose rows met a conflict: its batches go through li_rows_in */
} li__pg;

static inline li__pg *li__pgs(li_store *s) {
    return (li__pg *)s;
}

/* --- parameters (pg.c) ----------------------------------------------------------- */
#define LI__PG_MAX_ARGS 28

/*
 * The parameters of one statement, $1 onwards, in the order added. Texts
 * are borrowed (valid until the statement ran); numbers are formatted into
 * the struct. A NULL value is SQL NULL.
 */
typedef struct li__pg_args {
    int n;
    const char *v[LI__PG_MAX_ARGS];
    int len[LI__PG_MAX_ARGS];
    int fmt[LI__PG_MAX_ARGS]; /* 1: v holds len raw bytes (a text value sent as binary) */
    char num[LI__PG_MAX_ARGS][32];
} li__pg_args;

void li__pg_arg_int(li__pg_args *a, int64_t v);
/* 0 as NULL (an id that is none). */
void li__pg_arg_id(li__pg_args *a, int64_t id);
void li__pg_arg_f64(li__pg_args *a, double v);
/* NULL or "" as NULL; the text is borrowed. */
void li__pg_arg_text(li__pg_args *a, const char *v);
/* An empty slice as NULL; the bytes are borrowed, no NUL needed. */
void li__pg_arg_slice(li__pg_args *a, li_slice v);

/* --- statements (pg.c) ------------------------------------------------------------ */
/*
 * Runs sql with args (NULL: none, and then sql may hold several statements). *res (if res) gets the result, to
 * PQclear; else it is cleared here. A failure is mapped by li__pg_fail().
 * Outside a transaction a lost connection is reconnected first (with
 * back-off, li__pg_ensure); inside one it is the transaction's failure (LI_EBUSY).
 */
li_status li__pg_run(li__pg *s, const char *sql, const li__pg_args *args, PGresult **res,
                     li_error *err);
/* li__pg_run without parameters nor result. */
li_status li__pg_exec(li__pg *s, const char *sql, li_error *err);
/* The rows the last command changed (PQcmdTuples), 0 if none. */
uint64_t li__pg_changes(const PGresult *r);
/*
 * Reconnects a lost connection (not inside a transaction), retrying with
 * back-off for up to LI__PG_RECONNECT_S seconds ($LEADIMPORT_PG_RECONNECT).
 */
#define LI__PG_RECONNECT_S 10.0
li_status li__pg_ensure(li__pg *s, li_error *err);
/* The session's settings (lock_timeout from $LEADIMPORT_BUSY_TIMEOUT), after each (re)connection. */
li_status li__pg_session_setup(li__pg *s, li_error *err);

/*
 * Scans a query by pages: sql ends with "... > $K ORDER BY key LIMIT $L"
 * (or "<" and DESC), the caller gives the first bound and reads the key of
 * each row; every page is a whole result, so the callback may run other
 * statements on the connection (a cursor would not allow that outside a
 * transaction, and a single-row stream not at all).
 */
#define LI__PG_PAGE 2000
/* The match key indexes of leads (migration 9; put back by an explicit migrate). */
#define LI__PG_KEY_INDEXES                                                                         \
    "CREATE INDEX IF NOT EXISTS leads_email ON leads USING hash (email)"                          \
    " WHERE email IS NOT NULL;"                                                                    \
    "CREATE INDEX IF NOT EXISTS leads_phone ON leads USING hash (phone)"                          \
    " WHERE phone IS NOT NULL;"                                                                    \
    "CREATE INDEX IF NOT EXISTS leads_external_id ON leads USING hash (external_id)"              \
    " WHERE external_id IS NOT NULL;"
/* One past it is the next lead's id: the highest ever given (migration 9), or higher if
 * another program added a lead. */
#define LI__PG_LEAD_ID_HIGH                                                                        \
    "SELECT greatest(coalesce(max(id), 0), (SELECT max(last_id) FROM lead_ids)) FROM leads"
/* A review's staged rows from this many on get fresh planner statistics (li__pg_rows_staged). */
#define LI__PG_ANALYSE_ROWS 10000
typedef li_status (*li__pg_row_fn)(const PGresult *r, int row, void *ctx);
/*
 * args holds sql's parameters but the last two, which this adds: the key
 * bound (first, then the key column key_col of the page's last row) and
 * the page's size. At most limit rows in all (0: every row). Stops at the
 * first status fn returns other than LI_OK, and returns it.
 */
li_status li__pg_pages(li__pg *s, const char *sql, const li__pg_args *args, int key_col,
                       int64_t first, uint64_t limit, li__pg_row_fn fn, void *ctx, li_error *err);

/* --- COPY (pg_batch.c) -------------------------------------------------------------- */
/* One field of a COPY line in text format (escaped), then a tab or, last, the newline. */
li_status li__pg_copy_slice(li_buf *b, li_slice v, int last);
li_status li__pg_copy_text(li_buf *b, const char *v, int last); /* NULL or "" as NULL */
li_status li__pg_copy_int(li_buf *b, int64_t v, int last);
li_status li__pg_copy_id(li_buf *b, int64_t id, int last); /* 0 as NULL */
/* Sends data (COPY text lines) with sql ("COPY t (...) FROM STDIN"). */
li_status li__pg_copy(li__pg *s, const char *sql, const li_buf *data, li_error *err);

/* --- columns (pg.c) ---------------------------------------------------------------- */
int64_t li__pg_col_int(const PGresult *r, int row, int col);
double li__pg_col_f64(const PGresult *r, int row, int col);
/* A text column ("" for NULL) as a slice into r. */
li_slice li__pg_col_slice(const PGresult *r, int row, int col);
/* NULL for SQL NULL, else the text in r. */
const char *li__pg_col_text(const PGresult *r, int row, int col);
void li__pg_col_copy(char *dst, size_t cap, const PGresult *r, int row, int col);
li_status li__pg_col_dup(const PGresult *r, int row, int col, char **out, li_error *err);

/* --- failures (pg_fault.c) ----------------------------------------------------------- */
/*
 * The status and French message of a failed call: r its result (NULL: the
 * connection's last error). By SQLSTATE: disk full LI_ENOSPACE (db_full),
 * read-only LI_EREADONLY (db_readonly), lock timeout, deadlock and
 * serialization failure LI_EBUSY (db_pg_busy), a lost or refused
 * connection LI_EBUSY too (db_pg_connection): the queue retries all of these;
 * anything else LI_EDB (db_error).
 */
li_status li__pg_fail(li__pg *s, const PGresult *r, li_error *err);
/* The URL without its password, for messages (into out). */
void li__pg_url_shown(const char *url, char *out, size_t cap);

/* --- deferred inserts (pg_batch.c) ----------------------------------------------------- */
li_status li__pg_settle(li__pg *s, li_error *err);
li_status li__pg_settle_rows(li__pg *s, li_error *err);
li_status li__pg_settle_leads(li__pg *s, li_error *err);
/* Flushes only if lead id is still queued. */
li_status li__pg_settle_for(li__pg *s, int64_t id, li_error *err);
/* Drops what is queued (rollback). */
void li__pg_drop_queue(li__pg *s);
/* Forgets the keys read ahead (the transaction's end, a lead changed). */
void li__pg_kc_clear(li__pg *s);
/*
 * Lead ids, at the end of a transaction: after a commit the ids it gave
 * stay given; after a rollback they go back too (unless the COMMIT's
 * answer was lost: then nobody knows, and they stay a gap); the block's
 * rest goes back either way.
 */
void li__pg_ids_tx_end(li__pg *s, int committed);
/* Gives back the block's unused ids outside a transaction (close). */
void li__pg_ids_give_back(li__pg *s);

/* --- migrations (pg_schema.c) ----------------------------------------------------------- */
li_status li__pg_apply_migrations(li__pg *s, int *version, li_error *err);

#endif
