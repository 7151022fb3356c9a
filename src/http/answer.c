/*
 * answer.c — what a handler reads of its request and how it answers: JSON
 * bodies, errors from the catalogue ({"error": {"code", "message"}}),
 * files and streams, Server-Sent Events. Every answer goes through
 * li__http_queue() (server.c), which adds the handler's headers, counts it
 * for /metrics and records its status for the log line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "reqInt.h"

/* --- reading ------------------------------------------------------------------ */

const char *li_http_method(const li_http_req *r) {
    return r->method;
}

const char *li_http_path(const li_http_req *r) {
    return r->path;
}

const li_http_route *li_http_route_of(const li_http_req *r) {
    return r->match.route;
}

const char *li_http_query(const li_http_req *r, const char *name) {
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *li_http_header(const li_http_req *r, const char *name) {
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *li_http_client_addr(const li_http_req *r) {
    if (r->srv->o.trust_proxy && !r->forwarded[0]) { /* read once, kept on the request */
        /* The last address is the one our proxy saw; those before it are the client's word. */
        const char *xff = li_http_header(r, "X-Forwarded-For");
        const char *last = xff ? strrchr(xff, ',') : NULL;
        last = last ? last + 1 : xff;
        while (last && *last == ' ')
            last++;
        size_t n = last ? strcspn(last, " ") : 0;
        if (n > 0 && n < sizeof r->forwarded) {
            memcpy(((li_http_req *)r)->forwarded, last, n);
            ((li_http_req *)r)->forwarded[n] = '\0';
        }
    }
    if (r->forwarded[0])
        return r->forwarded;
    return r->c ? r->c->addr : "";
}

const char *li_http_body_text(const li_http_req *r, size_t *len) {
    if (len)
        *len = r->body.len;
    return r->body.data ? r->body.data : "";
}

uint64_t li_http_body_received(const li_http_req *r) {
    return r->received;
}

int64_t li_http_body_declared(const li_http_req *r) {
    return r->declared;
}

const li_user *li_http_user(const li_http_req *r) {
    return r->has_session ? &r->session.user : NULL;
}

const li_session *li_http_session(const li_http_req *r) {
    return r->has_session ? &r->session : NULL;
}

void li__http_set_session(li_http_req *r, const li_session *ss) {
    r->session = *ss;
    r->has_session = 1;
}

void li_http_set_ctx(li_http_req *r, void *ctx, void (*free_fn)(void *)) {
    r->ctx = ctx;
    r->ctx_free = free_fn;
}

void *li_http_ctx(const li_http_req *r) {
    return r->ctx;
}

li_http_server *li_http_srv(const li_http_req *r) {
    return r->srv;
}

/* --- answering ------------------------------------------------------------------ */

int li_http_header_add(li_http_req *r, const char *name, const char *value) {
    li__http_hdr *h = calloc(1, sizeof *h);
    if (!h)
        return -1;
    h->name = strdup(name);
    h->value = strdup(value);
    if (!h->name || !h->value) {
        free(h->name);
        free(h->value);
        free(h);
        return -1;
    }
    /* At the end, so that they go out in the order they were added. */
    li__http_hdr **at = &r->headers;
    while (*at)
        at = &(*at)->next;
    *at = h;
    return 0;
}

int li_http_answer(li_http_req *r, unsigned status, const char *content_type, const void *data,
                   size_t len) {
    if (r->answered)
        return -1;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return -1;
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    return li__http_queue(r, status, resp);
}

int li_http_answer_json(li_http_req *r, unsigned status, const char *json) {
    return li_http_answer(r, status, "application/json; charset=utf-8", json, strlen(json));
}

int li_http_answer_buf(li_http_req *r, unsigned status, li_buf *b) {
    if (r->answered)
        return -1;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        b->len, b->data ? b->data : (void *)"", b->data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return -1;
    /* MHD frees the bytes with the response: the buffer forgets them. */
    if (b->data) {
        b->data = NULL;
        b->len = b->cap = 0;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    return li__http_queue(r, status, resp);
}

int li_http_answer_empty(li_http_req *r, unsigned status) {
    return li_http_answer(r, status, NULL, "", 0);
}

unsigned li__http_status_of(const li_error *err) {
    if (err->msg == LI_MSG_JOB_NOT_FOUND)
        return 404;
    switch (err->status) {
    case LI_EUSAGE: return 400;
    case LI_ENOTFOUND: return 404;
    case LI_EREFUSED: return 409;
    case LI_ELIMIT: return 413;
    case LI_EFORMAT: return 422;
    case LI_EBUSY: return 409;
    case LI_ECANCELLED: return 409;
    case LI_ENOSPACE: return 507;
    case LI_EREADONLY: return 503;
    case LI_EDB: return 503;
    case LI_EIO: return 500;
    default: return 500;
    }
}

li_status li__http_raw_error(li_buf *out, unsigned status, li_msg m, const char *message,
                             int head_only) {
    li_buf body;
    li_buf_init(&body, 0);
    li_status st =
        li_buf_printf(&body, "{\"error\":{\"code\":\"%s\",\"message\":", li_msg_code(m));
    if (st == LI_OK)
        st = li_buf_json_str(&body, message, strlen(message));
    if (st == LI_OK)
        st = li_buf_puts(&body, "}}");
    const char *reason = MHD_get_reason_phrase_for(status);
    if (st == LI_OK)
        st = li_buf_printf(out,
                           "HTTP/1.1 %u %s\r\nConnection: close\r\n"
                           "Content-Type: application/json; charset=utf-8\r\n"
                           "Content-Length: %zu\r\n\r\n%s",
                           status, reason && *reason ? reason : "Error", body.len,
                           head_only ? "" : body.data);
    li_buf_free(&body);
    return st;
}

int li_http_answer_error_status(li_http_req *r, unsigned status, const li_error *err) {
    if (r->in_body) {
        /* libmicrohttpd takes no answer while the body comes: the refusal waits for its
         * end (the rest is dropped), or is written as the connection is cut. */
        if (r->answered || r->pending)
            return -1;
        r->pending = status;
        r->pending_err = *err;
        return 0;
    }
    li_buf b;
    li_buf_init(&b, 0);
    li_msg m = err->msg;
    if (m == LI_MSG_NONE) /* an error without a message is a bug: still say something */
        m = LI_MSG_INTERNAL;
    li_status st = li_buf_printf(&b, "{\"error\":{\"code\":\"%s\",\"message\":", li_msg_code(m));
    if (st == LI_OK)
        st = li_buf_json_str(&b, err->message, strlen(err->message));
    if (st == LI_OK)
        st = li_buf_puts(&b, "}}");
    int rc = st == LI_OK ? li_http_answer_buf(r, status, &b) : -1;
    li_buf_free(&b);
    return rc;
}

int li_http_answer_error(li_http_req *r, const li_error *err) {
    return li_http_answer_error_status(r, li__http_status_of(err), err);
}

int li__http_answer_fail_fmt(li_http_req *r, unsigned status, li_msg m, const char *fmt, ...) {
    li_error e;
    li_error_clear(&e);
    e.status = LI_EUSAGE;
    e.msg = m;
    va_list ap;
    va_start(ap, fmt);
    li__msg_vformat(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    return li_http_answer_error_status(r, status, &e);
}

/* --- streams -------------------------------------------------------------------- */

typedef struct stream {
    li_http_stream_fn fn;
    void *ctx;
    void (*free_fn)(void *);
} stream;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
    stream *s = cls;
    ssize_t n = s->fn(s->ctx, pos, buf, max);
    if (n == LI_HTTP_STREAM_END)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return n;
}

static void stream_free(void *cls) {
    stream *s = cls;
    if (s->free_fn)
        s->free_fn(s->ctx);
    free(s);
}

int li_http_answer_stream(li_http_req *r, unsigned status, const char *content_type,
                          int64_t size, li_http_stream_fn fn, void *ctx, void (*free_fn)(void *)) {
    stream *s = calloc(1, sizeof *s);
    if (r->answered || !s) {
        free(s);
        if (free_fn)
            free_fn(ctx);
        return -1;
    }
    s->fn = fn;
    s->ctx = ctx;
    s->free_fn = free_fn;
    struct MHD_Response *resp = MHD_create_response_from_callback(
        size < 0 ? MHD_SIZE_UNKNOWN : (uint64_t)size, 64 * 1024, stream_read, s, stream_free);
    if (!resp) {
        stream_free(s);
        return -1;
    }
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    return li__http_queue(r, status, resp);
}

int li_http_answer_fd(li_http_req *r, unsigned status, const char *content_type, int fd,
                      uint64_t size) {
    if (r->answered) {
        close(fd);
        return -1;
    }
    struct MHD_Response *resp = MHD_create_response_from_fd64(size, fd);
    if (!resp) {
        close(fd);
        return -1;
    }
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    return li__http_queue(r, status, resp);
}

int li_http_answer_sse(li_http_req *r, li_http_stream_fn fn, void *ctx, void (*free_fn)(void *)) {
    li_http_header_add(r, "Cache-Control", "no-cache");
    li_http_header_add(r, "X-Accel-Buffering", "no");
    return li_http_answer_stream(r, 200, "text/event-stream; charset=utf-8", -1, fn, ctx, free_fn);
}

int li_http_client_gone(const li_http_req *r) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return 0;
    struct pollfd p = {.fd = ci->connect_fd, .events = POLLIN | POLLRDHUP};
    if (poll(&p, 1, 0) <= 0)
        return 0;
    if (p.revents & (POLLHUP | POLLERR | POLLRDHUP))
        return 1;
    char c;
    /* Readable: either a request sent ahead (kept: MSG_PEEK) or the end of the stream. */
    return recv(ci->connect_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

int li_http_sse_enter(li_http_req *r, int64_t job_id) {
    li_http_server *srv = r->srv;
    unsigned max = srv->o.max_sse_per_job;
    int ok = 0;
    if (r->sse_job) /* one slot per request */
        return 0;
    pthread_mutex_lock(&srv->lock);
    size_t i = 0;
    while (i < srv->nwatch && srv->watch[i].job != job_id)
        i++;
    if (i == srv->nwatch && srv->nwatch == srv->watch_cap) {
        size_t cap = srv->watch_cap ? srv->watch_cap * 2 : 16;
        li__http_watch *w = realloc(srv->watch, cap * sizeof *w);
        if (w) {
            srv->watch = w;
            srv->watch_cap = cap;
        }
    }
    if (i == srv->nwatch && srv->nwatch < srv->watch_cap) {
        srv->watch[i].job = job_id;
        srv->watch[i].n = 0;
        srv->nwatch++;
    }
    if (i < srv->nwatch && srv->watch[i].n < max) {
        srv->watch[i].n++;
        r->sse_job = job_id;
        ok = 1;
    }
    pthread_mutex_unlock(&srv->lock);
    if (ok)
        return 0;
    li_http_answer_fail(r, 429, LI_MSG_HTTP_TOO_MANY_WATCHERS, (long long)job_id, max);
    return -1;
}

void li__http_sse_leave(li_http_req *r) {
    li_http_server *srv = r->srv;
    if (!r->sse_job)
        return;
    pthread_mutex_lock(&srv->lock);
    for (size_t i = 0; i < srv->nwatch; i++) {
        if (srv->watch[i].job != r->sse_job)
            continue;
        if (--srv->watch[i].n == 0)
            srv->watch[i] = srv->watch[--srv->nwatch];
        break;
    }
    pthread_mutex_unlock(&srv->lock);
    r->sse_job = 0;
}
