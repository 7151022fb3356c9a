/*
 * router.c — from a request to its route: matching the path against the
 * one table (routes.c), the checks the table asks for (auth.c does the
 * session and CSRF ones), the body as the route wants it, then the
 * handler. This is libmicrohttpd's access handler: it is called once with
 * the headers, once per piece of body, and once at the end.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "reqInt.h"
#include "wireInt.h"

const char *li__http_auth_name(li_http_auth a) {
    switch (a) {
    case LI_HTTP_AUTH_NONE: return "none";
    case LI_HTTP_AUTH_SESSION: return "session";
    case LI_HTTP_AUTH_ADMIN: return "admin";
    case LI_HTTP_AUTH_SIGNED: return "signed";
    }
    return "none";
}

void li__http_print_routes(FILE *out) {
    for (size_t i = 0; i < li__http_route_count; i++) {
        const li_http_route *rt = &li__http_routes[i];
        fprintf(out, "{\"method\":\"%s\",\"path\":\"%s\",\"auth\":\"%s\",\"csrf\":%s}\n",
                rt->method, rt->path, li__http_auth_name(rt->auth), rt->csrf ? "true" : "false");
    }
}

void li_http_print_routes(FILE *out) {
    li__http_print_routes(out);
}

/*
 * Matches one pattern against path. Returns 1 with the parameters in *m
 * (route untouched), 0 otherwise.
 */
static int match_path(const char *pattern, const char *path, li_http_match *m) {
    const char *p = pattern, *s = path;
    size_t np = 0;
    if (*p != '/' || *s != '/')
        return 0;
    /* The root ("/", the web page) is the one path whose only segment is empty. */
    if (p[1] == '\0' || s[1] == '\0')
        return p[1] == '\0' && s[1] == '\0';
    while (*p && *s) {
        /* Both at a '/': step over it, then compare one segment. */
        if (*p != '/' || *s != '/')
            return 0;
        p++, s++;
        const char *pe = strchr(p, '/'), *se = strchr(s, '/');
        size_t plen = pe ? (size_t)(pe - p) : strlen(p);
        size_t slen = se ? (size_t)(se - s) : strlen(s);
        if (slen == 0)
            return 0; /* an empty segment ("//", a trailing "/") names nothing */
        if (plen >= 2 && p[0] == '{' && p[plen - 1] == '}') {
            if (np == LI_HTTP_MAX_PARAMS || slen >= LI_HTTP_PARAM_MAX)
                return 0;
            m->param[np].name = p + 1;
            m->param[np].name_len = plen - 2;
            memcpy(m->param[np].value, s, slen);
            m->param[np].value[slen] = '\0';
            np++;
        } else if (plen != slen || memcmp(p, s, slen) != 0) {
            return 0;
        }
        p += plen;
        s += slen;
    }
    if (*p || *s)
        return 0;
    m->nparams = np;
    return 1;
}

int li__http_match(const li_http_route *routes, size_t n, const char *method, const char *path,
                   li_http_match *m) {
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < n; i++) {
        li_http_match tmp;
        memset(&tmp, 0, sizeof tmp);
        if (!match_path(routes[i].path, path, &tmp))
            continue;
        /* HEAD is a GET whose answer has no body (libmicrohttpd leaves it out):
         * the same route, the same checks, the same headers. */
        int get = strcmp(routes[i].method, "GET") == 0;
        if (strcmp(routes[i].method, method) == 0 || (get && strcmp(method, "HEAD") == 0)) {
            *m = tmp;
            m->route = &routes[i];
            return 1;
        }
        /* The path exists with another method: remember it for the 405's Allow. */
        size_t used = strlen(m->allowed);
        if (!strstr(m->allowed, routes[i].method))
            snprintf(m->allowed + used, sizeof m->allowed - used, "%s%s%s", used ? ", " : "",
                     routes[i].method, get ? ", HEAD" : "");
        m->path_known = 1;
    }
    return 0;
}

const char *li_http_param(const li_http_req *r, const char *name) {
    size_t len = strlen(name);
    for (size_t i = 0; i < r->match.nparams; i++)
        if (r->match.param[i].name_len == len && memcmp(r->match.param[i].name, name, len) == 0)
            return r->match.param[i].value;
    return NULL;
}

int li_http_param_id(li_http_req *r, const char *name, int64_t *id) {
    const char *v = li_http_param(r, name);
    int64_t x = 0;
    int ok = v && *v && strlen(v) <= 18;
    for (const char *c = v; ok && *c; c++) {
        if (!isdigit((unsigned char)*c))
            ok = 0;
        else
            x = x * 10 + (*c - '0');
    }
    if (!ok || x == 0) {
        li_http_answer_fail(r, 404, LI_MSG_HTTP_ID_INVALID, v ? v : "");
        return -1;
    }
    *id = x;
    return 0;
}

/* Remembers an error to answer once the body has been read (dropped). */
static void refuse_later(li_http_req *r, unsigned status, const li_error *err) {
    if (!r->pending) {
        r->pending = status;
        r->pending_err = *err;
    }
}

/* The checks made with the headers, before any body. Returns 0 to go on (no answer yet). */
static int first_call(li_http_req *r) {
    li_http_server *srv = r->srv;
    const li_http_opts *o = &srv->o;
    char sz[32];
    /* Read first: an answer before the body depends on whether there is one (li__http_queue). */
    const char *cl = li_http_header(r, "Content-Length");
    if (cl) {
        char *end = NULL;
        unsigned long long v = strtoull(cl, &end, 10);
        if (end != cl && *end == '\0')
            r->declared = (int64_t)v;
    }
    if (atomic_load(&srv->stopping))
        return li_http_answer_fail(r, 503, LI_MSG_HTTP_STOPPING), -1;
    if (r->c && r->c->over == 503)
        return li_http_answer_fail(r, 503, LI_MSG_HTTP_TOO_MANY_CONNECTIONS, o->max_connections), -1;
    if (r->c && r->c->over == 429)
        return li_http_answer_fail(r, 429, LI_MSG_HTTP_TOO_MANY_FROM_ADDRESS, o->max_per_address), -1;
    if (!li__http_match(li__http_routes, li__http_route_count, r->method, r->path, &r->match)) {
        if (r->match.path_known) {
            li_http_header_add(r, "Allow", r->match.allowed);
            return li_http_answer_fail(r, 405, LI_MSG_HTTP_METHOD_NOT_ALLOWED, r->method, r->path,
                                       r->match.allowed),
                   -1;
        }
        return li_http_answer_fail(r, 404, LI_MSG_HTTP_NOT_FOUND, r->path), -1;
    }
    r->route_index = (size_t)(r->match.route - li__http_routes);
    if (li__http_authorize(r) != 0)
        return -1;
    li_http_body kind = r->match.route->body;
    if (kind == LI_HTTP_BODY_JSON && r->declared > (int64_t)o->max_body)
        return li_http_answer_fail(r, 413, LI_MSG_HTTP_BODY_TOO_LARGE, li__http_size_text(o->max_body, sz, sizeof sz)),
               -1;
    if (kind == LI_HTTP_BODY_JSON)
        li_buf_init(&r->body, (size_t)o->max_body);
    if (r->match.route->on_start && r->match.route->on_start(r) != 0) {
        if (!r->answered) {
            li_error e;
            li_error_set(&e, LI_EINTERNAL, LI_MSG_INTERNAL, r->match.route->path);
            li_http_answer_error_status(r, 500, &e);
        }
        return -1;
    }
    return 0;
}

/* One piece of body. Returns MHD_NO to cut the connection (a refusal whose body keeps coming). */
static enum MHD_Result body_piece(li_http_req *r, const char *data, size_t len) {
    const li_http_opts *o = &r->srv->o;
    char sz[32];
    li_error e;
    if (r->pending || r->answered || r->deferred) {
        /* Refused already: drop the rest, so that a client that reads only once it
         * has sent everything still reads why; but not forever: past as much again
         * as the limit (4 MiB at least), the refusal is written and the connection cut. */
        uint64_t cap = r->match.route && r->match.route->body == LI_HTTP_BODY_STREAM
                           ? o->max_upload
                           : o->max_body;
        if (cap < (4u << 20))
            cap = 4u << 20;
        r->dropped += len;
        return r->dropped > cap ? MHD_NO : MHD_YES;
    }
    if (li__http_now() - r->started > o->request_timeout_s) {
        li_error_set(&e, LI_ELIMIT, LI_MSG_HTTP_REQUEST_TIMEOUT, (long long)o->request_timeout_s);
        refuse_later(r, 408, &e);
        return MHD_NO; /* a slow upload past its time: nothing more is read */
    }
    li_http_body kind = r->match.route->body;
    if (kind == LI_HTTP_BODY_JSON) {
        if (li_buf_append(&r->body, data, len) != LI_OK) {
            li_error_set(&e, LI_ELIMIT, LI_MSG_HTTP_BODY_TOO_LARGE,
                         li__http_size_text(o->max_body, sz, sizeof sz));
            refuse_later(r, 413, &e);
        }
    } else if (kind == LI_HTTP_BODY_STREAM) {
        /* The size limit of an upload is the handler's (the library's upload_too_large). */
        r->in_body = 1;
        int stop = r->match.route->on_body && r->match.route->on_body(r, data, len) != 0;
        r->in_body = 0;
        if (stop) {
            if (!r->pending && !r->deferred) { /* it should have answered: say something true */
                li_error_set(&e, LI_EINTERNAL, LI_MSG_INTERNAL, "lecture du fichier envoyé");
                refuse_later(r, 500, &e);
            }
        }
    }
    r->received += len;
    return MHD_YES;
}

/*
 * The refusal of a request cut in the middle of its body (too slow, far
 * too big). libmicrohttpd 0.9 cannot queue an answer before the body is
 * read, and the connection is about to be closed: the JSON error is
 * written on the socket directly, so that the client still reads why.
 * Nothing else has been sent on the connection for this request.
 */
static void answer_raw_and_close(li_http_req *r) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return;
    li_buf all;
    li_buf_init(&all, 0);
    if (li__http_raw_error(&all, r->pending, r->pending_err.msg, r->pending_err.message, 0) ==
            LI_OK &&
        send(ci->connect_fd, all.data, all.len, MSG_NOSIGNAL) == (ssize_t)all.len) {
        r->answered = 1;
        r->status = r->pending;
        li__http_count(r->srv, r->route_index, r->pending);
    }
    li_buf_free(&all);
}

/*
 * A read's turn (--max-reads-per-second): returns the seconds it waits
 * before its handler runs (0: at once), or -1 when that wait would pass
 * LI_HTTP_PACE_MAX_WAIT_S (then nothing is taken). Each account has a
 * bucket of tokens that refills at rate a second up to twice that; a read
 * takes one, and when none is left it reserves the next (tokens go below
 * zero), so concurrent reads of one account line up in order. Accounts are
 * kept in LI__HTTP_PACE_SLOTS slots, the least recently seen given up
 * first (it then starts again with a full bucket).
 */
static double pace_turn(li_http_server *srv, int64_t user_id, double rate) {
    double now = li__http_now(), burst = 2.0 * rate, wait = 0;
    pthread_mutex_lock(&srv->lock);
    li__http_pace *slot = &srv->pace[0];
    for (size_t i = 0; i < LI__HTTP_PACE_SLOTS; i++) {
        li__http_pace *p = &srv->pace[i];
        if (p->user_id == user_id) {
            slot = p;
            break;
        }
        if (p->at < slot->at)
            slot = p;
    }
    if (slot->user_id != user_id)
        *slot = (li__http_pace){.user_id = user_id, .tokens = burst, .at = now};
    slot->tokens += (now - slot->at) * rate;
    if (slot->tokens > burst)
        slot->tokens = burst;
    slot->at = now;
    if (slot->tokens < 1.0)
        wait = (1.0 - slot->tokens) / rate;
    if (wait > LI_HTTP_PACE_MAX_WAIT_S)
        wait = -1;
    else
        slot->tokens -= 1.0;
    pthread_mutex_unlock(&srv->lock);
    return wait;
}

/* Paces a read with a session: 0 to go on (after its turn), -1 answered (429). */
static int pace(li_http_req *r) {
    unsigned rate = r->srv->o.max_reads_per_s;
    if (rate == 0 || !r->has_session || strcmp(r->match.route->method, "GET") != 0)
        return 0;
    double wait = pace_turn(r->srv, r->session.user.id, (double)rate);
    if (wait < 0) {
        char v[16];
        snprintf(v, sizeof v, "%u", (unsigned)LI_HTTP_PACE_MAX_WAIT_S);
        li_http_header_add(r, "Retry-After", v);
        li_http_answer_fail(r, 429, LI_MSG_HTTP_TOO_MANY_READS, rate);
        return -1;
    }
    if (wait > 0) {
        /* This request's own thread (one per connection): no one else waits with it. */
        struct timespec t = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        while (nanosleep(&t, &t) != 0 && errno == EINTR)
            ;
    }
    return 0;
}

/* The end of the request: the pending refusal, or the handler. */
static void last_call(li_http_req *r) {
    if (r->answered)
        return;
    if (r->deferred) {
        struct MHD_Response *resp = r->deferred;
        r->deferred = NULL;
        li__http_queue(r, r->deferred_status, resp);
        return;
    }
    if (r->pending) {
        li_http_answer_error_status(r, r->pending, &r->pending_err);
        return;
    }
    if (pace(r) != 0)
        return;
    int failed = r->match.route->handler(r) != 0;
    /* Before the answer leaves (it is sent once this callback returns): a
     * client that reads its job after a change sees the change. */
    if (strcmp(r->match.route->method, "GET") != 0)
        li__http_details_forget(r->srv);
    if (failed && !r->answered) {
        li_error e;
        li_error_set(&e, LI_EINTERNAL, LI_MSG_INTERNAL, r->match.route->path);
        li_http_answer_error_status(r, 500, &e);
    }
    if (!r->answered) { /* a handler that returned 0 without answering: a bug, said as such */
        li_error e;
        li_error_set(&e, LI_EINTERNAL, LI_MSG_INTERNAL, r->match.route->path);
        li_http_answer_error_status(r, 500, &e);
    }
}

/*
 * The path of a target in absolute form ("http://host/api/x" -> "/api/x"),
 * which a server must accept (RFC 9112, 3.2.2); others as they are.
 */
static const char *origin_form(const char *url) {
    const char *rest = strncasecmp(url, "http://", 7) == 0    ? url + 7
                       : strncasecmp(url, "https://", 8) == 0 ? url + 8
                                                              : NULL;
    if (!rest)
        return url;
    const char *slash = strchr(rest, '/');
    return slash ? slash : "/";
}

enum MHD_Result li__http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version,
                                const char *upload_data, size_t *upload_data_size,
                                void **con_cls);

/*
 * Request threads run at nice REQUEST_NICE, the import workers at the
 * process's own: on a small machine a busy client (a page polling, a load
 * test) then takes its CPU from what is idle, not from the import
 * ("watchers cost the worker nothing"), and is still served whenever the
 * worker waits. Linux gives each thread its own nice value (setpriority on
 * its thread id); raising it is always allowed. Once per connection thread.
 */
#define REQUEST_NICE 10
static _Thread_local int niced;

static void lower_priority(void) {
    if (niced)
        return;
    niced = 1;
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), REQUEST_NICE);
}

enum MHD_Result li__http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version,
                                const char *upload_data, size_t *upload_data_size,
                                void **con_cls) {
    (void)version;
    li_http_server *srv = cls;
    li_http_req *r = *con_cls;
    if (!r) {
        lower_priority();
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        *con_cls = r;
        r->srv = srv;
        r->conn = conn;
        r->started = li__http_now();
        r->route_index = li__http_route_count;
        r->declared = -1;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        r->c = ci ? ci->socket_context : NULL;
        snprintf(r->method, sizeof r->method, "%s", method);
        r->path = strdup(origin_form(url ? url : "/"));
        pthread_mutex_lock(&srv->lock);
        srv->active++;
        pthread_mutex_unlock(&srv->lock);
        if (!r->path)
            return MHD_NO;
        r->dispatched = 1;
        r->in_first = 1;
        int refused = first_call(r) != 0;
        r->in_first = 0;
        if (refused)
            return r->answered || r->deferred ? MHD_YES : MHD_NO;
        /* Served at the last call, even without a body: an answer queued now,
         * before MHD knows the request is whole, would close the connection. */
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        enum MHD_Result res = body_piece(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        if (res == MHD_NO && r->pending && !r->answered)
            answer_raw_and_close(r);
        return res;
    }
    last_call(r);
    return r->answered ? MHD_YES : MHD_NO;
}
