/*
 * blob_pg.c — the PostgreSQL backend of the blob store (blob.h): with a
 * PostgreSQL store, uploaded files and reports are kept in the database,
 * so that a worker or a server on any machine reads what another stored.
 *
 * Layout (created here, IF NOT EXISTS, under an advisory lock, the first
 * time a process uses it; not a store migration: the blob layer is above
 * the store and owns its tables):
 *   blobs(key PRIMARY KEY, blob_id, size, created_at)  what is published
 *   blob_chunks(blob_id, seq, data bytea)              the bytes, in order
 * A blob's bytes are rows of at most CHUNK bytes (TOAST stores each out of
 * line, compressed): streamed in and out one chunk at a time, never whole
 * in memory, and no large-object API (large objects escape pg_dump's
 * per-table selections and need their own cleanup; chunk rows go with
 * their table).
 *
 * Connections: this backend opens its own libpq connections from the
 * store's URL (li_store_server_url), never the store's: a blob is read
 * while the job writes its batches in transactions of the store's
 * connection (a rollback there must not end a read), and a blob is
 * published atomically on its own, whatever the job's transaction does.
 *   - each writer has its own connection and one transaction from create
 *     to publish: chunks are inserted as they fill, the key points at the
 *     new blob_id in the same transaction, so a reader sees the old blob or
 *     the new one, and a writer killed or cut off leaves nothing (its
 *     transaction is rolled back by the server);
 *   - reads, sizes and removals share one connection per blob store,
 *     opened at first use; a read is one statement per chunk, by
 *     (blob_id, seq), so it holds no transaction and resumes after a
 *     reconnection.
 *
 * local_path: the readers need a file (the XLSX one seeks), so the blob is
 * copied into a folder of this machine (the store's li_store_file_dir(),
 * a cache): once for a blob named by its SHA-256 (its content never
 * changes), again each time for other keys (a report may be rewritten).
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadimport/blob.h"

/* Bytes per chunk row: large enough that a 1 GB file is 4096 rows, small
 * enough that a writer buffers little. */
#define CHUNK (256u * 1024u)

typedef struct pg_ctx {
    char *url;           /* the store's URL, "postgresql://..." */
    char shown[256];     /* the URL without its password, for messages */
    PGconn *conn;        /* reads, sizes, removals; NULL until first used */
    int schema_ok;       /* the tables are known to exist */
    li_blob_store *cache; /* local copies for local_path, or NULL */
} pg_ctx;

typedef struct pg_sink {
    PGconn *conn; /* its own, in one transaction */
    long long id;
    int seq;
    unsigned long long size;
    size_t used;
    unsigned char *buf; /* CHUNK bytes */
} pg_sink;

typedef struct pg_src {
    long long id;
    unsigned long long size, done; /* bytes in the blob, bytes given */
    int seq;                       /* the next chunk to fetch */
    PGresult *chunk;               /* the current one, or NULL */
    size_t off;                    /* bytes of it already given */
} pg_src;

/* --- errors ------------------------------------------------------------------ */

/*
 * LI_EDB with a French message: what failed (op, French) and the SQLSTATE,
 * or "connexion" when the server could not be reached. libpq's own text is
 * English and never reaches the user. LI_EDB is a temporary failure: the
 * queue runs the item again, once the server answers.
 */
static li_status db_failed(const pg_ctx *c, PGconn *conn, const PGresult *r, const char *op,
                           li_error *err) {
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!state || !*state || (conn && PQstatus(conn) != CONNECTION_OK))
        state = "connexion";
    if (strcmp(state, "53100") == 0) /* disk_full */
        return li_error_set(err, LI_ENOSPACE, LI_MSG_BLOB_DB_FAILED, c->shown, op, state);
    return li_error_set(err, LI_EDB, LI_MSG_BLOB_DB_FAILED, c->shown, op, state);
}

/* The URL without the password of its user part ("user:secret@" → "user@"). */
static void url_shown(const char *url, char *out, size_t cap) {
    const char *scheme = strstr(url, "://");
    const char *start = scheme ? scheme + 3 : url;
    const char *at = strchr(start, '@'), *slash = strchr(start, '/');
    const char *colon = at ? memchr(start, ':', (size_t)(at - start)) : NULL;
    if (at && colon && (!slash || at < slash))
        snprintf(out, cap, "%.*s%s", (int)(colon - url), url, at);
    else
        snprintf(out, cap, "%s", url);
}

/* --- connections ------------------------------------------------------------- */

/* The server's notices ("already exists, skipping") are not for the user. */
static void no_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

static PGconn *connect_url(const char *url) {
    const char *keys[] = {"dbname", "application_name", "connect_timeout", NULL};
    const char *vals[] = {url, "leadimport-blobs", "10", NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (c)
        PQsetNoticeProcessor(c, no_notice, NULL);
    return c;
}

/* Runs sql (no parameters); 0 if it succeeded. */
static int exec_ok(PGconn *conn, const char *sql, PGresult **failed) {
    PGresult *r = PQexec(conn, sql);
    ExecStatusType t = PQresultStatus(r);
    if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK) {
        PQclear(r);
        return 0;
    }
    if (failed)
        *failed = r;
    else
        PQclear(r);
    return -1;
}

/*
 * The tables, made once per database. Two processes starting at once
 * would both try CREATE TABLE IF NOT EXISTS, which can still fail on the
 * catalogue's unique index: the advisory lock puts them in turn.
 */
static li_status ensure_schema(pg_ctx *c, PGconn *conn, li_error *err) {
    static const char sql[] =
        "BEGIN;"
        "SELECT pg_advisory_xact_lock(1279869506);" /* 'LIBB' */
        "CREATE SEQUENCE IF NOT EXISTS blob_ids;"
        "CREATE TABLE IF NOT EXISTS blobs ("
        "  key text PRIMARY KEY,"
        "  blob_id bigint NOT NULL UNIQUE,"
        "  size bigint NOT NULL,"
        "  created_at timestamptz NOT NULL DEFAULT now());"
        "CREATE TABLE IF NOT EXISTS blob_chunks ("
        "  blob_id bigint NOT NULL,"
        "  seq integer NOT NULL,"
        "  data bytea NOT NULL,"
        "  PRIMARY KEY (blob_id, seq));"
        "COMMIT;";
    PGresult *r = NULL;
    if (c->schema_ok)
        return LI_OK;
    /* Made already (the common case): one read, no lock. */
    r = PQexec(conn, "SELECT to_regclass('blob_chunks') IS NOT NULL, coalesce((SELECT"
                     " attcompression FROM pg_attribute WHERE attrelid=to_regclass('blob_chunks')"
                     " AND attname='data'), '')");
    int read = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    int made = read && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    int lz4 = read && strcmp(PQgetvalue(r, 0, 1), "l") == 0;
    PQclear(r);
    r = NULL;
    if (!made && exec_ok(conn, sql, &r) != 0) {
        li_status st = db_failed(c, conn, r, "préparation", err);
        PQclear(r);
        exec_ok(conn, "ROLLBACK", NULL);
        return st;
    }
    /*
     * The chunks compressed with lz4 rather than PostgreSQL's default pglz:
     * storing a 37 MiB CSV took 1.0-1.2 s with pglz, 0.29 s with lz4, reading
     * it back 0.73 s against 0.31 s. It applies to chunks written from now
     * on. A server built without lz4 refuses it: the default stays, and the
     * next process asks again (one failed statement, no lock taken).
     */
    if (!lz4)
        exec_ok(conn, "ALTER TABLE blob_chunks ALTER COLUMN data SET COMPRESSION lz4", NULL);
    c->schema_ok = 1;
    return LI_OK;
}

/* A new connection to the store's database, its tables made, into *out. */
static li_status open_conn(pg_ctx *c, PGconn **out, li_error *err) {
    PGconn *conn = connect_url(c->url);
    li_status st = LI_OK;
    *out = NULL;
    if (!conn)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    if (PQstatus(conn) != CONNECTION_OK)
        st = db_failed(c, conn, NULL, "connexion", err);
    else
        st = ensure_schema(c, conn, err);
    if (st != LI_OK)
        PQfinish(conn);
    else
        *out = conn;
    return st;
}

/* The shared connection, (re)opened when missing or lost. */
static li_status shared_conn(pg_ctx *c, li_error *err) {
    if (c->conn && PQstatus(c->conn) != CONNECTION_OK) {
        PQfinish(c->conn);
        c->conn = NULL;
    }
    return c->conn ? LI_OK : open_conn(c, &c->conn, err);
}

/*
 * Runs a statement with text parameters on the shared connection; once
 * more on a new connection if the first was lost (a read holds no
 * transaction: it can be asked again). *res gets a PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK result to PQclear.
 */
static li_status shared_run(pg_ctx *c, const char *sql, int n, const char *const *vals,
                            int binary_result, const char *op, PGresult **res, li_error *err) {
    for (int attempt = 0;; attempt++) {
        li_status st = shared_conn(c, err);
        if (st != LI_OK)
            return st;
        PGconn *conn = c->conn;
        PGresult *r = PQexecParams(conn, sql, n, NULL, vals, NULL, NULL, binary_result);
        ExecStatusType t = PQresultStatus(r);
        if (t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK) {
            *res = r;
            return LI_OK;
        }
        if (PQstatus(conn) != CONNECTION_OK && attempt == 0) {
            PQclear(r);
            continue;
        }
        st = db_failed(c, conn, r, op, err);
        PQclear(r);
        return st;
    }
}

/* --- writing ------------------------------------------------------------------ */

static void sink_free(pg_sink *k) {
    if (k) {
        if (k->conn)
            PQfinish(k->conn); /* an open transaction is rolled back by the server */
        free(k->buf);
        free(k);
    }
}

static li_status pg_create(void *ctx, void **sink, li_error *err) {
    pg_ctx *c = ctx;
    pg_sink *k = calloc(1, sizeof *k);
    PGresult *r = NULL;
    li_status st = LI_OK;
    *sink = NULL;
    if (!k || !(k->buf = malloc(CHUNK))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if ((st = open_conn(c, &k->conn, err)) != LI_OK)
        goto out;
    r = PQexec(k->conn, "BEGIN; SELECT nextval('blob_ids')");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        st = db_failed(c, k->conn, r, "écriture", err);
        goto out;
    }
    k->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    *sink = k;
    k = NULL;
out:
    PQclear(r);
    sink_free(k);
    return st;
}

/* Inserts the buffered bytes as the next chunk. */
static li_status flush_chunk(pg_ctx *c, pg_sink *k, li_error *err) {
    char id[32], seq[16];
    if (k->used == 0)
        return LI_OK;
    snprintf(id, sizeof id, "%lld", k->id);
    snprintf(seq, sizeof seq, "%d", k->seq);
    const char *vals[3] = {id, seq, (const char *)k->buf};
    int lens[3] = {0, 0, (int)k->used};
    int fmts[3] = {0, 0, 1}; /* the bytes as they are: no bytea escaping */
    PGresult *r = PQexecParams(k->conn,
                               "INSERT INTO blob_chunks (blob_id, seq, data) VALUES ($1, $2, $3)",
                               3, NULL, vals, lens, fmts, 0);
    li_status st = LI_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        st = db_failed(c, k->conn, r, "écriture", err);
    PQclear(r);
    if (st == LI_OK) {
        k->seq++;
        k->used = 0;
    }
    return st;
}

static li_status pg_append(void *ctx, void *sink, const void *data, size_t n, li_error *err) {
    pg_sink *k = sink;
    const unsigned char *p = data;
    while (n > 0) {
        size_t take = CHUNK - k->used < n ? CHUNK - k->used : n;
        memcpy(k->buf + k->used, p, take);
        k->used += take;
        k->size += take;
        p += take;
        n -= take;
        if (k->used == CHUNK) {
            li_status st = flush_chunk(ctx, k, err);
            if (st != LI_OK)
                return st;
        }
    }
    return LI_OK;
}

static void pg_discard(void *ctx, void *sink) {
    (void)ctx;
    sink_free(sink);
}

static li_status pg_publish(void *ctx, void *sink, const char *key, li_error *err) {
    pg_ctx *c = ctx;
    pg_sink *k = sink;
    char id[32], size[32];
    PGresult *r = NULL;
    li_status st = flush_chunk(c, k, err);
    if (st != LI_OK)
        goto out;
    snprintf(id, sizeof id, "%lld", k->id);
    snprintf(size, sizeof size, "%llu", k->size);
    /* One publisher of a key at a time (the lock is the transaction's):
     * the chunks of the blob it replaces are those of the key's row as
     * committed now, not as a concurrent publisher is about to leave it. */
    const char *vals[3] = {key, id, size};
    r = PQexecParams(k->conn, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", 1, NULL,
                     vals, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        goto failed;
    PQclear(r);
    r = PQexecParams(k->conn,
                     "DELETE FROM blob_chunks WHERE blob_id ="
                     " (SELECT blob_id FROM blobs WHERE key = $1)",
                     1, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        goto failed;
    PQclear(r);
    r = PQexecParams(k->conn,
                     "INSERT INTO blobs (key, blob_id, size) VALUES ($1, $2, $3)"
                     " ON CONFLICT (key) DO UPDATE SET blob_id = EXCLUDED.blob_id,"
                     " size = EXCLUDED.size, created_at = now()",
                     3, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        goto failed;
    PQclear(r);
    r = PQexec(k->conn, "COMMIT");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        goto failed;
    goto out;
failed:
    st = db_failed(c, k->conn, r, "écriture", err);
out:
    PQclear(r);
    sink_free(k);
    return st;
}

/* --- reading ------------------------------------------------------------------ */

/* blob_id and size of key: LI_ENOTFOUND when no blob has that key. */
static li_status lookup(pg_ctx *c, const char *key, long long *id, unsigned long long *size,
                        li_error *err) {
    PGresult *r = NULL;
    const char *vals[1] = {key};
    li_status st = shared_run(c, "SELECT blob_id, size FROM blobs WHERE key = $1", 1, vals, 0,
                              "lecture", &r, err);
    if (st != LI_OK)
        return st;
    if (PQntuples(r) == 0) {
        st = li_error_set(err, LI_ENOTFOUND, LI_MSG_BLOB_NOT_FOUND, key);
    } else {
        *id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        *size = strtoull(PQgetvalue(r, 0, 1), NULL, 10);
    }
    PQclear(r);
    return st;
}

static li_status pg_open(void *ctx, const char *key, void **src, li_error *err) {
    pg_src *s = calloc(1, sizeof *s);
    *src = NULL;
    if (!s)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    li_status st = lookup(ctx, key, &s->id, &s->size, err);
    if (st != LI_OK) {
        free(s);
        return st;
    }
    *src = s;
    return LI_OK;
}

static li_status pg_read(void *ctx, void *src, void *buf, size_t cap, size_t *got,
                         li_error *err) {
    pg_ctx *c = ctx;
    pg_src *s = src;
    *got = 0;
    if (s->done == s->size || cap == 0)
        return LI_OK;
    if (!s->chunk || s->off == (size_t)PQgetlength(s->chunk, 0, 0)) {
        char id[32], seq[16];
        snprintf(id, sizeof id, "%lld", s->id);
        snprintf(seq, sizeof seq, "%d", s->seq);
        const char *vals[2] = {id, seq};
        PQclear(s->chunk);
        s->chunk = NULL;
        s->off = 0;
        li_status st = shared_run(c, "SELECT data FROM blob_chunks WHERE blob_id = $1 AND seq = $2",
                                  2, vals, 1, "lecture", &s->chunk, err);
        if (st != LI_OK)
            return st;
        if (PQntuples(s->chunk) != 1 || PQgetlength(s->chunk, 0, 0) == 0) {
            /* Replaced or removed while being read: its bytes are gone. */
            return li_error_set(err, LI_EIO, LI_MSG_BLOB_DB_FAILED, c->shown, "lecture",
                                "blob_chunks");
        }
        s->seq++;
    }
    size_t left = (size_t)PQgetlength(s->chunk, 0, 0) - s->off;
    size_t n = left < cap ? left : cap;
    memcpy(buf, PQgetvalue(s->chunk, 0, 0) + s->off, n);
    s->off += n;
    s->done += n;
    *got = n;
    return LI_OK;
}

static void pg_close(void *ctx, void *src) {
    (void)ctx;
    pg_src *s = src;
    if (s) {
        PQclear(s->chunk);
        free(s);
    }
}

static li_status pg_size(void *ctx, const char *key, uint64_t *size, li_error *err) {
    long long id;
    unsigned long long n = 0;
    li_status st = lookup(ctx, key, &id, &n, err);
    if (st == LI_OK)
        *size = n;
    return st;
}

static li_status pg_remove(void *ctx, const char *key, li_error *err) {
    pg_ctx *c = ctx;
    PGresult *r = NULL;
    const char *vals[1] = {key};
    /* One statement: the chunks and the key go together, or neither. */
    li_status st = shared_run(c,
                              "WITH gone AS (DELETE FROM blobs WHERE key = $1 RETURNING blob_id)"
                              " DELETE FROM blob_chunks WHERE blob_id IN (SELECT blob_id FROM gone)",
                              1, vals, 0, "suppression", &r, err);
    PQclear(r);
    if (st == LI_OK && c->cache)
        st = li_blob_delete(c->cache, key, err); /* this machine's copy */
    return st;
}

/* --- local copies --------------------------------------------------------------- */

/* 1 if key is a SHA-256 in hex: a blob whose content never changes. */
static int content_key(const char *key) {
    size_t n = strspn(key, "0123456789abcdef");
    return n == LI_SHA256_HEX - 1 && key[n] == '\0';
}

/* Copies the blob of key into the cache folder (written aside, renamed). */
static li_status copy_to_cache(pg_ctx *c, const char *key, li_error *err) {
    li_blob_writer *w = NULL;
    void *src = NULL;
    unsigned char *buf = malloc(CHUNK);
    li_status st = buf ? LI_OK : li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    if (st == LI_OK)
        st = pg_open(c, key, &src, err);
    if (st == LI_OK)
        st = li_blob_writer_open(c->cache, &w, err);
    for (size_t got = 1; st == LI_OK && got > 0;) {
        st = pg_read(c, src, buf, CHUNK, &got, err);
        if (st == LI_OK && got > 0)
            st = li_blob_write(w, buf, got, err);
    }
    if (st == LI_OK) {
        st = li_blob_writer_commit(w, key, NULL, err);
        w = NULL;
    }
    li_blob_writer_abort(w);
    pg_close(c, src);
    free(buf);
    return st;
}

static char *pg_local_path(void *ctx, const char *key) {
    pg_ctx *c = ctx;
    uint64_t have = 0, want = 0;
    if (!c->cache || pg_size(c, key, &want, NULL) != LI_OK)
        return NULL;
    int fresh = content_key(key) && li_blob_size(c->cache, key, &have, NULL) == LI_OK &&
                have == want;
    if (!fresh && copy_to_cache(c, key, NULL) != LI_OK)
        return NULL;
    return li_blob_local_path(c->cache, key);
}

static void pg_free(void *ctx) {
    pg_ctx *c = ctx;
    if (c) {
        if (c->conn)
            PQfinish(c->conn);
        li_blob_store_free(c->cache);
        free(c->url);
        free(c);
    }
}

static const li_blob_ops pg_ops = {
    .name = "postgresql",
    .create = pg_create,
    .append = pg_append,
    .publish = pg_publish,
    .discard = pg_discard,
    .open = pg_open,
    .read = pg_read,
    .close = pg_close,
    .size = pg_size,
    .remove = pg_remove,
    .local_path = pg_local_path,
    .free = pg_free,
};

li_status li_blob_store_pg(const char *url, const char *cache_dir, li_blob_store **out,
                           li_error *err) {
    pg_ctx *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c || !(c->url = strdup(url))) {
        pg_free(c);
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    url_shown(url, c->shown, sizeof c->shown);
    if (cache_dir) {
        li_status st = li_blob_store_dir(cache_dir, NULL, &c->cache, err);
        if (st != LI_OK) {
            pg_free(c);
            return st;
        }
    }
    return li_blob_store_new(&pg_ops, c, out, err);
}
