/*
 * readerInt.h — what the files of the read module share: the backend table
 * behind li_reader, and the decoder that turns any supported encoding into
 * UTF-8 block by block.
 */
#ifndef LEADIMPORT_READER_INT_H
#define LEADIMPORT_READER_INT_H

#include <stdint.h>

#include "leadimport/reader.h"

/* --- decoder (decode.c) -------------------------------------------------- */

typedef enum li__enc {
    LI__ENC_UTF8 = 0,
    LI__ENC_CP1252,
    LI__ENC_UTF16LE,
    LI__ENC_UTF16BE,
} li__enc;

const char *li__enc_name(li__enc e);
/* Parses a canonical encoding name; returns -1 if unknown. */
int li__enc_parse(const char *name);

/*
 * Detects the encoding of a file from its first bytes: byte-order marks,
 * then UTF-16 by its NUL pattern, then UTF-8 if the sample is valid UTF-8
 * (a sequence cut by the end of the sample is fine), else Windows-1252.
 * *bom gets the length of the byte-order mark to skip (0 if none).
 */
li__enc li__enc_detect(const unsigned char *p, size_t n, size_t *bom);

/* 1 if p[0..n) is valid UTF-8. */
int li__utf8_valid(const unsigned char *p, size_t n);

/*
 * Decodes src[0..n) to UTF-8 into dst (which holds at least 3 * n bytes).
 * For UTF-16, *consumed may be less than n when the block ends inside a
 * code unit or a surrogate pair: the rest must be passed again with more
 * bytes. Returns the number of bytes written.
 */
size_t li__decode(li__enc e, const unsigned char *src, size_t n, char *dst, size_t *consumed);

/* Source bytes that the UTF-8 text p[0..n) came from (for offsets). */
uint64_t li__source_len(li__enc e, const char *p, size_t n);

/*
 * Appends p[0..n) to out as UTF-8, reading every byte that is not part of
 * a valid UTF-8 sequence as Windows-1252. out holds at least 3 * n bytes.
 * Returns the length written.
 */
size_t li__utf8_repair(const char *p, size_t n, char *out);

/* --- backends ------------------------------------------------------------ */

typedef struct li__reader_vt {
    const char *name;
    li_status (*next)(li_reader *r, const li_row **row, li_error *err);
    uint64_t (*position)(const li_reader *r);
    void (*free)(li_reader *r);
} li__reader_vt;

/* Every backend's handle starts with this. */
struct li_reader {
    const li__reader_vt *vt;
    li_reader_info info;
    const li_slice *header;
    size_t nheader;
};

/* Opens the CSV backend on fd (owned from then on, closed by its free). */
li_status li__csv_open(int fd, const char *path, uint64_t size, const li_reader_opts *o,
                       li_reader **out, li_error *err);

#endif
