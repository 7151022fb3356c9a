/*
 * reqInt.h — the inside of a request and of the server, shared by the
 * files that implement httpInt.h (server.c, router.c, answer.c, auth.c).
 * Handlers use httpInt.h's functions, never these fields.
 */
#ifndef LEADIMPORT_HTTP_REQ_INT_H
#define LEADIMPORT_HTTP_REQ_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#include "httpInt.h"

/* A header added to the coming answer. */
typedef struct li__http_hdr {
    char *name, *value;
    struct li__http_hdr *next;
} li__http_hdr;

/* One connection (MHD's socket context): what the connection limits need. */
typedef struct li__http_conn {
    char addr[64];
    int over; /* 0, or the status to refuse its requests with (503 total, 429 per address) */
    int fd;   /* its socket (MHD's end of the gate's pair), looked at, never closed */
} li__http_conn;

struct li_http_req {
    li_http_server *srv;
    struct MHD_Connection *conn;
    li__http_conn *c;
    char method[16];
    char *path;           /* owned, without the query */
    double started;       /* monotonic seconds */
    li_http_match match;  /* the route and its parameters */
    size_t route_index;   /* li__http_route_count when none */
    int dispatched;       /* headers checked (first call done) */
    int answered;         /* an answer was queued */
    unsigned status;      /* the status queued */
    unsigned pending;     /* an error to answer once the body is read (0: none) */
    li_error pending_err;
    int in_body;          /* on_body is running: answers wait for the end of the body */
    int in_first;         /* the first call (headers) is running */
    struct MHD_Response *deferred; /* an answer given by on_body, queued at the end */
    unsigned deferred_status;
    int64_t declared;     /* Content-Length, or -1 */
    uint64_t received;    /* body bytes read */
    uint64_t dropped;     /* body bytes dropped after a refusal */
    li_buf body;          /* LI_HTTP_BODY_JSON */
    int has_session;
    li_session session;
    li_store *store;
    void *ctx;
    void (*ctx_free)(void *);
    int64_t sse_job;      /* watcher slot taken, 0 if none */
    li__http_hdr *headers;
    char forwarded[64];   /* the client's address as the trusted proxy gives it, "" if none */
};

/* The SSE watchers of one job. */
typedef struct li__http_watch {
    int64_t job;
    unsigned n;
} li__http_watch;

/* Answers counted for /metrics: a fixed list of statuses, the rest as "other". */
#define LI__HTTP_STATUSES(X)                                                                       \
    X(200) X(201) X(202) X(204) X(206) X(304) X(400) X(401) X(403) X(404) X(405) X(408) X(409)     \
    X(413) X(415) X(422) X(429) X(431) X(500) X(503) X(507)
#define LI__HTTP_STATUS_COUNT_ONE(s) +1
enum { LI__HTTP_NSTATUS = 0 LI__HTTP_STATUSES(LI__HTTP_STATUS_COUNT_ONE) + 1 };

/*
 * An answer of GET /api/imports/{id} kept a moment (imports.c): the body as
 * sent, for DETAIL_TTL_S.
 */
#define LI__HTTP_DETAIL_SLOTS 16
typedef struct li__http_detail {
    int64_t id;   /* 0: a free slot */
    double until; /* li__http_now() after which it is not used */
    char *body;   /* owned */
    size_t len;
} li__http_detail;

/*
 * An answer of GET /api/imports/{id}/errors kept while the job's rows stay
 * as they were (imports.c): the key says what of the job could change them.
 */
#define LI__HTTP_GROUPS_SLOTS 4
typedef struct li__http_groups {
    int64_t id;                 /* 0: a free slot */
    char key[192];              /* groups_key(): what of the job could change them */
    uint64_t used;              /* li_http_server.groups_clock when last used */
    char *body;                 /* owned */
    size_t len;
} li__http_groups;

/* The reads of one account (router.c, pace_turn): a token bucket. */
#define LI__HTTP_PACE_SLOTS 64
typedef struct li__http_pace {
    int64_t user_id; /* 0: a free slot */
    double tokens;   /* reads it may make now; below 0: reads already waiting their turn */
    double at;       /* li__http_now() of the last refill */
} li__http_pace;

struct li_http_server {
    li_http_opts o;
    char *data_dir;           /* owned */
    struct MHD_Daemon *d;
    atomic_int stopping;
    pthread_mutex_t lock;     /* what follows */
    li_store **pool;          /* idle store connections */
    size_t npool, pool_cap;
    unsigned connections;     /* open connections */
    unsigned active;          /* requests not yet ended */
    li__http_conn **conns;    /* open connections, for the per-address count */
    size_t nconns, conns_cap;
    li__http_watch *watch;
    size_t nwatch, watch_cap;
    uint64_t *counts;         /* [route (count + 1)][LI__HTTP_NSTATUS] */
    li__http_detail details[LI__HTTP_DETAIL_SLOTS];
    uint64_t details_gen;     /* +1 at each change made through this server */
    li__http_groups groups[LI__HTTP_GROUPS_SLOTS];
    li__http_pace pace[LI__HTTP_PACE_SLOTS];
    uint64_t groups_clock;
    pthread_mutex_t log_lock;
};

/* Monotonic seconds. */
double li__http_now(void);

/*
 * A whole HTTP answer with the JSON error of m (its code, the French
 * message given), closing the connection, appended to out: for the places
 * that write on a socket themselves (the gate, a request cut in its body).
 * head_only leaves the body out (the answer to HEAD).
 */
li_status li__http_raw_error(li_buf *out, unsigned status, li_msg m, const char *message,
                             int head_only);
/* Queues resp with the request's added headers; counts and records the status. */
int li__http_queue(li_http_req *r, unsigned status, struct MHD_Response *resp);
/* Frees a request (its context, store, SSE slot, headers, body). */
void li__http_req_free(li_http_req *r);
/* Gives a store back to the pool (or closes it). */
void li__http_pool_put(li_http_server *srv, li_store *s);
/*
 * Forgets every kept answer of GET /api/imports/{id} (imports.c): called
 * after each request that may change a job, before its answer leaves.
 */
void li__http_details_forget(li_http_server *srv);
/* Frees the kept answers of GET /api/imports/{id}/errors (at the server's end). */
void li__http_groups_forget(li_http_server *srv);
/* Releases r's SSE slot, if any. */
void li__http_sse_leave(li_http_req *r);

#endif
