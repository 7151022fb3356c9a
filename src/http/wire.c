/*
 * wire.c — the request reader of the gate: which bytes of a connection may
 * go on to libmicrohttpd (wireInt.h says why it exists).
 *
 * One state per position in the grammar; a byte is accepted when the
 * request read so far can still be valid. The checks that need a whole
 * line (the version, a header's value) run at its line feed, and the
 * checks that need the whole head (Host, Content-Length with
 * Transfer-Encoding) at the line feed of the empty line that ends it: a
 * refused request's last byte is never accepted, so libmicrohttpd never
 * starts it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "leadimport/text.h"
#include "wireInt.h"

enum {
    W_START,    /* before a request: empty lines, then the method's first byte */
    W_START_CR, /* CR of an empty line before a request */
    W_METHOD,
    W_TARGET0, /* first byte of the target */
    W_TARGET,
    W_VERSION,
    W_RL_CR, /* CR ending the request line */
    W_LINE,  /* start of a header line, or of the empty line ending the head */
    W_NAME,
    W_OWS, /* spaces after the colon */
    W_VALUE,
    W_CR,      /* CR ending a header line */
    W_END_CR,  /* CR of the empty line ending the head */
    W_BODY,    /* Content-Length bytes */
    W_CH_SIZE, /* chunk size, hexadecimal */
    W_CH_EXT,  /* chunk extensions, after ';' */
    W_CH_CR,   /* CR ending the chunk-size line */
    W_CH_DATA,
    W_CH_DATA_END, /* CR LF after a chunk's data */
    W_CH_DATA_LF,
    W_CLOSED, /* after a request that closes the connection: nothing more is read */
    W_REFUSED
};

/* The longest chunk size taken: 16 hexadecimal digits (libmicrohttpd reads 64 bits). */
#define CHUNK_DIGITS_MAX 16
/* The longest Content-Length taken: 18 digits, far from 64 bits' overflow. */
#define LENGTH_DIGITS_MAX 18

const char *li__http_size_text(uint64_t n, char *out, size_t cap) {
    if (n >= (1ull << 20) && n % (1ull << 20) == 0)
        snprintf(out, cap, "%llu Mio", (unsigned long long)(n >> 20));
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(out, cap, "%llu Kio", (unsigned long long)(n >> 10));
    else
        snprintf(out, cap, "%llu octets", (unsigned long long)n);
    return out;
}

void li__http_wire_init(li__http_wire *w, size_t max_head) {
    memset(w, 0, sizeof *w);
    w->max_head = max_head;
    w->state = W_START;
}

/* RFC 9110's token characters: a method, a header's name. */
static int is_tchar(unsigned char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A visible byte: printable ASCII but space, or any byte of UTF-8 and older 8-bit text. */
static int is_visible(unsigned char c) {
    return c > 0x20 && c != 0x7f;
}

static int in_head(int state) {
    return state >= W_START && state <= W_END_CR;
}

int li__http_wire_in_head(const li__http_wire *w) {
    return (in_head(w->state) && (w->state != W_START || w->head_bytes > 0));
}

static void line_reset(li__http_wire *w) {
    w->elen = 0;
    w->line_bytes = 0;
}

static void line_keep(li__http_wire *w, unsigned char c) {
    if (w->elen < LI__HTTP_WIRE_EXCERPT_MAX)
        w->excerpt[w->elen++] = (char)c;
}

/* bytes as a message quotes them: printable ASCII as it is, the rest escaped (\r, \x00). */
static void quote(char *out, size_t cap, const char *p, size_t n) {
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f)
            out[o++] = (char)c;
        else if (c == '\r' || c == '\n' || c == '\t') {
            out[o++] = '\\';
            out[o++] = c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
        } else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    }
    out[o] = '\0';
}

static int refuse(li__http_wire *w, unsigned status, li_msg m, const char *arg) {
    w->state = W_REFUSED;
    w->status = status;
    w->msg = m;
    snprintf(w->arg, sizeof w->arg, "%s", arg);
    return 0;
}

/* Refuses with the current line, up to the byte that broke it, as the message's argument. */
static int refuse_line(li__http_wire *w, unsigned status, li_msg m) {
    char text[sizeof w->arg];
    quote(text, sizeof text, w->excerpt, w->elen);
    return refuse(w, status, m, text);
}

static int refuse_value(li__http_wire *w, unsigned status, li_msg m) {
    char text[sizeof w->arg];
    quote(text, sizeof text, w->value,
          w->vallen > LI__HTTP_WIRE_VALUE_MAX ? LI__HTTP_WIRE_VALUE_MAX : w->vallen);
    return refuse(w, status, m, text);
}

static int too_long(li__http_wire *w) {
    char size[32];
    li__http_size_text(w->max_head, size, sizeof size);
    int request_line = w->state >= W_METHOD && w->state <= W_RL_CR;
    return refuse(w, request_line ? 414 : 431,
                  request_line ? LI_MSG_HTTP_URI_TOO_LONG : LI_MSG_HTTP_HEADERS_TOO_LARGE, size);
}

/*
 * The end of a request. One that asked for the connection to close
 * (Connection: close, or HTTP/1.0 without keep-alive) is its last: what
 * follows it is not a request (RFC 9112, 9.6); libmicrohttpd answers it
 * and closes.
 */
static void next_request(li__http_wire *w) {
    if (!w->connection_unread && (w->close || (w->http10 && !w->keep_alive))) {
        w->state = W_CLOSED;
        w->closed = 1;
        return;
    }
    w->state = W_START;
    w->head_bytes = 0;
    w->headers = 0;
    /* the next request's facts start afresh; a refusal before its method
     * names no earlier request */
    w->vlen = 0;
    w->http10 = 0;
    w->hosts = 0;
    w->te = 0;
    w->has_length = 0;
    w->length = 0;
    w->trailers = 0;
    w->close = 0;
    w->keep_alive = 0;
    w->connection_unread = 0;
    w->method_read = 0;
    w->method[0] = '\0';
    w->target[0] = '\0';
    line_reset(w);
}

static void keep_char(char *s, size_t cap, unsigned char c) {
    size_t n = strlen(s);
    if (n + 1 < cap) {
        s[n] = (char)c;
        s[n + 1] = '\0';
    }
}

/*
 * The Content-Length value: one number (a line repeated with the same
 * number is taken; a list "2, 2", which RFC 9110 allows, is refused:
 * libmicrohttpd would refuse it).
 */
static int read_length(li__http_wire *w) {
    unsigned digits = 0;
    uint64_t n = 0;
    if (w->vallen <= LI__HTTP_WIRE_VALUE_MAX)
        for (; digits < w->vallen && w->value[digits] >= '0' && w->value[digits] <= '9'; digits++)
            n = n * 10 + (uint64_t)(w->value[digits] - '0');
    if (digits == 0 || digits != w->vallen || digits > LENGTH_DIGITS_MAX ||
        (w->has_length && n != w->length))
        return refuse_value(w, 400, LI_MSG_HTTP_LENGTH_INVALID);
    w->has_length = 1;
    w->length = n;
    return 1;
}

/* The next token of a comma-separated list at *p (spaces around it skipped); its length. */
static size_t list_token(const char **p, const char *end, const char **tok) {
    while (*p < end && (**p == ' ' || **p == '\t' || **p == ','))
        (*p)++;
    *tok = *p;
    while (*p < end && **p != ',' && **p != ' ' && **p != '\t')
        (*p)++;
    return (size_t)(*p - *tok);
}

/*
 * Transfer-Encoding: only "chunked", once, in HTTP/1.1. Another coding
 * before it is one we do not decode (501); a body whose last coding is not
 * chunked, or chunked in HTTP/1.0, has no length that can be trusted: 400
 * (RFC 9112, 6.1 and 6.3).
 */
static int read_transfer_encoding(li__http_wire *w) {
    if (w->vallen > LI__HTTP_WIRE_VALUE_MAX)
        return refuse_value(w, 501, LI_MSG_HTTP_TRANSFER_ENCODING_UNSUPPORTED);
    const char *p = w->value, *end = w->value + w->vallen, *tok, *last = NULL;
    size_t n, last_n = 0, count = 0;
    while ((n = list_token(&p, end, &tok)) > 0) {
        last = tok;
        last_n = n;
        count++;
    }
    int chunked_last = last && last_n == 7 && strncasecmp(last, "chunked", 7) == 0;
    if (w->http10 || w->te != 0 || !chunked_last)
        return refuse_value(w, 400, LI_MSG_HTTP_TRANSFER_ENCODING_UNSUPPORTED);
    if (count > 1)
        return refuse_value(w, 501, LI_MSG_HTTP_TRANSFER_ENCODING_UNSUPPORTED);
    w->te = 1;
    return 1;
}

/*
 * Connection: "close" ends the connection after this request, "keep-alive"
 * keeps an HTTP/1.0 one. Split on commas only, each option trimmed, as
 * libmicrohttpd reads it ("close x" is no option of ours); a value longer
 * than what is kept is left to libmicrohttpd alone.
 */
static void read_connection(li__http_wire *w) {
    if (w->vallen > LI__HTTP_WIRE_VALUE_MAX) {
        w->connection_unread = 1;
        return;
    }
    const char *p = w->value, *end = w->value + w->vallen;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *a = p, *b = comma ? comma : end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (b - a == 5 && strncasecmp(a, "close", 5) == 0)
            w->close = 1;
        else if (b - a == 10 && strncasecmp(a, "keep-alive", 10) == 0)
            w->keep_alive = 1;
        if (!comma)
            return;
        p = comma + 1;
    }
}

static int end_of_header(li__http_wire *w) {
    unsigned kept = w->vallen > LI__HTTP_WIRE_VALUE_MAX ? LI__HTTP_WIRE_VALUE_MAX : w->vallen;
    unsigned n = kept;
    while (n > 0 && (w->value[n - 1] == ' ' || w->value[n - 1] == '\t'))
        n--;
    w->value[kept] = '\0';
    w->state = W_LINE;
    line_reset(w);
    if (w->trailers)
        return 1;
    /* libmicrohttpd 0.9.75 reads these two with their trailing spaces: it
     * refuses such a length with its own page, and takes such a
     * "chunked " for no coding at all; so do not trim them, refuse them */
    int framing =
        strcmp(w->name, "content-length") == 0 || strcmp(w->name, "transfer-encoding") == 0;
    if (framing && n != kept)
        return refuse_value(w, 400,
                            w->name[0] == 'c' ? LI_MSG_HTTP_LENGTH_INVALID
                                              : LI_MSG_HTTP_TRANSFER_ENCODING_UNSUPPORTED);
    if (w->vallen <= LI__HTTP_WIRE_VALUE_MAX)
        w->vallen = n;
    w->value[n] = '\0';
    if (strcmp(w->name, "host") == 0) {
        if (++w->hosts > 1)
            return refuse(w, 400, LI_MSG_HTTP_HOST_INVALID, "répété");
    } else if (strcmp(w->name, "content-length") == 0) {
        return read_length(w);
    } else if (strcmp(w->name, "transfer-encoding") == 0) {
        return read_transfer_encoding(w);
    } else if (strcmp(w->name, "connection") == 0) {
        read_connection(w);
    }
    return 1;
}

static int end_of_head(li__http_wire *w) {
    if (w->trailers) {
        w->trailers = 0;
        next_request(w);
        return 1;
    }
    if (!w->http10 && w->hosts == 0)
        return refuse(w, 400, LI_MSG_HTTP_HOST_INVALID, "absent");
    if (w->te && w->has_length) {
        char n[24];
        snprintf(n, sizeof n, "%llu", (unsigned long long)w->length);
        return refuse(w, 400, LI_MSG_HTTP_FRAMING_AMBIGUOUS, n);
    }
    w->requests++;
    line_reset(w);
    if (w->te) {
        w->state = W_CH_SIZE;
        w->digits = 0;
        w->left = 0;
    } else if (w->has_length && w->length > 0) {
        w->state = W_BODY;
        w->left = w->length;
    } else
        next_request(w);
    return 1;
}

static int end_of_chunk_size(li__http_wire *w) {
    line_reset(w);
    if (w->left > 0) {
        w->state = W_CH_DATA;
        return 1;
    }
    /* the last chunk: trailers, read as headers and not used; they count
     * with the head (libmicrohttpd keeps both in the same memory) */
    w->trailers = 1;
    w->state = W_LINE;
    return 1;
}

static int next_chunk(li__http_wire *w) {
    line_reset(w);
    w->state = W_CH_SIZE;
    w->digits = 0;
    w->left = 0;
    return 1;
}

/* The request line: METHOD SP target SP HTTP/d.d, checked byte by byte. */
static int request_line_byte(li__http_wire *w, unsigned char c) {
    static const char proto[] = "HTTP/";
    switch (w->state) {
    case W_START:
        if (c == '\r') {
            w->state = W_START_CR;
            return 1;
        }
        if (c == '\n') {
            line_reset(w);
            return 1;
        }
        if (!is_tchar(c))
            return refuse_line(w, 400, LI_MSG_HTTP_REQUEST_LINE_INVALID);
        keep_char(w->method, sizeof w->method, c);
        w->state = W_METHOD;
        return 1;
    case W_START_CR:
        if (c != '\n')
            return refuse_line(w, 400, LI_MSG_HTTP_REQUEST_LINE_INVALID);
        line_reset(w);
        w->state = W_START;
        return 1;
    case W_METHOD:
        if (c == ' ') {
            w->method_read = 1;
            w->state = W_TARGET0;
            return 1;
        }
        if (!is_tchar(c))
            return refuse_line(w, 400, LI_MSG_HTTP_REQUEST_LINE_INVALID);
        keep_char(w->method, sizeof w->method, c);
        return 1;
    case W_TARGET0:
    case W_TARGET:
        if (c == ' ' && w->state == W_TARGET) {
            w->state = W_VERSION;
            return 1;
        }
        if (!is_visible(c))
            return refuse_line(w, 400, LI_MSG_HTTP_REQUEST_LINE_INVALID);
        keep_char(w->target, sizeof w->target, c);
        w->state = W_TARGET;
        return 1;
    case W_VERSION:
        if (c == '\r' || c == '\n') {
            if (w->vlen != 8)
                return refuse_line(w, 400, LI_MSG_HTTP_REQUEST_LINE_INVALID);
            w->version[8] = '\0';
            if (w->version[5] != '1')
                return refuse(w, 505, LI_MSG_HTTP_VERSION_UNSUPPORTED, w->version);
            w->http10 = w->version[7] == '0';
            w->state = c == '\r' ? W_RL_CR : W_LINE;
            if (c == '\n')
                line_reset(w);
            return 1;
        }
        /* "HTTP/", a digit, '.', a digit */
        if (w->vlen >= 8 || (w->vlen < 5 && c != (unsigned char)proto[w->vlen]) ||
            ((w->vlen == 5 || w->vlen == 7) && !(c >= '0' && c <= '9')) ||
            (w->vlen == 6 && c != '.'))
            return refuse_line(w, 400, LI_MSG_HTTP_REQUEST_LINE_INVALID);
        w->version[w->vlen++] = (char)c;
        return 1;
    case W_RL_CR:
        if (c != '\n')
            return refuse_line(w, 400, LI_MSG_HTTP_REQUEST_LINE_INVALID);
        w->state = W_LINE;
        line_reset(w);
        return 1;
    }
    return refuse_line(w, 400, LI_MSG_HTTP_REQUEST_LINE_INVALID);
}

/* A header line (or a trailer): Name ":" OWS value OWS, no folding, no control byte. */
static int header_byte(li__http_wire *w, unsigned char c) {
    switch (w->state) {
    case W_LINE:
        if (c == '\r') {
            w->state = W_END_CR;
            return 1;
        }
        if (c == '\n')
            return end_of_head(w);
        if (!is_tchar(c)) /* a space or a tab here is the obsolete line folding */
            return refuse_line(w, 400, LI_MSG_HTTP_HEADER_INVALID);
        if (++w->headers > LI__HTTP_WIRE_HEADERS_MAX) {
            char n[16];
            snprintf(n, sizeof n, "%d", LI__HTTP_WIRE_HEADERS_MAX);
            return refuse(w, 431, LI_MSG_HTTP_TOO_MANY_HEADERS, n);
        }
        w->nlen = 0;
        w->name[0] = '\0';
        /* fall through */
    case W_NAME:
        if (c == ':' && w->state == W_NAME) {
            w->vallen = 0;
            w->state = W_OWS;
            return 1;
        }
        if (!is_tchar(c))
            return refuse_line(w, 400, LI_MSG_HTTP_HEADER_INVALID);
        if (w->nlen + 1 < sizeof w->name) {
            w->name[w->nlen++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            w->name[w->nlen] = '\0';
        } else
            w->name[0] = '\0'; /* longer than any name read here */
        w->state = W_NAME;
        return 1;
    case W_OWS:
        if (c == ' ' || c == '\t')
            return 1;
        /* fall through */
    case W_VALUE:
        if (c == '\r') {
            w->state = W_CR;
            return 1;
        }
        if (c == '\n')
            return end_of_header(w);
        if (c != ' ' && c != '\t' && !is_visible(c))
            return refuse_line(w, 400, LI_MSG_HTTP_HEADER_INVALID);
        if (w->vallen < LI__HTTP_WIRE_VALUE_MAX)
            w->value[w->vallen] = (char)c;
        if (w->vallen <= LI__HTTP_WIRE_VALUE_MAX)
            w->vallen++;
        w->state = W_VALUE;
        return 1;
    case W_CR:
        if (c != '\n')
            return refuse_line(w, 400, LI_MSG_HTTP_HEADER_INVALID);
        return end_of_header(w);
    case W_END_CR:
        if (c != '\n')
            return refuse_line(w, 400, LI_MSG_HTTP_HEADER_INVALID);
        return end_of_head(w);
    }
    return refuse_line(w, 400, LI_MSG_HTTP_HEADER_INVALID);
}

/* The lines around chunk data: size [; extensions] CRLF, and the CRLF after the data. */
static int chunk_byte(li__http_wire *w, unsigned char c) {
    int h;
    switch (w->state) {
    case W_CH_SIZE:
        if ((h = li_text_hex_digit((unsigned char)c)) >= 0) {
            if (++w->digits > CHUNK_DIGITS_MAX)
                return refuse_line(w, 400, LI_MSG_HTTP_CHUNK_INVALID);
            w->left = w->left * 16 + (uint64_t)h;
            return 1;
        }
        if (w->digits == 0)
            return refuse_line(w, 400, LI_MSG_HTTP_CHUNK_INVALID);
        if (c == ';') {
            w->state = W_CH_EXT;
            return 1;
        }
        if (c == '\r') {
            w->state = W_CH_CR;
            return 1;
        }
        if (c == '\n')
            return end_of_chunk_size(w);
        return refuse_line(w, 400, LI_MSG_HTTP_CHUNK_INVALID);
    case W_CH_EXT:
        if (c == '\r') {
            w->state = W_CH_CR;
            return 1;
        }
        if (c == '\n')
            return end_of_chunk_size(w);
        /* name[=value] pairs, tokens or quoted: no space, as libmicrohttpd reads them */
        if (!is_tchar(c) && c != '=' && c != ';' && c != '"')
            return refuse_line(w, 400, LI_MSG_HTTP_CHUNK_INVALID);
        return 1;
    case W_CH_CR:
        if (c != '\n')
            return refuse_line(w, 400, LI_MSG_HTTP_CHUNK_INVALID);
        return end_of_chunk_size(w);
    case W_CH_DATA_END:
        if (c == '\r') {
            w->state = W_CH_DATA_LF;
            return 1;
        }
        if (c == '\n')
            return next_chunk(w);
        return refuse_line(w, 400, LI_MSG_HTTP_CHUNK_INVALID);
    case W_CH_DATA_LF:
        if (c != '\n')
            return refuse_line(w, 400, LI_MSG_HTTP_CHUNK_INVALID);
        return next_chunk(w);
    }
    return refuse_line(w, 400, LI_MSG_HTTP_CHUNK_INVALID);
}

static int step(li__http_wire *w, unsigned char c) {
    if (in_head(w->state)) {
        line_keep(w, c);
        if (++w->head_bytes > w->max_head)
            return too_long(w);
        return w->state <= W_RL_CR ? request_line_byte(w, c) : header_byte(w, c);
    }
    line_keep(w, c);
    if (++w->line_bytes > LI__HTTP_WIRE_CHUNK_LINE_MAX)
        return refuse_line(w, 400, LI_MSG_HTTP_CHUNK_INVALID);
    return chunk_byte(w, c);
}

size_t li__http_wire_feed(li__http_wire *w, const char *p, size_t n) {
    size_t i = 0;
    while (i < n && w->state != W_REFUSED && w->state != W_CLOSED) {
        if (w->state == W_BODY || w->state == W_CH_DATA) {
            /* the body itself: taken whole, as far as it goes */
            uint64_t take = n - i < w->left ? n - i : w->left;
            i += (size_t)take;
            w->left -= take;
            if (w->left == 0) {
                if (w->state == W_BODY)
                    next_request(w);
                else {
                    w->state = W_CH_DATA_END;
                    line_reset(w);
                }
            }
            continue;
        }
        if (!step(w, (unsigned char)p[i]))
            break;
        i++;
    }
    return i;
}
