/*
 * xmlscan.h — private to src/read: a pull scanner for the two big parts of
 * a workbook, the sheet and the shared strings, where expat's general
 * machinery was 60 % of reading a workbook (bench/README.md, "XLSX").
 *
 * It reads the XML those parts are written in, and checks what a reader of
 * them relies on: elements properly nested and closed, one root, attribute
 * values quoted and not repeated, the five predefined entities and
 * character references (code points XML allows), UTF-8 text without the
 * control characters XML forbids, CDATA sections, comments and processing
 * instructions skipped. Line ends in text become "\n" as XML says. A
 * <!DOCTYPE> is refused (xlsx_unsafe), like every other part's: no entity
 * is ever declared, so none is ever expanded.
 *
 * It does not resolve namespaces: names are handed out as their local part
 * (what follows the last ':'), as the backend matched them with expat.
 *
 * Encodings: UTF-8 (with or without a byte-order mark) and UTF-16 (by its
 * byte-order mark or its NUL pattern), the two that Office Open XML allows
 * for its parts (ECMA-376 part 2); UTF-16 is decoded to UTF-8 on the way
 * in, and offsets then count the decoded bytes. Another encoding declared
 * is refused by name.
 *
 * Limits: one tag, comment or processing instruction of at most
 * LI__XS_MAX_MARKUP bytes, elements nested LI__XS_MAX_DEPTH deep. Text is
 * handed out in pieces of any length (a long value is several TEXT
 * tokens), so that memory stays bounded by the limits whatever the file.
 */
#ifndef LEADIMPORT_READ_XMLSCAN_H
#define LEADIMPORT_READ_XMLSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "encoding.h"
#include "leadimport/error.h"

#define LI__XS_MAX_MARKUP (1u << 20)
#define LI__XS_MAX_DEPTH 256u

typedef enum li__xs_kind {
    LI__XS_START, /* a start tag (an empty element gives START then END) */
    LI__XS_END,
    LI__XS_TEXT, /* character data, decoded (a piece of it: several may follow) */
    LI__XS_EOF   /* the document is complete */
} li__xs_kind;

/* An attribute of a start tag: its local name and its decoded value. */
typedef struct li__xs_attr {
    const char *name, *value;
    size_t name_len, value_len;
    const char *qname; /* the name as written (prefix:local) */
    size_t qname_len;
    int xmlns; /* a namespace declaration (xmlns, xmlns:p): not a real attribute */
} li__xs_attr;

/* Where the scanner reads its bytes: like li__zip_part_read (*got = 0 at the end). */
typedef li_status (*li__xs_read_fn)(void *src, void *buf, size_t n, size_t *got, li_error *err);

typedef struct li__xs {
    /* the source */
    li__xs_read_fn read;
    void *src;
    const char *path; /* the file, for messages (borrowed) */
    const char *part; /* the part, for messages (borrowed) */
    size_t block;     /* bytes asked of the source per read */
    /*
     * Set by the caller as it goes: the spreadsheet row being read (in_row)
     * or last read, named in a message, which a user can find in Excel
     * (a byte offset only says where in the XML). 0: none.
     */
    uint64_t row_hint;
    int in_row;
    uint64_t raw;     /* bytes read from the source */
    int eof;          /* the source is exhausted */
    int utf16;        /* decoding UTF-16 (set at the start) */
    li__utf16 u16;
    unsigned char *rawbuf; /* UTF-16: the bytes before decoding */

    /* the window: buf[pos..len) not scanned yet; buf[0] is at offset base */
    char *buf;
    size_t cap, len, pos;
    uint64_t base;

    /* the document */
    int started;    /* byte-order mark and XML declaration done */
    int root_done;  /* the root element is closed */
    int seen_root;
    int in_cdata;
    uint64_t cdata_at; /* where the open CDATA section starts */
    int empty_end;  /* the start tag just handed out was empty: its END comes next */
    char *names;    /* qualified names of the open elements, each followed by '\0' */
    size_t names_len, names_cap;
    size_t depth;
    size_t name_at[LI__XS_MAX_DEPTH]; /* where each open element's name starts in names */

    /* the token */
    li__xs_kind kind;
    const char *name; /* START, END: local name (not NUL-terminated) */
    size_t name_len;
    li__xs_attr *attrs; /* START */
    size_t nattrs, attrs_cap;
    char *text; /* TEXT: decoded in place, may be written to until the next call */
    size_t text_len;
    uint64_t start, end; /* the token's offsets in the (decoded) part: '<' and just past '>' */
} li__xs;

/*
 * Starts scanning the bytes read(src...) gives, of part (for messages) in
 * the file path. LI_OK or LI_ENOMEM. li__xs_free() accepts a zeroed or
 * failed x.
 */
li_status li__xs_init(li__xs *x, li__xs_read_fn read, void *src, const char *path,
                      const char *part, li_error *err);
void li__xs_free(li__xs *x);

/*
 * Reads by blocks of n bytes (32 to the default, 256 KiB) instead: for the
 * tests, where small blocks make every way a text is cut between two reads
 * happen in a small document. Call it before the first li__xs_next().
 */
void li__xs_set_block(li__xs *x, size_t n);

/*
 * The next token into x->kind and its fields, valid until the next call.
 * LI_OK; LI_EFORMAT with xlsx_corrupt (malformed XML, where) or
 * xlsx_unsafe (a DTD); an error of the source; LI_ENOMEM.
 */
li_status li__xs_next(li__xs *x, li_error *err);

/* The value of the attribute of local name n of the current START token, or NULL. */
const li__xs_attr *li__xs_attr_get(const li__xs *x, const char *n);

/* 1 if the token is the name n (local name). */
static inline int li__xs_is(const li__xs *x, const char *n, size_t len) {
    return x->name_len == len && __builtin_memcmp(x->name, n, len) == 0;
}

#endif
