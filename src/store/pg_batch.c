/*
 * pg_batch.c — deferred inserts of the PostgreSQL backend, written by COPY.
 *
 * Inside a transaction, li_store_lead_insert() and li_store_row_put() only
 * append their row, escaped, to the text of a COPY (text format); the next
 * flush (at commit, before a read that could see them, or when
 * PENDING_MAX wait) sends each table's text in one COPY ... FROM STDIN:
 * one round trip per table and batch, never one per row. Outside a
 * transaction they are written at once, in a transaction of their own.
 *
 * Leads go straight into leads (their ids are new), with their 'created'
 * (and 'assigned') history into lead_history. Staged rows are idempotent on
 * (job, row_no): a batch is COPied straight into import_rows under a
 * savepoint, and only if a row of it is already there (a resumed parse, the
 * commit stage rewriting outcomes) it goes through the temporary table
 * li_rows_in and one INSERT ... ON CONFLICT DO UPDATE; after that the job's
 * next batches take that path at once.
 *
 * Lead ids: lead_ids holds the highest id ever given. A transaction that
 * adds leads takes a block of BLOCK ids at a time by one UPDATE of
 * lead_ids on a second connection, outside any transaction: committers
 * side by side never wait for each other's commit to get ids, and none is
 * given twice. At the transaction's end the ids it did not keep (the
 * block's rest; all of them after a rollback) go back when no one took a
 * block since: one committer alone gives the ids SQLite gives, in the
 * order of its commits. A process killed mid-transaction leaves a gap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgInt.h"

/* Flushed at the latest when this many rows wait, or this many bytes. */
#define PENDING_MAX 4096
#define PENDING_BYTES (4u << 20)
/* Lead ids per block: a batch's worth (LI_IMPORT_BATCH rows) in one. */
#define BLOCK 512

/* --- COPY text format ------------------------------------------------------------- */

li_status li__pg_copy_slice(li_buf *b, li_slice v, int last) {
    li_status st = LI_OK;
    if (!v.ptr || !v.len) {
        st = li_buf_append(b, "\\N", 2);
    } else {
        if ((st = li_buf_reserve(b, v.len + v.len / 8 + 2)) != LI_OK)
            return st;
        const char *p = v.ptr, *end = v.ptr + v.len, *run = p;
        for (; p < end && st == LI_OK; p++) {
            char esc = 0;
            switch (*p) {
            case '\\': esc = '\\'; break;
            case '\n': esc = 'n'; break;
            case '\r': esc = 'r'; break;
            case '\t': esc = 't'; break;
            default: continue;
            }
            char two[2] = {'\\', esc};
            if ((st = li_buf_append(b, run, (size_t)(p - run))) == LI_OK)
                st = li_buf_append(b, two, 2);
            run = p + 1;
        }
        if (st == LI_OK)
            st = li_buf_append(b, run, (size_t)(end - run));
    }
    return st == LI_OK ? li_buf_putc(b, last ? '\n' : '\t') : st;
}

li_status li__pg_copy_text(li_buf *b, const char *v, int last) {
    return li__pg_copy_slice(b, li_slice_of(v), last);
}

li_status li__pg_copy_int(li_buf *b, int64_t v, int last) {
    return li_buf_printf(b, "%lld%c", (long long)v, last ? '\n' : '\t');
}

li_status li__pg_copy_id(li_buf *b, int64_t id, int last) {
    li_slice none = {0};
    if (id)
        return li__pg_copy_int(b, id, last);
    return li__pg_copy_slice(b, none, last);
}

li_status li__pg_copy(li__pg *s, const char *sql, const li_buf *data, li_error *err) {
    li_status st = li__pg_ensure(s, err);
    if (st != LI_OK)
        return st;
    PGresult *r = PQexec(s->conn, sql);
    if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
        st = li__pg_fail(s, r, err);
        PQclear(r);
        return st;
    }
    PQclear(r);
    /* Sent in pieces of 1 MiB: libpq buffers what it is given. */
    int ok = 1;
    for (size_t at = 0; ok && at < data->len;) {
        size_t n = data->len - at > (1u << 20) ? (1u << 20) : data->len - at;
        ok = PQputCopyData(s->conn, data->data + at, (int)n) == 1;
        at += n;
    }
    ok = PQputCopyEnd(s->conn, ok ? NULL : "envoi interrompu") == 1 && ok;
    while ((r = PQgetResult(s->conn))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && st == LI_OK)
            st = li__pg_fail(s, r, err);
        PQclear(r);
    }
    if (st == LI_OK && !ok)
        st = li__pg_fail(s, NULL, err);
    if (st != LI_OK && PQstatus(s->conn) != CONNECTION_OK)
        s->broken = 1;
    return st;
}

/* --- the queue ------------------------------------------------------------------------ */

static const char copy_leads[] =
    "COPY leads (id, first_name, last_name, email, phone, company, job_title, address,"
    " postal_code, city, country, source, notes, external_id, owner, custom, import_job_id,"
    " import_row, created_at, updated_at, assigned_to, duplicate_of, phone_type) FROM STDIN";
static const char copy_rows[] = "COPY import_rows (job_id, row_no, status, data, errors, lead_id,"
                                " match_key, match_lead) FROM STDIN";
static const char copy_rows_in[] = "COPY li_rows_in (job_id, row_no, status, data, errors, lead_id,"
                                   " match_key, match_lead) FROM STDIN";

void li__pg_drop_queue(li__pg *s) {
    li_buf_reset(&s->lead_copy);
    li_buf_reset(&s->row_copy);
    s->nlead = 0;
    s->nrow = 0;
}

/* The staged rows through li_rows_in, replacing those already there. */
static li_status rows_upsert(li__pg *s, li_error *err) {
    li_status st = LI_OK;
    if (!s->rows_in_made &&
        (st = li__pg_exec(s,
                          "CREATE TEMPORARY TABLE IF NOT EXISTS li_rows_in"
                          " (LIKE import_rows) ON COMMIT DELETE ROWS",
                          err)) != LI_OK)
        return st;
    s->rows_in_made = 1;
    if ((st = li__pg_copy(s, copy_rows_in, &s->row_copy, err)) != LI_OK)
        return st;
    /* A row twice in one batch: the last one wins, as with INSERT OR REPLACE. */
    return li__pg_exec(s,
                       "INSERT INTO import_rows (job_id, row_no, status, data, errors, lead_id,"
                       " match_key, match_lead) SELECT DISTINCT ON (job_id, row_no) job_id,"
                       " row_no, status, data, errors, lead_id, match_key, match_lead"
                       " FROM (SELECT *, ctid AS c FROM li_rows_in) x ORDER BY job_id, row_no,"
                       " c DESC ON CONFLICT (job_id, row_no) DO UPDATE SET status=EXCLUDED.status,"
                       " data=EXCLUDED.data, errors=EXCLUDED.errors, lead_id=EXCLUDED.lead_id,"
                       " match_key=EXCLUDED.match_key, match_lead=EXCLUDED.match_lead;"
                       "TRUNCATE li_rows_in",
                       err);
}


/*
 * The statements sent before the staged rows, in the same round trip:
 * the history of the leads just COPied, made by the server from their
 * rows ('created', and 'assigned' for an assignee, in id order: the same
 * entries as SQLite's). Their ids are consecutive (one block) and no one
 * else's. Numbers only are written into the text: nothing of a user is
 * pasted.
 */
static li_status lead_history_sql(int64_t first, int64_t last, li_buf *sql) {
    if (!first)
        return LI_OK;
    return li_buf_printf(sql,
                         "INSERT INTO lead_history (lead_id, action, job_id, changes, at)"
                         " SELECT id, a, import_job_id, c, created_at FROM (SELECT id,"
                         " import_job_id, created_at, 'created' AS a, NULL AS c, 0 AS k FROM leads"
                         " WHERE id BETWEEN %lld AND %lld UNION ALL SELECT id, import_job_id,"
                         " created_at, 'assigned', '{\"assigned_to\":[null,' || assigned_to ||"
                         " ']}', 1 FROM leads WHERE id BETWEEN %lld AND %lld AND assigned_to IS"
                         " NOT NULL) h ORDER BY id, k;",
                         (long long)first, (long long)last, (long long)first, (long long)last);
}

/*
 * pre: statements to run first (may be empty). One round trip on the
 * common path: pre, the release of the previous batch's savepoint, a new
 * savepoint, the COPY (libpq stops a multi-statement query at its COPY).
 */
static li_status rows_flush(li__pg *s, int64_t job_id, li_buf *pre, li_error *err) {
    li_status st;
    if (s->upsert_job == job_id || job_id == 0) {
        if (pre->len && (st = li__pg_exec(s, pre->data, err)) != LI_OK)
            return st;
        return rows_upsert(s, err);
    }
    if ((s->savepoint && li_buf_puts(pre, "RELEASE SAVEPOINT li_rows;") != LI_OK) ||
        li_buf_puts(pre, "SAVEPOINT li_rows;") != LI_OK || li_buf_puts(pre, copy_rows) != LI_OK)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    li_error first;
    s->savepoint = 0;
    if ((st = li__pg_copy(s, pre->data, &s->row_copy, &first)) == LI_OK) {
        s->savepoint = 1;
        return LI_OK;
    }
    /* Only a conflicting row is cured below: a lost connection, or a
     * failure before the savepoint, stands. */
    if (s->broken || strcmp(s->sqlstate, "23505") != 0) { /* not a unique violation */
        *err = first;
        return st;
    }
    /* A row already there (a resumed parse, outcomes rewritten): this batch
     * again through li_rows_in, and the job's next ones at once. */
    s->upsert_job = job_id;
    if ((st = li__pg_exec(s, "ROLLBACK TO SAVEPOINT li_rows; RELEASE SAVEPOINT li_rows", err)) !=
        LI_OK)
        return st;
    return rows_upsert(s, err);
}

/* The server keeps its own undo (the heap's old versions): nothing to change. */
li_status li__pg_rehearsal(li_store *store, int on, li_error *err) {
    (void)store, (void)on, (void)err;
    return LI_OK;
}

/* The server checkpoints on its own (its checkpointer process): nothing to move. */
void li__pg_heavy_writes(li_store *store, int on) {
    (void)store, (void)on;
}

li_status li__pg_flush(li_store *store, li_error *err) {
    li__pg *s = li__pgs(store);
    li_status st = LI_OK;
    li_buf pre;
    li_buf_init(&pre, 0);
    int64_t first = s->nlead ? s->first_lead : 0, last = first + (int64_t)s->nlead - 1;
    if (s->nlead && (st = li__pg_copy(s, copy_leads, &s->lead_copy, err)) != LI_OK)
        goto out;
    /*
     * A transaction that writes a batch commits without waiting for its WAL
     * to reach the disk, as SQLite commits in WAL mode with synchronous=NORMAL:
     * a crash of the server loses at most its last few hundred milliseconds of
     * batches, each with its checkpoint (the same transaction), so the job
     * resumes from the last one kept and no row is lost or doubled. The
     * transactions without a batch (users, sessions, a job's state alone)
     * keep the server's setting. It saves one WAL flush per batch: 2,000 for
     * a million rows, 0.3 s where an fsync takes 0.14 ms (this machine's
     * disk, under the noise of a run) and seconds where it takes
     * milliseconds (network storage).
     */
    int relax = s->in_tx && !s->relaxed && (s->nlead || s->nrow);
    if ((relax && li_buf_puts(&pre, "SET LOCAL synchronous_commit TO off;") != LI_OK) ||
        lead_history_sql(first, last, &pre) != LI_OK) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    s->relaxed |= relax;
    if (s->nrow)
        st = rows_flush(s, s->queued_job, &pre, err);
    else if (pre.len)
        st = li__pg_exec(s, pre.data, err);
out:
    li_buf_free(&pre);
    li__pg_drop_queue(s);
    s->first_lead = 0;
    return st;
}

li_status li__pg_settle(li__pg *s, li_error *err) {
    return s->nlead || s->nrow ? li__pg_flush(&s->base, err) : LI_OK;
}

li_status li__pg_settle_rows(li__pg *s, li_error *err) {
    return s->nrow ? li__pg_flush(&s->base, err) : LI_OK;
}

li_status li__pg_settle_leads(li__pg *s, li_error *err) {
    return s->nlead ? li__pg_flush(&s->base, err) : LI_OK;
}

li_status li__pg_settle_for(li__pg *s, int64_t id, li_error *err) {
    if (s->nlead && id >= s->first_lead && id < s->first_lead + (int64_t)s->nlead)
        return li__pg_flush(&s->base, err);
    return LI_OK;
}

static int queue_full(const li__pg *s) {
    return s->nlead >= PENDING_MAX || s->nrow >= PENDING_MAX ||
           s->lead_copy.len + s->row_copy.len >= PENDING_BYTES;
}

li_status li__pg_row_put(li_store *store, int64_t job_id, const li_staged_row *row,
                         li_error *err) {
    li__pg *s = li__pgs(store);
    li_buf *b = &s->row_copy;
    int own_tx = !s->in_tx;
    li_status st = own_tx ? li__pg_begin(store, err) : LI_OK; /* li_rows_in lives in one */
    if (st != LI_OK)
        return st;
    size_t was = b->len;
    if ((st = li__pg_copy_int(b, job_id, 0)) != LI_OK ||
        (st = li__pg_copy_int(b, (int64_t)row->row_no, 0)) != LI_OK ||
        (st = li__pg_copy_text(b, row->status, 0)) != LI_OK ||
        (st = li__pg_copy_slice(b, row->data, 0)) != LI_OK ||
        (st = li__pg_copy_slice(b, row->errors, 0)) != LI_OK ||
        (st = li__pg_copy_id(b, row->lead_id, 0)) != LI_OK ||
        (st = li__pg_copy_text(b, row->match_key, 0)) != LI_OK ||
        (st = li__pg_copy_id(b, row->match_lead, 1)) != LI_OK) {
        b->len = was;
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    s->queued_job = s->nrow == 0 || s->queued_job == job_id ? job_id : 0;
    s->nrow++;
    if (own_tx)
        st = li__pg_commit(store, err);
    else if (queue_full(s))
        st = li__pg_flush(store, err);
out:
    if (st != LI_OK && own_tx)
        li__pg_rollback(store);
    return st;
}

/* Runs sql (one statement) on the id connection, outside any transaction; *v its number. */
static li_status ids_run(li__pg *s, const char *sql, const li__pg_args *a, int64_t *v,
                         li_error *err) {
    PGresult *r = NULL;
    li_status st = LI_OK;
    if (!s->ids && (st = li__pg_open_again(&s->base, &s->ids, err)) != LI_OK)
        return st;
    if ((st = li__pg_run(li__pgs(s->ids), sql, a, &r, err)) == LI_OK && v)
        *v = PQntuples(r) == 1 ? li__pg_col_int(r, 0, 0) : 0;
    PQclear(r);
    return st;
}

/* A new block of ids (lead_ids, or past a lead another program added). */
static li_status take_block(li__pg *s, li_error *err) {
    int64_t last = 0;
    li__pg_args a = {0};
    li__pg_arg_int(&a, BLOCK);
    li_status st = ids_run(s,
                           "UPDATE lead_ids SET last_id=greatest(last_id, (SELECT coalesce(max(id),"
                           " 0) FROM leads)) + $1 RETURNING last_id",
                           &a, &last, err);
    if (st == LI_OK && last < BLOCK)
        st = li_error_set(err, LI_EDB, LI_MSG_DB_ERROR, "table lead_ids vide");
    if (st != LI_OK)
        return st;
    s->block_first = last - BLOCK + 1;
    s->block_last = last;
    s->id_next = s->block_first;
    return LI_OK;
}

/* Gives ids from..block_last back if no one took a block since; the block is done with. */
static void give_back(li__pg *s, int64_t from) {
    li__pg *ids = s->ids ? li__pgs(s->ids) : NULL;
    if (from <= s->block_last && ids && ids->conn && PQstatus(ids->conn) == CONNECTION_OK) {
        li__pg_args a = {0};
        li__pg_arg_int(&a, from - 1);
        li__pg_arg_int(&a, s->block_last);
        /* Only if still the last given: else they stay a gap. A failure
         * loses nothing but ids. */
        li_error ignored;
        (void)ids_run(s, "UPDATE lead_ids SET last_id=$1 WHERE last_id=$2", &a, NULL, &ignored);
    }
    s->block_first = s->block_last = s->id_next = 0;
}

void li__pg_ids_tx_end(li__pg *s, int committed) {
    if (s->block_first) {
        /* Unused: the block's rest; and after a rollback (known), the ids the
         * transaction gave in this block. A block never outlives its
         * transaction: ids keep the order of the commits that give them. */
        int64_t from = s->id_next;
        if (!committed && !s->committing && s->tx_first_id)
            from = s->tx_first_id > s->block_first ? s->tx_first_id : s->block_first;
        give_back(s, from);
    }
    s->tx_first_id = 0;
    s->committing = 0;
}

void li__pg_ids_give_back(li__pg *s) {
    if (s->block_first && !s->in_tx)
        give_back(s, s->id_next);
}

static li_status queue_lead(li__pg *s, const li_slice value[LI_FIELD__COUNT], li_slice custom,
                            const li_lead_meta *meta, int64_t job_id, uint64_t row_no,
                            const char *now, int64_t id) {
    li_buf *b = &s->lead_copy;
    li_status st = li__pg_copy_int(b, id, 0);
    for (int f = 0; f < LI_FIELD__COUNT && st == LI_OK; f++)
        st = li__pg_copy_slice(b, value[f], 0);
    li_slice none = {0};
    if (st == LI_OK)
        st = li__pg_copy_slice(b, custom.len <= 2 ? none : custom, 0); /* "{}" */
    if (st == LI_OK && (st = li__pg_copy_int(b, job_id, 0)) == LI_OK &&
        (st = li__pg_copy_int(b, (int64_t)row_no, 0)) == LI_OK &&
        (st = li__pg_copy_text(b, now, 0)) == LI_OK && (st = li__pg_copy_text(b, now, 0)) == LI_OK &&
        (st = li__pg_copy_id(b, meta->assigned_to, 0)) == LI_OK &&
        (st = li__pg_copy_id(b, meta->duplicate_of, 0)) == LI_OK)
        st = li__pg_copy_text(b, meta->phone_type, 1);
    return st;
}

li_status li__pg_lead_insert(li_store *store, const li_slice value[LI_FIELD__COUNT],
                             li_slice custom_json, const li_lead_meta *meta, int64_t job_id,
                             uint64_t row_no, const char *now, int64_t *id, li_error *err) {
    li__pg *s = li__pgs(store);
    li_status st = LI_OK;
    int own_tx = !s->in_tx;
    li_lead_meta none = {0, 0, NULL};
    size_t lead_was = s->lead_copy.len;
    if (own_tx && (st = li__pg_begin(store, err)) != LI_OK)
        return st;
    if (!s->block_first || s->id_next > s->block_last) {
        /* A flush holds ids of one block: its history selects them by range. */
        if ((st = li__pg_settle_leads(s, err)) != LI_OK || (st = take_block(s, err)) != LI_OK)
            goto out;
    }
    if ((st = queue_lead(s, value, custom_json, meta ? meta : &none, job_id, row_no, now,
                         s->id_next)) != LI_OK) {
        s->lead_copy.len = lead_was;
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if (s->nlead++ == 0)
        s->first_lead = s->id_next;
    if (!s->tx_first_id)
        s->tx_first_id = s->id_next;
    *id = s->id_next++;
    if (own_tx)
        st = li__pg_commit(store, err);
    else if (queue_full(s))
        st = li__pg_flush(store, err);
out:
    if (st != LI_OK && own_tx)
        li__pg_rollback(store);
    return st;
}
