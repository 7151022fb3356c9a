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
 *   - then each remaining column gets a candidate from its header
 *     (propose()): an error report's "Ligne", "Erreurs", "Statut"; a known
 *     export's column (exports.c); else its synonym (exact, or partial once
 *     filler words are dropped), its name hint, its id kind, its typo;
 *   - li__mapping_resolve() weighs the candidates, at build time on the
 *     headers alone and again in li_mapping_guess() with the values:
 *     report columns are ignored; an export's columns take their fields
 *     (one column per field, by the export's priority among those with
 *     values); id columns are kept custom, but a single one named like the
 *     record's id is the external id; exact synonyms, over all columns
 *     (when two match the same field, the first wins, the second is kept
 *     as a custom field and a MAP_DUPLICATE warning says so); partial
 *     matches, then name-like columns (mapping_values.c), then typos, each
 *     for a field no column has yet and only if the values agree;
 *   - li_mapping_observe()/li_mapping_guess() (mapping_values.c) then give
 *     the remaining custom columns a field from their values (e-mail,
 *     phone, country), never a field some column already has;
 *   - without any column for e-mail nor phone, a MAP_NO_CONTACT warning;
 *     without any for last name, full name nor company, MAP_NO_NAME (with
 *     the column to --map once the values are known);
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
    case LI_MAP_NAMES:
        return "names";
    case LI_MAP_EXPORT:
        return "export";
    case LI_MAP_REPORT:
        return "report";
    case LI_MAP_CUSTOM:
        break;
    }
    return "custom";
}

int li__map_holder(const li_mapping *m, li_field f) {
    if (f == LI_FIELD_FULL_NAME)
        return m->full_name_col;
    if (f == LI_FIELD_ASSIGNEE)
        return m->assignee_col;
    return f >= 0 && f < LI_FIELD__COUNT ? m->field_col[f] : -1;
}

static void set_holder(li_mapping *m, li_field f, int c) {
    if (f == LI_FIELD_FULL_NAME)
        m->full_name_col = c;
    else if (f == LI_FIELD_ASSIGNEE)
        m->assignee_col = c;
    else if (f >= 0 && f < LI_FIELD__COUNT)
        m->field_col[f] = c;
}

void li__map_assign(li_mapping *m, size_t c, li_field f, li_map_reason r) {
    if (m->col_field[c] != LI_FIELD_NONE && li__map_holder(m, m->col_field[c]) == (int)c)
        set_holder(m, m->col_field[c], -1);
    m->col_field[c] = f;
    m->col_reason[c] = r;
    if (f != LI_FIELD_NONE)
        set_holder(m, f, (int)c);
}

void li__map_detail_clear(li_mapping *m, size_t c) {
    free(m->col_detail[c]);
    m->col_detail[c] = NULL;
}

void li__map_detail_fmt(li_mapping *m, size_t c, const char *fmt, ...) {
    li__map_detail_clear(m, c);
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    li__msg_vformat(text, sizeof text, fmt, ap);
    va_end(ap);
    m->col_detail[c] = strdup(text); /* out of memory: no detail, nothing worse */
}

void li__map_detail_unchecked(li_mapping *m, size_t c, li_msg msg, ...) {
    li__map_detail_clear(m, c);
    char text[256];
    va_list ap;
    va_start(ap, msg);
    li_msg_formatv(text, sizeof text, msg, ap);
    va_end(ap);
    m->col_detail[c] = strdup(text); /* out of memory: no detail, nothing worse */
}

void li__map_warn_fmt(li_mapping *m, const char *fmt, ...) {
    if (m->nwarnings >= sizeof m->warnings / sizeof m->warnings[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    li__msg_vformat(m->warnings[m->nwarnings], sizeof m->warnings[0], fmt, ap);
    va_end(ap);
    m->nwarnings++;
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
            int h = f == LI_FIELD_NONE ? -1 : li__map_holder(m, f);
            if (h >= 0)
                break; /* an override gave the field to another column */
            li__map_assign(m, c, f, spec->saved_reason);
            break;
        }
    }
out:
    json_decref(root);
    return st;
}

/* --- what each header proposes ---------------------------------------------- */

/*
 * Fills m->cand from the headers: columns already decided (--map, saved
 * mapping) are fixed; then an error report's columns, a known export's,
 * and for the others their synonym (exact or partial), name hint, id kind
 * and typo. Returns LI_ENOMEM or LI_OK.
 */
static li_status propose(li_mapping *m, int has_header) {
    enum { FOLD_SHORT = 64 }; /* export and report headers are short */
    for (size_t c = 0; c < m->ncols; c++) {
        m->cand[c].field = LI_FIELD_NONE;
        if (m->col_reason[c] != LI_MAP_CUSTOM)
            m->cand[c].rank = LI__RANK_FIXED;
    }
    if (!has_header || m->ncols == 0)
        return LI_OK;
    char *block = malloc(m->ncols * FOLD_SHORT);
    char **folded = malloc(m->ncols * sizeof *folded);
    if (!block || !folded) {
        free(block);
        free(folded);
        return LI_ENOMEM;
    }
    int erreurs = -1, ligne = -1;
    for (size_t c = 0; c < m->ncols; c++) {
        folded[c] = block + c * FOLD_SHORT;
        li_fold(m->col_name[c], strlen(m->col_name[c]), folded[c], FOLD_SHORT);
        int r = li__field_report_column(m->col_name[c], strlen(m->col_name[c]));
        if (r == 1 && ligne < 0)
            ligne = (int)c;
        if (r == 2 && erreurs < 0)
            erreurs = (int)c;
    }
    /* An error report: "Ligne;Erreurs;..." (and "Statut" wherever it is). */
    int report = erreurs >= 0 && (ligne >= 0 || erreurs == 0);
    const li__export *e = li__export_detect(folded, m->ncols);
    m->export_name = e ? li__export_name(e) : NULL;
    for (size_t c = 0; c < m->ncols; c++) {
        struct li_map_cand *k = &m->cand[c];
        const char *name = m->col_name[c];
        size_t len = strlen(name);
        if (k->rank == LI__RANK_FIXED)
            continue;
        if (report && li__field_report_column(name, len)) {
            k->rank = LI__RANK_REPORT;
            k->field = LI_FIELD_IGNORE;
            continue;
        }
        if (e && li__export_column(e, folded[c], &k->field, &k->prio)) {
            k->rank = LI__RANK_EXPORT;
            continue;
        }
        int partial = 0;
        k->field = li__field_by_header_kind(name, len, &partial);
        if (k->field != LI_FIELD_NONE)
            k->rank = partial ? LI__RANK_PARTIAL : LI__RANK_EXACT;
        k->name_hint = (unsigned char)li__field_name_hint(name, len);
        k->id_kind = (unsigned char)li__field_id_kind(name, len);
        if (k->field == LI_FIELD_NONE && !k->name_hint && !k->id_kind) {
            k->field = li_field_by_header_fuzzy(name, len, &k->dist, &k->syn);
            if (k->field != LI_FIELD_NONE)
                k->rank = LI__RANK_FUZZY;
        }
    }
    free(block);
    free(folded);
    return LI_OK;
}

/* --- weighing the proposals ---------------------------------------------------- */

/* Column c is still free for the automatic steps. */
static int open_col(const li_mapping *m, size_t c) {
    return m->col_reason[c] == LI_MAP_CUSTOM && !m->cand[c].held;
}

/* Keeps column c custom on purpose, with a detail. */
static void hold(li_mapping *m, size_t c, li_map_reason r) {
    li__map_assign(m, c, LI_FIELD_NONE, r);
    m->cand[c].held = 1;
}

/* Values of column c in the sample (1 when no sample was read: all alike). */
static unsigned values_of(const li_mapping *m, size_t c) {
    return m->stats ? m->stats[c].nonempty : 1;
}

/*
 * A known export: for each field, the first of its columns in the
 * export's priority that is well filled (at least half as many values in
 * the sample as the fullest of them: a mobile column with one number in
 * two hundred rows does not take the phone from a full business column),
 * else the first present; the others are kept custom. Columns the export
 * knows as no field are kept custom.
 */
static void resolve_export(li_mapping *m) {
    for (size_t c = 0; c < m->ncols; c++) {
        struct li_map_cand *k = &m->cand[c];
        if (k->rank != LI__RANK_EXPORT || !open_col(m, c))
            continue;
        if (k->field == LI_FIELD_NONE) {
            hold(m, c, LI_MAP_EXPORT);
            li__map_detail(m, c, LI_MSG_MAP_EXPORT, m->export_name);
            continue;
        }
        /* c is the first column of its field met: choose among all of them */
        size_t best = c, present = 0;
        int best_valued = 0;
        unsigned fullest = 0;
        for (size_t o = c; o < m->ncols; o++)
            if (m->cand[o].rank == LI__RANK_EXPORT && m->cand[o].field == k->field &&
                open_col(m, o) && values_of(m, o) > fullest)
                fullest = values_of(m, o);
        for (size_t o = c; o < m->ncols; o++) {
            const struct li_map_cand *ko = &m->cand[o];
            if (ko->rank != LI__RANK_EXPORT || ko->field != k->field || !open_col(m, o))
                continue;
            present++;
            int valued = fullest > 0 && values_of(m, o) * 2 >= fullest;
            if ((valued && !best_valued) ||
                (valued == best_valued && ko->prio < m->cand[best].prio)) {
                best = o;
                best_valued = valued;
            }
        }
        int h = li__map_holder(m, k->field); /* an override may have the field */
        char order[200] = "";
        size_t n = 0;
        for (unsigned p = 0; present > 1 && p < 32; p++)
            for (size_t o = c; o < m->ncols; o++) {
                const struct li_map_cand *ko = &m->cand[o];
                if (ko->rank != LI__RANK_EXPORT || ko->field != k->field || ko->prio != p ||
                    !open_col(m, o))
                    continue;
                int w = snprintf(order + n, sizeof order - n, "%s« %s »", n ? ", " : "",
                                 m->col_name[o]);
                if (w > 0 && (size_t)w < sizeof order - n)
                    n += (size_t)w;
            }
        const char *label = li_field_label(k->field);
        for (size_t o = c; o < m->ncols; o++) {
            if (m->cand[o].rank != LI__RANK_EXPORT || m->cand[o].field != k->field ||
                !open_col(m, o) || o == best)
                continue;
            hold(m, o, LI_MAP_EXPORT);
            li__map_detail(m, o, LI_MSG_MAP_EXPORT_KEPT, m->export_name, label,
                           m->col_name[h >= 0 ? (size_t)h : best]);
        }
        if (h >= 0) {
            hold(m, best, LI_MAP_EXPORT);
            li__map_detail(m, best, LI_MSG_MAP_EXPORT_KEPT, m->export_name, label,
                           m->col_name[h]);
        } else {
            li__map_assign(m, best, k->field, LI_MAP_EXPORT);
            if (present > 1)
                li__map_detail(m, best, LI_MSG_MAP_EXPORT_PICK, m->export_name, label,
                               m->col_name[best], order);
            else
                li__map_detail(m, best, LI_MSG_MAP_EXPORT, m->export_name);
        }
    }
}

/* 1 if the sampled values of column c are mostly e-mails or phones ("Email ID"). */
static int contact_values(const li_mapping *m, size_t c) {
    const struct li_map_stats *st = m->stats ? &m->stats[c] : NULL;
    return st && st->nonempty && (st->email + st->phone) * 2 > st->nonempty;
}

/*
 * Id columns: "company_id", "Skype ID" are kept custom (never company,
 * source...); the external id is a column named like the record's id
 * ("ID", "Record ID"), when there is exactly one such column.
 */
static void resolve_ids(li_mapping *m) {
    size_t named = 0;
    int first = -1, second = -1;
    for (size_t c = 0; c < m->ncols; c++) {
        if (m->cand[c].id_kind == 2 && open_col(m, c) && !contact_values(m, c)) {
            named++;
            if (first < 0)
                first = (int)c;
            else if (second < 0)
                second = (int)c;
        }
    }
    int taken = li__map_holder(m, LI_FIELD_EXTERNAL_ID) >= 0;
    if (named > 1 && !taken)
        li__map_warn(m, LI_MSG_MAP_ID_AMBIGUOUS, m->col_name[first], m->col_name[second],
                     m->col_name[first]);
    for (size_t c = 0; c < m->ncols; c++) {
        if (!m->cand[c].id_kind || !open_col(m, c) || contact_values(m, c))
            continue;
        if (m->cand[c].id_kind == 2 && named == 1 && !taken) {
            li__map_assign(m, c, LI_FIELD_EXTERNAL_ID, LI_MAP_HEADER);
            continue;
        }
        hold(m, c, LI_MAP_CUSTOM);
        li__map_detail(m, c, LI_MSG_MAP_ID_COLUMN);
    }
}

/*
 * A partial or misspelt match takes its field only if it is free and the
 * values agree; otherwise the column says why it stayed custom.
 */
static void take_checked(li_mapping *m, size_t c, li_map_reason r) {
    struct li_map_cand *k = &m->cand[c];
    if (li__map_holder(m, k->field) >= 0)
        return;
    li_msg why;
    unsigned count, of;
    if (li__map_disagree(m, c, k->field, &why, &count, &of)) {
        /* li__map_disagree's messages each take (label, count, of). */
        li__map_detail_unchecked(m, c, why, li_field_label(k->field), count, of);
        return;
    }
    li__map_assign(m, c, k->field, r);
    if (r == LI_MAP_FUZZY)
        li__map_detail(m, c, LI_MSG_MAP_FUZZY_DETAIL, m->col_name[c], k->syn, k->dist,
                       k->dist > 1 ? "s" : "");
}

void li__mapping_resolve(li_mapping *m) {
    if (!m->cand)
        return;
    m->nwarnings = 0;
    for (size_t c = 0; c < m->ncols; c++) {
        if (m->cand[c].rank == LI__RANK_FIXED)
            continue;
        li__map_assign(m, c, LI_FIELD_NONE, LI_MAP_CUSTOM);
        li__map_detail_clear(m, c);
        m->cand[c].held = 0;
    }
    for (size_t c = 0; c < m->ncols; c++) {
        if (m->cand[c].rank == LI__RANK_REPORT) {
            li__map_assign(m, c, LI_FIELD_IGNORE, LI_MAP_REPORT);
            m->cand[c].held = 1;
            li__map_detail(m, c, LI_MSG_MAP_REPORT_COLUMN);
        }
    }
    if (m->export_name)
        resolve_export(m);
    resolve_ids(m);
    /* Synonyms first, over all columns, so that a weaker match never takes their field. */
    for (size_t c = 0; c < m->ncols; c++) {
        const struct li_map_cand *k = &m->cand[c];
        if (k->rank != LI__RANK_EXACT || !open_col(m, c))
            continue;
        int first = li__map_holder(m, k->field);
        if (first < 0)
            li__map_assign(m, c, k->field, LI_MAP_HEADER);
        else if (m->col_reason[first] < LI_MAP_HEADER)
            continue;
        else if (k->field == LI_FIELD_EMAIL || k->field == LI_FIELD_PHONE) /* both automatic: say so */
            li__map_warn(m, LI_MSG_MAP_DUPLICATE_FALLBACK, /* validate.c: alternates */
                         m->col_name[first], m->col_name[c], li_field_label(k->field));
        else
            li__map_warn(m, LI_MSG_MAP_DUPLICATE, m->col_name[first], m->col_name[c],
                         li_field_label(k->field));
    }
    for (size_t c = 0; c < m->ncols; c++)
        if (m->cand[c].rank == LI__RANK_PARTIAL && !m->cand[c].name_hint && open_col(m, c))
            take_checked(m, c, LI_MAP_HEADER);
    for (size_t c = 0; c < m->ncols; c++) {
        const struct li_map_cand *k = &m->cand[c];
        if (!k->name_hint || k->held || k->rank == LI__RANK_FIXED)
            continue;
        /* a synonym that lost its field to an earlier column stays a duplicate */
        if (k->rank == LI__RANK_EXACT && m->col_field[c] == LI_FIELD_NONE)
            continue;
        li__map_decide_name(m, c);
    }
    for (size_t c = 0; c < m->ncols; c++)
        if (m->cand[c].rank == LI__RANK_FUZZY && open_col(m, c))
            take_checked(m, c, LI_MAP_FUZZY);
}

/* MAP_NO_CONTACT and MAP_NO_NAME, on the headers alone (li_mapping_guess() says more). */
static void check_required(li_mapping *m) {
    if (m->field_col[LI_FIELD_EMAIL] < 0 && m->field_col[LI_FIELD_PHONE] < 0)
        li__map_warn(m, LI_MSG_MAP_NO_CONTACT);
    if (m->field_col[LI_FIELD_LAST_NAME] < 0 && m->field_col[LI_FIELD_COMPANY] < 0 &&
        m->full_name_col < 0)
        li__map_warn(m, LI_MSG_MAP_NO_NAME);
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
    m->assignee_col = -1;
    m->col_field = malloc(room * sizeof *m->col_field);
    m->col_name = calloc(room, sizeof *m->col_name);
    m->col_reason = calloc(room, sizeof *m->col_reason);
    m->col_detail = calloc(room, sizeof *m->col_detail);
    m->col_date = calloc(room, 1);
    m->cand = calloc(room, sizeof *m->cand);
    if (!m->col_field || !m->col_name || !m->col_reason || !m->col_detail || !m->col_date ||
        !m->cand)
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
        int old = li__map_holder(m, f);
        if (old >= 0) /* the field leaves its old column */
            li__map_assign(m, (size_t)old, LI_FIELD_NONE, LI_MAP_CUSTOM);
        li__map_assign(m, c, f, LI_MAP_OVERRIDE);
    }
    if (spec->saved_json && spec->header && (st = apply_saved(m, spec, err)) != LI_OK)
        goto out;
    if (propose(m, spec->header != NULL) != LI_OK)
        goto nomem;
    li__mapping_resolve(m);
    check_required(m);
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
    free(m->cand);
    free(m->stats);
    free(m);
}
