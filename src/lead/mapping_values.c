/*
 * mapping_values.c — what the values of the first rows say about the
 * columns (mapping.h, steps 3 to 7 with the values).
 *
 * What it promises:
 *   - li_mapping_observe() looks at the first LI_MAPPING_SAMPLE_ROWS rows,
 *     every column that no --map nor saved mapping decided: e-mails,
 *     phones, countries, yes/no flags, small integers, dates, and what a
 *     name-like value looks like (li__name_kind_of()); dates are followed
 *     in every column left custom;
 *   - li_mapping_guess() decides the whole mapping again with them
 *     (li__mapping_resolve()), then gives the custom columns left a field
 *     from their values (e-mail, phone, country), never a field some
 *     column already has, then their date order, then the file-level
 *     warnings with the --map that would fix them;
 *   - a name-like column (li__field_name_hint()) is decided for the whole
 *     column: organisations (more organisation values than person values)
 *     become the company, people's full names are split (full name), a
 *     "Nom" of single words stays the last name; a column whose values are
 *     mostly no names at all (e-mails, numbers, dates) takes no name field.
 * Nothing here runs per row of the import: only on the sample.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lead/leadInt.h"
#include "leadimport/validate.h"

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

/* 1 if the folded value is a yes/no flag: oui, non, yes, no, true, false, 0, 1, x... */
static int is_flag(const char *v, size_t n) {
    static const char *const flags[] = {"oui", "non", "yes", "no",  "true", "false", "vrai",
                                        "faux", "o",  "n",   "y",   "x",    "0",     "1",
                                        "ok",  "ko", "si",  "nok", NULL};
    char f[16];
    if (n > 12)
        return 0;
    li_fold(v, n, f, sizeof f);
    for (size_t i = 0; flags[i]; i++)
        if (strcmp(f, flags[i]) == 0)
            return 1;
    return 0;
}

static int is_integer(const char *v, size_t n) {
    if (n == 0 || n > 6)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return 0;
    return 1;
}

/* Allocates the statistics, date analysers started with each header's hint. */
static li_status stats_init(li_mapping *m) {
    if (m->stats)
        return LI_OK;
    if (!(m->stats = calloc(m->ncols ? m->ncols : 1, sizeof *m->stats)))
        return LI_ENOMEM;
    for (size_t c = 0; c < m->ncols; c++)
        li_date_col_init(&m->stats[c].date_col,
                         m->has_header && li_date_header_hint(m->col_name[c], strlen(m->col_name[c])));
    return LI_OK;
}

/* 1 if column c was decided by --map or a saved mapping. */
static int fixed(const li_mapping *m, size_t c) {
    return m->cand ? m->cand[c].rank == LI__RANK_FIXED
                   : m->col_reason[c] != LI_MAP_CUSTOM && m->col_reason[c] < LI_MAP_HEADER;
}

/* 1 if column c may end up a custom column whose dates are read (see date_pending). */
static int may_be_custom(const li_mapping *m, size_t c) {
    if (m->col_field[c] == LI_FIELD_NONE)
        return 1;
    /* a match the values can still undo: "Last contact" holding dates */
    return m->cand && (m->cand[c].rank == LI__RANK_PARTIAL || m->cand[c].rank == LI__RANK_FUZZY ||
                       m->cand[c].name_hint);
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
        li_date_col_verdict(&st->date_col, &v);
        st->pending = may_be_custom(m, c) && v.is_date && v.ambiguous > 0 && v.dmy == 0 &&
                              v.mdy == 0
                          ? 1
                          : 2;
    }
    return st->pending == 1 && st->date_col.dmy == 0 && st->date_col.mdy == 0;
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
            li_date_col_feed(&m->stats[c].date_col, fields[c].ptr, fields[c].len);
    return LI_OK;
}

/* Counts what the normalised value v (n bytes, NUL-terminated) looks like. */
static void observe_value(struct li_map_stats *st, char *v, size_t n) {
    if (memchr(v, '@', n)) {
        char e[VALUE_MAX];
        st->email += li_norm_email(v, n, e, sizeof e) == LI_MSG_NONE;
        return;
    }
    if (looks_like_phone(v, n)) {
        st->phone++;
        return;
    }
    if (is_flag(v, n)) {
        st->flag++;
        return;
    }
    if (is_integer(v, n)) {
        st->integer++;
        return;
    }
    if (n >= 2 && !(v[0] >= '0' && v[0] <= '9') && li__country_iso(v, n))
        st->country++;
    char iso[LI_DATE_CAP];
    li_msg d = li_norm_date(v, n, LI_DATE_DMY, iso, sizeof iso);
    if (d == LI_MSG_NONE || d == LI_MSG_DATE_ORDER_CONFLICT) {
        st->date++;
        return;
    }
    li__name_kind k = li__name_kind_of(v, n);
    st->kind[k]++;
    char *ex = k == LI__NAME_PERSON                       ? st->person_ex
               : k == LI__NAME_ORG || k == LI__NAME_ACRONYM ? st->org_ex
                                                            : NULL;
    if (ex && !ex[0] && n < LI__EXAMPLE) {
        memcpy(ex, v, n);
        ex[n] = '\0';
    }
}

li_status li_mapping_observe(li_mapping *m, const li_slice *fields, size_t nfields) {
    if (m->nobserved >= LI_MAPPING_SAMPLE_ROWS)
        return LI_OK;
    if (stats_init(m) != LI_OK)
        return LI_ENOMEM;
    m->nobserved++;
    char v[VALUE_MAX];
    for (size_t c = 0; c < nfields && c < m->ncols; c++) {
        if (fields[c].len == 0 || fields[c].len >= VALUE_MAX)
            continue;
        size_t n = li_norm_text(fields[c].ptr, fields[c].len, v, 1, 0);
        if (n == 0)
            continue;
        struct li_map_stats *st = &m->stats[c];
        st->nonempty++;
        li_date_col_feed(&st->date_col, v, n);
        v[n] = '\0';
        if (!fixed(m, c))
            observe_value(st, v, n);
    }
    return LI_OK;
}

/* 1 if count of the column's nonempty values is a clear majority. */
static int most(const struct li_map_stats *st, unsigned count) {
    return st->nonempty >= GUESS_MIN_VALUES && count * 100u >= st->nonempty * GUESS_PERCENT;
}

/* The same, with any number of values: a header already spoke, the values only confirm. */
static int mostly(const struct li_map_stats *st, unsigned count) {
    return st->nonempty > 0 && count * 100u >= st->nonempty * GUESS_PERCENT;
}

int li__map_disagree(const li_mapping *m, size_t c, li_field f, li_msg *msg, unsigned *count,
                     unsigned *of) {
    const struct li_map_stats *st = m->stats ? &m->stats[c] : NULL;
    if (!st || st->nonempty == 0)
        return 0;
    *of = st->nonempty;
    if (mostly(st, st->flag)) {
        *msg = LI_MSG_MAP_VALUES_FLAGS;
        *count = st->flag;
    } else if (mostly(st, st->date)) {
        *msg = LI_MSG_MAP_VALUES_DATES;
        *count = st->date;
    } else if (f != LI_FIELD_POSTAL_CODE && mostly(st, st->integer)) {
        *msg = LI_MSG_MAP_VALUES_NUMBERS;
        *count = st->integer;
    } else {
        return 0;
    }
    return 1;
}

/* --- name-like columns ----------------------------------------------------- */

enum { SAYS_LAST, SAYS_PERSON, SAYS_ORG };

void li__map_decide_name(li_mapping *m, size_t c) {
    int hint = m->cand[c].name_hint;
    int first = li__map_holder(m, LI_FIELD_FIRST_NAME);
    int first_elsewhere = first >= 0 && (size_t)first != c;
    const struct li_map_stats *st = m->stats ? &m->stats[c] : NULL;
    unsigned person = 0, org = 0, one = 0, n = 0;
    int says, by_values = 0;
    if (st && st->nonempty) {
        const unsigned *k = st->kind;
        person = k[LI__NAME_PERSON];
        org = k[LI__NAME_ORG] + k[LI__NAME_ACRONYM];
        /* "N0", "Dupont2" under "Nom" are names of test rows; under "Client", codes */
        one = k[LI__NAME_ONE] + (hint == LI__NAME_HINT_LAST ? k[LI__NAME_DIGITS] : 0);
        n = st->nonempty;
        by_values = (person + org + one) * 2 >= n;
        /* e-mails, numbers, dates: no name; but an exact synonym ("Nom") keeps its field */
        if (!by_values && m->cand[c].rank != LI__RANK_EXACT) {
            li__map_assign(m, c, LI_FIELD_NONE, LI_MAP_CUSTOM);
            li__map_detail(m, c, LI_MSG_MAP_NAMES_NOT, n - person - org - one, n);
            return;
        }
    }
    if (hint == LI__NAME_HINT_LAST && first_elsewhere) {
        says = SAYS_LAST; /* "Nom" beside "Prénom": the last name, as always */
        by_values = 0;
    } else if (!by_values) {
        says = hint == LI__NAME_HINT_LAST ? SAYS_LAST : hint == LI__NAME_HINT_ORG ? SAYS_ORG
                                                                                  : SAYS_PERSON;
    } else if (hint == LI__NAME_HINT_LAST) {
        says = org > person + one ? SAYS_ORG : person > one ? SAYS_PERSON : SAYS_LAST;
    } else {
        says = org > person    ? SAYS_ORG
               : person > org ? SAYS_PERSON
               : hint == LI__NAME_HINT_ORG ? SAYS_ORG
                                          : SAYS_PERSON;
    }
    /* The field it says, else the next best one that is free. */
    static const li_field order[3][3] = {
        [SAYS_LAST] = {LI_FIELD_LAST_NAME, LI_FIELD_NONE, LI_FIELD_NONE},
        [SAYS_PERSON] = {LI_FIELD_FULL_NAME, LI_FIELD_NONE, LI_FIELD_NONE},
        [SAYS_ORG] = {LI_FIELD_COMPANY, LI_FIELD_FULL_NAME, LI_FIELD_NONE},
    };
    li_field want[3];
    memcpy(want, order[says], sizeof want);
    if (hint == LI__NAME_HINT_LAST) /* "Nom" keeps its own field when the other is taken */
        want[1] = LI_FIELD_LAST_NAME;
    /* beside a first name with no last name, a person's name is the last name */
    if (says == SAYS_PERSON && first_elsewhere && li__map_holder(m, LI_FIELD_LAST_NAME) < 0) {
        want[0] = LI_FIELD_LAST_NAME;
        want[1] = LI_FIELD_FULL_NAME;
    }
    for (int i = 0; i < 3 && want[i] != LI_FIELD_NONE; i++) {
        int h = li__map_holder(m, want[i]);
        if (h >= 0 && (size_t)h != c)
            continue;
        /* the values decided when they split the column or made it the company */
        int decided = by_values && (want[i] == LI_FIELD_FULL_NAME || want[i] == LI_FIELD_COMPANY);
        li__map_assign(m, c, want[i], decided ? LI_MAP_NAMES : LI_MAP_HEADER);
        if (decided && says == SAYS_ORG) /* the company, or its next best */
            li__map_detail(m, c, LI_MSG_MAP_NAMES_ORG, org, n, st->org_ex);
        else if (decided)
            li__map_detail(m, c, LI_MSG_MAP_NAMES_PERSON, person, n, st->person_ex);
        return;
    }
    if (m->col_field[c] != LI_FIELD_NONE && li__map_holder(m, m->col_field[c]) == (int)c)
        return; /* keeps what the exact pass gave it */
}

/* --- file-level warnings ----------------------------------------------------- */

/* The custom column, not kept so on purpose, with the most values counted by score(). */
static int best_custom(const li_mapping *m, unsigned (*score)(const struct li_map_stats *)) {
    int best = -1;
    unsigned best_n = 0;
    for (size_t c = 0; m->stats && c < m->ncols; c++) {
        const struct li_map_stats *st = &m->stats[c];
        if (m->col_field[c] != LI_FIELD_NONE || m->col_reason[c] != LI_MAP_CUSTOM ||
            (m->cand && m->cand[c].held) || st->nonempty == 0)
            continue;
        unsigned n = score(st);
        if (n * 2 >= st->nonempty && n > best_n) {
            best = (int)c;
            best_n = n;
        }
    }
    return best;
}

static unsigned contact_score(const struct li_map_stats *st) {
    return st->email + st->phone;
}

static unsigned name_score(const struct li_map_stats *st) {
    const unsigned *k = st->kind;
    return k[LI__NAME_PERSON] + k[LI__NAME_ORG] + k[LI__NAME_ACRONYM] + k[LI__NAME_ONE];
}

/*
 * 0 if no column holds any of the fields; 1 if the columns that do were
 * empty on every sampled row (every row fails on them as surely); 2 if
 * some row has a value.
 */
static int group_state(const li_mapping *m, const li_field *f, size_t n) {
    int held = 0;
    for (size_t i = 0; i < n; i++) {
        int c = li__map_holder(m, f[i]);
        if (c < 0)
            continue;
        held = 1;
        if (!m->stats || m->nobserved == 0 || m->stats[c].nonempty > 0)
            return 2;
    }
    return held;
}

static void check_required(li_mapping *m) {
    static const li_field contact[] = {LI_FIELD_EMAIL, LI_FIELD_PHONE};
    static const li_field name[] = {LI_FIELD_LAST_NAME, LI_FIELD_COMPANY, LI_FIELD_FULL_NAME};
    int has_contact = group_state(m, contact, 2), has_name = group_state(m, name, 3);
    if (has_contact < 2) {
        int c = best_custom(m, contact_score);
        if (c >= 0) {
            const struct li_map_stats *st = &m->stats[c];
            li__map_warn(m, LI_MSG_MAP_NO_CONTACT_HINT, m->col_name[c],
                         st->email >= st->phone ? "email" : "phone", m->col_name[c]);
        } else if (has_contact == 0) { /* an empty column: nothing better to say */
            li__map_warn(m, LI_MSG_MAP_NO_CONTACT);
        }
    }
    if (has_name < 2) {
        int c = best_custom(m, name_score);
        if (c >= 0) {
            const unsigned *k = m->stats[c].kind;
            unsigned org = k[LI__NAME_ORG] + k[LI__NAME_ACRONYM];
            li__map_warn(m, LI_MSG_MAP_NO_NAME_HINT, m->col_name[c],
                         org > k[LI__NAME_PERSON] ? "company" : "full_name", m->col_name[c]);
        } else if (has_name == 0) {
            li__map_warn(m, LI_MSG_MAP_NO_NAME);
        }
    }
}

void li_mapping_guess(li_mapping *m) {
    li__mapping_resolve(m); /* the headers again, with the values this time */
    for (size_t c = 0; m->stats && c < m->ncols; c++) {
        const struct li_map_stats *st = &m->stats[c];
        if (m->col_reason[c] != LI_MAP_CUSTOM || (m->cand && m->cand[c].held) ||
            st->nonempty == 0)
            continue;
        li_field f = most(st, st->email)     ? LI_FIELD_EMAIL
                     : most(st, st->phone)   ? LI_FIELD_PHONE
                     : most(st, st->country) ? LI_FIELD_COUNTRY
                                             : LI_FIELD_NONE;
        if (f == LI_FIELD_NONE || li__map_holder(m, f) >= 0)
            continue;
        unsigned count = f == LI_FIELD_EMAIL ? st->email : f == LI_FIELD_PHONE ? st->phone : st->country;
        li__map_assign(m, c, f, LI_MAP_VALUES);
        li__map_detail(m, c, LI_MSG_MAP_VALUES_DETAIL, count, st->nonempty, li_field_label(f));
    }
    for (size_t c = 0; m->stats && c < m->ncols; c++) {
        if (m->col_field[c] != LI_FIELD_NONE)
            continue;
        li_date_verdict v;
        li_date_col_verdict(&m->stats[c].date_col, &v);
        if (!v.is_date)
            continue;
        m->col_date[c] = (unsigned char)(1 + v.order);
        if (v.warning == LI_MSG_DATE_COLUMN_AMBIGUOUS)
            li__map_warn(m, LI_MSG_DATE_COLUMN_AMBIGUOUS, m->col_name[c], v.ambiguous_example,
                         v.ambiguous_reading);
        else if (v.warning == LI_MSG_DATE_COLUMN_MIXED)
            li__map_warn(m, LI_MSG_DATE_COLUMN_MIXED, m->col_name[c], v.dmy_example, v.mdy_example,
                         li_date_order_label(v.order));
    }
    check_required(m);
}
