/*
 * gateInt.h — the server's front door: it accepts the TCP connections,
 * reads each request as it comes (wireInt.h) and passes on to
 * libmicrohttpd only the bytes of valid requests; it answers the refused
 * ones itself, with the catalogue's JSON error.
 *
 * Why: libmicrohttpd 0.9.75 answers the requests it cannot read with its
 * own English HTML page, compiled into Debian's library with no hook to
 * replace it. Each connection is relayed: the client's socket is the
 * gate's, and libmicrohttpd gets one end of a socket pair
 * (MHD_add_connection, with the client's real address, so its limits and
 * our logs see the client). The answers come back through the same pair
 * and are copied out as they are: events streams go out as they are
 * written.
 *
 * One thread, epoll, non-blocking sockets; per connection, a buffer each
 * way (max_head + 16 KiB in, 64 KiB out). A refusal waits for
 * libmicrohttpd to finish the answers it owes on that connection (its side
 * of the pair is shut for writing: it ends them and closes), then the JSON
 * error goes out with « Connection: close », and the client's last bytes
 * are read and dropped for a moment before the socket closes, so that
 * the answer is not lost to a reset.
 *
 * The gate also owns the time a head may take: a head still arriving
 * head_timeout_s after its first byte gets 408 (http_request_timeout).
 */
#ifndef LEADIMPORT_HTTP_GATE_INT_H
#define LEADIMPORT_HTTP_GATE_INT_H

#include <microhttpd.h>

#include "leadimport/error.h"
#include "wireInt.h"

typedef struct li__http_gate li__http_gate;

/* What the server is told of a request the gate refused (its log and metrics). */
typedef struct li__http_gate_refusal {
    unsigned status;
    const char *code;    /* the catalogue's */
    const char *method;  /* as far as it was read, "" if not */
    const char *target;
    const char *address; /* the client's */
    double ms;           /* from the head's first byte to the refusal */
} li__http_gate_refusal;

typedef struct li__http_gate_opts {
    struct MHD_Daemon *daemon;  /* started with MHD_USE_NO_LISTEN_SOCKET and MHD_USE_ITC */
    int listen_fd;              /* the gate's from li__http_gate_start on, even on failure */
    size_t max_head;            /* --max-header */
    double head_timeout_s;      /* --request-timeout */
    double idle_timeout_s;      /* --idle-timeout: an answer left unread after libmicrohttpd closed */
    unsigned max_connections;   /* past it, a new connection is closed at once */
    unsigned max_per_address;   /* the same, per client address */
    void (*refused)(void *cls, const li__http_gate_refusal *r); /* from the gate's thread */
    void *cls;
} li__http_gate_opts;

li_status li__http_gate_start(const li__http_gate_opts *o, li__http_gate **out, li_error *err);

/*
 * No new connection from now on (the listening socket is closed); the
 * others go on. Returns once the gate has stopped accepting: from then on
 * it never calls libmicrohttpd, which may be stopped.
 */
void li__http_gate_quiesce(li__http_gate *g);

/*
 * Stops the thread and closes every connection left. Call it after
 * MHD_stop_daemon: the gate relays the last answers until then.
 */
void li__http_gate_stop(li__http_gate *g);

#endif
