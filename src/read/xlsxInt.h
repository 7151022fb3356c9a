/*
 * xlsxInt.h — what the files of the XLSX backend share: reading zip
 * entries with limits, also ahead on a thread of their own (xlsx_zip.c),
 * expat parsers that refuse DTDs for the small parts (xlsx_zip.c; the
 * sheet and the shared strings go through xmlscan.h), and turning cell
 * values into text (xlsx_num.c). xlsx.c
 * holds the backend itself: package parts, shared strings, the sheet
 * stream and the rows.
 */
#ifndef LEADIMPORT_XLSX_INT_H
#define LEADIMPORT_XLSX_INT_H

#include <expat.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <zip.h>

#include "readerInt.h"

#define LI__XLSX_BLOCK (256u * 1024u) /* bytes inflated per zip_fread */
/*
 * Zip-bomb limits, checked on the bytes actually inflated (never on the
 * sizes the zip headers claim): an entry may not inflate to more than
 * LI__XLSX_MAX_RATIO times its compressed size once past
 * LI__XLSX_RATIO_GRACE bytes (small parts such as styles compress very
 * well), and all entries together not to more than r->max_inflated.
 */
#define LI__XLSX_MAX_RATIO 250u
#define LI__XLSX_RATIO_GRACE (8u * 1024u * 1024u)
#define LI__XLSX_MAX_SMALL_PART (64u * 1024u * 1024u) /* rels, workbook, styles */
#define LI__XLSX_MAX_ENTRIES 100000
/*
 * Shared strings are the other way to amplify: one string, stored once,
 * may be named by every cell of the sheet. The text the sheet's
 * shared-string cells expand to is counted while reading, and may not pass
 * LI__XLSX_MAX_RATIO times the file's size once past
 * LI__XLSX_SHARED_GRACE bytes.
 */
#define LI__XLSX_SHARED_GRACE (64u * 1024u * 1024u)
/*
 * A cell over max_field is a row error (field_too_long) and is handed out
 * cut to its first LI__XLSX_PREVIEW bytes followed by "…", enough for the
 * report to show which value it was: never the whole value, which a shared
 * string could repeat on every row.
 */
#define LI__XLSX_PREVIEW 200u

/*
 * An open zip archive and what has been inflated from it. libzip is not
 * thread-safe: every call on the archive holds lock, so that an entry
 * inflated ahead by another thread (li__zip_ahead) and one opened meanwhile
 * by the reader do not meet inside libzip.
 */
typedef struct li__zip {
    zip_t *z;
    li_reader *r;      /* path for messages, max_inflated */
    uint64_t inflated; /* bytes inflated from every entry so far */
    pthread_mutex_t lock;
    int locking; /* lock is initialised */
} li__zip;

/* One entry being inflated. */
typedef struct li__zip_part {
    li__zip *zip;
    zip_file_t *f;
    char name[256];
    uint64_t comp; /* compressed size (header, capped at the file size) */
    uint64_t size; /* uncompressed size the header claims (for progress only) */
    uint64_t got;  /* bytes inflated so far */
    uint64_t max;  /* limit of this entry */
} li__zip_part;

/*
 * Opens the archive of r->path and checks every entry name (no absolute
 * path, no "..", no two entries of the same name, ASCII case ignored, at
 * most LI__XLSX_MAX_ENTRIES). LI_OK, or LI_EFORMAT (not a zip, truncated,
 * unsafe or repeated names), LI_EIO, LI_ENOMEM with err set.
 * li__zip_close() accepts a failed or zeroed z.
 */
li_status li__zip_open(li__zip *z, li_reader *r, li_error *err);
void li__zip_close(li__zip *z);

/* 1 if the archive has an entry of that name (ASCII case ignored). */
int li__zip_has(li__zip *z, const char *name);

/*
 * Opens entry name for inflating, at most max bytes. LI_ENOTFOUND (err not
 * set) when absent. On success *out is freed by li__zip_part_close().
 */
li_status li__zip_part_open(li__zip *z, const char *name, uint64_t max, li__zip_part **out,
                            li_error *err);
/*
 * Inflates up to n bytes into buf; *got = 0 at the end of the entry.
 * Checks the limits on the way: LI_EFORMAT (bomb, corrupt data) with err.
 */
li_status li__zip_part_read(li__zip_part *p, void *buf, size_t n, size_t *got, li_error *err);
void li__zip_part_close(li__zip_part *p);

/*
 * An entry inflated ahead by a thread of its own, LI__AHEAD_BLOCKS blocks
 * of LI__XLSX_BLOCK bytes at most, while the caller scans what came before:
 * inflating is a third of reading a workbook, and the second core is idle
 * while the shared strings load. li__zip_ahead_read() is li__zip_part_read()
 * for the caller (the same bytes, limits and errors, in the same order).
 * The part stays the caller's; stop before closing it.
 */
#define LI__AHEAD_BLOCKS 4
typedef struct li__zip_ahead li__zip_ahead;
li_status li__zip_ahead_start(li__zip_part *p, li__zip_ahead **out, li_error *err);
li_status li__zip_ahead_read(li__zip_ahead *a, void *buf, size_t n, size_t *got, li_error *err);
/* Stops the thread and frees a (NULL accepted). */
void li__zip_ahead_stop(li__zip_ahead *a);

/*
 * An expat parser that refuses any DTD: a <!DOCTYPE> or an entity
 * declaration stops it at once (billion laughs fail on the first line),
 * and external entities are never loaded. Put it first in a handler's
 * context so that the handlers can find it from their user data.
 */
typedef struct li__xml {
    XML_Parser p;
    const char *part; /* name of the part, for messages */
    int refused;      /* a DTD was seen */
    li_status rc;     /* set by a handler that aborts (LI_ENOMEM...) */
    li_error *err;    /* where such a handler writes its message */
} li__xml;

/* Creates x->p with user data ctx (whose first member is x). LI_OK or LI_ENOMEM. */
li_status li__xml_init(li__xml *x, void *ctx, const char *part, li_error *err);

/*
 * The same with namespace processing: element and prefixed attribute names
 * reach the handlers as "URI|local" (LI__XML_NS_SEP), unprefixed
 * attributes as "local", and xmlns attributes not at all. For the parts
 * where an element of another namespace may bear a name of the main one
 * (x14:workbookPr beside workbookPr).
 */
#define LI__XML_NS_SEP '|'
li_status li__xml_init_ns(li__xml *x, void *ctx, const char *part, li_error *err);
void li__xml_free(li__xml *x);

/* Aborts the parse from a handler with status rc (err already set, or set here to ENOMEM). */
void li__xml_abort(li__xml *x, li_status rc);

/* Turns a failed parse (XML_STATUS_ERROR) into a status and a French message. */
li_status li__xml_error(li__xml *x, li_reader *r, li_error *err);

/* Parses a whole entry with x (handlers already set). LI_ENOTFOUND if absent. */
li_status li__xml_parse_part(li__xml *x, li__zip *z, const char *name, uint64_t max, li_error *err);

/* Local name of an XML name: what follows the last ':' (namespace prefixes ignored). */
static inline const char *li__xml_local(const char *name) {
    const char *s = name;
    for (const char *p = name; *p; p++)
        if (*p == ':')
            s = p + 1;
    return s;
}

/* --- xlsx_sst.c: the shared-string table ---------------------------------- */

#define LI__SPILL_BLOCK 4096u /* bytes a spilled table is read by (a page) */

/* A temporary file of a spilled table, and its cache of blocks. */
typedef struct li__spill {
    int fd;          /* when open; unlinked at creation */
    int open;
    size_t nblocks;  /* slots of the direct-mapped cache */
    char *mem;       /* nblocks * LI__SPILL_BLOCK bytes */
    uint64_t *tag;   /* block number + 1 each slot holds, 0 = none */
} li__spill;

/*
 * The shared strings, string i of n: in memory (buf, 32-bit offsets off)
 * until they take more than memory bytes, then in two temporary files
 * (data: the strings; index: n + 1 64-bit offsets) read through caches.
 * The top bit of an offset marks a string over max_field, kept cut.
 */
typedef struct li__sst {
    const char *path;  /* the workbook, for messages (borrowed) */
    uint64_t memory;   /* bytes held in memory before spilling */
    size_t max_string; /* the longest string kept (cell_max) */
    char *buf;         /* memory: the arena; spilled: the write buffer */
    size_t len, cap;
    uint32_t *off; /* memory: n + 1 offsets */
    size_t offcap;
    size_t n;
    int spilled;
    uint64_t written; /* spilled: bytes of strings in the data file */
    uint64_t *ibuf;   /* spilled: offsets not yet written */
    size_t ilen;
    li__spill data, index;
    char *scratch; /* spilled: the string li__sst_get() hands out */
} li__sst;

/* An empty table of a workbook (path borrowed); memory 0 = the largest allowed. */
void li__sst_init(li__sst *t, const char *path, uint64_t memory, size_t max_string);
/*
 * Reading the table: the string being read starts at li__sst_mark(); its
 * text is appended by li__sst_append(), may be rewritten in place at
 * t->buf + start (decoded, cut), and is recorded by li__sst_add() with its
 * final length. Both may write to the temporary files: LI_OK, LI_ENOMEM,
 * or a status of the disk (LI_ENOSPACE...) with XLSX_TEMP_FAILED.
 */
static inline size_t li__sst_mark(const li__sst *t) {
    return t->len;
}
li_status li__sst_append(li__sst *t, const char *s, size_t n, li_error *err);
li_status li__sst_add(li__sst *t, size_t start, size_t len, int too_long, li_error *err);
/* The table is complete: the files are written out and the caches made. */
li_status li__sst_finish(li__sst *t, li_error *err);
/*
 * String i (< t->n) as *s[0..*n), valid until the next call; *too_long
 * when it was over max_field (kept cut). LI_OK or a read error.
 */
li_status li__sst_get(li__sst *t, size_t i, const char **s, size_t *n, int *too_long,
                      li_error *err);
/* Frees the table and closes (so removes) its files. Accepts a zeroed t. */
void li__sst_free(li__sst *t);

/* --- xlsx_num.c ---------------------------------------------------------- */

/* What a cell style's number format means for the value. */
enum {
    LI__NUMFMT_GENERAL = 0,
    LI__NUMFMT_DATE = 1,
    LI__NUMFMT_ZEROPAD = 2,
    LI__NUMFMT_DURATION = 3
};

/*
 * Kind of built-in number format id (14-22, 27-36, 45, 47, 50-58 are
 * dates; 46, [h]:mm:ss, a duration).
 */
int li__xlsx_builtin_kind(unsigned id);

/*
 * Kind of the custom format code: a DURATION when its first section has an
 * elapsed-time token ([h], [mm], [ss]...), else a date when it has a d, m,
 * y, h or s token outside quoted text, escapes and [...] sections; ZEROPAD
 * ("00000", postal codes) with *pad = the number of zeros.
 */
int li__xlsx_format_kind(const char *code, unsigned *pad);

#define LI__XLSX_NUM_MAX 400 /* room li__xlsx_number() may need */

/*
 * Writes the numeric cell text v[0..n) as a spreadsheet user expects to
 * read it: general numbers without exponent and without lost digits
 * (integral values as integers, others as the shortest decimal that reads
 * back to the same double), dates as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS,
 * times of day alone as HH:MM:SS, durations as the total hours, minutes
 * and seconds H:MM:SS (at least two digits of hours: 1.5208333 days is
 * "36:30:00", a negative one "-01:30:00"), ZEROPAD integers zero-padded. out has
 * LI__XLSX_NUM_MAX bytes. Returns the length written; text that is not a
 * number is copied as it is (at most LI__XLSX_NUM_MAX - 1 bytes).
 */
size_t li__xlsx_number(const char *v, size_t n, int kind, unsigned pad, int date1904, char *out);

/*
 * Decodes the OOXML escapes _xHHHH_ of s[0..n) in place (_x005F_ is '_');
 * returns the new length (never longer).
 */
size_t li__xlsx_unescape(char *s, size_t n);

#endif
