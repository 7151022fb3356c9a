/*
 * events.c — GET /api/imports/{id}/events: a job's progress as
 * Server-Sent Events.
 *
 *   id: 3
 *   event: progress
 *   data: {job JSON: status, phase, counters, rows_per_s, eta_s...}
 *
 * then, once the job has ended, "id: end", "event: end" and the stream
 * closes. What to send and when the job has ended are the library's
 * (li_job_watch_*, jobjson.h); this file polls and writes.
 *
 * A watcher costs the worker nothing: every poll is one read of the job's
 * row (SQLite in WAL mode: a reader never waits for the writer nor makes
 * it wait), made on a store connection borrowed for that read only. It
 * never blocks its thread for long either: the stream callback waits at
 * most WAIT_S between polls and returns, and asks before each wait whether
 * the client left, so a stopping server or a client gone is noticed within
 * a second (its watcher slot freed at once). Watchers per job are limited
 * (li_http_sse_enter, --max-sse-per-job: 429 beyond).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpInt.h"
#include "importsInt.h"
#include "leadimport/jobjson.h"

/* Between two reads of the job: a moving job gives at least one event a second. */
#define POLL_S 0.4
/* The longest the callback waits before giving its thread back. */
#define WAIT_S 1.0
/* A comment line that long after the last write: a client gone is found out. */
#define KEEPALIVE_S 15.0

typedef struct watcher {
    li_http_req *r;
    int64_t job_id;
    li_job_watch w;
    li_buf out;     /* bytes to send */
    size_t sent;    /* of out */
    int done;       /* the end is in out: close once it is sent */
    double last_poll, last_write;
} watcher;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s) {
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static void watcher_free(void *p) {
    watcher *c = p;
    if (c) {
        li_buf_free(&c->out);
        free(c);
    }
}

/* One event into c->out; 0, or -1 without memory. */
static int put_event(watcher *c, const char *id, const char *event, const char *data) {
    li_status st = li_buf_printf(&c->out, "id: %s\nevent: %s\ndata: %s\n\n", id, event, data);
    return st == LI_OK ? 0 : -1;
}

/* Reads the job once; what changed goes to c->out. 0, or -1 to cut the stream. */
static int poll_job(watcher *c) {
    li_error err;
    li_buf data;
    li_watch_event ev = LI_WATCH_NONE;
    char id[24];
    c->last_poll = now_s();
    li_store *s = li_http_store(c->r, &err);
    if (!s)
        return 0; /* no connection now: the next poll tries again */
    li_buf_init(&data, 0);
    li_status st = li_job_watch_poll(&c->w, s, c->job_id, &data, &ev, id, &err);
    li_http_store_release(c->r); /* a watcher holds no connection between reads */
    int rc = 0;
    if (st == LI_ENOTFOUND) { /* deleted meanwhile: its end */
        char gone[80];
        snprintf(gone, sizeof gone, "{\"job_id\":%lld,\"deleted\":true}", (long long)c->job_id);
        rc = put_event(c, "end", "end", gone);
        c->done = 1;
    } else if (st == LI_OK && ev != LI_WATCH_NONE) {
        rc = put_event(c, id, ev == LI_WATCH_END ? "end" : "progress", data.data);
        c->done = ev == LI_WATCH_END;
    }
    li_buf_free(&data);
    return rc;
}

static ssize_t events_read(void *ctx, uint64_t pos, char *buf, size_t max) {
    watcher *c = ctx;
    (void)pos;
    double start = now_s();
    for (;;) {
        if (c->sent < c->out.len) {
            size_t n = c->out.len - c->sent;
            if (n > max)
                n = max;
            memcpy(buf, c->out.data + c->sent, n);
            c->sent += n;
            if (c->sent == c->out.len) {
                li_buf_reset(&c->out);
                c->sent = 0;
            }
            c->last_write = now_s();
            return (ssize_t)n;
        }
        if (c->done || li_http_server_stopping(li_http_srv(c->r)))
            return LI_HTTP_STREAM_END;
        if (li_http_client_gone(c->r)) /* its slot and thread are freed now, not at a write */
            return LI_HTTP_STREAM_ERROR;
        double t = now_s();
        if (t - c->last_write >= KEEPALIVE_S) {
            if (li_buf_puts(&c->out, ": keepalive\n\n") != LI_OK)
                return LI_HTTP_STREAM_ERROR;
            continue;
        }
        if (t - start >= WAIT_S)
            return 0; /* nothing yet: the thread is the server's again for a moment */
        double wait = c->last_poll + POLL_S - t;
        if (wait > 0)
            sleep_s(wait);
        if (poll_job(c) != 0)
            return LI_HTTP_STREAM_ERROR;
    }
}

int li__http_import_events(li_http_req *r) {
    int64_t id;
    li_job_rec job;
    li_error err;
    if (li_http_param_id(r, "id", &id) != 0)
        return 0;
    li_store *s = li_http_store(r, &err);
    if (!s || li_store_job_get(s, id, &job, &err) != LI_OK)
        return li_http_answer_error(r, &err);
    li_http_store_release(r);
    watcher *c = calloc(1, sizeof *c);
    if (!c) {
        li_error_set(&err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        return li_http_answer_error(r, &err);
    }
    c->r = r;
    c->job_id = id;
    li_buf_init(&c->out, 0);
    /* Resumed after its end: the SSE way to tell a client to stop is 204. */
    if (li_job_watch_init(&c->w, li_http_header(r, "Last-Event-ID"))) {
        watcher_free(c);
        return li_http_answer_empty(r, 204);
    }
    if (li_http_sse_enter(r, id) != 0) {
        watcher_free(c);
        return 0;
    }
    /* The first snapshot at once; "retry" tells a browser to come back soon after a cut. */
    c->last_write = now_s();
    if (li_buf_puts(&c->out, "retry: 2000\n\n") != LI_OK || poll_job(c) != 0) {
        watcher_free(c);
        li_error_set(&err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        return li_http_answer_error(r, &err);
    }
    return li_http_answer_sse(r, events_read, c, watcher_free);
}
