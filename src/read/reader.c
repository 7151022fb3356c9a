/*
 * reader.c — li_reader: opening a file for reading rows, whatever its
 * format (see reader.h).
 *
 * Opening validates the options, then looks at the first bytes of the file
 * (up to SAMPLE_BYTES, read once): a zip signature means xlsx (xlsx.c); an
 * OLE2 one is refused with a message that names the format (.xls, or an
 * encrypted .xlsx), binary data too; a file named as a workbook (.xlsx,
 * .xlsm, .xltx, .xltm) that is no zip is refused as no workbook (a CSV
 * renamed .xlsx is not quietly read as CSV: the user meant a workbook and
 * would import something else), and so is text that is a spreadsheet in
 * another format (Excel 2003 XML, an HTML "export to Excel"); the encoding
 * of a text file is taken
 * from the options or detected (encoding.c). Then the
 * backend chosen by the format finishes the job behind a table of
 * functions, so that a new format is a new backend and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leadimport/infile.h"
#include "readerInt.h"

#define SAMPLE_BYTES (1024u * 1024u) /* first bytes used to detect the encoding */

/* The backends, by format name; the first one is the default. */
static const li__reader_backend *const backends[] = {&li__csv_backend, &li__xlsx_backend};

void li_reader_opts_init(li_reader_opts *opts) {
    memset(opts, 0, sizeof *opts);
    opts->header = -1;
}

void li_reader_opts_sample(li_reader_opts *opts, const li_reader_opts *from) {
    if (from)
        *opts = *from;
    else
        li_reader_opts_init(opts);
    opts->sample_strings = LI_READER_SAMPLE_STRINGS;
}

int li_reader_named_workbook(const char *path) {
    static const char *const ext[] = {".xlsx", ".xlsm", ".xltx", ".xltm"};
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return 0;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (strcasecmp(dot, ext[i]) == 0)
            return 1;
    return 0;
}

/*
 * The text formats that claim to be spreadsheets and are no CSV: Excel
 * 2003's XML workbook, and the HTML table that many sites' "export to
 * Excel" saves as .xls. Read as CSV, every row would be markup. The
 * format's name for FORMAT_XLSX_UNSUPPORTED, or NULL. Looks at the first
 * 4 KiB of an ASCII-compatible sample (a UTF-8 BOM and blanks skipped).
 */
static const char *markup_format(const unsigned char *p, size_t n) {
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3, n -= 3;
    while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++, n--;
    if (n > 4096)
        n = 4096;
    if (n < 5 || *p != '<')
        return NULL;
    if (memmem(p, n, "urn:schemas-microsoft-com:office:spreadsheet", 44))
        return "un classeur XML d'Excel 2003 (« Feuille de calcul XML 2003 »)";
    static const char *const html[] = {"<!doctype html", "<html", "<table"};
    for (size_t i = 0; i < sizeof html / sizeof html[0]; i++)
        if (n >= strlen(html[i]) && strncasecmp((const char *)p, html[i], strlen(html[i])) == 0)
            return "une page web (HTML), ce qu'enregistre l'« export Excel » de certains sites";
    return NULL;
}

/* Reads up to n bytes at offset 0; returns the count, or -1 with errno. */
static ssize_t read_sample(int fd, unsigned char *p, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(fd, p + got, n - got, (off_t)got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        got += (size_t)k;
    }
    return (ssize_t)got;
}

/* Checks the options that do not need the file. */
static li_status check_opts(const li_reader_opts *o, const li__reader_backend **backend,
                            li_error *err) {
    *backend = backends[0];
    if (o->format) {
        *backend = NULL;
        for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
            if (strcasecmp(o->format, backends[i]->name) == 0)
                *backend = backends[i];
        if (!*backend)
            return li_error_set(err, LI_EUSAGE, LI_MSG_FORMAT_UNKNOWN, o->format);
    }
    li__enc enc;
    if (o->encoding && li__enc_parse(o->encoding, &enc) != 0)
        return li_error_set(err, LI_EUSAGE, LI_MSG_ENCODING_UNKNOWN, o->encoding);
    if (o->delimiter != 0 && o->delimiter != ',' && o->delimiter != ';' && o->delimiter != '\t' &&
        o->delimiter != '|') {
        char shown[16];
        if (o->delimiter > 0x20 && o->delimiter < 0x7F)
            snprintf(shown, sizeof shown, "%c", o->delimiter);
        else
            snprintf(shown, sizeof shown, "\\x%02X", (unsigned)o->delimiter & 0xFFu);
        return li_error_set(err, LI_EUSAGE, LI_MSG_DELIMITER_INVALID, shown);
    }
    if (o->header < -1 || o->header > 1) {
        char shown[16];
        snprintf(shown, sizeof shown, "%d", o->header);
        return li_error_set(err, LI_EUSAGE, LI_MSG_USAGE_BAD_VALUE, "header", shown);
    }
    return LI_OK;
}

/* LEADIMPORT_XLSX_SST_MEMORY (a byte count), else LI_READER_DEFAULT_SST_MEMORY. */
static uint64_t sst_memory_default(void) {
    const char *env = getenv("LEADIMPORT_XLSX_SST_MEMORY");
    char *end;
    errno = 0;
    unsigned long long v = env && *env ? strtoull(env, &end, 10) : 0;
    if (!env || !*env || errno || *end || v == 0)
        return LI_READER_DEFAULT_SST_MEMORY;
    return v;
}

li_status li_reader_open(const char *path, const li_reader_opts *opts, li_reader **out,
                         li_error *err) {
    li_reader_opts defaults;
    const li__reader_backend *backend = NULL;
    li_reader *r = NULL;
    unsigned char *sample = NULL;
    li_status rc;

    *out = NULL;
    if (!opts) {
        li_reader_opts_init(&defaults);
        opts = &defaults;
    }
    if ((rc = check_opts(opts, &backend, err)) != LI_OK)
        goto out;

    if (!(r = calloc(1, sizeof *r)) || !(r->path = strdup(path))) {
        rc = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    r->fd = -1;
    r->max_field = opts->max_field ? opts->max_field : LI_READER_DEFAULT_MAX_FIELD;
    r->max_row = opts->max_row ? opts->max_row : LI_READER_DEFAULT_MAX_ROW;
    r->max_columns = opts->max_columns ? opts->max_columns : LI_READER_DEFAULT_MAX_COLUMNS;
    r->opt_delimiter = opts->delimiter;
    r->opt_header = opts->header;
    r->resume_offset = opts->resume_offset;
    r->resume_row = opts->resume_row;
    r->opt_sheet = opts->sheet;
    r->max_inflated = opts->max_inflated ? opts->max_inflated : LI_READER_DEFAULT_MAX_INFLATED;
    r->sst_memory = opts->sst_memory ? opts->sst_memory : sst_memory_default();
    r->sample_strings = opts->sample_strings;

    struct stat st;
    if ((rc = li_infile_open(path, &r->fd, &st, err)) != LI_OK)
        goto out; /* a FIFO, a device, a directory: refused before any read */
    li_file_id_of(&st, &r->opened);
    char why[128];
    if (li_file_id_set(&opts->expect) &&
        li_file_id_differs(&opts->expect, &r->opened, why, sizeof why)) {
        rc = li_error_set(err, LI_EIO, LI_MSG_FILE_CHANGED, path, why);
        goto out;
    }
    r->info.size = (uint64_t)st.st_size;
    if (st.st_size == 0) {
        rc = li_error_set(err, LI_EFORMAT, LI_MSG_FILE_EMPTY, path);
        goto out;
    }

    size_t want = r->info.size < SAMPLE_BYTES ? (size_t)r->info.size : SAMPLE_BYTES;
    ssize_t n;
    if (!(sample = malloc(want))) {
        rc = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if ((n = read_sample(r->fd, sample, want)) < 0) {
        rc = li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, li_msg_errno(errno));
        goto out;
    }
    if (n == 0) {
        rc = li_error_set(err, LI_EFORMAT, LI_MSG_FILE_EMPTY, path);
        goto out;
    }
    if (n >= 4 && memcmp(sample, "\xD0\xCF\x11\xE0", 4) == 0) {
        if (li__ole2_is_encrypted_ooxml(r->fd, sample, (size_t)n))
            rc = li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_ENCRYPTED, path);
        else
            rc = li_error_set(err, LI_EFORMAT, LI_MSG_FORMAT_XLS, path);
        goto out;
    }
    /* a zip (an empty one too) is a workbook, whatever opts.format says */
    if (n >= 4 && (memcmp(sample, "PK\x03\x04", 4) == 0 || memcmp(sample, "PK\x05\x06", 4) == 0)) {
        r->backend = &li__xlsx_backend;
        rc = li__xlsx_backend.open(r, sample, (size_t)n, err);
        goto out;
    }

    li__enc_guess guess;
    li__enc_detect(sample, (size_t)n, (uint64_t)n >= r->info.size, &guess);
    const char *markup = markup_format(sample, (size_t)n);
    if (markup) {
        rc = li_error_set(err, LI_EFORMAT, LI_MSG_FORMAT_XLSX_UNSUPPORTED, path, markup);
        goto out;
    }
    /* asked for, or named, as a workbook: text or other bytes are no workbook */
    if (backend == &li__xlsx_backend || (!opts->format && li_reader_named_workbook(path))) {
        rc = li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_NOT_WORKBOOK, path,
                          guess.binary && guess.enc != LI__ENC_UTF16LE &&
                                  guess.enc != LI__ENC_UTF16BE
                              ? LI__NOT_WORKBOOK_BINARY
                              : LI__NOT_WORKBOOK_TEXT);
        goto out;
    }
    if (opts->encoding) {
        li__enc_parse(opts->encoding, &r->enc);
        r->bom_len = li__enc_bom_len(r->enc, sample, (size_t)n);
    } else {
        r->enc = guess.enc;
        r->bom_len = guess.bom_len;
        if (guess.doubtful) /* a guess by elimination: say it, rather than garble in silence */
            r->info.warning = LI_MSG_ENCODING_DOUBTFUL;
        else if (guess.mixed) /* UTF-8 with rows in another encoding: each row says so too */
            r->info.warning = LI_MSG_ENCODING_MIXED;
    }
    if (guess.binary && r->enc != LI__ENC_UTF16LE && r->enc != LI__ENC_UTF16BE) {
        rc = li_error_set(err, LI_EFORMAT, LI_MSG_FILE_BINARY, path);
        goto out;
    }
    r->info.format = backend->name;
    r->info.encoding = li__enc_name(r->enc);
    r->info.bom = r->bom_len > 0;
    r->backend = backend;
    rc = backend->open(r, sample, (size_t)n, err);

out:
    free(sample);
    if (r)
        r->opt_sheet = NULL; /* the caller's string: only used while opening */
    if (rc != LI_OK)
        li_reader_free(r);
    else
        *out = r;
    return rc;
}

/* s without the spaces and tabs around it. */
/* 1 if name is used by one of the names[0..n) (each already trimmed). */
static int name_taken(const li_slice *names, size_t n, li_slice name) {
    for (size_t i = 0; i < n; i++)
        if (li__slice_same_ci(names[i], name))
            return 1;
    return 0;
}

/*
 * Copies the n header fields into memory owned by r, naming the empty ones
 * "Colonne N" and numbering the repeated ones (see li_reader_header). The
 * names are compared trimmed: O(n^2) on at most max_columns names, once.
 */
li_status li__reader_set_header(li_reader *r, const li_slice *fields, size_t n, li_error *err) {
    li_status rc = LI_OK;
    li_slice *h = calloc(n ? n : 1, sizeof *h), *names = calloc(n ? n : 1, sizeof *names);
    char *bytes = NULL;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) /* the longest a name can become: text + " (NNNNN)" */
        total += fields[i].len + 32;
    if (!h || !names || !(bytes = malloc(total + 1))) {
        rc = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        li_slice name = li__slice_trim(fields[i]);
        char *o = bytes + at;
        size_t len;
        if (name.len == 0) {
            len = (size_t)snprintf(o, 32, "Colonne %zu", i + 1);
        } else if (name_taken(names, i, name)) {
            memcpy(o, name.ptr, name.len);
            for (unsigned k = 2;; k++) { /* "Email (2)", unless the file has one already */
                len = name.len + (size_t)snprintf(o + name.len, 32, " (%u)", k);
                if (!name_taken(names, i, (li_slice){o, len}))
                    break;
            }
        } else {
            len = fields[i].len; /* the file's text as it is */
            memcpy(o, fields[i].ptr, len);
        }
        h[i] = (li_slice){o, len};
        names[i] = li__slice_trim(h[i]);
        at += len;
    }
    free(r->header);
    free(r->header_bytes);
    r->header = h;
    r->header_bytes = bytes;
    r->nheader = n;
    h = NULL;
    bytes = NULL;
out:
    free(h);
    free(names);
    free(bytes);
    return rc;
}

int li_reader_changed(const li_reader *r, char *why, size_t cap) {
    struct stat st;
    li_file_id now;
    if (fstat(r->fd, &st) != 0) {
        snprintf(why, cap, "%s", li_msg_errno(errno));
        return 1;
    }
    li_file_id_of(&st, &now);
    return li_file_id_differs(&r->opened, &now, why, cap);
}

const li_reader_info *li_reader_get_info(const li_reader *r) {
    return &r->info;
}

const li_slice *li_reader_header(const li_reader *r, size_t *n) {
    *n = r->info.has_header ? r->nheader : 0;
    return r->info.has_header ? r->header : NULL;
}

li_status li_reader_next(li_reader *r, const li_row **row, li_error *err) {
    return r->backend->next(r, row, err);
}

uint64_t li_reader_position(const li_reader *r) {
    return r->backend->position(r);
}

li_status li_reader_sheets(li_reader *r, const li_sheet_info **out, size_t *n, li_error *err) {
    *out = NULL;
    *n = 0;
    return r->backend->sheets ? r->backend->sheets(r, out, n, err) : LI_OK;
}

void li_reader_free(li_reader *r) {
    if (!r)
        return;
    if (r->backend)
        r->backend->close(r);
    if (r->fd >= 0)
        close(r->fd);
    free(r->header);
    free(r->header_bytes);
    free(r->path);
    free(r);
}
