/*
 * csvInt.h — what the two halves of the CSV backend share: the parser's
 * state, and the tokenizer (csvtok.c) that csv.c calls once per record.
 *
 * csv.c owns the buffer, the reading and the rows; csvtok.c splits one
 * record of the buffer into fields. Fields are kept as offsets (into the
 * buffer, or into the per-record scratch area, which may move when it
 * grows) and become li_slice only when a row is handed out.
 */
#ifndef LEADIMPORT_CSV_INT_H
#define LEADIMPORT_CSV_INT_H

#include <stddef.h>
#include <stdint.h>

#include "readerInt.h"

/* A field of the current record: bytes of the buffer, or of the scratch area. */
typedef struct li__csv_field {
    size_t off, len;
    int in_scratch;
} li__csv_field;

/* Outcome of li__csv_tokenize(). */
enum {
    LI__TK_DONE,         /* a whole record */
    LI__TK_MORE,         /* cut by the end of the buffer: read more, parse again */
    LI__TK_EOF_QUOTED,   /* the file ends inside a quoted field */
    LI__TK_LIMIT_QUOTED, /* max_row bytes read inside a quoted field */
    LI__TK_LIMIT_START,  /* max_row bytes read, at the start of a field */
    LI__TK_LIMIT_FIELD,  /* max_row bytes read, inside an unquoted field */
    LI__TK_NOMEM,
};

typedef struct li__csv {
    li_reader *r;
    int utf16;
    int delim;
    int esc;                 /* '\\': backslash escapes inside quoted fields; 0: RFC 4180 */
    unsigned char stop[256]; /* bytes that end a run of unquoted text */

    unsigned char *buf; /* [cons, end) is read but not parsed yet */
    size_t cap, max_cap, cons, end;
    int eof;            /* nothing more comes after end */
    uint64_t cons_src;  /* offset in the file of buf[cons] */
    unsigned char *raw; /* UTF-16 only: undecoded block */
    li__utf16 u16;

    char *scratch; /* values that are not bytes of buf, for the current record */
    size_t scap, slen;
    li__csv_field *f; /* the current record's fields (at most max_columns) */
    size_t fcap, nf, ncol;
    li_slice *sl; /* the fields handed out */
    size_t slcap;

    uint64_t line_no; /* row number of the next line */
    size_t expected;  /* field count of every row; 0 = not known yet */
    int rank;         /* rank of row.problem */
    size_t qopen;     /* buf index of the opening quote of the last quoted field tokenized */
    li_row row;
} li__csv;

/* Clears the current record: no field, no problem. */
void li__csv_reset_record(li__csv *c);

/*
 * Sets the row's problem to m (formatted with a, b as its format needs)
 * unless a graver one is set: one problem per row, the gravest wins.
 */
void li__csv_set_problem(li__csv *c, li_msg m, size_t a, size_t b);

/* Makes room for n more bytes in the scratch area. 0, or -1 if out of memory. */
int li__csv_scratch_reserve(li__csv *c, size_t n);

/*
 * Splits the record that starts at buf[s] into fields (c->f).
 *
 * Reads only bytes below end (eof: nothing comes after end) and accepts no
 * field content at or beyond limit (= s + max_row): at limit only a line
 * terminator may start. Every decision depends only on the bytes from s, so
 * that a record gives the same result wherever the reads fell.
 *
 * Returns LI__TK_DONE with *rec_end after the record's terminator (or at the
 * end of the file), LI__TK_MORE when bytes past end are needed (then end <=
 * limit + 1), or one of the other LI__TK_ outcomes with the fields read so far.
 */
int li__csv_tokenize(li__csv *c, size_t s, size_t end, int eof, size_t limit, size_t *rec_end);

/* The bytes of field f (valid until the scratch area grows or the buffer moves). */
static inline const char *li__csv_field_ptr(const li__csv *c, const li__csv_field *f) {
    return f->in_scratch ? c->scratch + f->off : (const char *)c->buf + f->off;
}

#endif
