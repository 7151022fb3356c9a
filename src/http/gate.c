/*
 * gate.c — the relay in front of libmicrohttpd (gateInt.h says why).
 *
 * Edge-triggered epoll on both sockets of every connection: each event
 * runs pump(), which moves what it can in both directions and takes the
 * steps of the connection's life until nothing moves; every operation
 * either reaches EAGAIN or waits on a buffer that only pump() itself
 * empties, so no edge is lost.
 *
 * A connection's life:
 *   relaying   client bytes go through the reader (wire.c) to
 *              libmicrohttpd; its answers go back as they are;
 *   refusing   the reader (or the head timeout) refused a request: the
 *              client's bytes are dropped, libmicrohttpd's side is shut
 *              for writing once the accepted bytes are in, and when it has
 *              ended its answers and closed, the JSON error goes out;
 *   lingering  everything is sent and the client's side is shut for
 *              writing: its last bytes are read and dropped until it
 *              closes or LINGER_S pass, then the socket closes.
 * libmicrohttpd closing first (Connection: close, its idle timeout, a
 * limit) leads to lingering too, once its last bytes are out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gateInt.h"
#include "leadimport/buf.h"
#include "leadimport/msg.h"
#include "reqInt.h"

/* Room in the client-to-server buffer beyond the longest line a head may have. */
#define IN_SLACK (16 * 1024)
/* The server-to-client buffer. */
#define OUT_CAP (64 * 1024)
/* libmicrohttpd ends the answers it owes a refused connection within this, or it is closed
 * unanswered. */
#define REFUSE_WAIT_S 5.0
/* The client's last bytes are read and dropped this long at most after the last answer. */
#define LINGER_S 2.0
/* Rounds of pump() a connection gets before the others have theirs (then it waits in line). */
#define PUMP_ROUNDS 32
/* At stop, answers still going out get this long. */
#define STOP_FLUSH_S 1.0
/* li__http_gate_quiesce() waits this long at most for the gate to stop accepting. */
#define QUIESCE_WAIT_S 5.0
/* The timers (head timeout, waits) are looked at this often. */
#define TICK_MS 100
/* After running out of file descriptors, accepting waits this long before trying again. */
#define ACCEPT_PAUSE_S 0.1

typedef struct gconn gconn;

/* What an epoll event points at: one side of a connection, or the gate's own sockets. */
typedef struct gend {
    gconn *c; /* NULL for the gate's own */
    int inner;
} gend;

struct gconn {
    int client, inner; /* -1 once closed */
    gend ends[2];
    li__http_wire wire;
    char address[INET6_ADDRSTRLEN];

    /* client to libmicrohttpd: [in_sent, in_ok) accepted, not yet sent; [in_ok, in_len) not read */
    char *in;
    size_t in_cap, in_len, in_sent, in_ok;
    /* libmicrohttpd to client: [out_sent, out_len) */
    char *out;
    size_t out_len, out_sent;

    int client_eof, inner_eof, inner_shut;
    unsigned refused; /* the status of the refusal under way, 0 if none */
    li_msg refused_msg;
    int answered, lingering, dead;
    double head_since;  /* a head's first byte, 0 between heads */
    double deadline;    /* of the refusal's wait, then of the lingering */
    double drain_until; /* once libmicrohttpd has closed: the client has until then to read */
    int queued;         /* in the gate's ready line (more to do after its rounds) */
    gconn *prev, *next, *ready_next;
};

struct li__http_gate {
    li__http_gate_opts o;
    int ep, wake;
    gend listen_end, wake_end;
    pthread_t thread;
    atomic_int quiesce, quiesced, stop;
    gconn *conns;
    unsigned nconns;
    gconn *graveyard; /* closed during an epoll batch, freed after it */
    gconn *ready;     /* connections that used their rounds with more to do */
    double accept_paused_until;
};

static int would_block(void) {
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

/* --- a connection's end ----------------------------------------------------------------- */

static void close_inner(gconn *c) {
    if (c->inner >= 0)
        close(c->inner); /* also leaves the epoll set */
    c->inner = -1;
    c->inner_eof = 1;
}

static void close_conn(li__http_gate *g, gconn *c) {
    if (c->dead)
        return;
    c->dead = 1;
    close(c->client);
    c->client = -1;
    close_inner(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        g->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->queued) {
        for (gconn **p = &g->ready; *p; p = &(*p)->ready_next)
            if (*p == c) {
                *p = c->ready_next;
                break;
            }
        c->queued = 0;
    }
    c->next = g->graveyard;
    g->graveyard = c;
    g->nconns--;
}

static void bury(li__http_gate *g) {
    while (g->graveyard) {
        gconn *c = g->graveyard;
        g->graveyard = c->next;
        free(c->in);
        free(c->out);
        free(c);
    }
}

/* --- refusals --------------------------------------------------------------------------- */

static void refuse(li__http_gate *g, gconn *c, unsigned status, li_msg m) {
    c->in_len = c->in_ok; /* the refused bytes, and what follows them, are not sent */
    c->refused = status;
    c->refused_msg = m;
    c->deadline = li__http_now() + REFUSE_WAIT_S;
    if (g->o.refused) {
        li__http_gate_refusal r = {
            .status = status,
            .code = li_msg_code(m),
            .method = c->wire.method,
            .target = c->wire.target,
            .address = c->address,
            .ms = c->head_since > 0 ? (li__http_now() - c->head_since) * 1000.0 : 0.0,
        };
        g->o.refused(g->o.cls, &r);
    }
}

/* The refusal's answer, into the (empty) out buffer. */
static void write_answer(li__http_gate *g, gconn *c) {
    char text[LI_ERROR_MAX];
    if (c->refused_msg == LI_MSG_HTTP_REQUEST_TIMEOUT)
        li_msg_format(text, sizeof text, LI_MSG_HTTP_REQUEST_TIMEOUT,
                      (long long)g->o.head_timeout_s);
    else
        li_msg_format_unchecked(text, sizeof text, c->refused_msg, c->wire.arg);
    /* the answer to HEAD has the length of the body, not the body */
    int head = c->wire.method_read && strcmp(c->wire.method, "HEAD") == 0;
    li_buf b;
    li_buf_init(&b, 0);
    if (li__http_raw_error(&b, c->refused, c->refused_msg, text, head) == LI_OK &&
        b.len <= OUT_CAP) {
        memcpy(c->out, b.data, b.len);
        c->out_sent = 0;
        c->out_len = b.len;
    }
    li_buf_free(&b);
    c->answered = 1;
}

/* --- moving bytes ------------------------------------------------------------------------ */

static int read_client(gconn *c) {
    if (c->client_eof)
        return 0;
    if (c->refused || c->inner_eof || c->inner_shut || c->wire.closed) { /* lingering: inner_eof */
        /* nothing more goes to libmicrohttpd: read and drop */
        char drop[4096];
        ssize_t r = recv(c->client, drop, sizeof drop, 0);
        if (r > 0)
            return 1;
        if (r < 0 && would_block())
            return 0;
        c->client_eof = 1;
        return 1;
    }
    if (c->in_sent > 0 && c->in_len == c->in_cap) {
        memmove(c->in, c->in + c->in_sent, c->in_len - c->in_sent);
        c->in_len -= c->in_sent;
        c->in_ok -= c->in_sent;
        c->in_sent = 0;
    }
    if (c->in_len == c->in_cap)
        return 0;
    ssize_t r = recv(c->client, c->in + c->in_len, c->in_cap - c->in_len, 0);
    if (r > 0) {
        c->in_len += (size_t)r;
        return 1;
    }
    if (r < 0 && would_block())
        return 0;
    c->client_eof = 1;
    return 1;
}

/* The bytes read, through the reader: those it accepts may go on. */
static int check_in(li__http_gate *g, gconn *c) {
    if (c->refused || c->wire.closed || c->in_ok == c->in_len)
        return 0;
    size_t took = li__http_wire_feed(&c->wire, c->in + c->in_ok, c->in_len - c->in_ok);
    c->in_ok += took;
    if (li__http_wire_in_head(&c->wire)) {
        if (c->head_since == 0)
            c->head_since = li__http_now();
    } else
        c->head_since = 0;
    if (c->wire.status)
        refuse(g, c, c->wire.status, c->wire.msg);
    else if (c->wire.closed)
        c->in_len = c->in_ok; /* after the last request: dropped (libmicrohttpd closes) */
    return 1;
}

static int write_inner(gconn *c) {
    if (c->inner_eof || c->inner_shut || c->in_sent == c->in_ok)
        return 0;
    ssize_t r = send(c->inner, c->in + c->in_sent, c->in_ok - c->in_sent, MSG_NOSIGNAL);
    if (r > 0) {
        c->in_sent += (size_t)r;
        if (c->in_sent == c->in_len)
            c->in_sent = c->in_ok = c->in_len = 0;
        return 1;
    }
    if (r < 0 && would_block())
        return 0;
    /* libmicrohttpd closed its side (an answer given before the body, which it
     * does not read): nothing more goes to it, but its answer may still be
     * there to read */
    c->inner_shut = 1;
    c->in_sent = c->in_ok = c->in_len = 0;
    return 1;
}

static int read_inner(gconn *c) {
    if (c->inner_eof)
        return 0;
    if (c->out_sent == c->out_len)
        c->out_sent = c->out_len = 0;
    else if (c->out_len == OUT_CAP && c->out_sent > 0) {
        memmove(c->out, c->out + c->out_sent, c->out_len - c->out_sent);
        c->out_len -= c->out_sent;
        c->out_sent = 0;
    }
    if (c->out_len == OUT_CAP)
        return 0;
    ssize_t r = recv(c->inner, c->out + c->out_len, OUT_CAP - c->out_len, 0);
    if (r > 0) {
        c->out_len += (size_t)r;
        return 1;
    }
    if (r < 0 && would_block())
        return 0;
    close_inner(c);
    return 1;
}

/* Returns -1 when the client is gone (the connection is closed). */
static int write_client(li__http_gate *g, gconn *c) {
    if (c->out_sent == c->out_len)
        return 0;
    ssize_t r = send(c->client, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
    if (r > 0) {
        c->out_sent += (size_t)r;
        return 1;
    }
    if (r < 0 && would_block())
        return 0;
    close_conn(g, c);
    return -1;
}

/* The steps of the connection's life (the comment at the top). */
static int advance(li__http_gate *g, gconn *c) {
    int moved = 0;
    /* what libmicrohttpd was given is all it gets: it ends its answers and closes */
    if ((c->client_eof || c->refused) && !c->inner_shut && !c->inner_eof &&
        c->in_sent == c->in_ok) {
        shutdown(c->inner, SHUT_WR);
        c->inner_shut = 1;
        moved = 1;
    }
    /* libmicrohttpd has closed: what is left to send must go within the
     * idle timeout, as libmicrohttpd's own socket would have (a client that
     * does not read cannot hold the connection) */
    if (c->inner_eof && c->drain_until == 0)
        c->drain_until = li__http_now() + g->o.idle_timeout_s;
    if (c->inner_eof && c->out_sent == c->out_len) {
        if (c->refused && !c->answered) {
            write_answer(g, c);
            return 1;
        }
        if (!c->lingering) {
            shutdown(c->client, SHUT_WR);
            c->lingering = 1;
            c->deadline = li__http_now() + LINGER_S;
            moved = 1;
        }
        if (c->client_eof) {
            close_conn(g, c);
            return 0;
        }
    }
    return moved;
}

static void pump(li__http_gate *g, gconn *c) {
    int moved = 1;
    for (int round = 0; moved && !c->dead; round++) {
        if (round == PUMP_ROUNDS) {
            /* a fast client is not served before all others: it waits in line */
            if (!c->queued) {
                c->queued = 1;
                c->ready_next = g->ready;
                g->ready = c;
            }
            return;
        }
        moved = read_client(c);
        moved |= check_in(g, c);
        moved |= write_inner(c);
        moved |= read_inner(c);
        int w = write_client(g, c);
        if (w < 0)
            return;
        moved |= w;
        moved |= advance(g, c);
    }
}

/* The connections that used their rounds: one more turn each. */
static void pump_ready(li__http_gate *g) {
    gconn *line = g->ready;
    g->ready = NULL;
    while (line) {
        gconn *c = line;
        line = c->ready_next;
        c->queued = 0;
        pump(g, c);
    }
}

/* --- accepting --------------------------------------------------------------------------- */

static int watch(li__http_gate *g, int fd, gend *e) {
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = e};
    return epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev);
}

/* The client's address as text ("" for another family). */
static void address_of(const struct sockaddr_storage *ss, char *out, size_t cap) {
    out[0] = '\0';
    if (ss->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, out, (socklen_t)cap);
    else if (ss->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, out, (socklen_t)cap);
}

/*
 * The hard limits, counted here on the connections the gate holds: exact
 * at every accept. (libmicrohttpd's own counts lag: a connection it has
 * closed is counted until its next cleanup, which runs in its own thread,
 * so a quick series of connections from one client could be refused with
 * no answer at all.)
 */
static int over_limits(const li__http_gate *g, const char *address) {
    if (g->nconns >= g->o.max_connections)
        return 1;
    unsigned same = 0;
    for (const gconn *c = g->conns; c; c = c->next)
        same += strcmp(c->address, address) == 0;
    return same >= g->o.max_per_address;
}

static void open_conn(li__http_gate *g, int fd, const struct sockaddr_storage *ss, socklen_t len) {
    int pair[2] = {-1, -1};
    char address[INET6_ADDRSTRLEN];
    address_of(ss, address, sizeof address);
    if (over_limits(g, address)) {
        close(fd);
        return;
    }
    gconn *c = calloc(1, sizeof *c);
    if (!c || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0)
        goto fail;
    memcpy(c->address, address, sizeof address);
    c->client = fd;
    c->inner = pair[1];
    c->in_cap = g->o.max_head + IN_SLACK;
    c->in = malloc(c->in_cap);
    c->out = malloc(OUT_CAP);
    if (!c->in || !c->out)
        goto fail;
    li__http_wire_init(&c->wire, g->o.max_head);
    /* events and small answers go out at once, as libmicrohttpd's own socket did */
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->ends[0] = (gend){c, 0};
    c->ends[1] = (gend){c, 1};
    if (watch(g, fd, &c->ends[0]) != 0 || watch(g, pair[1], &c->ends[1]) != 0)
        goto fail;
    /* libmicrohttpd closes its end itself when it cannot take it */
    int theirs = pair[0];
    pair[0] = -1;
    if (MHD_add_connection(g->o.daemon, theirs, (const struct sockaddr *)ss, len) != MHD_YES)
        goto fail;
    c->next = g->conns;
    if (g->conns)
        g->conns->prev = c;
    g->conns = c;
    g->nconns++;
    return;
fail:
    if (pair[0] >= 0)
        close(pair[0]);
    if (pair[1] >= 0)
        close(pair[1]);
    close(fd);
    if (c) {
        free(c->in);
        free(c->out);
        free(c);
    }
}

static void accept_all(li__http_gate *g) {
    /* once quiesced, libmicrohttpd may be stopping: never hand it a connection */
    while (g->o.listen_fd >= 0 && !atomic_load(&g->quiesce)) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd =
            accept4(g->o.listen_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == ECONNABORTED || errno == EINTR)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* the listening socket stays readable: wait instead of spinning */
                epoll_ctl(g->ep, EPOLL_CTL_DEL, g->o.listen_fd, NULL);
                g->accept_paused_until = li__http_now() + ACCEPT_PAUSE_S;
            }
            return;
        }
        open_conn(g, fd, &ss, len);
    }
}

/* --- the thread -------------------------------------------------------------------------- */

static void tick(li__http_gate *g) {
    double now = li__http_now();
    if (g->accept_paused_until > 0 && now >= g->accept_paused_until && g->o.listen_fd >= 0) {
        g->accept_paused_until = 0;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &g->listen_end};
        epoll_ctl(g->ep, EPOLL_CTL_ADD, g->o.listen_fd, &ev);
        accept_all(g);
    }
    for (gconn *c = g->conns, *next; c; c = next) {
        next = c->next;
        if (!c->refused && !c->inner_eof && c->head_since > 0 &&
            now - c->head_since > g->o.head_timeout_s) {
            refuse(g, c, 408, LI_MSG_HTTP_REQUEST_TIMEOUT);
            pump(g, c);
        } else if ((c->refused && !c->answered && now > c->deadline) ||
                   (c->lingering && now > c->deadline) ||
                   (c->drain_until > 0 && now > c->drain_until))
            close_conn(g, c);
    }
}

static void *gate_main(void *arg) {
    li__http_gate *g = arg;
    struct epoll_event evs[64];
    double next_tick = li__http_now() + TICK_MS / 1000.0, stop_by = 0;
    for (;;) {
        if (atomic_load(&g->stop)) {
            /* libmicrohttpd is stopped: the last answers go out, a moment at most */
            if (stop_by == 0)
                stop_by = li__http_now() + STOP_FLUSH_S;
            if (!g->conns || li__http_now() >= stop_by)
                break;
        }
        int n = epoll_wait(g->ep, evs, 64, g->ready ? 0 : TICK_MS);
        for (int i = 0; i < n; i++) {
            gend *e = evs[i].data.ptr;
            if (e == &g->listen_end)
                accept_all(g);
            else if (e == &g->wake_end) {
                uint64_t v;
                (void)!read(g->wake, &v, sizeof v);
                if (atomic_load(&g->quiesce) && g->o.listen_fd >= 0) {
                    close(g->o.listen_fd);
                    g->o.listen_fd = -1;
                }
                if (atomic_load(&g->quiesce))
                    atomic_store(&g->quiesced, 1);
            } else if (!e->c->dead)
                pump(g, e->c);
        }
        pump_ready(g);
        bury(g);
        if (li__http_now() >= next_tick) {
            tick(g);
            bury(g);
            next_tick = li__http_now() + TICK_MS / 1000.0;
        }
    }
    while (g->conns)
        close_conn(g, g->conns);
    bury(g);
    return NULL;
}

li_status li__http_gate_start(const li__http_gate_opts *o, li__http_gate **out, li_error *err) {
    *out = NULL;
    li__http_gate *g = calloc(1, sizeof *g);
    if (!g) {
        close(o->listen_fd);
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    g->o = *o;
    g->listen_end.inner = -1;
    g->wake_end.inner = -2;
    g->ep = epoll_create1(EPOLL_CLOEXEC);
    g->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    int e = 0;
    int fl = fcntl(o->listen_fd, F_GETFL);
    /* accept_all() takes connections until EAGAIN */
    if (g->ep < 0 || g->wake < 0 || fl < 0 || fcntl(o->listen_fd, F_SETFL, fl | O_NONBLOCK) != 0)
        e = errno;
    if (!e) {
        struct epoll_event lev = {.events = EPOLLIN, .data.ptr = &g->listen_end};
        struct epoll_event wev = {.events = EPOLLIN, .data.ptr = &g->wake_end};
        if (epoll_ctl(g->ep, EPOLL_CTL_ADD, o->listen_fd, &lev) != 0 ||
            epoll_ctl(g->ep, EPOLL_CTL_ADD, g->wake, &wev) != 0)
            e = errno;
    }
    if (!e && (e = pthread_create(&g->thread, NULL, gate_main, g)) == 0) {
        (void)pthread_setname_np(g->thread, "li-gate");
        *out = g;
        return LI_OK;
    }
    if (g->ep >= 0)
        close(g->ep);
    if (g->wake >= 0)
        close(g->wake);
    close(o->listen_fd);
    free(g);
    return li_error_set(err, LI_EIO, LI_MSG_HTTP_START_FAILED, li_msg_errno(e));
}

static void wake(li__http_gate *g) {
    uint64_t one = 1;
    (void)!write(g->wake, &one, sizeof one);
}

void li__http_gate_quiesce(li__http_gate *g) {
    if (!g)
        return;
    atomic_store(&g->quiesce, 1);
    wake(g);
    /* Once this returns, the gate calls libmicrohttpd no more: it may be
     * stopped. (accept_all() reads the flag too: a gate thread held up
     * elsewhere, a log line on a blocked terminal, accepts nothing after.) */
    double until = li__http_now() + QUIESCE_WAIT_S;
    while (!atomic_load(&g->quiesced) && li__http_now() < until) {
        struct timespec nap = {0, 1000 * 1000};
        nanosleep(&nap, NULL);
    }
}

void li__http_gate_stop(li__http_gate *g) {
    if (!g)
        return;
    atomic_store(&g->stop, 1);
    wake(g);
    pthread_join(g->thread, NULL);
    if (g->o.listen_fd >= 0)
        close(g->o.listen_fd);
    close(g->ep);
    close(g->wake);
    free(g);
}
