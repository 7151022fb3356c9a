/*
 * server.c — `leadimport serve`: the libmicrohttpd daemon, its limits, the
 * log, the pool of store connections, the in-process workers, the daily
 * cleanup and the graceful stop.
 *
 * One thread per connection (MHD_USE_THREAD_PER_CONNECTION): a handler may
 * block (an upload written to disk, an Argon2id check, an event stream
 * waiting for the next change) without holding anyone else. A slow client
 * cannot hold a thread: a connection idle for idle_timeout_s is closed by
 * MHD, a request whose body (an upload) goes on past request_timeout_s is
 * cut (router.c), and so is one whose head is still arriving by then (by
 * the gate).
 *
 * The gate (gateInt.h) accepts the connections: libmicrohttpd reads only
 * requests the gate found valid, and the gate answers the others with the
 * catalogue's JSON errors (libmicrohttpd's own are English HTML).
 *
 * Connection limits are counted here, in two tiers: up to max_connections
 * in all and max_per_address per client address, requests are served;
 * past them, the request of a connection over the limit gets a JSON
 * refusal (503 http_too_many_connections, 429 http_too_many_from_address)
 * and its connection is closed; a few more connections than that are
 * refused by the gate and MHD (closed at once), so that the refusals
 * cannot exhaust the threads either.
 *
 * Stopping (SIGTERM, SIGINT: *o->stop): the listening socket is closed
 * (li__http_gate_quiesce: no new connection), the workers are told to stop
 * (each gives its item back at its next batch: it resumes), running
 * requests may end within stop_grace_s (event streams end at once, their
 * functions see li_http_server_stopping()), then the daemon stops.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gateInt.h"
#include "leadimport/import.h"
#include "leadimport/text.h"
#include "leadimport/users.h"
#include "reqInt.h"

enum MHD_Result li__http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *upload_data,
                                size_t *upload_data_size, void **con_cls);

/* Seconds between daily cleanups, and before the first one (not at once: the start stays quick). */
#define CLEANUP_EVERY_S 86400.0
#define CLEANUP_FIRST_S 1.0
#define CLEANUP_RETRY_S 3600.0
/* Staged rows of completed imports are dropped after this (as `cleanup`'s default). */
#define CLEANUP_ROWS_AFTER_S (30 * 86400.0)
/* Idle store connections kept for the next requests. */
#define POOL_KEEP 16

void li_http_opts_init(li_http_opts *o) {
    memset(o, 0, sizeof *o);
    o->listen = LI_HTTP_DEFAULT_LISTEN;
    o->workers = LI_HTTP_DEFAULT_WORKERS;
    o->cleanup_after_s = LI_HTTP_DEFAULT_CLEANUP_AFTER_S;
    o->max_upload = LI_HTTP_DEFAULT_MAX_UPLOAD;
    o->max_header = LI_HTTP_DEFAULT_MAX_HEADER;
    o->max_body = LI_HTTP_DEFAULT_MAX_BODY;
    o->request_timeout_s = LI_HTTP_DEFAULT_REQUEST_TIMEOUT_S;
    o->idle_timeout_s = LI_HTTP_DEFAULT_IDLE_TIMEOUT_S;
    o->max_connections = LI_HTTP_DEFAULT_MAX_CONNECTIONS;
    o->max_per_address = LI_HTTP_DEFAULT_MAX_PER_ADDRESS;
    o->max_sse_per_job = LI_HTTP_DEFAULT_MAX_SSE_PER_JOB;
    o->max_reads_per_s = LI_HTTP_DEFAULT_MAX_READS_PER_S;
    o->stop_grace_s = LI_HTTP_DEFAULT_STOP_GRACE_S;
}

double li__http_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const li_http_opts *li_http_server_opts(const li_http_server *srv) {
    return &srv->o;
}

int li_http_server_stopping(const li_http_server *srv) {
    return atomic_load(&((li_http_server *)srv)->stopping);
}

const li_session_policy *li__http_session_policy(const li_http_server *srv) {
    return &srv->o.session;
}

/* --- the log ------------------------------------------------------------------ */

static void log_vline(const li_http_server *srv, const char *fmt, va_list ap) {
    char line[1024], safe[2048], when[32];
    vsnprintf(line, sizeof line, fmt, ap);
    /* Paths and names come from outside: no control character reaches the terminal. */
    li_text_for_terminal(line, strlen(line), safe, sizeof safe);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    pthread_mutex_lock((pthread_mutex_t *)&srv->log_lock);
    fprintf(stderr, "%s %s\n", when, safe);
    fflush(stderr);
    pthread_mutex_unlock((pthread_mutex_t *)&srv->log_lock);
}

void li_http_log(const li_http_server *srv, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    log_vline(srv, fmt, ap);
    va_end(ap);
}

/* A catalogue message on stderr, as is (the start and stop lines). */
static void say(const char *text) {
    fprintf(stderr, "%s\n", text);
    fflush(stderr);
}

/* --- store connections ------------------------------------------------------------ */

li_store *li_http_store(li_http_req *r, li_error *err) {
    li_http_server *srv = r->srv;
    if (r->store)
        return r->store;
    pthread_mutex_lock(&srv->lock);
    if (srv->npool > 0)
        r->store = srv->pool[--srv->npool];
    pthread_mutex_unlock(&srv->lock);
    if (!r->store && li_store_open_existing(srv->o.db_url, &r->store, err) != LI_OK)
        r->store = NULL;
    return r->store;
}

void li__http_pool_put(li_http_server *srv, li_store *s) {
    if (!s)
        return;
    li_store_rollback(s); /* a handler that left a transaction open leaves nothing behind */
    pthread_mutex_lock(&srv->lock);
    if (srv->npool < srv->pool_cap) {
        srv->pool[srv->npool++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&srv->lock);
    li_store_close(s);
}

void li_http_store_release(li_http_req *r) {
    li__http_pool_put(r->srv, r->store);
    r->store = NULL;
}

/* --- answers and their counts --------------------------------------------------------- */

static size_t status_slot(unsigned status) {
    static const unsigned list[] = {
#define LI__HTTP_STATUS_ITEM(s) s,
        LI__HTTP_STATUSES(LI__HTTP_STATUS_ITEM)
#undef LI__HTTP_STATUS_ITEM
    };
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        if (list[i] == status)
            return i;
    return LI__HTTP_NSTATUS - 1;
}

void li__http_count(li_http_server *srv, size_t route, unsigned status) {
    pthread_mutex_lock(&srv->lock);
    srv->counts[route * LI__HTTP_NSTATUS + status_slot(status)]++;
    pthread_mutex_unlock(&srv->lock);
}

li_status li__http_counters(li_http_server *srv, li_buf *b) {
    static const unsigned list[] = {
#define LI__HTTP_STATUS_ITEM(s) s,
        LI__HTTP_STATUSES(LI__HTTP_STATUS_ITEM)
#undef LI__HTTP_STATUS_ITEM
    };
    size_t n = (li__http_route_count + 1) * LI__HTTP_NSTATUS;
    uint64_t *copy = malloc(n * sizeof *copy);
    if (!copy)
        return LI_ENOMEM;
    pthread_mutex_lock(&srv->lock);
    memcpy(copy, srv->counts, n * sizeof *copy);
    pthread_mutex_unlock(&srv->lock);
    li_status st = li_buf_puts(b, "# HELP leadimport_http_requests_total HTTP answers of this"
                                  " server by route and status.\n"
                                  "# TYPE leadimport_http_requests_total counter\n");
    for (size_t rt = 0; st == LI_OK && rt <= li__http_route_count; rt++) {
        for (size_t k = 0; st == LI_OK && k < LI__HTTP_NSTATUS; k++) {
            uint64_t v = copy[rt * LI__HTTP_NSTATUS + k];
            if (!v)
                continue;
            char code[16];
            if (k < LI__HTTP_NSTATUS - 1)
                snprintf(code, sizeof code, "%u", list[k]);
            else
                snprintf(code, sizeof code, "other");
            if (rt < li__http_route_count)
                st = li_buf_printf(b,
                                   "leadimport_http_requests_total{method=\"%s\",route=\"%s\","
                                   "status=\"%s\"} %llu\n",
                                   li__http_routes[rt].method, li__http_routes[rt].path, code,
                                   (unsigned long long)v);
            else
                st = li_buf_printf(b,
                                   "leadimport_http_requests_total{method=\"\",route=\"\","
                                   "status=\"%s\"} %llu\n",
                                   code, (unsigned long long)v);
        }
    }
    free(copy);
    return st;
}

/*
 * 1 for a request that has no body (no length or 0, not chunked: the gate
 * lets no other framing through): an answer to it can wait for the
 * handler's last call without reading anything more.
 */
static int bodyless(const li_http_req *r) {
    return r->declared <= 0 && !li_http_header(r, "Transfer-Encoding");
}

int li__http_queue(li_http_req *r, unsigned status, struct MHD_Response *resp) {
    /* Given by on_body: queued once the body has been read (router.c). And
     * an answer at the first call to a request without a body (404, 401…):
     * queued at the last call, which follows at once, because
     * libmicrohttpd closes a connection whose answer came before it knew
     * the request whole; waiting keeps the connection for the client's
     * next request (and the gate never has to answer after a close). */
    if (r->in_body || (r->in_first && bodyless(r) && !(r->c && r->c->over))) {
        if (r->deferred || r->pending) {
            MHD_destroy_response(resp);
            return -1;
        }
        r->deferred = resp;
        r->deferred_status = status;
        return 0;
    }
    for (li__http_hdr *h = r->headers; h; h = h->next)
        MHD_add_response_header(resp, h->name, h->value);
    /* A refused connection (over a limit) or a refusal before the body was read: close it. */
    if ((r->c && r->c->over) || (r->declared > 0 && r->received < (uint64_t)r->declared))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    if (ok != MHD_YES)
        return -1;
    r->answered = 1;
    r->status = status;
    li__http_count(r->srv, r->route_index, status);
    return 0;
}

void li__http_req_free(li_http_req *r) {
    if (!r)
        return;
    if (r->ctx_free)
        r->ctx_free(r->ctx);
    li__http_sse_leave(r);
    li__http_pool_put(r->srv, r->store);
    while (r->headers) {
        li__http_hdr *h = r->headers;
        r->headers = h->next;
        free(h->name);
        free(h->value);
        free(h);
    }
    if (r->deferred)
        MHD_destroy_response(r->deferred);
    li_buf_free(&r->body);
    free(r->path);
    free(r);
}

/* MHD: the request is over (answer sent, or the client gone). One log line. */
static void request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)conn;
    li_http_server *srv = cls;
    li_http_req *r = *con_cls;
    *con_cls = NULL;
    if (!r)
        return;
    if (!srv->o.quiet) {
        const li_user *u = li_http_user(r);
        double ms = (li__http_now() - r->started) * 1000.0;
        char status[16];
        if (r->answered)
            snprintf(status, sizeof status, "%u", r->status);
        else
            snprintf(status, sizeof status, "-");
        li_http_log(srv, "%s %s %s %.0f ms %s%s", r->method, r->path ? r->path : "-", status, ms,
                    u ? u->email : "-",
                    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (interrompue)");
    }
    li__http_req_free(r);
    pthread_mutex_lock(&srv->lock);
    srv->active--;
    pthread_mutex_unlock(&srv->lock);
}

/*
 * 1 if the client of c closed its side (or its socket is gone): a poll
 * that waits for nothing. A socket number reused meanwhile reads as a live
 * connection: counted, never wrongly freed.
 */
static int conn_gone(const li__http_conn *c) {
    if (c->fd < 0)
        return 0;
    struct pollfd p = {.fd = c->fd, .events = POLLRDHUP};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

/* MHD: a connection opens or closes. Counts them, in all and per address. */
static void connection_event(void *cls, struct MHD_Connection *conn, void **socket_context,
                             enum MHD_ConnectionNotificationCode toe) {
    li_http_server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        li__http_conn *c = calloc(1, sizeof *c);
        *socket_context = c;
        if (!c)
            return;
        const union MHD_ConnectionInfo *fdi =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        c->fd = fdi ? fdi->connect_fd : -1;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *sa = ci ? ci->client_addr : NULL;
        if (sa && sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, c->addr,
                      sizeof c->addr);
        else if (sa && sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, c->addr,
                      sizeof c->addr);
        pthread_mutex_lock(&srv->lock);
        unsigned same = 1;
        size_t live = srv->connections;
        for (size_t i = 0; i < srv->nconns; i++)
            same += strcmp(srv->conns[i]->addr, c->addr) == 0;
        if (same > srv->o.max_per_address || live >= srv->o.max_connections) {
            /* Over a limit: not counting the connections whose client has
             * gone already (libmicrohttpd says so only at its next cleanup,
             * after this new connection is counted). */
            same = 1;
            live = 0;
            for (size_t i = 0; i < srv->nconns; i++) {
                if (conn_gone(srv->conns[i]))
                    continue;
                live++;
                same += strcmp(srv->conns[i]->addr, c->addr) == 0;
            }
        }
        if (srv->nconns == srv->conns_cap) {
            size_t cap = srv->conns_cap ? srv->conns_cap * 2 : 64;
            li__http_conn **n = realloc(srv->conns, cap * sizeof *n);
            if (n) {
                srv->conns = n;
                srv->conns_cap = cap;
            }
        }
        if (srv->nconns < srv->conns_cap)
            srv->conns[srv->nconns++] = c;
        srv->connections++;
        if (live + 1 > srv->o.max_connections)
            c->over = 503;
        else if (same > srv->o.max_per_address)
            c->over = 429;
        pthread_mutex_unlock(&srv->lock);
    } else {
        li__http_conn *c = *socket_context;
        *socket_context = NULL;
        if (!c)
            return;
        pthread_mutex_lock(&srv->lock);
        for (size_t i = 0; i < srv->nconns; i++) {
            if (srv->conns[i] == c) {
                srv->conns[i] = srv->conns[--srv->nconns];
                break;
            }
        }
        srv->connections--;
        pthread_mutex_unlock(&srv->lock);
        free(c);
    }
}

/* The gate refused a request (gate.c): one log line, counted as a request without a route. */
static void gate_refused(void *cls, const li__http_gate_refusal *g) {
    li_http_server *srv = cls;
    if (!srv->o.quiet)
        li_http_log(srv, "%s %s %u %.0f ms - (refusée à l'entrée : %s, %s)",
                    *g->method ? g->method : "-", *g->target ? g->target : "-", g->status, g->ms,
                    g->code, *g->address ? g->address : "-");
    li__http_count(srv, li__http_route_count, g->status);
}

/* --- listening -------------------------------------------------------------------------- */

/*
 * Opens the listening socket of "HOST:PORT" ("[::1]:8080" for IPv6).
 * *shown gets the host as a URL writes it, *port the real port (port 0
 * picks a free one).
 */
static li_status open_listener(const char *listen_on, int *fd_out, char *shown, size_t cap,
                               unsigned *port, li_error *err) {
    char host[256];
    const char *colon = strrchr(listen_on, ':');
    li_status st = LI_OK;
    struct addrinfo *ai = NULL;
    int fd = -1;
    *fd_out = -1;
    if (!colon || colon == listen_on || (size_t)(colon - listen_on) >= sizeof host)
        return li_error_set(err, LI_EUSAGE, LI_MSG_HTTP_LISTEN_INVALID, listen_on);
    memcpy(host, listen_on, (size_t)(colon - listen_on));
    host[colon - listen_on] = '\0';
    size_t hl = strlen(host);
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    const char *p = colon + 1;
    unsigned long v = 0;
    if (!*p || strlen(p) > 5)
        return li_error_set(err, LI_EUSAGE, LI_MSG_HTTP_LISTEN_INVALID, listen_on);
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return li_error_set(err, LI_EUSAGE, LI_MSG_HTTP_LISTEN_INVALID, listen_on);
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v > 65535)
        return li_error_set(err, LI_EUSAGE, LI_MSG_HTTP_LISTEN_INVALID, listen_on);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char service[8];
    snprintf(service, sizeof service, "%lu", v);
    if (getaddrinfo(host, service, &hints, &ai) != 0 || !ai)
        return li_error_set(err, LI_EUSAGE, LI_MSG_HTTP_LISTEN_INVALID, listen_on);
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
        int e = errno;
        st = li_error_set(err, e == EADDRINUSE || e == EACCES ? LI_EUSAGE : LI_EIO,
                          LI_MSG_HTTP_LISTEN_FAILED, listen_on, li_msg_errno(e));
        goto out;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        st = li_error_set(err, LI_EIO, LI_MSG_HTTP_LISTEN_FAILED, listen_on, li_msg_errno(errno));
        goto out;
    }
    char addr[INET6_ADDRSTRLEN] = "";
    if (ss.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof addr);
        *port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        snprintf(shown, cap, "[%s]", addr);
    } else {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof addr);
        *port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        snprintf(shown, cap, "%s", addr);
    }
    *fd_out = fd;
    fd = -1;
out:
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    return st;
}

/* --- workers and cleanup ------------------------------------------------------------------ */

typedef struct workers {
    li_http_server *srv;
    atomic_int stop;
    pthread_t thread;
    int running;
} workers;

static void worker_log(const char *line, void *ctx) {
    li_http_log(ctx, "%s", line);
}

static void *workers_main(void *arg) {
    workers *w = arg;
    li_error err;
    li_error_clear(&err);
    li_worker_opts wo = {.concurrency = w->srv->o.workers,
                         .stop = &w->stop,
                         .log = w->srv->o.quiet ? NULL : worker_log,
                         .log_ctx = w->srv};
    if (li_worker_run(w->srv->o.db_url, &wo, &err) != LI_OK) {
        char text[LI_ERROR_MAX + 64];
        li_msg_format(text, sizeof text, LI_MSG_HTTP_WORKERS_FAILED, err.message);
        li_http_log(w->srv, "%s", text);
    }
    return NULL;
}

/* One cleanup: returns 0, or -1 when it failed (logged; tried again in an hour). */
static int cleanup_once(li_http_server *srv) {
    li_store *s = NULL;
    li_error err;
    li_error_clear(&err);
    li_cleanup_opts co = {.older_than_s = srv->o.cleanup_after_s,
                          .rows_older_than_s = CLEANUP_ROWS_AFTER_S};
    li_cleanup_result res;
    memset(&res, 0, sizeof res);
    char text[LI_ERROR_MAX + 128];
    li_status st = li_store_open_existing(srv->o.db_url, &s, &err);
    if (st == LI_OK)
        st = li_cleanup(s, &co, &res, &err);
    li_store_close(s);
    if (st != LI_OK) {
        li_msg_format(text, sizeof text, LI_MSG_HTTP_CLEANUP_FAILED, err.message);
        li_http_log(srv, "%s", text);
        return -1;
    }
    li_msg_format(text, sizeof text, LI_MSG_HTTP_CLEANUP_DONE, (unsigned long long)res.jobs_deleted,
                  (unsigned long long)res.reviews_cancelled, (unsigned long long)res.rows_jobs);
    li_http_log(srv, "%s", text);
    return 0;
}

/* --- start and stop ------------------------------------------------------------------------- */

/* The data dir: given, or the database's folder of stored files; made 0700 if missing. */
static li_status prepare_data_dir(li_http_server *srv, li_store *s, li_error *err) {
    const char *dir = srv->o.data_dir ? srv->o.data_dir : li_store_file_dir(s);
    if (!dir || !*dir)
        return li_error_set(err, LI_EUSAGE, LI_MSG_HTTP_DATA_DIR_FAILED, "", li_msg_errno(EINVAL));
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return li_error_set(err, li_status_from_errno(errno, LI_EIO), LI_MSG_HTTP_DATA_DIR_FAILED,
                            dir, li_msg_errno(errno));
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return li_error_set(err, LI_EUSAGE, LI_MSG_HTTP_DATA_DIR_FAILED, dir,
                            li_msg_errno(ENOTDIR));
    srv->data_dir = strdup(dir);
    if (!srv->data_dir)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    /* Later code reads the resolved folder from the options. */
    srv->o.data_dir = srv->data_dir;
    return LI_OK;
}

/* The first start of `make run`: a database without users gets an admin (password shown once). */
static li_status first_admin(li_http_server *srv, li_store *s, li_error *err) {
    char pw[LI_USERS_FIRST_PASSWORD_MAX];
    int created = 0;
    li_status st = li_users_first_admin(s, srv->o.first_admin, "Administrateur", pw, &created, err);
    if (st == LI_OK && created) {
        char text[LI_ERROR_MAX];
        li_msg_format(text, sizeof text, LI_MSG_FIRST_ADMIN_CREATED, srv->o.first_admin, pw,
                      srv->o.first_admin);
        say(text);
    }
    explicit_bzero(pw, sizeof pw);
    return st;
}

static void server_free(li_http_server *srv) {
    if (!srv)
        return;
    for (size_t i = 0; i < srv->npool; i++)
        li_store_close(srv->pool[i]);
    free(srv->pool);
    free(srv->conns);
    free(srv->watch);
    free(srv->counts);
    for (size_t i = 0; i < LI__HTTP_DETAIL_SLOTS; i++)
        free(srv->details[i].body);
    li__http_groups_forget(srv);
    free(srv->data_dir);
    pthread_mutex_destroy(&srv->lock);
    pthread_mutex_destroy(&srv->log_lock);
    free(srv);
}

/*
 * Three descriptors a connection (the client's socket, the gate's pair),
 * besides the store's files and the uploads: the soft limit (often 1,024)
 * goes up to the hard one, so that a full server still opens its files.
 */
static void raise_fd_limit(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

li_status li_http_serve(const li_http_opts *o, li_error *err) {
    li_status st = LI_OK;
    li_store *s = NULL;
    int fd = -1;
    li__http_gate *gate = NULL;
    workers w;
    memset(&w, 0, sizeof w);
    li_http_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    srv->o = *o;
    raise_fd_limit();
    pthread_mutex_init(&srv->lock, NULL);
    pthread_mutex_init(&srv->log_lock, NULL);
    srv->pool_cap = POOL_KEEP;
    srv->pool = calloc(srv->pool_cap, sizeof *srv->pool);
    srv->counts = calloc((li__http_route_count + 1) * LI__HTTP_NSTATUS, sizeof *srv->counts);
    if (!srv->pool || !srv->counts) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }

    /* The database first: creating it only for a first start (make run), never by a typo. */
    st = o->first_admin ? li_store_open(o->db_url, &s, err)
                        : li_store_open_existing(o->db_url, &s, err);
    if (st != LI_OK || (st = prepare_data_dir(srv, s, err)) != LI_OK ||
        (st = li__http_files_init(&srv->o, err)) != LI_OK)
        goto out;
    if (o->first_admin && (st = first_admin(srv, s, err)) != LI_OK)
        goto out;
    srv->pool[srv->npool++] = s; /* the first connection serves the first request */
    s = NULL;

    char shown[INET6_ADDRSTRLEN + 3];
    unsigned port = 0;
    if ((st = open_listener(o->listen, &fd, shown, sizeof shown, &port, err)) != LI_OK)
        goto out;
    unsigned hard_total = o->max_connections + o->max_connections / 4 + 8;
    unsigned hard_address = o->max_per_address + o->max_per_address / 4 + 4;
    /* The gate holds the hard limits, exactly; libmicrohttpd's own count
     * lags (closed connections until its next cleanup): twice as many, a
     * bound that is never the one to refuse. */
    unsigned mhd_total = 2 * hard_total;
    size_t memory = (size_t)o->max_header * 2 + 16 * 1024;
    if (memory < 64 * 1024)
        memory = 64 * 1024;
    unsigned idle = o->idle_timeout_s >= 1 ? (unsigned)o->idle_timeout_s : 1;
    /* The gate (gate.c) accepts the connections and hands them over. */
    srv->d =
        MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                             MHD_USE_POLL | MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET,
                         0, NULL, NULL, li__http_access, srv, MHD_OPTION_CONNECTION_TIMEOUT, idle,
                         MHD_OPTION_CONNECTION_LIMIT, mhd_total, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                         memory, MHD_OPTION_NOTIFY_COMPLETED, request_done, srv,
                         MHD_OPTION_NOTIFY_CONNECTION, connection_event, srv, MHD_OPTION_END);
    if (!srv->d) {
        st = li_error_set(err, LI_EIO, LI_MSG_HTTP_START_FAILED, li_msg_errno(errno));
        goto out;
    }
    li__http_gate_opts go = {
        .daemon = srv->d,
        .listen_fd = fd,
        .max_head = o->max_header,
        .head_timeout_s = o->request_timeout_s,
        .idle_timeout_s = o->idle_timeout_s,
        .max_connections = hard_total,
        .max_per_address = hard_address,
        .refused = gate_refused,
        .cls = srv,
    };
    fd = -1; /* the gate's now */
    if ((st = li__http_gate_start(&go, &gate, err)) != LI_OK)
        goto out;

    char text[LI_ERROR_MAX];
    li_msg_format(text, sizeof text, LI_MSG_HTTP_LISTENING, shown, port);
    say(text);

    if (o->workers > 0) {
        w.srv = srv;
        if (pthread_create(&w.thread, NULL, workers_main, &w) == 0) {
            /* The request threads are MHD's (MHD-connection): the import's
             * own are told apart in top -H and perf. */
            (void)pthread_setname_np(w.thread, "li-workers");
            w.running = 1;
        } else
            li_http_log(srv, "%s", li_msg_errno(errno));
    }

    double next_cleanup = li__http_now() + CLEANUP_FIRST_S;
    while (!(o->stop && atomic_load(o->stop))) {
        struct timespec nap = {0, 100 * 1000 * 1000};
        nanosleep(&nap, NULL);
        if (li__http_now() >= next_cleanup)
            next_cleanup =
                li__http_now() + (cleanup_once(srv) == 0 ? CLEANUP_EVERY_S : CLEANUP_RETRY_S);
    }

    /* Stop: no new connection; workers and requests end side by side. */
    atomic_store(&srv->stopping, 1);
    li__http_gate_quiesce(gate);
    atomic_store(&w.stop, 1);
    double deadline = li__http_now() + o->stop_grace_s;
    unsigned left = 0;
    for (;;) {
        pthread_mutex_lock(&srv->lock);
        left = srv->active;
        pthread_mutex_unlock(&srv->lock);
        if (left == 0 || li__http_now() >= deadline)
            break;
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    if (w.running)
        pthread_join(w.thread, NULL);
    MHD_stop_daemon(srv->d);
    srv->d = NULL;
    li__http_gate_stop(gate);
    gate = NULL;
    li_msg_format(text, sizeof text, LI_MSG_HTTP_STOPPED, left);
    say(text);
out:
    li__http_gate_quiesce(gate);
    if (srv->d)
        MHD_stop_daemon(srv->d);
    li__http_gate_stop(gate);
    if (fd >= 0)
        close(fd);
    li_store_close(s);
    server_free(srv);
    return st;
}
