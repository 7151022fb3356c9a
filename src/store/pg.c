/*
 * pg.c — the PostgreSQL backend of the store: the connection (see store.h,
 * backend.h, pgInt.h).
 *
 * One libpq connection per li_store, opened from the URL as libpq reads it
 * (any conninfo URI: "postgresql://user@/db?host=/run/dir"), in UTF-8.
 * Statements go with bound parameters in the text protocol (a text value
 * may go as raw bytes: no copy to add a NUL). A lost connection is found
 * again here: outside a transaction the next statement reconnects, with
 * back-off; inside one the transaction fails (LI_EBUSY, db_pg_connection,
 * which the queue retries from the job's checkpoint) and the next begin
 * reconnects. Nothing of a lost transaction was committed, so nothing is
 * written twice.
 *
 * The database itself: created by the commands that may create one (as
 * "CREATE DATABASE ... ENCODING 'UTF8'", through the maintenance database
 * "postgres"); migrations in pg_schema.c under a session advisory lock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pgInt.h"

/* --- parameters ------------------------------------------------------------------ */

static void arg_put(li__pg_args *a, const char *v, int len, int fmt) {
    if (a->n >= LI__PG_MAX_ARGS)
        return; /* a programming error: the statement then fails on its missing $N */
    a->v[a->n] = v;
    a->len[a->n] = len;
    a->fmt[a->n] = fmt;
    a->n++;
}

void li__pg_arg_int(li__pg_args *a, int64_t v) {
    if (a->n >= LI__PG_MAX_ARGS)
        return;
    snprintf(a->num[a->n], sizeof a->num[a->n], "%lld", (long long)v);
    arg_put(a, a->num[a->n], 0, 0);
}

void li__pg_arg_id(li__pg_args *a, int64_t id) {
    if (id)
        li__pg_arg_int(a, id);
    else
        arg_put(a, NULL, 0, 0);
}

void li__pg_arg_f64(li__pg_args *a, double v) {
    if (a->n >= LI__PG_MAX_ARGS)
        return;
    snprintf(a->num[a->n], sizeof a->num[a->n], "%.17g", v);
    arg_put(a, a->num[a->n], 0, 0);
}

void li__pg_arg_text(li__pg_args *a, const char *v) {
    arg_put(a, v && *v ? v : NULL, 0, 0);
}

/* The binary form of a text value is its bytes: no NUL needed, nothing copied. */
void li__pg_arg_slice(li__pg_args *a, li_slice v) {
    if (v.len == 0 || !v.ptr)
        arg_put(a, NULL, 0, 0);
    else
        arg_put(a, v.ptr, (int)v.len, 1);
}

/* --- columns --------------------------------------------------------------------- */

int64_t li__pg_col_int(const PGresult *r, int row, int col) {
    if (PQgetisnull(r, row, col))
        return 0;
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double li__pg_col_f64(const PGresult *r, int row, int col) {
    if (PQgetisnull(r, row, col))
        return 0;
    return strtod(PQgetvalue(r, row, col), NULL);
}

li_slice li__pg_col_slice(const PGresult *r, int row, int col) {
    return (li_slice){PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col)};
}

const char *li__pg_col_text(const PGresult *r, int row, int col) {
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

void li__pg_col_copy(char *dst, size_t cap, const PGresult *r, int row, int col) {
    snprintf(dst, cap, "%s", PQgetvalue(r, row, col));
}

li_status li__pg_col_dup(const PGresult *r, int row, int col, char **out, li_error *err) {
    *out = NULL;
    if (!PQgetisnull(r, row, col) && !(*out = strdup(PQgetvalue(r, row, col))))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    return LI_OK;
}

uint64_t li__pg_changes(const PGresult *r) {
    const char *n = r ? PQcmdTuples((PGresult *)r) : "";
    return *n ? strtoull(n, NULL, 10) : 0;
}

/* --- connection ------------------------------------------------------------------ */

static double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double reconnect_window(void) {
    const char *env = getenv("LEADIMPORT_PG_RECONNECT");
    if (env && *env) {
        char *end = NULL;
        double d = strtod(env, &end);
        if (end && !*end && d >= 0 && d <= 3600)
            return d;
    }
    return LI__PG_RECONNECT_S;
}

/*
 * A new connection to url, or to the database dbname of the same server
 * (NULL: url's). The URL's own settings win, except the encoding: every
 * text of the program is UTF-8. NULL only when out of memory; a failed
 * connection is returned for its message.
 */
/* The server's notices ("already exists, skipping") are not the user's business. */
static void no_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

static PGconn *connect_url(const char *url, const char *dbname) {
    const char *keys[] = {"application_name", "connect_timeout", "dbname", "client_encoding",
                          dbname ? "dbname" : NULL, NULL};
    const char *vals[] = {"leadimport", "10", url, "UTF8", dbname, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (c)
        PQsetNoticeProcessor(c, no_notice, NULL);
    return c;
}

/* The session's settings: waits for a lock end as SQLite's busy timeout does. */
li_status li__pg_session_setup(li__pg *s, li_error *err) {
    double t = 10.0;
    const char *env = getenv("LEADIMPORT_BUSY_TIMEOUT");
    if (env && *env) {
        char *end = NULL;
        double d = strtod(env, &end);
        if (end && !*end && d >= 0 && d <= 3600)
            t = d;
    }
    char sql[96];
    snprintf(sql, sizeof sql, "SET lock_timeout = %lld", (long long)(t * 1000.0));
    s->rows_in_made = 0; /* temporary tables die with the session */
    return li__pg_exec(s, sql, err);
}

li_status li__pg_ensure(li__pg *s, li_error *err) {
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK)
        return LI_OK;
    if (s->in_tx) { /* the transaction is gone with the connection */
        s->broken = 1;
        return li__pg_fail(s, NULL, err);
    }
    double deadline = mono_now() + reconnect_window(), wait = 0.05;
    for (;;) {
        if (s->conn)
            PQreset(s->conn);
        else
            s->conn = connect_url(s->url, NULL);
        if (s->conn && PQstatus(s->conn) == CONNECTION_OK)
            return li__pg_session_setup(s, err);
        if (mono_now() + wait > deadline)
            return li__pg_fail(s, NULL, err);
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        nanosleep(&ts, NULL);
        wait = wait * 2 > 1.0 ? 1.0 : wait * 2;
    }
}

li_status li__pg_run(li__pg *s, const char *sql, const li__pg_args *args, PGresult **res,
                     li_error *err) {
    if (res)
        *res = NULL;
    li_status st = li__pg_ensure(s, err);
    if (st != LI_OK)
        return st;
    /* Without parameters, the simple protocol: sql may hold several statements. */
    PGresult *r = args ? PQexecParams(s->conn, sql, args->n, NULL, args->v, args->len, args->fmt, 0)
                       : PQexec(s->conn, sql);
    ExecStatusType rs = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
        if (s->in_tx && PQstatus(s->conn) != CONNECTION_OK)
            s->broken = 1;
        st = li__pg_fail(s, r, err);
        PQclear(r);
        return st;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return LI_OK;
}

li_status li__pg_pages(li__pg *s, const char *sql, const li__pg_args *args, int key_col,
                       int64_t first, uint64_t limit, li__pg_row_fn fn, void *ctx, li_error *err) {
    int64_t bound = first;
    uint64_t seen = 0;
    for (;;) {
        li__pg_args a = args ? *args : (li__pg_args){0};
        for (int i = 0; i < a.n; i++) /* the numbers moved with the copy */
            if (args && args->v[i] == args->num[i])
                a.v[i] = a.num[i];
        uint64_t page = LI__PG_PAGE;
        if (limit && limit - seen < page)
            page = limit - seen;
        li__pg_arg_int(&a, bound);
        li__pg_arg_int(&a, (int64_t)page);
        PGresult *r = NULL;
        li_status st = li__pg_run(s, sql, &a, &r, err);
        if (st != LI_OK)
            return st;
        int n = PQntuples(r);
        for (int i = 0; i < n && st == LI_OK; i++)
            st = fn(r, i, ctx);
        if (n > 0)
            bound = li__pg_col_int(r, n - 1, key_col);
        PQclear(r);
        seen += (uint64_t)n;
        if (st != LI_OK || (uint64_t)n < page || (limit && seen >= limit))
            return st;
    }
}

li_status li__pg_exec(li__pg *s, const char *sql, li_error *err) {
    return li__pg_run(s, sql, NULL, NULL, err);
}

/* --- the database: found, or created -------------------------------------------- */

/* The database name url names (libpq's reading of it), strdup'ed; NULL if none. */
static char *url_dbname(const char *url) {
    PQconninfoOption *opts = PQconninfoParse(url, NULL);
    char *name = NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, "dbname") == 0 && o->val && *o->val)
            name = strdup(o->val);
    if (!name)
        for (PQconninfoOption *o = opts; o && o->keyword; o++)
            if (strcmp(o->keyword, "user") == 0 && o->val && *o->val)
                name = strdup(o->val); /* libpq's default: the user's name */
    PQconninfoFree(opts);
    return name;
}

/*
 * url could not be reached: through the maintenance database of its
 * server, is it the database that is missing (*missing = 1)? With create,
 * it is then created (UTF-8; a concurrent creation is fine) and *missing
 * is 0. Any failure here leaves *missing 0: the first error stands.
 */
static void find_or_create(const char *url, int create, int *missing) {
    *missing = 0;
    char *name = url_dbname(url);
    PGconn *c = name ? connect_url(url, "postgres") : NULL;
    if (!c || PQstatus(c) != CONNECTION_OK)
        goto out;
    const char *v[1] = {name};
    PGresult *r = PQexecParams(c, "SELECT 1 FROM pg_database WHERE datname=$1", 1, NULL, v, NULL,
                               NULL, 0);
    int absent = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 0;
    PQclear(r);
    if (!absent)
        goto out;
    if (!create) {
        *missing = 1;
        goto out;
    }
    char *ident = PQescapeIdentifier(c, name, strlen(name));
    if (!ident)
        goto out;
    size_t n = strlen(ident) + 80;
    char *sql = malloc(n);
    if (sql) {
        snprintf(sql, n, "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0", ident);
        r = PQexec(c, sql);
        PQclear(r); /* 42P04 (created meanwhile by another process) is as good */
        free(sql);
    }
    PQfreemem(ident);
out:
    PQfinish(c);
    free(name);
}

/* --- files --------------------------------------------------------------------------- */

/*
 * The folder of stored files of a database on a server: a cache of this
 * machine, one per database (FNV-1a of the URL without its password):
 * "$XDG_CACHE_HOME/leadimport/pg-HASH.files" (~/.cache without it). The
 * blob store on PostgreSQL keeps the files in the database; this folder
 * only holds what a command writes locally.
 */
static li_status file_dirs(const char *url, char **own, char **legacy, li_error *err) {
    char shown[512];
    li__pg_url_shown(url, shown, sizeof shown);
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)shown; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char base[400];
    if (xdg && *xdg == '/')
        snprintf(base, sizeof base, "%s/leadimport", xdg);
    else if (home && *home == '/')
        snprintf(base, sizeof base, "%s/.cache/leadimport", home);
    else
        snprintf(base, sizeof base, "/tmp/leadimport-%ld", (long)getuid());
    size_t n = strlen(base) + 40;
    *own = malloc(n);
    *legacy = malloc(n);
    if (!*own || !*legacy) {
        free(*own);
        free(*legacy);
        *own = *legacy = NULL;
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    snprintf(*own, n, "%s/pg-%016llx.files", base, (unsigned long long)h);
    /* Its parents, private (the files hold personal data); the folder itself
     * is the blob store's to create, as beside an SQLite database. */
    char *slash = strrchr(*own, '/');
    for (char *p = *own + 1; slash && p <= slash; p++)
        if (*p == '/') {
            *p = '\0';
            (void)mkdir(*own, 0700); /* an existing one is left as it is */
            *p = '/';
        }
    snprintf(*legacy, n, "%s", *own);
    return LI_OK;
}

static li_status pg_url_guard(const char *location, li_outfile_guard *g, char **owned,
                              li_error *err) {
    (void)location; /* no file of the database on this machine */
    char *own = NULL, *legacy = NULL;
    char url[2048];
    snprintf(url, sizeof url, "postgresql://%s", location);
    li_status st = file_dirs(url, &own, &legacy, err);
    if (st != LI_OK)
        return st;
    *owned = own;
    g->dirs[0] = own;
    free(legacy);
    return LI_OK;
}

void li__pg_output_guard(li_store *store, li_outfile_guard *g) {
    memset(g, 0, sizeof *g);
    g->dirs[0] = li__pgs(store)->file_dir;
}

const char *li__pg_file_dir(li_store *store) {
    return li__pgs(store)->file_dir;
}

const char *li__pg_legacy_file_dir(li_store *store) {
    return li__pgs(store)->legacy_dir;
}

/* --- opening and closing --------------------------------------------------------- */

static const li_store_ops pg_ops;

static li_status pg_open_url(const char *url, int create, li_store **out, li_error *err) {
    li_status st = LI_OK;
    li__pg *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s || !(s->url = strdup(url))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    s->base.ops = &pg_ops;
    s->log_seen = -1; /* no key set read yet */
    li_buf_init(&s->lead_copy, 0);
    li_buf_init(&s->row_copy, 0);
    li_buf_init(&s->kc_text, 0);
    if ((st = file_dirs(url, &s->file_dir, &s->legacy_dir, err)) != LI_OK)
        goto out;
    if (!(s->conn = connect_url(url, NULL))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if (PQstatus(s->conn) != CONNECTION_OK) {
        int missing = 0;
        find_or_create(url, create, &missing);
        if (missing) {
            char shown[512];
            li__pg_url_shown(url, shown, sizeof shown);
            st = li_error_set(err, LI_EUSAGE, LI_MSG_DB_MISSING, shown);
            goto out;
        }
        PQfinish(s->conn);
        s->conn = connect_url(url, NULL);
        if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
            st = li__pg_fail(s, NULL, err);
            goto out;
        }
    }
    if ((st = li__pg_session_setup(s, err)) != LI_OK ||
        (st = li__pg_apply_migrations(s, NULL, err)) != LI_OK)
        goto out;
    *out = &s->base;
    s = NULL;
out:
    if (s)
        li__pg_close(&s->base);
    return st;
}

static li_status pg_open(const char *location, int create, li_store **out, li_error *err) {
    /* location is the URL without "postgresql://" or "postgres://": libpq takes both. */
    size_t n = strlen(location) + sizeof "postgresql://";
    char *url = malloc(n);
    if (!url)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    snprintf(url, n, "postgresql://%s", location);
    li_status st = pg_open_url(url, create, out, err);
    free(url);
    return st;
}

li_status li__pg_open_again(li_store *store, li_store **out, li_error *err) {
    return pg_open_url(li__pgs(store)->url, 0, out, err);
}

void li__pg_close(li_store *store) {
    li__pg *s = li__pgs(store);
    li__pg_ids_give_back(s);
    if (s->ids)
        li__pg_close(s->ids);
    if (s->conn)
        PQfinish(s->conn);
    li_buf_free(&s->lead_copy);
    li_buf_free(&s->row_copy);
    li_buf_free(&s->kc_text);
    free(s->kc);
    free(s->url);
    free(s->file_dir);
    free(s->legacy_dir);
    free(s);
}

/*
 * The explicit migrate also puts back the match key indexes if someone
 * dropped them (as SQLite's repairs an interrupted bulk load). Not at every
 * open: CREATE INDEX takes a lock that concurrent writers would wait for.
 */
li_status li__pg_migrate(li_store *store, int *version, li_error *err) {
    li__pg *s = li__pgs(store);
    li_status st = li__pg_apply_migrations(s, version, err);
    if (st == LI_OK)
        st = li__pg_exec(s, LI__PG_KEY_INDEXES, err);
    return st == LI_OK ? li__pg_bulk_end(store, err) : st;
}

/* --- transactions ------------------------------------------------------------------- */

/*
 * READ COMMITTED, as PostgreSQL's default: what SQLite's write lock gave
 * the job layer is taken where it is needed, by advisory locks held to the
 * transaction's end (a claim, the ids of new leads), so that two workers
 * parsing two files never wait on each other.
 */
li_status li__pg_begin(li_store *store, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_drop_queue(s);
    li__pg_ids_tx_end(s, 0);
    li__pg_kc_clear(s);
    s->log_mine = 0;
    s->broken = 0;
    s->in_tx = 0;
    s->savepoint = 0;
    s->relaxed = 0;
    li_status st = li__pg_exec(s, "BEGIN", err); /* reconnects first when needed */
    if (st == LI_OK)
        s->in_tx = 1;
    return st;
}

li_status li__pg_commit(li_store *store, li_error *err) {
    li__pg *s = li__pgs(store);
    PGresult *r = NULL;
    li_status st = li__pg_flush(store, err);
    if (st != LI_OK)
        return st;
    s->committing = 1; /* until answered: a lost answer leaves its ids unknown */
    if ((st = li__pg_run(s, "COMMIT", NULL, &r, err)) != LI_OK)
        return st;
    /* A transaction that failed earlier answers COMMIT with ROLLBACK. */
    int rolled_back = strcmp(PQcmdStatus(r), "ROLLBACK") == 0;
    PQclear(r);
    s->in_tx = 0;
    s->savepoint = 0;
    s->relaxed = 0;
    s->committing = 0;
    li__pg_ids_tx_end(s, !rolled_back);
    li__pg_kc_clear(s);
    s->log_mine = 0;
    if (rolled_back)
        return li_error_set(err, LI_EDB, LI_MSG_DB_ERROR, "transaction annulée par le serveur");
    return LI_OK;
}

void li__pg_rollback(li_store *store) {
    li__pg *s = li__pgs(store);
    li__pg_drop_queue(s);
    li__pg_kc_clear(s);
    s->log_mine = 0;
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK &&
        PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
        PGresult *r = PQexec(s->conn, "ROLLBACK");
        PQclear(r);
    }
    li__pg_ids_tx_end(s, 0); /* once nothing of the transaction can commit */
    s->in_tx = 0;
    s->broken = 0;
    s->savepoint = 0;
    s->relaxed = 0;
}

void li__pg_use_spare(li_store *store, int on) {
    (void)store; /* the server keeps no reserve for a client: nothing to switch */
    (void)on;
}

/* --- the backend --------------------------------------------------------------------- */

static const li_store_ops pg_ops = {
#define LI_STORE_OP(R, name, params, args) .name = li__pg_##name,
#define LI_STORE_VOP(name, params, args) .name = li__pg_##name,
#define LI_STORE_IOP(name, params, args) .name = li__pg_##name,
#include "store_ops.def"
#undef LI_STORE_OP
#undef LI_STORE_VOP
#undef LI_STORE_IOP
};

const li_store_backend li__pg_backend = {
    .name = "PostgreSQL",
    .schemes = {"postgresql://", "postgres://", NULL},
    .open = pg_open,
    .url_guard = pg_url_guard,
};
