/*
 * reader.h — the row reader: one interface over every file format.
 *
 * A reader turns a file into rows of UTF-8 fields, streaming: memory depends
 * on the limits below, never on the size of the file. Opening a reader
 * sniffs what it can (format, encoding, delimiter, header row) unless the
 * options fix it; li_reader_info() says what was decided.
 *
 * The header row need not be the first line: title lines, notes, blank
 * lines and "#" comment lines above it (a preamble) are skipped, in CSV as
 * in workbooks, and li_reader_info says where the header was found and how
 * many rows were skipped (sniff.c, li__sniff_find_header, decides from the
 * first rows' shapes; opts.header = 0 turns the search off).
 *
 * Rows are pulled one at a time with li_reader_next(). A structural problem
 * in one row (wrong number of fields, unterminated quote, field over the
 * limit...) is reported on that row (li_row.problem) and reading goes on:
 * only a problem with the file as a whole (unreadable, not CSV, I/O error)
 * is returned as an error status.
 *
 * Backends (csv, xlsx) sit behind a table of functions chosen at open time
 * (a zip signature means xlsx); callers only ever see this header.
 *
 * XLSX (and .xlsm, macros ignored): one worksheet is read, the first
 * visible one that has rows unless opts.sheet names another (info.notice
 * says when the first visible sheet was empty and skipped); rows are the
 * sheet's rows (numbers as the spreadsheet shows them, missing cells as
 * empty fields, rows narrower than the header padded, values right of its
 * last column ignored with a warning), values as text: numbers written in
 * full without exponent (a phone number 33612345678 stays so), dates as
 * YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (1900 and 1904 date systems), times of
 * day as HH:MM:SS, durations ([h]:mm) as total hours HH:MM:SS ("36:30:00"),
 * booleans TRUE / FALSE, formulas as their last computed value, error
 * cells as their text ("#N/A"). The limits give the same row problems as
 * in CSV, except that a value over max_field is handed out as a preview
 * (its first 200 bytes and "…"). A file named .xlsx/.xlsm (or opened with
 * format "xlsx") that is not a zip is refused as no workbook, never read
 * as CSV. See src/read/xlsx.c.
 */
#ifndef LEADIMPORT_READER_H
#define LEADIMPORT_READER_H

#include <stdint.h>

#include "leadimport/error.h"
#include "leadimport/hash.h"
#include "leadimport/slice.h"

/* Defaults of the limits, each overridable in li_reader_opts. */
#define LI_READER_DEFAULT_MAX_FIELD (64u * 1024u)      /* bytes, after decoding */
#define LI_READER_DEFAULT_MAX_ROW (1024u * 1024u)      /* bytes of one record */
#define LI_READER_DEFAULT_MAX_COLUMNS 512u
/* xlsx: uncompressed bytes all zip entries together may inflate to */
#define LI_READER_DEFAULT_MAX_INFLATED (8ull * 1024u * 1024u * 1024u)
/*
 * xlsx: bytes of shared strings kept in memory; past them the table is
 * written to a temporary file in $TMPDIR (else /tmp), 0600 and removed at
 * once, and read back through a 1.25 MiB cache (xlsx_sst.c). The environment
 * variable LEADIMPORT_XLSX_SST_MEMORY (bytes) overrides the default, for
 * tests and small machines.
 */
#define LI_READER_DEFAULT_SST_MEMORY (16u * 1024u * 1024u)

typedef struct li_reader li_reader;

/* li_reader_opts.sample_strings for a sample of the first rows. */
#define LI_READER_SAMPLE_STRINGS 65536u

typedef struct li_reader_opts {
    const char *format;   /* NULL = detect; "csv", "xlsx" */
    const char *encoding; /* NULL = detect; "utf-8", "windows-1252", "utf-16le", "utf-16be" */
    int delimiter;        /* 0 = detect; ',' ';' '\t' '|' */
    /*
     * -1 = detect; 0 = no header row: the first row is data, nothing is
     * skipped; 1 = there is a header: the row the detection finds below a
     * preamble, else the first row.
     */
    int header;
    size_t max_field;     /* 0 = default */
    size_t max_row;       /* 0 = default */
    size_t max_columns;   /* 0 = default */
    /*
     * Resume: when resume_offset > 0 the reader still reads the header (and
     * sniffs on the start of the file) and then continues at resume_offset,
     * a value taken from li_row.next_offset of an earlier read of the same
     * file with the same options; the next row gets number resume_row.
     * resume_row is the number of the line at resume_offset, i.e. li_row.number
     * + 1 of the row whose next_offset is resumed from (blank lines after it
     * still count). Resuming gives exactly the rows, numbers, offsets and
     * problems that reading on would have given.
     *
     * XLSX: offsets are byte positions in the sheet's uncompressed XML
     * (where the row's <row> element starts; next_offset just after its
     * </row>). Resuming inflates the sheet again from its start and skips
     * the rows before resume_offset; row numbers are the sheet's own, so
     * resume_row is not used.
     */
    uint64_t resume_offset;
    uint64_t resume_row;
    /*
     * xlsx: the sheet to read, by name (exact, else ASCII case ignored) or
     * by number (1-based, the order of li_reader_sheets()). NULL = the first
     * visible worksheet. Unknown: LI_EUSAGE listing the sheets. Ignored for
     * csv. Only read while li_reader_open() runs.
     */
    const char *sheet;
    uint64_t max_inflated; /* xlsx zip-bomb limit; 0 = LI_READER_DEFAULT_MAX_INFLATED */
    /* xlsx: shared strings held in memory; 0 = LEADIMPORT_XLSX_SST_MEMORY, else the default */
    uint64_t sst_memory;
    /*
     * xlsx: when the caller reads only the first rows (a mapping's sample, a
     * preview), the shared strings are read only as far as this many (0 =
     * all, at open), and whole the first time a cell names one further: the
     * rows are the same either way, and a 200,000-row workbook's detection
     * no longer inflates and stores its whole string table (25 MiB of XML)
     * before the import does it again. LI_READER_SAMPLE_STRINGS suits a
     * sample of a few hundred rows (Excel writes the table in the order the
     * strings first appear).
     */
    uint64_t sample_strings;
    /*
     * The file as the caller hashed it (li_sha256_file_id), or all zero.
     * When set, li_reader_open refuses a file that is no longer that one
     * (LI_EIO, FILE_CHANGED), and li_reader_changed() tells whether it
     * changed since. A CSV is never read past the size it had at open,
     * whatever is appended meanwhile.
     */
    li_file_id expect;
} li_reader_opts;

typedef struct li_reader_info {
    const char *format;   /* "csv", "xlsx" */
    const char *encoding; /* canonical name: "utf-8", "windows-1252", "utf-16le", "utf-16be" */
    int bom;              /* the file started with a byte-order mark */
    int delimiter;        /* the delimiter in use; xlsx: ',' (none applies) */
    int has_header;       /* 1 if a header row was found (or forced) */
    /*
     * The header's row number as a spreadsheet shows it (1 when it is the
     * first line), 0 without header.
     */
    uint64_t header_row;
    /*
     * Rows above the header that were skipped: title lines, notes, blank
     * lines, "#" comments (header_row - 1; 0 without header). Excel's
     * "sep=" line is not a row and is not counted.
     */
    uint64_t skipped_rows;
    /*
     * The file's width: the header's fields (empty cells at its end are
     * dropped unless the first data rows have values under them), or the
     * fields of the first record without header.
     */
    size_t columns;
    /*
     * csv: '\\' when quotes inside quoted fields are escaped with a
     * backslash (\" and \\, as MySQL and PHP write them), decided from the
     * start of the file; 0 for RFC 4180 (doubled quotes) and for xlsx.
     */
    int escape;
    /*
     * A warning about the file as a whole, or LI_MSG_NONE:
     * LI_MSG_ENCODING_DOUBTFUL when the text is neither UTF-8 nor UTF-16
     * and does not look like Windows-1252 either (Shift-JIS, Cyrillic...):
     * it is read as Windows-1252, which garbles it.
     */
    li_msg warning;
    uint64_t size;        /* file size in bytes */
    const char *sheet;    /* xlsx: name of the sheet read; NULL for csv */
    /*
     * A file-level warning in French to show with the mapping's (sniff, the
     * import summary), or NULL: xlsx, the first visible sheet was empty and
     * a later one is read (sheet_skipped).
     */
    const char *notice;
} li_reader_info;

/* A sheet of a workbook, as li_reader_sheets() lists it. */
typedef struct li_sheet_info {
    const char *name; /* UTF-8, as in the workbook */
    size_t number;    /* 1-based: the value opts.sheet accepts */
    int hidden;       /* 1 if hidden (not read unless named) */
    int current;      /* 1 for the sheet this reader reads */
    /*
     * Rows of the sheet: the number of its last row (header included), from
     * the sheet's <dimension> when it has one, else counted. 0 if empty.
     */
    uint64_t rows;
} li_sheet_info;

typedef struct li_row {
    /*
     * Row number as a spreadsheet shows it: the first line of the file is
     * row 1 (so with a header, the first data row is row 2). Line breaks
     * inside quoted fields do not count; blank lines do (Excel shows them
     * as empty rows), even though no li_row is returned for them. A record
     * whose fields are all empty (";;;") is a blank line too.
     */
    uint64_t number;
    uint64_t offset;      /* byte offset in the file where the record starts */
    uint64_t next_offset; /* byte offset just after the record (resume point) */
    size_t nfields;
    const li_slice *fields; /* UTF-8, borrowed: valid until the next call */
    /*
     * LI_MSG_NONE, or the structural problem of this row. Its severity says
     * whether the row is rejected (LI_SEV_ERROR) or only flagged
     * (LI_SEV_WARNING, e.g. a stray quote kept as text). problem_text holds
     * the formatted French message. On an error the fields hold what could
     * be read (possibly truncated), so that the report can show it.
     */
    li_msg problem;
    char problem_text[256];
} li_row;

/* Fills opts with "detect everything, default limits". */
void li_reader_opts_init(li_reader_opts *opts);
/* opts as from (NULL: the defaults), for a reader that reads a sample of the first rows. */
void li_reader_opts_sample(li_reader_opts *opts, const li_reader_opts *from);

/*
 * 1 if a file's name (or path) says it is an OOXML workbook (.xlsx,
 * .xlsm, .xltx, .xltm, any case): li_reader_open() refuses such a file
 * that is no zip (xlsx_not_workbook) instead of reading it as CSV. A copy
 * stored under another name (an upload) passes format "xlsx" for it.
 */
int li_reader_named_workbook(const char *name);

/*
 * Opens path for reading. On success *out owns the file and must be freed
 * with li_reader_free(). Errors: LI_EIO (cannot open/read), LI_EFORMAT (not a
 * format we read, binary data, .xls...), LI_EUSAGE (bad option value).
 */
li_status li_reader_open(const char *path, const li_reader_opts *opts, li_reader **out,
                         li_error *err);

/*
 * 1 if the open file is no longer what it was when it was opened (or than
 * opts.expect): appended to, rewritten in place; why gets the French
 * reason (hash.h, li_file_id_differs). One fstat: cheap enough for every
 * batch of rows, so that rows read from changed bytes are never kept.
 */
int li_reader_changed(const li_reader *r, char *why, size_t cap);

/* What was detected or chosen. Borrowed, valid for the reader's lifetime. */
const li_reader_info *li_reader_get_info(const li_reader *r);

/*
 * The header row's fields (UTF-8), or NULL with *n = 0 when the file has no
 * header. Borrowed, valid for the reader's lifetime.
 *
 * Every name is usable as a key: an empty cell (spaces only) is named
 * "Colonne N" (N its 1-based column, as when there is no header), and a
 * name already used by an earlier column (spaces around it and ASCII case
 * ignored) gets a number: "Email", "Email (2)", "Email (3)". Other names
 * are the file's text as it is.
 */
const li_slice *li_reader_header(const li_reader *r, size_t *n);

/*
 * Reads the next data row. Returns LI_OK and sets *row (borrowed, valid until
 * the next call), LI_EOF at the end, or a negative status on a file-level
 * failure (I/O error).
 */
li_status li_reader_next(li_reader *r, const li_row **row, li_error *err);

/*
 * Bytes of the file consumed so far (for progress): a monotone value from
 * 0 to info.size. XLSX: the uncompressed bytes of the sheet parsed, in
 * proportion to its uncompressed size, mapped onto info.size.
 */
uint64_t li_reader_position(const li_reader *r);

/*
 * The worksheets of a workbook, in tab order (chartsheets left out), for
 * `sniff`: *out (borrowed, valid for the reader's lifetime) gets *n
 * entries; a CSV file has none (*out = NULL, *n = 0). Counting the rows of
 * a sheet without <dimension> inflates it: LI_EFORMAT (corrupt, bomb) is
 * possible, with err set.
 */
li_status li_reader_sheets(li_reader *r, const li_sheet_info **out, size_t *n, li_error *err);

/* Closes the file and frees everything. Accepts NULL. */
void li_reader_free(li_reader *r);

#endif
