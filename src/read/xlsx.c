/*
 * xlsx.c — the XLSX backend of the row reader: an Office Open XML workbook
 * (.xlsx, .xlsm; macros are never looked at) read as a stream of rows.
 *
 * Opening follows the package's relationships, never assumed names:
 * _rels/.rels names the workbook part, its .rels file names the sheets,
 * the styles and the shared strings. The workbook gives the sheets in tab
 * order (the first visible worksheet is read unless opts.sheet says) and
 * the date system (1900 or 1904), read from the workbook's own namespace
 * only (an extension's x14:workbookPr does not reset it); a workbook of the
 * 2006 pre-release namespaces is refused. The styles give, per cell style
 * (cellXfs, never the conditional formats' dxfs), whether a number is a
 * date or a duration (xlsx_num.c). The shared strings are loaded whole, in
 * one arena with an array of offsets (lead files have mostly unique
 * strings: no per-string allocation); a string over max_field is kept as
 * its first LI__XLSX_PREVIEW bytes and a flag. A reader opened for a sample
 * (sample_strings) loads only the first strings, and the whole table the
 * first time a cell names one further.
 *
 * The sheet: the one opts.sheet names, else the first visible worksheet
 * that has a row; when that is not the first visible one, info.notice says
 * so (sheet_skipped). An empty sheet is said to be one (sheet_empty,
 * workbook_empty), never an empty file.
 *
 * The sheet is then inflated block by block, by a thread of its own one
 * to four blocks ahead (xlsx_zip.c counts every byte against the zip-bomb
 * limits), into the pull scanner of xmlscan.c, and never held whole:
 * li_reader_next() takes tokens until the end of a non-blank <row> and
 * hands that row out. The shared strings are read the same way; the small
 * parts (relationships, workbook, styles) with expat, whose namespaces the
 * workbook needs. Memory is bounded by max_row + max_field + max_columns,
 * the scanner's window and the blocks ahead, plus the shared strings.
 *
 * Rows and cells. A row's number is its r attribute (else the previous
 * row's plus one); a cell's column is its r attribute (else the column
 * after the previous cell). Missing cells are empty fields, missing rows
 * are not returned (like CSV blank lines, they still count in the
 * numbers), and a row whose cells are all empty (cells that only carry a
 * style) is blank. Values: shared strings and inline strings (rich-text
 * runs joined, phonetic runs left out, _xHHHH_ escapes decoded), numbers
 * (xlsx_num.c), booleans as TRUE / FALSE, formulas as their cached value
 * (none: empty), error cells as their text (#N/A, #DIV/0!...: what Excel's
 * own CSV export writes, and what the error report then shows). An inline
 * string is its <is> text alone, even when a <v> repeats it.
 *
 * Limits and problems: a value over max_field is a row error
 * (field_too_long) handed out as its first LI__XLSX_PREVIEW bytes and "…"
 * (a shared string repeated on every row must not fill the report and the
 * database), a value at a column past max_columns is dropped
 * (too_many_columns: the row is an error, never taken for blank), a row
 * over max_row bytes is cut (row_too_long). Unlike CSV, a sheet's rows
 * need not be as wide as the header: values right of the table's last
 * column (the header's, or the first row's without a header) are ignored
 * with a warning (row_cells_ignored), and rows narrower than it are padded
 * with empty fields. The text that shared-string cells expand to is
 * bounded like a zip bomb's (xlsxInt.h, LI__XLSX_SHARED_GRACE).
 *
 * Offsets (li_row.offset, next_offset, opts.resume_offset) are byte
 * positions in the sheet's uncompressed XML: where <row> starts and just
 * after </row>. Resuming inflates and parses the sheet again from its
 * start and hands out only the rows that start at or after the resume
 * offset, so it gives exactly the rows of an uninterrupted read; row
 * numbers come from the sheet, resume_row is not needed.
 *
 * li_reader_position() maps the uncompressed bytes parsed onto the file
 * size (info.size), in proportion to the sheet's uncompressed size: a
 * monotone fraction of info.size, equal to it at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xlsxInt.h"
#include "xmlscan.h"

/*
 * The largest row number taken from a sheet's r attribute: far past any
 * spreadsheet's (Excel: 1,048,576 rows), far within the signed 64-bit
 * integers row numbers are stored as.
 */
#define LI__XLSX_MAX_ROW_NUMBER (UINT64_C(1) << 40)

#define MAX_SHEETS 4096
#define MAX_RELS 100000
#define MAX_XFS 1000000
#define MAX_NUMFMTS 4096
#define MAX_PART_NAME 1024

/* --- package: relationships, workbook, styles ------------------------------- */

typedef struct rel {
    char *id, *type, *target; /* target resolved to a zip entry name ("" if external) */
} rel;

typedef struct rels_ctx {
    li__xml x;
    const char *base; /* directory of the source part, with its '/' ("" for the root) */
    rel *v;
    size_t n, cap;
} rels_ctx;

typedef struct sheet {
    char *name, *rid, *part;
    int hidden;
    int rows_known;
    uint64_t rows;
} sheet;

typedef struct numfmt {
    unsigned id, pad;
    int kind;
} numfmt;

typedef struct xf {
    unsigned char kind, pad;
} xf;

typedef struct li__xlsx li__xlsx;

/* One cell kept in the current row: its column and value in the arena. */
typedef struct cell {
    size_t col, off, len;
} cell;

struct li__xlsx {
    li__xs xs; /* the sheet's scanner (xmlscan.h) */
    li_reader *r;
    li__zip zip;

    sheet *sheets;
    size_t nsheets, cur;
    li_sheet_info *infos;
    int date1904;
    char notice[LI_ERROR_MAX]; /* info.notice: the sheet read is not the first visible one */

    xf *xfs;
    size_t nxf;

    li__sst sst; /* the shared strings, in memory or spilled (xlsx_sst.c) */
    char *sst_part; /* their part, read again whole when sst_partial */
    int sst_partial; /* only the first r->sample_strings were read */
    uint64_t shared_text, shared_max; /* text shared-string cells gave out, and its limit */

    /* the sheet stream */
    li__zip_part *part;
    li__zip_ahead *ahead; /* inflating part ahead of the scanner */
    char part_name[MAX_PART_NAME];
    int done;
    uint64_t skip_upto; /* resume: rows starting before this are not handed out */

    /* parser state */
    int in_row, in_cell, capture, in_is, rph_depth, skipping;
    char ctype; /* 's' shared, 'i' inline, 'f' formula string, 'b', 'e', 'd', 'n' */
    size_t style, col, next_col, cell_start;
    uint64_t prev_row;

    /* the row being built, then handed out */
    char *arena;
    size_t alen, acap, amax;
    size_t cell_max; /* bytes kept of one value while reading it */
    cell *cells;
    size_t ncells, ccap;
    size_t row_bytes;
    int row_full;
    int rank;
    int row_ready, pending;
    int primed; /* the row is ready already: the search for a sheet with rows read it */
    size_t expected;
    int uncapped; /* no header: no table width to cut rows at (a row as wide as its cells) */
    li_slice *sl;
    size_t slcap;
    li_row row;
};

static const char empty[] = "";

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static const char *attr(const XML_Char **atts, const char *local) {
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(li__xml_local(atts[i]), local) == 0 && strncmp(atts[i], "xmlns", 5) != 0)
            return atts[i + 1];
    return NULL;
}

/*
 * The zip entry a relationship target names: absolute ("/xl/x.xml") from
 * the root, else relative to base; "." and ".." segments resolved. NULL
 * when out of memory or when it climbs above the root.
 */
static char *resolve(const char *base, const char *target) {
    char path[MAX_PART_NAME];
    int n = target[0] == '/' ? snprintf(path, sizeof path, "%s", target + 1)
                             : snprintf(path, sizeof path, "%s%s", base, target);
    if (n < 0 || (size_t)n >= sizeof path)
        return NULL;
    char *out = malloc((size_t)n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    const char *s = path;
    for (;;) {
        size_t len = strcspn(s, "/");
        if (len == 2 && s[0] == '.' && s[1] == '.') {
            if (o == 0) {
                free(out);
                return NULL;
            }
            o--; /* drop the '/' then the previous segment */
            while (o > 0 && out[o - 1] != '/')
                o--;
        } else if (!(len == 1 && s[0] == '.') && len > 0) {
            memcpy(out + o, s, len);
            o += len;
            if (s[len])
                out[o++] = '/';
        }
        if (!s[len])
            break;
        s += len + 1;
    }
    if (o > 0 && out[o - 1] == '/')
        o--;
    out[o] = '\0';
    return out;
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    rels_ctx *c = ud;
    if (strcmp(li__xml_local(name), "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *target = attr(atts, "Target");
    const char *mode = attr(atts, "TargetMode");
    if (!id || !type || !target || c->n >= MAX_RELS)
        return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        rel *v = realloc(c->v, cap * sizeof *v);
        if (!v) {
            li__xml_abort(&c->x, LI_ENOMEM);
            return;
        }
        c->v = v;
        c->cap = cap;
    }
    rel *e = &c->v[c->n];
    int external = mode && strcmp(mode, "External") == 0;
    e->id = strdup(id);
    e->type = strdup(type);
    e->target = external ? strdup("") : resolve(c->base, target);
    if (!e->id || !e->type || !e->target) {
        /* out of memory, or a target above the root: the relationship is ignored */
        int nomem = !e->id || !e->type || external;
        free(e->id);
        free(e->type);
        free(e->target);
        if (nomem)
            li__xml_abort(&c->x, LI_ENOMEM);
        return;
    }
    c->n++;
}

static void rels_free(rels_ctx *c) {
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].id);
        free(c->v[i].type);
        free(c->v[i].target);
    }
    free(c->v);
    li__xml_free(&c->x);
    memset(c, 0, sizeof *c);
}

/* Reads the relationships of part (its _rels/NAME.rels); none is not an error. */
static li_status rels_read(li__xlsx *xl, const char *part, rels_ctx *c, li_error *err) {
    char base[MAX_PART_NAME], name[MAX_PART_NAME + 16];
    const char *slash = strrchr(part, '/');
    size_t blen = slash ? (size_t)(slash - part) + 1 : 0;
    memset(c, 0, sizeof *c);
    snprintf(base, sizeof base, "%.*s", (int)blen, part);
    snprintf(name, sizeof name, "%s_rels/%s.rels", base, part + blen);
    c->base = base;
    li_status rc = li__xml_init(&c->x, c, name, err);
    if (rc != LI_OK)
        return rc;
    XML_SetStartElementHandler(c->x.p, rels_start);
    rc = li__xml_parse_part(&c->x, &xl->zip, name, LI__XLSX_MAX_SMALL_PART, err);
    c->base = NULL;
    if (rc == LI_ENOTFOUND)
        rc = LI_OK;
    if (rc != LI_OK)
        rels_free(c);
    return rc;
}

static const rel *rel_by_type(const rels_ctx *c, const char *suffix) {
    for (size_t i = 0; i < c->n; i++)
        if (ends_with(c->v[i].type, suffix) && c->v[i].target[0])
            return &c->v[i];
    return NULL;
}

/*
 * workbook.xml: the sheets in tab order and the date system. Parsed with
 * namespaces (li__xml_init_ns): only elements of the root's namespace
 * count, so that an extension's element of the same local name
 * (x14:workbookPr, which has no date1904) changes nothing.
 */
typedef struct wb_ctx {
    li__xml x;
    li__xlsx *xl;
    size_t cap;
    int depth, seen_pr;
    char ns[256]; /* the root element's namespace URI */
    size_t nslen;
} wb_ctx;

/* Namespaces of the Office 2007 betas (2006): same names, other meanings. */
static const char *const prerelease_ns[] = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/5/main",
    "http://schemas.openxmlformats.org/spreadsheetml/2006/7/main",
    "http://schemas.microsoft.com/office/excel/2006/2",
};

static int truthy(const char *v) {
    return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0);
}

/* Local name of a "URI|local" name; *nslen = the URI's length (0: no namespace). */
static const char *ns_split(const char *name, size_t *nslen) {
    const char *sep = strrchr(name, LI__XML_NS_SEP);
    *nslen = sep ? (size_t)(sep - name) : 0;
    return sep ? sep + 1 : name;
}

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    wb_ctx *c = ud;
    li__xlsx *xl = c->xl;
    size_t nslen;
    const char *local = ns_split(name, &nslen);
    if (c->depth++ == 0) {
        for (size_t i = 0; i < sizeof prerelease_ns / sizeof prerelease_ns[0]; i++)
            if (nslen == strlen(prerelease_ns[i]) && memcmp(name, prerelease_ns[i], nslen) == 0) {
                li_error_set(c->x.err, LI_EFORMAT, LI_MSG_FORMAT_XLSX_UNSUPPORTED, xl->r->path,
                             "un classeur d'une version d'essai d'Excel 2007 (format provisoire de "
                             "2006, antérieur à la norme)");
                li__xml_abort(&c->x, LI_EFORMAT);
                return;
            }
        c->nslen = nslen < sizeof c->ns ? nslen : sizeof c->ns - 1;
        memcpy(c->ns, name, c->nslen);
        return;
    }
    if (nslen != c->nslen || memcmp(name, c->ns, nslen) != 0)
        return; /* an extension's element */
    if (strcmp(local, "workbookPr") == 0) {
        if (!c->seen_pr) /* the first one: a repeated one is not Excel's */
            xl->date1904 = truthy(attr(atts, "date1904"));
        c->seen_pr = 1;
        return;
    }
    if (strcmp(local, "sheet") != 0 || xl->nsheets >= MAX_SHEETS)
        return;
    const char *sname = attr(atts, "name"), *state = attr(atts, "state"), *rid = NULL;
    for (size_t i = 0; atts[i]; i += 2) { /* r:id, whatever the prefix: a qualified "id" */
        size_t an;
        if (strcmp(ns_split(atts[i], &an), "id") == 0 && an > 0)
            rid = atts[i + 1];
    }
    if (!sname || !rid)
        return;
    if (xl->nsheets == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        sheet *v = realloc(xl->sheets, cap * sizeof *v);
        if (!v) {
            li__xml_abort(&c->x, LI_ENOMEM);
            return;
        }
        xl->sheets = v;
        c->cap = cap;
    }
    sheet *s = &xl->sheets[xl->nsheets];
    memset(s, 0, sizeof *s);
    s->name = strdup(sname);
    s->rid = strdup(rid);
    s->hidden = state && strcmp(state, "visible") != 0;
    if (!s->name || !s->rid) {
        free(s->name);
        free(s->rid);
        li__xml_abort(&c->x, LI_ENOMEM);
        return;
    }
    xl->nsheets++;
}

static void XMLCALL wb_end(void *ud, const XML_Char *name) {
    (void)name;
    ((wb_ctx *)ud)->depth--;
}

/* styles.xml: for each cell style (cellXfs), what its number format makes of numbers. */
typedef struct st_ctx {
    li__xml x;
    li__xlsx *xl;
    numfmt fmts[MAX_NUMFMTS];
    size_t nfmts, cap;
    unsigned *xf_ids;
    int in_xfs, in_numfmts;
} st_ctx;

static void XMLCALL st_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    st_ctx *c = ud;
    li__xlsx *xl = c->xl;
    const char *local = li__xml_local(name);
    if (strcmp(local, "numFmts") == 0) {
        c->in_numfmts = 1;
    } else if (strcmp(local, "numFmt") == 0 && c->in_numfmts) { /* a dxf's own is not a cell's */
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (id && code && c->nfmts < MAX_NUMFMTS) {
            numfmt *f = &c->fmts[c->nfmts++];
            f->id = (unsigned)strtoul(id, NULL, 10);
            f->kind = li__xlsx_format_kind(code, &f->pad);
        }
    } else if (strcmp(local, "cellXfs") == 0) {
        c->in_xfs = 1;
    } else if (strcmp(local, "xf") == 0 && c->in_xfs && xl->nxf < MAX_XFS) {
        if (xl->nxf == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 64;
            unsigned *v = realloc(c->xf_ids, cap * sizeof *v);
            if (!v) {
                li__xml_abort(&c->x, LI_ENOMEM);
                return;
            }
            c->xf_ids = v;
            c->cap = cap;
        }
        const char *id = attr(atts, "numFmtId");
        c->xf_ids[xl->nxf++] = id ? (unsigned)strtoul(id, NULL, 10) : 0;
    }
}

static void XMLCALL st_end(void *ud, const XML_Char *name) {
    st_ctx *c = ud;
    const char *local = li__xml_local(name);
    if (strcmp(local, "cellXfs") == 0)
        c->in_xfs = 0;
    else if (strcmp(local, "numFmts") == 0)
        c->in_numfmts = 0;
}

static li_status styles_read(li__xlsx *xl, const char *part, li_error *err) {
    st_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    c->xl = xl;
    li_status rc = li__xml_init(&c->x, c, part, err);
    if (rc == LI_OK) {
        XML_SetElementHandler(c->x.p, st_start, st_end);
        rc = li__xml_parse_part(&c->x, &xl->zip, part, LI__XLSX_MAX_SMALL_PART, err);
    }
    if (rc == LI_OK && xl->nxf > 0 && !(xl->xfs = calloc(xl->nxf, sizeof *xl->xfs)))
        rc = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    for (size_t i = 0; rc == LI_OK && i < xl->nxf; i++) {
        unsigned id = c->xf_ids[i];
        xl->xfs[i].kind = (unsigned char)li__xlsx_builtin_kind(id);
        for (size_t k = 0; k < c->nfmts; k++)
            if (c->fmts[k].id == id) { /* a custom code may redefine a built-in id */
                xl->xfs[i].kind = (unsigned char)c->fmts[k].kind;
                xl->xfs[i].pad = (unsigned char)c->fmts[k].pad;
            }
    }
    if (rc != LI_OK)
        xl->nxf = 0;
    free(c->xf_ids);
    li__xml_free(&c->x);
    free(c);
    return rc == LI_ENOTFOUND ? LI_OK : rc;
}

/* --- shared strings ----------------------------------------------------------- */

/* Bytes of a value over max_field that are handed out (before the "…"). */
static size_t preview_len(const li__xlsx *xl) {
    return xl->r->max_field < LI__XLSX_PREVIEW ? xl->r->max_field : LI__XLSX_PREVIEW;
}

/* The scanner reads an entry of the archive (li__xs_read_fn), or one inflated ahead. */
static li_status part_read(void *src, void *buf, size_t n, size_t *got, li_error *err) {
    return li__zip_part_read(src, buf, n, got, err);
}

static li_status ahead_read(void *src, void *buf, size_t n, size_t *got, li_error *err) {
    return li__zip_ahead_read(src, buf, n, got, err);
}

#define IS(x, lit) li__xs_is((x), lit, sizeof lit - 1)

/* The string read since start is complete: decoded, cut when too long, and added. */
static li_status sst_string(li__xlsx *xl, size_t start, li_error *err) {
    char *text = xl->sst.buf ? xl->sst.buf + start : NULL; /* NULL: nothing read yet */
    size_t len = text ? li__xlsx_unescape(text, li__sst_mark(&xl->sst) - start) : 0;
    /* over the limit: only what a cell of it will show is kept (cell_finish) */
    int too_long = len > xl->r->max_field;
    if (too_long)
        len = li__utf8_cut(text, len, preview_len(xl));
    return li__sst_add(&xl->sst, start, len, too_long, err);
}

/*
 * The table of part into xl->sst (empty): its first limit strings, or all
 * (0). A string is the text of its <t> elements, the phonetic runs
 * (<rPh>) left out.
 */
static li_status sst_read(li__xlsx *xl, const char *part, uint64_t limit, li_error *err) {
    li__zip_part *zp = NULL;
    li__zip_ahead *ahead = NULL;
    li__xs x;
    memset(&x, 0, sizeof x);
    int in_si = 0, in_t = 0, rph_depth = 0, stopped = 0;
    size_t start = 0; /* where the current string starts (li__sst_mark) */
    li_status rc = li__zip_part_open(&xl->zip, part, xl->r->max_inflated, &zp, err);
    if (rc == LI_OK)
        rc = li__zip_ahead_start(zp, &ahead, err);
    if (rc == LI_OK)
        rc = li__xs_init(&x, ahead_read, ahead, xl->r->path, part, err);
    while (rc == LI_OK && !stopped && (rc = li__xs_next(&x, err)) == LI_OK &&
           x.kind != LI__XS_EOF) {
        switch (x.kind) {
        case LI__XS_START:
            if (IS(&x, "si")) {
                in_si = 1;
                start = li__sst_mark(&xl->sst);
            } else if (IS(&x, "rPh")) {
                rph_depth++;
            } else if (IS(&x, "t") && in_si && rph_depth == 0) {
                in_t = 1;
            }
            break;
        case LI__XS_END:
            if (IS(&x, "t")) {
                in_t = 0;
            } else if (IS(&x, "rPh")) {
                rph_depth--;
            } else if (IS(&x, "si") && in_si) {
                in_si = 0;
                rc = sst_string(xl, start, err);
                stopped = rc == LI_OK && limit && xl->sst.n >= limit;
            }
            break;
        case LI__XS_TEXT:
            if (in_t) {
                size_t have = li__sst_mark(&xl->sst) - start, room = xl->cell_max - have;
                size_t n = x.text_len < room ? x.text_len : room;
                if (n > 0)
                    rc = li__sst_append(&xl->sst, x.text, n, err);
            }
            break;
        case LI__XS_EOF:
            break;
        }
    }
    li__xs_free(&x);
    li__zip_ahead_stop(ahead);
    li__zip_part_close(zp);
    xl->sst_partial = stopped;
    if (rc == LI_OK)
        rc = li__sst_finish(&xl->sst, err);
    return rc == LI_ENOTFOUND ? LI_OK : rc;
}

/* A cell named a string past a sample's partial table: the whole table now. */
static li_status sst_read_whole(li__xlsx *xl, li_error *err) {
    li__sst_free(&xl->sst);
    li__sst_init(&xl->sst, xl->r->path, xl->r->sst_memory, xl->cell_max);
    xl->sst_partial = 0;
    return sst_read(xl, xl->sst_part, 0, err);
}

/* --- the row being built --------------------------------------------------------- */

static int problem_rank(li_msg m) {
    switch (m) {
    case LI_MSG_ROW_TOO_LONG:
        return 50;
    case LI_MSG_ROW_TOO_MANY_COLUMNS:
        return 40;
    case LI_MSG_ROW_FIELD_TOO_LONG:
        return 30;
    case LI_MSG_ROW_CELLS_IGNORED:
        return 10;
    default:
        return 0;
    }
}

static void set_problem(li__xlsx *xl, li_msg m, size_t a, size_t b) {
    int k = problem_rank(m);
    if (k <= xl->rank)
        return;
    xl->rank = k;
    xl->row.problem = m;
    /* Every row problem takes at most two size_t (row_* in messages.def). */
    li_msg_format_unchecked(xl->row.problem_text, sizeof xl->row.problem_text, m, a, b);
}

static void row_reset(li__xlsx *xl) {
    xl->alen = 0;
    xl->ncells = 0;
    xl->row_bytes = 0;
    xl->row_full = 0;
    xl->rank = 0;
    xl->next_col = 0;
    xl->row.problem = LI_MSG_NONE;
    xl->row.problem_text[0] = '\0';
}

/* Appends bytes to the arena (room is reserved at open: amax). */
static void arena_put(li__xlsx *xl, const char *s, size_t n) {
    if (n > xl->amax - xl->alen)
        n = xl->amax - xl->alen;
    memcpy(xl->arena + xl->alen, s, n);
    xl->alen += n;
}

/* Column index of a cell reference ref[0..n) ("AB12" gives 27), or -1. */
static long ref_col(const char *ref, size_t n) {
    long col = 0;
    size_t k = 0;
    for (; k < n && ref[k] >= 'A' && ref[k] <= 'Z'; k++) {
        if (k == 3)
            return -1;
        col = col * 26 + (ref[k] - 'A' + 1);
    }
    return k == 0 || col > 16384 ? -1 : col - 1;
}

/* The decimal s[0..n), digits only; *ok = 0 (and 0) when it is not one or too large. */
static uint64_t parse_u64(const char *s, size_t n, int *ok) {
    uint64_t v = 0;
    *ok = n > 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > UINT64_MAX / 10 - 10) {
            *ok = 0;
            return 0;
        }
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    return v;
}

/*
 * The value of the cell just read (arena[cell_start, alen)) becomes its
 * text. LI_OK, or an error that ends the read (the shared strings could not
 * be read, their text passes its limit, no memory).
 */
static li_status cell_finish(li__xlsx *xl, li_error *err) {
    li_reader *r = xl->r;
    char *v = xl->arena + xl->cell_start;
    size_t n = xl->alen - xl->cell_start;
    char num[LI__XLSX_NUM_MAX];
    const char *text = v;
    size_t tlen = n;
    int too_long = 0;
    switch (xl->ctype) {
    case 's': {
        int ok = 0;
        uint64_t i = parse_u64(v, n, &ok);
        if (ok && i >= xl->sst.n && xl->sst_partial) {
            li_status rc = sst_read_whole(xl, err);
            if (rc != LI_OK)
                return rc;
        }
        if (!ok || i >= xl->sst.n) {
            tlen = 0;
            break;
        }
        li_status rc = li__sst_get(&xl->sst, (size_t)i, &text, &tlen, &too_long, err);
        if (rc != LI_OK)
            return rc;
        xl->shared_text += too_long ? tlen + 3 : tlen;
        if (xl->shared_text > xl->shared_max) {
            char why[200], lim[32];
            snprintf(lim, sizeof lim, "%llu Mio", (unsigned long long)(xl->shared_max >> 20));
            snprintf(why, sizeof why,
                     "ses textes partagés, répétés de cellule en cellule, donnent plus de %s de "
                     "texte",
                     lim);
            return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_INFLATE_LIMIT, r->path, why);
        }
        break;
    }
    case 'i':
    case 'f':
        tlen = li__xlsx_unescape(v, n);
        break;
    case 'b':
        text = n == 1 && v[0] == '0' ? "FALSE" : "TRUE";
        tlen = n ? strlen(text) : 0;
        break;
    case 'd': /* ISO 8601 (strict OOXML): written like a date-formatted number */
        if (n >= 19 && v[10] == 'T') {
            v[10] = ' ';
            tlen = memcmp(v + 11, "00:00:00", 8) == 0 ? 10 : 19;
        }
        break;
    case 'e':
        break;
    default: {
        if (n == 0)
            break;
        const xf *f = xl->style < xl->nxf ? &xl->xfs[xl->style] : NULL;
        tlen = li__xlsx_number(v, n, f ? f->kind : LI__NUMFMT_GENERAL, f ? f->pad : 0, xl->date1904,
                               num);
        text = num;
        break;
    }
    }
    xl->alen = xl->cell_start; /* the raw value is replaced by its text */
    if (tlen == 0)
        return LI_OK;
    if (xl->col >= r->max_columns) {
        set_problem(xl, LI_MSG_ROW_TOO_MANY_COLUMNS, r->max_columns, 0);
        return LI_OK;
    }
    if (xl->row_full)
        return LI_OK;
    if (too_long || tlen > r->max_field) { /* a preview of the value, for the report */
        tlen = li__utf8_cut(text, tlen, preview_len(xl));
        too_long = 1;
        set_problem(xl, LI_MSG_ROW_FIELD_TOO_LONG, xl->col + 1, r->max_field);
    }
    if (xl->row_bytes + tlen > r->max_row) {
        tlen = li__utf8_cut(text, tlen, r->max_row - xl->row_bytes);
        set_problem(xl, LI_MSG_ROW_TOO_LONG, r->max_row, 0);
        xl->row_full = 1;
    }
    if (xl->ncells == xl->ccap) {
        /* at most one cell per column below max_columns, plus duplicates of bad files */
        size_t cap = xl->ccap * 2;
        cell *c = realloc(xl->cells, cap * sizeof *c);
        if (!c)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        xl->cells = c;
        xl->ccap = cap;
    }
    if (text != v) /* may overlap when the text is the value itself (unescaped) */
        memmove(xl->arena + xl->alen, text, tlen);
    xl->alen += tlen;
    if (too_long) { /* room: amax keeps cell_max + LI__XLSX_NUM_MAX past max_row */
        memcpy(xl->arena + xl->alen, "\xE2\x80\xA6", 3);
        xl->alen += 3;
        tlen += 3;
    }
    xl->row_bytes += tlen;
    xl->cells[xl->ncells].col = xl->col;
    xl->cells[xl->ncells].off = xl->cell_start;
    xl->cells[xl->ncells].len = tlen;
    xl->ncells++;
    return LI_OK;
}

/*
 * Lays the row's cells out by column (gaps empty), as wide as the table
 * (xl->expected, once the first row has set it): a value past its last
 * column is ignored, with a warning naming the first such column. 0, or -1
 * when out of memory.
 */
static int row_build(li__xlsx *xl) {
    size_t width = xl->expected, maxcol = 0, past = SIZE_MAX;
    for (size_t i = 0; i < xl->ncells; i++) {
        size_t col = xl->cells[i].col;
        if (col + 1 > maxcol)
            maxcol = col + 1;
        if (xl->expected && !xl->uncapped && col >= xl->expected && col < past)
            past = col;
    }
    if (!xl->expected)
        width = maxcol ? maxcol : 1; /* a first row of values past max_columns: one empty field */
    else if (xl->uncapped && maxcol > width)
        width = maxcol;
    if (past != SIZE_MAX)
        set_problem(xl, LI_MSG_ROW_CELLS_IGNORED, past + 1, xl->expected);
    if (width > xl->slcap) {
        li_slice *sl = realloc(xl->sl, width * sizeof *sl);
        if (!sl)
            return -1;
        xl->sl = sl;
        xl->slcap = width;
    }
    for (size_t i = 0; i < width; i++) {
        xl->sl[i].ptr = empty;
        xl->sl[i].len = 0;
    }
    for (size_t i = 0; i < xl->ncells; i++) {
        if (xl->cells[i].col >= width)
            continue;
        xl->sl[xl->cells[i].col].ptr = xl->arena + xl->cells[i].off;
        xl->sl[xl->cells[i].col].len = xl->cells[i].len;
    }
    xl->row.fields = xl->sl;
    xl->row.nfields = width;
    return 0;
}

/* --- the sheet stream ---------------------------------------------------------- */

static void sh_start(li__xlsx *xl) {
    li__xs *x = &xl->xs;
    if (xl->in_cell) {
        if (IS(x, "v")) /* an inline string's value is its <is>, not a cached copy */
            xl->capture = !xl->skipping && xl->rph_depth == 0 && xl->ctype != 'i';
        else if (IS(x, "is"))
            xl->in_is = 1;
        else if (IS(x, "rPh"))
            xl->rph_depth++;
        else if (IS(x, "t") && xl->in_is)
            xl->capture = !xl->skipping && xl->rph_depth == 0;
        return;
    }
    if (IS(x, "c") && xl->in_row) {
        const li__xs_attr *ref = NULL, *t = NULL, *s = NULL;
        for (size_t i = 0; i < x->nattrs; i++) { /* one pass: cells are most of the sheet */
            const li__xs_attr *a = &x->attrs[i];
            if (a->name_len == 1 && !a->xmlns) {
                if (a->name[0] == 'r')
                    ref = a;
                else if (a->name[0] == 't')
                    t = a;
                else if (a->name[0] == 's')
                    s = a;
            }
        }
        long col = ref ? ref_col(ref->value, ref->value_len) : -1;
        xl->col = col >= 0 ? (size_t)col : xl->next_col;
        xl->next_col = xl->col + 1;
        int ok;
        xl->style = s ? (size_t)parse_u64(s->value, s->value_len, &ok) : 0;
#define T(lit) (t->value_len == sizeof lit - 1 && memcmp(t->value, lit, sizeof lit - 1) == 0)
        xl->ctype = !t                ? 'n'
                    : T("s")          ? 's'
                    : T("inlineStr")  ? 'i'
                    : T("str")        ? 'f'
                    : T("b")          ? 'b'
                    : T("e")          ? 'e'
                    : T("d")          ? 'd'
                                      : 'n';
#undef T
        xl->in_cell = 1;
        xl->in_is = 0;
        xl->rph_depth = 0;
        xl->cell_start = xl->alen;
    } else if (IS(x, "row")) {
        const li__xs_attr *ref = li__xs_attr_get(x, "r");
        int ok = 0;
        uint64_t no = ref ? parse_u64(ref->value, ref->value_len, &ok) : 0;
        /*
         * Rows are numbered as the sheet says, but always upwards: a writer
         * that repeats or goes back (r="1" on every row) would give two rows
         * one number, and the later would replace the earlier wherever rows
         * are keyed by number (the import's staged rows: a lead lost). Such
         * a row, and a number past LI__XLSX_MAX_ROW_NUMBER, follow the last.
         */
        xl->row.number = ok && no > xl->prev_row && no <= LI__XLSX_MAX_ROW_NUMBER
                             ? no
                             : xl->prev_row + 1;
        xl->prev_row = xl->row.number;
        xl->row.offset = x->start;
        xl->skipping = xl->row.offset < xl->skip_upto;
        xl->in_row = 1;
        row_reset(xl);
    }
}

static li_status sh_end(li__xlsx *xl, li_error *err) {
    li__xs *x = &xl->xs;
    if (xl->in_cell) {
        if (IS(x, "v") || IS(x, "t")) {
            xl->capture = 0;
        } else if (IS(x, "is")) {
            xl->in_is = 0;
        } else if (IS(x, "rPh")) {
            xl->rph_depth--;
        } else if (IS(x, "c")) {
            xl->in_cell = 0;
            xl->capture = 0;
            if (!xl->skipping)
                return cell_finish(xl, err);
        }
        return LI_OK;
    }
    if (IS(x, "row") && xl->in_row) {
        xl->in_row = 0;
        if (xl->skipping || (xl->ncells == 0 && xl->rank == 0))
            return LI_OK; /* before the resume point, or blank (values past max_columns are not) */
        xl->row.next_offset = x->end;
        xl->row_ready = 1;
    }
    return LI_OK;
}

static void sh_text(li__xlsx *xl) {
    size_t have = xl->alen - xl->cell_start;
    if (have >= xl->cell_max)
        return;
    size_t len = xl->xs.text_len;
    size_t n = len < xl->cell_max - have ? len : xl->cell_max - have;
    arena_put(xl, xl->xs.text, n);
}

/* Scans on until a row is ready or the sheet ends. LI_OK (row_ready or done) or an error. */
static li_status sheet_pump(li__xlsx *xl, li_error *err) {
    if (xl->primed) { /* read and built by sheet_settle() */
        xl->primed = 0;
        xl->row_ready = 1;
        return LI_OK;
    }
    xl->row_ready = 0;
    while (!xl->row_ready && !xl->done) {
        xl->xs.row_hint = xl->prev_row; /* for a message: the row a user finds in Excel */
        xl->xs.in_row = xl->in_row;
        li_status rc = li__xs_next(&xl->xs, err);
        if (rc != LI_OK)
            return rc;
        switch (xl->xs.kind) {
        case LI__XS_START:
            sh_start(xl);
            break;
        case LI__XS_END:
            rc = sh_end(xl, err);
            break;
        case LI__XS_TEXT:
            if (xl->capture)
                sh_text(xl);
            break;
        case LI__XS_EOF:
            xl->done = 1;
            break;
        }
        if (rc != LI_OK)
            return rc;
    }
    if (xl->row_ready && row_build(xl) != 0)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    return LI_OK;
}

/* --- opening -------------------------------------------------------------------- */

/*
 * A zip without a workbook: another format we can name (for
 * format_xlsx_unsupported), or NULL when it is no office document at all
 * (xlsx_not_workbook).
 */
static const char *what_zip(li__xlsx *xl) {
    if (li__zip_has(&xl->zip, "xl/workbook.bin"))
        return "un classeur Excel binaire (.xlsb)";
    if (li__zip_has(&xl->zip, "content.xml") && li__zip_has(&xl->zip, "mimetype"))
        return "un document OpenDocument (.ods)";
    if (li__zip_has(&xl->zip, "word/document.xml"))
        return "un document Word (.docx)";
    if (li__zip_has(&xl->zip, "ppt/presentation.xml"))
        return "une présentation PowerPoint (.pptx)";
    return NULL;
}

/* Finds the workbook, its sheets, styles and shared strings. */
static li_status package_read(li__xlsx *xl, li_error *err) {
    li_status rc;
    rels_ctx root, wbr;
    char *wb_part = NULL;
    wb_ctx wb;
    memset(&wb, 0, sizeof wb);
    memset(&wbr, 0, sizeof wbr);
    if ((rc = rels_read(xl, "", &root, err)) != LI_OK)
        goto out;
    const rel *office = rel_by_type(&root, "/officeDocument");
    wb_part = strdup(office ? office->target : "xl/workbook.xml");
    rels_free(&root);
    if (!wb_part) {
        rc = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if (!li__zip_has(&xl->zip, wb_part)) {
        const char *what = what_zip(xl);
        rc = what ? li_error_set(err, LI_EFORMAT, LI_MSG_FORMAT_XLSX_UNSUPPORTED, xl->r->path, what)
                  : li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_NOT_WORKBOOK, xl->r->path,
                                 LI__NOT_WORKBOOK_ZIP);
        goto out;
    }
    wb.xl = xl;
    if ((rc = li__xml_init_ns(&wb.x, &wb, wb_part, err)) != LI_OK)
        goto out;
    XML_SetElementHandler(wb.x.p, wb_start, wb_end);
    if ((rc = li__xml_parse_part(&wb.x, &xl->zip, wb_part, LI__XLSX_MAX_SMALL_PART, err)) != LI_OK)
        goto out;
    if ((rc = rels_read(xl, wb_part, &wbr, err)) != LI_OK)
        goto out;
    /* each sheet's part: worksheets only (chartsheets have no cells) */
    size_t kept = 0;
    for (size_t i = 0; i < xl->nsheets; i++) {
        sheet *s = &xl->sheets[i];
        for (size_t k = 0; k < wbr.n && !s->part; k++)
            if (strcmp(wbr.v[k].id, s->rid) == 0 && ends_with(wbr.v[k].type, "/worksheet") &&
                wbr.v[k].target[0] && !(s->part = strdup(wbr.v[k].target))) {
                rc = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
                goto out;
            }
        if (s->part) {
            xl->sheets[kept++] = *s;
        } else {
            free(s->name);
            free(s->rid);
        }
    }
    xl->nsheets = kept;
    const rel *styles = rel_by_type(&wbr, "/styles");
    const rel *sst = rel_by_type(&wbr, "/sharedStrings");
    if (styles && (rc = styles_read(xl, styles->target, err)) != LI_OK)
        goto out;
    if (sst && !(xl->sst_part = strdup(sst->target))) {
        rc = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if (sst && (rc = sst_read(xl, sst->target, xl->r->sample_strings, err)) != LI_OK)
        goto out;
out:
    free(wb_part);
    li__xml_free(&wb.x);
    rels_free(&wbr);
    return rc;
}

/* Picks the sheet: opts.sheet by name, else by 1-based number; else the first visible one. */
static li_status sheet_choose(li__xlsx *xl, const char *want, li_error *err) {
    if (xl->nsheets == 0) /* no worksheet at all (chartsheets only, or none) */
        return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_BOOK_EMPTY, xl->r->path);
    if (!want) {
        xl->cur = 0;
        for (size_t i = xl->nsheets; i-- > 0;)
            if (!xl->sheets[i].hidden)
                xl->cur = i;
        return LI_OK;
    }
    for (size_t i = 0; i < xl->nsheets; i++)
        if (strcmp(xl->sheets[i].name, want) == 0) {
            xl->cur = i;
            return LI_OK;
        }
    for (size_t i = 0; i < xl->nsheets; i++)
        if (strcasecmp(xl->sheets[i].name, want) == 0) {
            xl->cur = i;
            return LI_OK;
        }
    int ok;
    uint64_t k = parse_u64(want, strlen(want), &ok);
    if (ok && k >= 1 && k <= xl->nsheets) {
        xl->cur = (size_t)k - 1;
        return LI_OK;
    }
    char list[LI_ERROR_MAX];
    size_t o = 0;
    for (size_t i = 0; i < xl->nsheets && o + 1 < sizeof list; i++) {
        int w = snprintf(list + o, sizeof list - o, "%s%zu = « %s »", i ? ", " : "", i + 1,
                         xl->sheets[i].name);
        if (w < 0)
            break;
        o += (size_t)w;
    }
    return li_error_set(err, LI_EUSAGE, LI_MSG_XLSX_SHEET_UNKNOWN, want, list);
}

static li_status sheet_start(li__xlsx *xl, li_error *err) {
    const sheet *s = &xl->sheets[xl->cur];
    snprintf(xl->part_name, sizeof xl->part_name, "%s", s->part);
    li_status rc = li__zip_part_open(&xl->zip, s->part, xl->r->max_inflated, &xl->part, err);
    if (rc == LI_ENOTFOUND) {
        char why[MAX_PART_NAME + 64];
        snprintf(why, sizeof why, "la feuille « %.200s » est absente de l'archive", s->part);
        return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_CORRUPT, xl->r->path, why);
    }
    if (rc != LI_OK || (rc = li__zip_ahead_start(xl->part, &xl->ahead, err)) != LI_OK)
        return rc;
    return li__xs_init(&xl->xs, ahead_read, xl->ahead, xl->r->path, xl->part_name, err);
}

/* Undoes sheet_start(): the parser, the entry and the stream's state, for another sheet. */
static void sheet_stop(li__xlsx *xl) {
    li__xs_free(&xl->xs);
    li__zip_ahead_stop(xl->ahead);
    xl->ahead = NULL;
    li__zip_part_close(xl->part);
    xl->part = NULL;
    xl->done = 0;
    xl->in_row = xl->in_cell = xl->capture = xl->in_is = xl->rph_depth = xl->skipping = 0;
    xl->prev_row = 0;
    xl->row_ready = 0;
    row_reset(xl);
}

/* The next visible sheet after the current one; 0 if none. */
static int sheet_next_visible(li__xlsx *xl) {
    for (size_t i = xl->cur + 1; i < xl->nsheets; i++)
        if (!xl->sheets[i].hidden) {
            xl->cur = i;
            return 1;
        }
    return 0;
}

/*
 * Opens the chosen sheet and reads its first row, which the next
 * sheet_pump() hands out. The first visible sheet chosen by default may be
 * empty while a later one has rows (a cover sheet left blank): the first
 * visible sheet with a row is read instead, and info.notice says so. A
 * sheet named by opts.sheet is read or refused, never replaced.
 */
static li_status sheet_settle(li__xlsx *xl, int named, li_error *err) {
    size_t first = xl->cur, visible = 0;
    li_status rc;
    for (;;) {
        if ((rc = sheet_start(xl, err)) != LI_OK || (rc = sheet_pump(xl, err)) != LI_OK)
            return rc;
        if (xl->row_ready)
            break;
        visible++;
        if (named || !sheet_next_visible(xl)) {
            if (named || visible == 1)
                return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_SHEET_EMPTY,
                                    xl->sheets[first].name, xl->r->path);
            return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_BOOK_EMPTY, xl->r->path);
        }
        sheet_stop(xl);
    }
    xl->primed = 1;
    if (xl->cur != first) {
        li_msg_format(xl->notice, sizeof xl->notice, LI_MSG_XLSX_SHEET_SKIPPED,
                      xl->sheets[first].name, xl->sheets[xl->cur].name);
        xl->r->info.notice = xl->notice;
    }
    return LI_OK;
}

static li_status xlsx_open(li_reader *r, const unsigned char *sample, size_t n, li_error *err) {
    (void)sample, (void)n;
    li_status rc;
    li__xlsx *xl = calloc(1, sizeof *xl);
    if (!xl)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    r->ctx = xl;
    xl->r = r;
    xl->cell_max = r->max_field + 4;
    li__sst_init(&xl->sst, r->path, r->sst_memory, xl->cell_max);
    xl->amax = r->max_row + xl->cell_max + LI__XLSX_NUM_MAX;
    xl->ccap = r->max_columns < 64 ? r->max_columns : 64;
    xl->arena = malloc(xl->amax);
    xl->cells = malloc(xl->ccap * sizeof *xl->cells);
    xl->shared_max = (uint64_t)LI__XLSX_MAX_RATIO * r->info.size;
    if (xl->shared_max < LI__XLSX_SHARED_GRACE)
        xl->shared_max = LI__XLSX_SHARED_GRACE;
    if (!xl->arena || !xl->cells)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    if ((rc = li__zip_open(&xl->zip, r, err)) != LI_OK)
        return rc;
    if ((rc = package_read(xl, err)) != LI_OK)
        return rc;
    if ((rc = sheet_choose(xl, r->opt_sheet, err)) != LI_OK)
        return rc;
    if ((rc = sheet_settle(xl, r->opt_sheet != NULL, err)) != LI_OK)
        return rc;
    r->info.format = "xlsx";
    r->info.encoding = "utf-8";
    r->info.bom = 0;
    r->info.delimiter = ','; /* none in a workbook; a printable value for callers that show it */
    r->info.sheet = xl->sheets[xl->cur].name;

    /*
     * The first rows: a title block to skip, then the header or the first
     * data row, decided from the shapes of the first rows (sniff.c). The
     * sheet is then parsed again from its start, skipping to that row, so
     * that every row is built the same way (the header's width known).
     */
    li__sniff_row first[LI__SNIFF_TABLE_ROWS];
    size_t nfirst = 0;
    while (nfirst < LI__SNIFF_TABLE_ROWS) {
        if ((rc = sheet_pump(xl, err)) != LI_OK && nfirst == 0)
            return rc;
        if (rc != LI_OK || !xl->row_ready)
            break; /* a sheet that breaks further down gives its first rows, then the error */
        li__sniff_row_init(&first[nfirst++], &xl->row);
    }
    if (nfirst == 0)
        return li_error_set(err, LI_EFORMAT, LI_MSG_FILE_EMPTY, r->path);
    li__sniff_table tb;
    li__sniff_find_header(first, nfirst, r->opt_header, &tb);
    /* all of the parse's state goes: a sheet that broke inside a cell
       must not leave the new parse in that cell (rows were mixed up) */
    sheet_stop(xl);
    xl->skip_upto = first[tb.first].offset;
    xl->shared_text = 0; /* the rows read again are counted again */
    if ((rc = sheet_start(xl, err)) != LI_OK || (rc = sheet_pump(xl, err)) != LI_OK)
        return rc;
    if (!xl->row_ready)
        return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "xlsx: header");
    if (tb.has_header) {
        r->info.columns = xl->expected = tb.width;
    } else {
        /* Without a header nothing says where the table ends: a later row
           wider than the first keeps its cells (empty cells are absent
           from the XML, so the first row's width is no table's). */
        size_t w = xl->row.nfields;
        for (size_t i = 0; i < nfirst; i++)
            if (first[i].width > w)
                w = first[i].width;
        r->info.columns = xl->expected = w;
        xl->uncapped = 1;
    }
    if (tb.has_header) {
        r->info.has_header = 1;
        r->info.header_row = xl->row.number;
        r->info.skipped_rows = xl->row.number - 1;
        rc = li__reader_set_header(r, xl->sl, tb.width, err);
    } else {
        xl->pending = 1;
    }
    if (r->resume_offset > 0) {
        xl->pending = 0;
        xl->skip_upto = r->resume_offset;
    }
    return rc;
}

static li_status xlsx_next(li_reader *r, const li_row **row, li_error *err) {
    li__xlsx *xl = r->ctx;
    *row = NULL;
    if (xl->pending) {
        xl->pending = 0;
        *row = &xl->row;
        return LI_OK;
    }
    li_status rc = sheet_pump(xl, err);
    if (rc != LI_OK)
        return rc;
    if (!xl->row_ready)
        return LI_EOF;
    *row = &xl->row;
    return LI_OK;
}

static uint64_t xlsx_position(const li_reader *r) {
    const li__xlsx *xl = r->ctx;
    if (!xl || xl->done)
        return xl ? r->info.size : 0;
    uint64_t size = xl->part ? xl->part->size : 0;
    if (size == 0 || xl->xs.raw >= size)
        return r->info.size;
    return (uint64_t)((double)r->info.size * ((double)xl->xs.raw / (double)size));
}

/* --- sheet list --------------------------------------------------------------- */

/*
 * The rows of sheet s, for the sheet list: the last row its dimension
 * names when it has one, else the number of its last row.
 */
static li_status count_rows(li__xlsx *xl, sheet *s, li_error *err) {
    li__zip_part *part = NULL;
    li__xs x;
    memset(&x, 0, sizeof x);
    uint64_t last = 0;
    li_status rc = li__zip_part_open(&xl->zip, s->part, xl->r->max_inflated, &part, err);
    if (rc == LI_OK)
        rc = li__xs_init(&x, part_read, part, xl->r->path, s->part, err);
    while (rc == LI_OK && (rc = li__xs_next(&x, err)) == LI_OK && x.kind != LI__XS_EOF) {
        if (x.kind != LI__XS_START)
            continue;
        if (IS(&x, "dimension")) {
            const li__xs_attr *ref = li__xs_attr_get(&x, "ref");
            const char *colon = ref ? memchr(ref->value, ':', ref->value_len) : NULL;
            if (colon) {
                const char *p = colon + 1, *e = ref->value + ref->value_len;
                while (p < e && *p >= 'A' && *p <= 'Z')
                    p++;
                int ok;
                uint64_t n = parse_u64(p, (size_t)(e - p), &ok);
                if (ok) {
                    last = n;
                    break;
                }
            }
        } else if (IS(&x, "row")) {
            const li__xs_attr *ref = li__xs_attr_get(&x, "r");
            int ok = 0;
            uint64_t no = ref ? parse_u64(ref->value, ref->value_len, &ok) : 0;
            last = ok && no > 0 ? no : last + 1;
        }
    }
    li__xs_free(&x);
    li__zip_part_close(part);
    if (rc == LI_ENOTFOUND)
        rc = LI_OK;
    s->rows = last;
    s->rows_known = rc == LI_OK;
    return rc;
}

static li_status xlsx_sheets(li_reader *r, const li_sheet_info **out, size_t *n, li_error *err) {
    li__xlsx *xl = r->ctx;
    if (!xl->infos && !(xl->infos = calloc(xl->nsheets, sizeof *xl->infos)))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    for (size_t i = 0; i < xl->nsheets; i++) {
        sheet *s = &xl->sheets[i];
        li_status rc;
        if (!s->rows_known && (rc = count_rows(xl, s, err)) != LI_OK)
            return rc;
        xl->infos[i].name = s->name;
        xl->infos[i].number = i + 1;
        xl->infos[i].hidden = s->hidden;
        xl->infos[i].current = i == xl->cur;
        xl->infos[i].rows = s->rows;
    }
    *out = xl->infos;
    *n = xl->nsheets;
    return LI_OK;
}

static void xlsx_close(li_reader *r) {
    li__xlsx *xl = r->ctx;
    if (!xl)
        return;
    li__xs_free(&xl->xs);
    li__zip_ahead_stop(xl->ahead);
    li__zip_part_close(xl->part);
    li__zip_close(&xl->zip);
    for (size_t i = 0; i < xl->nsheets; i++) {
        free(xl->sheets[i].name);
        free(xl->sheets[i].rid);
        free(xl->sheets[i].part);
    }
    free(xl->sheets);
    free(xl->infos);
    free(xl->xfs);
    li__sst_free(&xl->sst);
    free(xl->sst_part);
    free(xl->arena);
    free(xl->cells);
    free(xl->sl);
    free(xl);
    r->ctx = NULL;
}

const li__reader_backend li__xlsx_backend = {
    .name = "xlsx",
    .open = xlsx_open,
    .next = xlsx_next,
    .position = xlsx_position,
    .close = xlsx_close,
    .sheets = xlsx_sheets,
};
