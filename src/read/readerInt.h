/*
 * readerInt.h — what the files of the read module share, and nothing else
 * sees: the reader handle, the table of functions a backend (csv.c,
 * xlsx.c) fills in, and the sniffing heuristics of sniff.c.
 *
 * reader.c owns the handle: it validates the options, opens the file,
 * hands a zip to the xlsx backend, refuses OLE2 and binary files, settles
 * the encoding of text, then hands the reader to a backend whose open()
 * finishes the job (delimiter or sheet, header row) and whose next()
 * produces the rows.
 */
#ifndef LEADIMPORT_READER_INT_H
#define LEADIMPORT_READER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "encoding.h"
#include "leadimport/reader.h"

typedef struct li__reader_backend li__reader_backend;

struct li_reader {
    const li__reader_backend *backend;
    void *ctx;  /* the backend's state, freed by its close() */
    int fd;     /* the open file, closed by li_reader_free() */
    char *path; /* owned copy, for messages */
    li_reader_info info;

    /* options, resolved: limits > 0, encoding decided */
    size_t max_field, max_row, max_columns;
    int opt_delimiter; /* 0 = detect */
    int opt_header;    /* -1 = detect, 0, 1 */
    uint64_t resume_offset, resume_row;
    const char *opt_sheet; /* xlsx: opts.sheet, valid only while the backend opens */
    uint64_t max_inflated; /* xlsx: bytes all zip entries may inflate to */
    uint64_t sst_memory;   /* xlsx: shared strings held in memory before they spill */
    uint64_t sample_strings; /* xlsx: shared strings read at open (0: all), li_reader_opts */
    li_file_id opened;     /* the file when opened (opts.expect when given): li_reader_changed() */
    li__enc enc;
    size_t bom_len; /* bytes of byte-order mark before the data */

    /* the header row, owned (li__reader_set_header) */
    li_slice *header;
    size_t nheader;
    char *header_bytes;
};

struct li__reader_backend {
    const char *name; /* li_reader_opts.format and li_reader_info.format */
    /*
     * Finishes opening r: detects what the options leave open (sample[0..n)
     * holds the first bytes of the file, n > 0), reads the header row if
     * any, fills r->info and positions the reader on the first data row (or
     * at opts.resume_offset). Sets r->ctx; on failure li_reader_free() still
     * calls close(), which must accept a half-built state.
     */
    li_status (*open)(li_reader *r, const unsigned char *sample, size_t n, li_error *err);
    /* li_reader_next() */
    li_status (*next)(li_reader *r, const li_row **row, li_error *err);
    /* li_reader_position() */
    uint64_t (*position)(const li_reader *r);
    /* Frees r->ctx (may be NULL). Does not close r->fd. */
    void (*close)(li_reader *r);
    /* li_reader_sheets(); NULL for a format without sheets */
    li_status (*sheets)(li_reader *r, const li_sheet_info **out, size_t *n, li_error *err);
};

/* Why a file is no workbook (LI_MSG_XLSX_NOT_WORKBOOK's second argument). */
#define LI__NOT_WORKBOOK_TEXT                                                                      \
    "c'est un fichier texte (un CSV renommé ?) ; s'il s'agit d'un CSV, donnez-lui l'extension "   \
    ".csv, sinon ouvrez le fichier d'origine dans Excel et enregistrez-le au format .xlsx"
#define LI__NOT_WORKBOOK_BINARY                                                                    \
    "son contenu n'est ni un classeur .xlsx ni du texte ; ouvrez le fichier d'origine dans son "   \
    "logiciel et enregistrez-le au format .xlsx ou CSV (UTF-8)"
#define LI__NOT_WORKBOOK_ZIP                                                                       \
    "c'est une archive zip qui ne contient pas de classeur ; ouvrez le fichier d'origine dans "    \
    "son logiciel et enregistrez-le au format .xlsx ou CSV (UTF-8)"

extern const li__reader_backend li__csv_backend;
extern const li__reader_backend li__xlsx_backend;

/*
 * 1 if the OLE2 file whose first bytes are sample[0..n) (file fd) holds an
 * "EncryptedPackage" stream: a password-protected .xlsx, not an .xls.
 * Looks in the sample and in the first directory sector (xlsx_zip.c).
 */
int li__ole2_is_encrypted_ooxml(int fd, const unsigned char *sample, size_t n);

/* Copies the n header fields into memory owned by r. LI_OK or LI_ENOMEM. */
li_status li__reader_set_header(li_reader *r, const li_slice *fields, size_t n, li_error *err);

/* --- sniff.c ------------------------------------------------------------- */

/*
 * The delimiter among , ; TAB | that splits the first records of text
 * p[0..n) (UTF-8) into the most consistent number of fields, honouring
 * quotes (and backslash escapes inside them when esc is '\\'); ',' when
 * none splits. whole: p holds the entire file (else a record cut by the
 * end of p is ignored).
 */
int li__sniff_delimiter(const char *p, size_t n, int whole, int esc);

/*
 * '\\' if the text p[0..n) escapes quotes inside quoted fields with a
 * backslash (\" for a quote, \\ for a backslash) consistently enough
 * that reading it so splits its records better than RFC 4180; else 0.
 */
int li__sniff_escape(const char *p, size_t n, int whole, int delim);

/* 1 if the record fields[0..n) looks like a header row on its own (see sniff.c). */
int li__sniff_is_header(const li_slice *fields, size_t n);

/*
 * Finding the header below a preamble (title lines, notes, "#" comments;
 * blank rows never reach it), for every backend: the backend reads the
 * first rows of the file (at most LI__SNIFF_TABLE_ROWS, blank ones
 * skipped, no field count expected), keeps the shape of each
 * (li__sniff_row_init: nothing of the row is borrowed), lets
 * li__sniff_find_header decide, then reads again from the row it names.
 */
#define LI__SNIFF_TABLE_ROWS 50   /* rows looked at */
#define LI__SNIFF_PREAMBLE_MAX 30 /* the header is among the first rows */

typedef struct li__sniff_row {
    uint64_t number, offset, next_offset; /* as in li_row */
    size_t nf;                            /* fields */
    size_t width;                         /* 1 + index of the last non-empty cell; 0 if none */
    size_t filled;                        /* non-empty cells (spaces do not count) */
    uint64_t text;                        /* columns < 64 holding a name-like text */
    uint64_t data;                        /* columns < 64 holding a value that looks like data */
    unsigned char comment;                /* the first cell starts with '#' (and is not "#") */
    unsigned char strict;                 /* li__sniff_is_header() */
    unsigned char relaxed;                /* names only, some empty or repeated */
} li__sniff_row;

void li__sniff_row_init(li__sniff_row *s, const li_row *row);

/* s without the spaces and tabs around it (a view into the same bytes). */
static inline li_slice li__slice_trim(li_slice s) {
    while (s.len > 0 && (s.ptr[0] == ' ' || s.ptr[0] == '\t'))
        s.ptr++, s.len--;
    while (s.len > 0 && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
        s.len--;
    return s;
}

/* 1 if a and b are the same text, ASCII case ignored. */
static inline int li__slice_same_ci(li_slice a, li_slice b) {
    if (a.len != b.len)
        return 0;
    for (size_t i = 0; i < a.len; i++) {
        unsigned char x = (unsigned char)a.ptr[i], y = (unsigned char)b.ptr[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

/* What li__sniff_find_header decided. */
typedef struct li__sniff_table {
    size_t first;   /* index (in the rows given) of the header, or of the first data row */
    int has_header;
    size_t width;   /* with a header: its fields (li_reader_info.columns); 0 without */
} li__sniff_table;

/*
 * Where the table of rows[0..n) starts, with opt_header as in
 * li_reader_opts (-1 detect, 0 none, 1 forced). Without header nothing is
 * skipped (first = 0). With one, first is the first row among the first
 * LI__SNIFF_PREAMBLE_MAX that is a header below rows that can only be a
 * preamble (see sniff.c); else row 0, forced or if it looks like a header.
 * Deterministic: the same rows give the same answer, so that a resumed
 * read (header forced to what the first read found) finds the same row.
 */
void li__sniff_find_header(const li__sniff_row *rows, size_t n, int opt_header,
                           li__sniff_table *out);

#endif
