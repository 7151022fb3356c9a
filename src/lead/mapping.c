/*
 * mapping.c — which column of a file feeds which lead field (see mapping.h).
 *
 * What it promises:
 *   - column names are the header texts trimmed and with inner whitespace
 *     collapsed; an empty header cell, or a file without header, gives
 *     "Colonne N" (1-based), so that every column has a name to show and
 *     to key its custom value with;
 *   - --map overrides are applied first: an override's field is a key
 *     ("email") or any synonym ("Courriel"); its column is a header text
 *     (exact match first, then folded), or a 1-based number "3" / "#3".
 *     A later override of the same field or the same column replaces an
 *     earlier one. An overridden column no longer takes part in the
 *     automatic mapping, and a field set by an override is never taken by
 *     another column;
 *   - then each remaining column is matched by li_field_by_header(); when
 *     two columns match the same field, the first wins, the second is kept
 *     as a custom field and a MAP_DUPLICATE warning says so;
 *   - without any column for e-mail nor phone, a MAP_NO_CONTACT warning;
 *   - at most 4 warnings are kept (the struct's room); more are dropped.
 *
 * The mapping owns all its memory; li_mapping_free() releases it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lead/leadInt.h"
#include "leadimport/buf.h"
#include "leadimport/mapping.h"

enum { FOLD_MAX = 256 };

/* Adds a French warning to m; past the room of m->warnings it is dropped. */
static void add_warning(li_mapping *m, li_msg msg, ...) {
    if (m->nwarnings >= sizeof m->warnings / sizeof m->warnings[0])
        return;
    va_list ap;
    va_start(ap, msg);
    li_msg_formatv(m->warnings[m->nwarnings], sizeof m->warnings[0], msg, ap);
    va_end(ap);
    m->nwarnings++;
}

/* A malloc'ed copy of s trimmed and collapsed; NULL if out of memory. */
static char *dup_clean(const char *s, size_t len) {
    char *p = malloc(len + 1);
    if (!p)
        return NULL;
    size_t n = li__norm_text(s, len, p, 1, 0, &(int){0});
    p[n] = '\0';
    return p;
}

/* Gives each column its name; header may be NULL. */
static li_status name_columns(li_mapping *m, const li_slice *header) {
    for (size_t i = 0; i < m->ncols; i++) {
        char *name = NULL;
        if (header && header[i].len > 0) {
            name = dup_clean(header[i].ptr, header[i].len);
            if (!name)
                return LI_ENOMEM;
            if (name[0] == '\0') {
                free(name);
                name = NULL;
            }
        }
        if (!name) {
            name = malloc(32);
            if (!name)
                return LI_ENOMEM;
            snprintf(name, 32, "Colonne %zu", i + 1);
        }
        m->col_name[i] = name;
    }
    return LI_OK;
}

/* "first_name, last_name, ..." for the MAP_FIELD_UNKNOWN message. */
static void field_keys(char *out, size_t cap) {
    size_t n = 0;
    out[0] = '\0';
    for (int f = 0; f < LI_FIELD__COUNT && n < cap; f++) {
        int w = snprintf(out + n, cap - n, "%s%s", f ? ", " : "", li_field_key((li_field)f));
        if (w < 0)
            break;
        n += (size_t)w;
    }
}

/* The column an override names, or -1. text is already cleaned. */
static long find_column(const li_mapping *m, const char *text) {
    for (size_t i = 0; i < m->ncols; i++)
        if (strcmp(m->col_name[i], text) == 0)
            return (long)i;
    char want[FOLD_MAX], have[FOLD_MAX];
    if (li_fold(text, strlen(text), want, sizeof want) > 0) {
        for (size_t i = 0; i < m->ncols; i++) {
            li_fold(m->col_name[i], strlen(m->col_name[i]), have, sizeof have);
            if (strcmp(want, have) == 0)
                return (long)i;
        }
    }
    const char *d = text[0] == '#' ? text + 1 : text;
    size_t nd = strspn(d, "0123456789");
    if (nd == 0 || nd > 9 || d[nd] != '\0')
        return -1;
    unsigned long no = strtoul(d, NULL, 10);
    return (no >= 1 && no <= m->ncols) ? (long)no - 1 : -1;
}

/*
 * Resolves one override to (field, column). Errors are LI_EUSAGE with a
 * French message in err.
 */
static li_status resolve_override(const li_mapping *m, const li_map_override *o, li_field *field,
                                  size_t *col, li_error *err) {
    li_status st = LI_OK;
    char *text = NULL;
    char spec[160];
    snprintf(spec, sizeof spec, "%s=%s", o->field ? o->field : "", o->column ? o->column : "");
    if (!o->field || !o->column || !o->field[0] || !o->column[0]) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_MAP_SYNTAX, spec);
        goto out;
    }
    *field = li_field_by_key(o->field);
    if (*field == LI_FIELD_NONE)
        *field = li_field_by_header(o->field, strlen(o->field));
    if (*field == LI_FIELD_NONE) {
        char keys[256];
        field_keys(keys, sizeof keys);
        st = li_error_set(err, LI_EUSAGE, LI_MSG_MAP_FIELD_UNKNOWN, o->field, keys);
        goto out;
    }
    text = dup_clean(o->column, strlen(o->column));
    if (!text) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    long c = find_column(m, text);
    if (c < 0) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_MAP_COLUMN_UNKNOWN, o->column, spec);
        goto out;
    }
    *col = (size_t)c;
out:
    free(text);
    return st;
}

li_status li_mapping_new(const li_slice *header, size_t ncols, const li_map_override *ov,
                         size_t nov, li_mapping **out, li_error *err) {
    li_status st = LI_OK;
    unsigned char *forced = NULL; /* [ncols]: column set by an override */
    li_mapping *m = calloc(1, sizeof *m);
    if (!m)
        goto nomem;
    m->ncols = ncols;
    m->col_field = malloc((ncols ? ncols : 1) * sizeof *m->col_field);
    m->col_name = calloc(ncols ? ncols : 1, sizeof *m->col_name);
    forced = calloc(ncols ? ncols : 1, 1);
    if (!m->col_field || !m->col_name || !forced)
        goto nomem;
    for (size_t i = 0; i < ncols; i++)
        m->col_field[i] = LI_FIELD_NONE;
    for (int f = 0; f < LI_FIELD__COUNT; f++)
        m->field_col[f] = -1;
    if (name_columns(m, header) != LI_OK)
        goto nomem;

    for (size_t k = 0; k < nov; k++) {
        li_field f;
        size_t c;
        st = resolve_override(m, &ov[k], &f, &c, err);
        if (st != LI_OK)
            goto out;
        if (m->col_field[c] != LI_FIELD_NONE) /* the column leaves its old field */
            m->field_col[m->col_field[c]] = -1;
        if (m->field_col[f] >= 0) { /* the field leaves its old column */
            m->col_field[m->field_col[f]] = LI_FIELD_NONE;
            forced[m->field_col[f]] = 0;
        }
        m->col_field[c] = f;
        m->field_col[f] = (int)c;
        forced[c] = 1;
    }

    for (size_t c = 0; header && c < ncols; c++) {
        if (forced[c])
            continue;
        li_field f = li_field_by_header(m->col_name[c], strlen(m->col_name[c]));
        if (f == LI_FIELD_NONE)
            continue;
        int first = m->field_col[f];
        if (first < 0) {
            m->col_field[c] = f;
            m->field_col[f] = (int)c;
        } else if (!forced[first]) {
            add_warning(m, LI_MSG_MAP_DUPLICATE, m->col_name[first], m->col_name[c],
                        li_field_label(f));
        }
    }
    if (m->field_col[LI_FIELD_EMAIL] < 0 && m->field_col[LI_FIELD_PHONE] < 0)
        add_warning(m, LI_MSG_MAP_NO_CONTACT);
    goto out;

nomem:
    st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
out:
    free(forced);
    if (st != LI_OK) {
        li_mapping_free(m);
        m = NULL;
    }
    if (out)
        *out = m;
    else
        li_mapping_free(m);
    return st;
}

char *li_mapping_to_json(const li_mapping *m) {
    li_buf b;
    li_buf_init(&b, 0);
    li_status st = li_buf_putc(&b, '{');
    for (size_t i = 0; m && st == LI_OK && i < m->ncols; i++) {
        if (i)
            st = li_buf_putc(&b, ',');
        if (st == LI_OK)
            st = li_buf_json_str(&b, m->col_name[i], strlen(m->col_name[i]));
        if (st == LI_OK)
            st = li_buf_putc(&b, ':');
        if (st != LI_OK)
            break;
        if (m->col_field[i] == LI_FIELD_NONE) {
            st = li_buf_puts(&b, "null");
        } else {
            const char *key = li_field_key(m->col_field[i]);
            st = li_buf_json_str(&b, key, strlen(key));
        }
    }
    if (st == LI_OK)
        st = li_buf_putc(&b, '}');
    if (st != LI_OK) {
        li_buf_free(&b);
        return NULL;
    }
    return b.data; /* ownership passes to the caller */
}

void li_mapping_free(li_mapping *m) {
    if (!m)
        return;
    if (m->col_name)
        for (size_t i = 0; i < m->ncols; i++)
            free(m->col_name[i]);
    free(m->col_name);
    free(m->col_field);
    free(m);
}
