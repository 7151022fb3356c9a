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
 *   - then a saved mapping decides the columns it names (folded header
 *     equality), except for a field an override already set; its null
 *     entries keep a column custom on purpose;
 *   - then each remaining column is matched by li_field_by_header(); when
 *     two columns match the same field, the first wins, the second is kept
 *     as a custom field and a MAP_DUPLICATE warning says so; then the
 *     columns still custom by li_field_by_header_fuzzy(), for fields no
 *     column has;
 *   - li_mapping_observe()/li_mapping_guess() give the remaining custom
 *     columns a field from their values (e-mail, phone, country), never a
 *     field some column already has;
 *   - without any column for e-mail nor phone, a MAP_NO_CONTACT warning;
 *   - at most 6 warnings are kept (the struct's room); more are dropped.
 *
 * The mapping owns all its memory; li_mapping_free() releases it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lead/leadInt.h"
#include "leadimport/buf.h"
#include "leadimport/date.h"
#include "leadimport/mapping.h"
#include "leadimport/validate.h"

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

const char *li_map_reason_key(li_map_reason r) {
    switch (r) {
    case LI_MAP_OVERRIDE:
        return "override";
    case LI_MAP_TEMPLATE:
        return "template";
    case LI_MAP_REMEMBERED:
        return "remembered";
    case LI_MAP_HEADER:
        return "header";
    case LI_MAP_FUZZY:
        return "fuzzy";
    case LI_MAP_VALUES:
        return "values";
    case LI_MAP_CUSTOM:
        break;
    }
    return "custom";
}

/* The column holding field f (LI_FIELD_FULL_NAME included), or -1. */
static int holder(const li_mapping *m, li_field f) {
    if (f == LI_FIELD_FULL_NAME)
        return m->full_name_col;
    return f >= 0 && f < LI_FIELD__COUNT ? m->field_col[f] : -1;
}

static void set_holder(li_mapping *m, li_field f, int c) {
    if (f == LI_FIELD_FULL_NAME)
        m->full_name_col = c;
    else if (f >= 0 && f < LI_FIELD__COUNT)
        m->field_col[f] = c;
}

/* Gives column c the field f for reason r; c leaves its old field. */
static void assign(li_mapping *m, size_t c, li_field f, li_map_reason r) {
    if (m->col_field[c] != LI_FIELD_NONE && holder(m, m->col_field[c]) == (int)c)
        set_holder(m, m->col_field[c], -1);
    m->col_field[c] = f;
    m->col_reason[c] = r;
    if (f != LI_FIELD_NONE)
        set_holder(m, f, (int)c);
}

/* Sets the French detail of column c's reason; out of memory leaves none. */
static void set_detail(li_mapping *m, size_t c, li_msg msg, ...) {
    char text[256];
    va_list ap;
    va_start(ap, msg);
    li_msg_formatv(text, sizeof text, msg, ap);
    va_end(ap);
    free(m->col_detail[c]);
    m->col_detail[c] = strdup(text);
}

/* Applies a saved mapping (spec->saved_json) to the columns not overridden. */
static li_status apply_saved(li_mapping *m, const li_mapping_spec *spec, li_error *err) {
    json_error_t jerr;
    json_t *root = json_loads(spec->saved_json, 0, &jerr);
    li_status st = LI_OK;
    const char *name = spec->saved_name ? spec->saved_name : "";
    if (!json_is_object(root)) {
        st = li_error_set(err, LI_EFORMAT, LI_MSG_MAPPING_CORRUPT, name);
        goto out;
    }
    char want[FOLD_MAX], have[FOLD_MAX];
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        if (!json_is_string(val) && !json_is_null(val)) {
            st = li_error_set(err, LI_EFORMAT, LI_MSG_MAPPING_CORRUPT, name);
            goto out;
        }
        li_field f = LI_FIELD_NONE;
        if (json_is_string(val) && (f = li_field_by_key(json_string_value(val))) == LI_FIELD_NONE) {
            st = li_error_set(err, LI_EFORMAT, LI_MSG_MAPPING_CORRUPT, name);
            goto out;
        }
        size_t nw = li_fold(key, strlen(key), want, sizeof want);
        for (size_t c = 0; c < m->ncols; c++) {
            if (m->col_reason[c] != LI_MAP_CUSTOM)
                continue; /* overridden, or named earlier in the saved mapping */
            size_t nh = li_fold(m->col_name[c], strlen(m->col_name[c]), have, sizeof have);
            if (nh != nw || memcmp(want, have, nw) != 0)
                continue;
            int h = f == LI_FIELD_NONE ? -1 : holder(m, f);
            if (h >= 0)
                break; /* an override gave the field to another column */
            assign(m, c, f, spec->saved_reason);
            break;
        }
    }
out:
    json_decref(root);
    return st;
}

/*
 * Steps 3 and 4: the headers of undecided columns, all exact matches
 * first, then typos, so that "Emial" never takes the e-mail from a later
 * "Email". A typo for a field some column already has is left custom
 * without a warning: "Prénom 2" beside "Prénom" is not a duplicate.
 */
static void match_headers(li_mapping *m) {
    for (size_t c = 0; c < m->ncols; c++) {
        if (m->col_reason[c] != LI_MAP_CUSTOM)
            continue;
        const char *name = m->col_name[c];
        li_field f = li_field_by_header(name, strlen(name));
        if (f == LI_FIELD_NONE)
            continue;
        int first = holder(m, f);
        if (first < 0)
            assign(m, c, f, LI_MAP_HEADER);
        else if (m->col_reason[first] >= LI_MAP_HEADER) /* both automatic: say so */
            add_warning(m, LI_MSG_MAP_DUPLICATE, m->col_name[first], name, li_field_label(f));
    }
    for (size_t c = 0; c < m->ncols; c++) {
        if (m->col_reason[c] != LI_MAP_CUSTOM)
            continue;
        const char *name = m->col_name[c];
        unsigned dist = 0;
        const char *syn = NULL;
        li_field f = li_field_by_header_fuzzy(name, strlen(name), &dist, &syn);
        if (f == LI_FIELD_NONE || holder(m, f) >= 0)
            continue;
        assign(m, c, f, LI_MAP_FUZZY);
        set_detail(m, c, LI_MSG_MAP_FUZZY_DETAIL, name, syn, dist, dist > 1 ? "s" : "");
    }
}

/* Adds MAP_NO_CONTACT when no column feeds e-mail nor phone. */
static void check_contact(li_mapping *m) {
    if (m->field_col[LI_FIELD_EMAIL] < 0 && m->field_col[LI_FIELD_PHONE] < 0)
        add_warning(m, LI_MSG_MAP_NO_CONTACT);
}

li_status li_mapping_build(const li_mapping_spec *spec, li_mapping **out, li_error *err) {
    li_status st = LI_OK;
    size_t ncols = spec->ncols;
    size_t room = ncols ? ncols : 1;
    li_mapping *m = calloc(1, sizeof *m);
    if (!m)
        goto nomem;
    m->ncols = ncols;
    m->has_header = spec->header != NULL;
    m->full_name_col = -1;
    m->col_field = malloc(room * sizeof *m->col_field);
    m->col_name = calloc(room, sizeof *m->col_name);
    m->col_reason = calloc(room, sizeof *m->col_reason);
    m->col_detail = calloc(room, sizeof *m->col_detail);
    m->col_date = calloc(room, 1);
    if (!m->col_field || !m->col_name || !m->col_reason || !m->col_detail || !m->col_date)
        goto nomem;
    for (size_t i = 0; i < ncols; i++)
        m->col_field[i] = LI_FIELD_NONE;
    for (int f = 0; f < LI_FIELD__COUNT; f++)
        m->field_col[f] = -1;
    if (name_columns(m, spec->header) != LI_OK)
        goto nomem;

    for (size_t k = 0; k < spec->nov; k++) {
        li_field f;
        size_t c;
        st = resolve_override(m, &spec->ov[k], &f, &c, err);
        if (st != LI_OK)
            goto out;
        int old = holder(m, f);
        if (old >= 0) /* the field leaves its old column */
            assign(m, (size_t)old, LI_FIELD_NONE, LI_MAP_CUSTOM);
        assign(m, c, f, LI_MAP_OVERRIDE);
    }
    if (spec->saved_json && spec->header && (st = apply_saved(m, spec, err)) != LI_OK)
        goto out;
    if (spec->header)
        match_headers(m);
    check_contact(m);
    goto out;

nomem:
    st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
out:
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

li_status li_mapping_new(const li_slice *header, size_t ncols, const li_map_override *ov,
                         size_t nov, li_mapping **out, li_error *err) {
    li_mapping_spec spec = {.header = header, .ncols = ncols, .ov = ov, .nov = nov};
    return li_mapping_build(&spec, out, err);
}

/* --- step 5: the values ----------------------------------------------------- */

/* What the sampled values of one column looked like. */
struct li_map_stats {
    unsigned nonempty;
    unsigned email; /* valid e-mail addresses */
    unsigned phone; /* valid phone numbers written as such (+, 0 or separators) */
    unsigned country;
    li_date_col date; /* the whole column, when it takes that to know the order */
    unsigned char pending; /* after the sample: 0 not decided yet, 1 dates without order, 2 not */
};

/* Share of values, in percent, needed for a column to take a field. */
enum { GUESS_PERCENT = 80, GUESS_MIN_VALUES = 5, VALUE_MAX = 320 };

/* 1 if s reads as a phone number someone typed, not just any number. */
static int looks_like_phone(const char *s, size_t n) {
    char e164[24];
    if (n == 0 || n > 40)
        return 0;
    int written = s[0] == '+' || s[0] == '0' || s[0] == '(';
    for (size_t i = 1; i + 1 < n && !written; i++)
        written = (s[i] == ' ' || s[i] == '.' || s[i] == '-') && s[i - 1] >= '0' &&
                  s[i - 1] <= '9';
    return written && li_norm_phone(s, n, "FR", e164, sizeof e164) == LI_MSG_NONE;
}

/* Allocates the statistics, date analysers started with each header's hint. */
static li_status stats_init(li_mapping *m) {
    if (m->stats)
        return LI_OK;
    if (!(m->stats = calloc(m->ncols ? m->ncols : 1, sizeof *m->stats)))
        return LI_ENOMEM;
    for (size_t c = 0; c < m->ncols; c++)
        li_date_col_init(&m->stats[c].date,
                         m->has_header && li_date_header_hint(m->col_name[c], strlen(m->col_name[c])));
    return LI_OK;
}

/*
 * 1 if column c looked like dates without an order at the end of the
 * sample (decided once: the verdict is not free) and still has no value
 * that proves one.
 */
static int date_pending(const li_mapping *m, size_t c) {
    struct li_map_stats *st = &m->stats[c];
    if (st->pending == 0) {
        li_date_verdict v;
        li_date_col_verdict(&st->date, &v);
        st->pending = m->col_reason[c] == LI_MAP_CUSTOM && v.is_date && v.ambiguous > 0 &&
                              v.dmy == 0 && v.mdy == 0
                          ? 1
                          : 2;
    }
    return st->pending == 1 && st->date.dmy == 0 && st->date.mdy == 0;
}

int li_mapping_dates_pending(const li_mapping *m) {
    for (size_t c = 0; m->stats && c < m->ncols; c++)
        if (date_pending(m, c))
            return 1;
    return 0;
}

li_status li_mapping_observe_dates(li_mapping *m, const li_slice *fields, size_t nfields) {
    for (size_t c = 0; m->stats && c < nfields && c < m->ncols; c++)
        if (fields[c].len && date_pending(m, c))
            li_date_col_feed(&m->stats[c].date, fields[c].ptr, fields[c].len);
    return LI_OK;
}

li_status li_mapping_observe(li_mapping *m, const li_slice *fields, size_t nfields) {
    if (m->nobserved >= LI_MAPPING_SAMPLE_ROWS)
        return LI_OK;
    if (stats_init(m) != LI_OK)
        return LI_ENOMEM;
    m->nobserved++;
    char v[VALUE_MAX];
    for (size_t c = 0; c < nfields && c < m->ncols; c++) {
        if (m->col_reason[c] != LI_MAP_CUSTOM || fields[c].len == 0 || fields[c].len >= VALUE_MAX)
            continue;
        size_t n = li_norm_text(fields[c].ptr, fields[c].len, v, 1, 0);
        if (n == 0)
            continue;
        struct li_map_stats *st = &m->stats[c];
        st->nonempty++;
        li_date_col_feed(&st->date, v, n);
        v[n] = '\0';
        if (memchr(v, '@', n)) {
            char e[VALUE_MAX];
            st->email += li_norm_email(v, n, e, sizeof e) == LI_MSG_NONE;
        } else if (looks_like_phone(v, n)) {
            st->phone++;
        } else if (n >= 2 && !(v[0] >= '0' && v[0] <= '9') && li__country_iso(v, n)) {
            st->country++;
        }
    }
    return LI_OK;
}

/* 1 if count of the column's nonempty values is a clear majority. */
static int most(const struct li_map_stats *st, unsigned count) {
    return st->nonempty >= GUESS_MIN_VALUES && count * 100u >= st->nonempty * GUESS_PERCENT;
}

void li_mapping_guess(li_mapping *m) {
    for (size_t c = 0; m->stats && c < m->ncols; c++) {
        const struct li_map_stats *st = &m->stats[c];
        if (m->col_reason[c] != LI_MAP_CUSTOM || st->nonempty == 0)
            continue;
        li_field f = most(st, st->email)     ? LI_FIELD_EMAIL
                     : most(st, st->phone)   ? LI_FIELD_PHONE
                     : most(st, st->country) ? LI_FIELD_COUNTRY
                                             : LI_FIELD_NONE;
        if (f == LI_FIELD_NONE || holder(m, f) >= 0)
            continue;
        unsigned count = f == LI_FIELD_EMAIL ? st->email : f == LI_FIELD_PHONE ? st->phone : st->country;
        assign(m, c, f, LI_MAP_VALUES);
        set_detail(m, c, LI_MSG_MAP_VALUES_DETAIL, count, st->nonempty, li_field_label(f));
    }
    for (size_t c = 0; m->stats && c < m->ncols; c++) {
        if (m->col_reason[c] != LI_MAP_CUSTOM)
            continue;
        li_date_verdict v;
        li_date_col_verdict(&m->stats[c].date, &v);
        if (!v.is_date)
            continue;
        m->col_date[c] = (unsigned char)(1 + v.order);
        if (v.warning == LI_MSG_DATE_COLUMN_AMBIGUOUS)
            add_warning(m, v.warning, m->col_name[c], v.ambiguous_example, v.ambiguous_reading);
        else if (v.warning == LI_MSG_DATE_COLUMN_MIXED)
            add_warning(m, v.warning, m->col_name[c], v.dmy_example, v.mdy_example,
                        li_date_order_label(v.order));
    }
    /* The contact warning said before the values were seen may be void now. */
    if (m->field_col[LI_FIELD_EMAIL] >= 0 || m->field_col[LI_FIELD_PHONE] >= 0) {
        char text[256];
        li_msg_format(text, sizeof text, LI_MSG_MAP_NO_CONTACT);
        for (size_t i = 0; i < m->nwarnings; i++) {
            if (strcmp(m->warnings[i], text) != 0)
                continue;
            memmove(m->warnings[i], m->warnings[i + 1], (m->nwarnings - i - 1) * sizeof m->warnings[0]);
            m->nwarnings--;
            break;
        }
    }
}

static char *to_json(const li_mapping *m, int decided_only) {
    li_buf b;
    li_buf_init(&b, 0);
    li_status st = li_buf_putc(&b, '{');
    int first = 1;
    for (size_t i = 0; m && st == LI_OK && i < m->ncols; i++) {
        if (decided_only && m->col_reason[i] == LI_MAP_CUSTOM)
            continue;
        if (!first)
            st = li_buf_putc(&b, ',');
        first = 0;
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

char *li_mapping_to_json(const li_mapping *m) {
    return to_json(m, 0);
}

char *li_mapping_to_json_decided(const li_mapping *m) {
    return to_json(m, 1);
}

void li_mapping_free(li_mapping *m) {
    if (!m)
        return;
    if (m->col_name)
        for (size_t i = 0; i < m->ncols; i++)
            free(m->col_name[i]);
    if (m->col_detail)
        for (size_t i = 0; i < m->ncols; i++)
            free(m->col_detail[i]);
    free(m->col_detail);
    free(m->col_name);
    free(m->col_reason);
    free(m->col_date);
    free(m->col_field);
    free(m->stats);
    free(m);
}
