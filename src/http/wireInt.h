/*
 * wireInt.h — the bytes of HTTP/1.1 requests the gate lets through.
 *
 * libmicrohttpd answers a request it cannot read by itself, with an
 * English HTML page compiled into the library (400 « Request malformed »,
 * 505, 414, 431, chunked errors…), and takes some it should refuse (two
 * different Content-Length, Content-Length with Transfer-Encoding, a NUL
 * in a header). The gate (gateInt.h) stands in front of it and gives it
 * only the bytes this reader accepts; what it refuses, the gate answers
 * with a JSON error of the catalogue.
 *
 * The reader is stricter than libmicrohttpd on every point (RFC 9112's
 * grammar without its tolerances: no line folding, no space before a
 * colon, one Host, one length), so that libmicrohttpd never meets a
 * request it would refuse. It reads byte by byte and accepts bytes as soon
 * as they can still begin a valid request: a head trickling in reaches
 * libmicrohttpd as it comes (its idle timeout sees it move), and a
 * refused head stops at the byte that broke it. A body of known length
 * and chunk data are taken in one step.
 *
 * No I/O, no allocation: the unit test and the fuzz target drive it
 * directly.
 */
#ifndef LEADIMPORT_HTTP_WIRE_INT_H
#define LEADIMPORT_HTTP_WIRE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "leadimport/msg.h"

/*
 * Header lines of a head and its trailers: libmicrohttpd keeps each in
 * its memory pool with some 50 bytes of its own, and answers by itself when
 * the pool is full; 100 lines fit in it whatever --max-header.
 */
#define LI__HTTP_WIRE_HEADERS_MAX 100
/* Bytes of a chunk-size line, extensions included. */
#define LI__HTTP_WIRE_CHUNK_LINE_MAX 1024
/* What is kept of a header value the reader needs (Content-Length, Transfer-Encoding). */
#define LI__HTTP_WIRE_VALUE_MAX 64
/* What is kept of a refused line, for the message. */
#define LI__HTTP_WIRE_EXCERPT_MAX 48

typedef struct li__http_wire {
    size_t max_head;  /* bytes of a head (request line and headers, trailers included) */

    int state;
    size_t head_bytes;  /* of the head, or of the trailers, read so far */
    size_t line_bytes;  /* of the current line */
    unsigned headers;   /* header (or trailer) lines of the head so far */
    uint64_t left;      /* body or chunk bytes still to come */
    unsigned digits;    /* of the chunk size */
    unsigned requests;  /* heads accepted on this connection */

    /* The head being read. */
    char version[9];    /* "HTTP/1.1" */
    unsigned vlen;
    int http10;
    unsigned hosts;
    int te;             /* Transfer-Encoding: 0 none, 1 chunked, -1 another */
    int has_length;
    int trailers;       /* reading the trailers after the last chunk */
    int close;          /* Connection: close */
    int keep_alive;     /* Connection: keep-alive (HTTP/1.0) */
    int connection_unread; /* a Connection value too long to keep: libmicrohttpd decides */
    uint64_t length;
    char name[32];      /* the header being read, lower case ("" past 31 bytes) */
    unsigned nlen;
    char value[LI__HTTP_WIRE_VALUE_MAX + 1];
    unsigned vallen;    /* LI__HTTP_WIRE_VALUE_MAX + 1: longer than kept */
    char excerpt[LI__HTTP_WIRE_EXCERPT_MAX + 1]; /* the current line so far, printable */
    unsigned elen;

    /* For the log: the last request line's method and target (cut). */
    int method_read;    /* the method, and the space after it, were read */
    char method[16];
    char target[128];

    /* The last request closes the connection: what follows is dropped, unread. */
    int closed;

    /* The refusal, once status is not 0. */
    unsigned status;
    li_msg msg;
    char arg[LI__HTTP_WIRE_EXCERPT_MAX * 4 + 16];
} li__http_wire;

void li__http_wire_init(li__http_wire *w, size_t max_head);

/*
 * Reads the next n bytes the client sent; returns how many of them are
 * accepted (they may go to libmicrohttpd). All of them, unless the request
 * is refused (w->status, w->msg and w->arg say why) or the connection
 * closes after the last request (w->closed): the bytes from the one
 * returned on are not to be sent. Once refused or closed, it takes nothing
 * more.
 */
size_t li__http_wire_feed(li__http_wire *w, const char *p, size_t n);

/* 1 while a request head (or its trailers) has begun and is not complete. */
int li__http_wire_in_head(const li__http_wire *w);

/* A size as the messages write it: "16 Kio", "200 Mio", "1000 octets". */
const char *li__http_size_text(uint64_t n, char *out, size_t cap);

#endif
