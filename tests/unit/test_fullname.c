/*
 * test_fullname.c — a "Nom complet" column split into first and last name,
 * and the leading apostrophe a spreadsheet (or our export) puts before a
 * value so that it is not run as a formula.
 *
 * Promises tested: li__name_split() on the shapes French and English files
 * use (civility, "Nom, Prénom", capitals marking the last name on either
 * side, particles, compound first names, one word); through the validator,
 * the parts are put in title case, the split is used only when the row has
 * neither first nor last name, and the full-name column is not kept as a
 * custom field; "'=1+2" imports as "=1+2", "'0612345678" as a phone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lead/leadInt.h"
#include "leadimport/mapping.h"
#include "leadimport/validate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

typedef struct split_case {
    const char *in, *first, *last;
} split_case;

static const split_case splits[] = {
    {"Jean Dupont", "Jean", "Dupont"},
    {"Marie-Claire Martin", "Marie-Claire", "Martin"},
    {"Marie Claire Martin", "Marie Claire", "Martin"},
    {"Dupont", "", "Dupont"},
    {"DUPONT", "", "DUPONT"},
    {"Dupont, Jean", "Jean", "Dupont"},
    {"Dupont,Jean", "Jean", "Dupont"},
    {"de La Fontaine, Jean", "Jean", "de La Fontaine"},
    {"Dupont,", "", "Dupont"},
    {", Jean", "", "Jean"},
    {"DUPONT Jean", "Jean", "DUPONT"},
    {"DUPONT Jean-Pierre", "Jean-Pierre", "DUPONT"},
    {"DE LA FONTAINE Jean", "Jean", "DE LA FONTAINE"},
    {"Jean DUPONT", "Jean", "DUPONT"},
    {"Jean-Pierre DE LA FONTAINE", "Jean-Pierre", "DE LA FONTAINE"},
    {"J. DUPONT", "J.", "DUPONT"},
    {"JEAN DUPONT", "JEAN", "DUPONT"},
    {"Jean de La Fontaine", "Jean", "de La Fontaine"},
    {"Jean de la Fontaine", "Jean", "de la Fontaine"},
    {"Charles de Gaulle", "Charles", "de Gaulle"},
    {"Anne d'Arc", "Anne", "d'Arc"},
    {"Anne d’Arc", "Anne", "d’Arc"},
    {"ANNE D'ARC", "ANNE", "D'ARC"},
    {"Ludwig van Beethoven", "Ludwig", "van Beethoven"},
    {"Erwin von Braun", "Erwin", "von Braun"},
    {"Yann Le Goff", "Yann", "Le Goff"},
    {"Gaëlle Le Floc'h", "Gaëlle", "Le Floc'h"},
    {"Leonardo da Vinci", "Leonardo", "da Vinci"},
    {"Maria dos Santos", "Maria", "dos Santos"},
    {"Du Pont", "Du", "Pont"},             /* a particle first is a first name */
    {"M. Jean Dupont", "Jean", "Dupont"},
    {"Mme Marie Curie", "Marie", "Curie"},
    {"Mme. Marie Curie", "Marie", "Curie"},
    {"Madame Marie Curie", "Marie", "Curie"},
    {"Dr Jean Dupont", "Jean", "Dupont"},
    {"Monsieur DUPONT", "", "DUPONT"},
    {"M. Dupont", "", "Dupont"},
    {"Mr John Smith", "John", "Smith"},
    {"Mrs. Jane Smith", "Jane", "Smith"},
    {"Ms Jane Smith", "Jane", "Smith"},
    {"Madame", "", "Madame"},              /* a civility alone is all there is */
    {"John Fitzgerald Kennedy", "John Fitzgerald", "Kennedy"},
    {"Élodie Bérénice Lefèvre", "Élodie Bérénice", "Lefèvre"},
    {"ÉLODIE LEFÈVRE", "ÉLODIE", "LEFÈVRE"},
    {"Élodie LEFÈVRE", "Élodie", "LEFÈVRE"},
    {"Zoé N'Diaye", "Zoé", "N'Diaye"},
    {"Ahmed Ben Ali", "Ahmed", "Ben Ali"},
    {"Mohamed El Amrani", "Mohamed", "El Amrani"},
    {"Jean de", "Jean", "de"},             /* a particle last is only a word */
    {"a b c d e f g h i j k l m n o p q r", "a b c d e f g h i j k l m n o", "p q r"},
};

static void test_split_table(void **state) {
    (void)state;
    for (size_t i = 0; i < N(splits); i++) {
        li_slice f, l;
        li__name_split(splits[i].in, strlen(splits[i].in), &f, &l);
        char got_f[128], got_l[128];
        snprintf(got_f, sizeof got_f, "%.*s", (int)f.len, f.ptr);
        snprintf(got_l, sizeof got_l, "%.*s", (int)l.len, l.ptr);
        if (strcmp(got_f, splits[i].first) != 0 || strcmp(got_l, splits[i].last) != 0)
            fail_msg("%s: got [%s] [%s], want [%s] [%s]", splits[i].in, got_f, got_l,
                     splits[i].first, splits[i].last);
    }
}

static void test_split_of_nothing_is_nothing(void **state) {
    (void)state;
    li_slice f, l;
    li__name_split("", 0, &f, &l);
    assert_int_equal(f.len, 0);
    assert_int_equal(l.len, 0);
}

/* --- through the validator ------------------------------------------------ */

typedef struct fixture {
    li_mapping *m;
    li_validator *v;
    li_lead lead;
} fixture;

static void setup_with(fixture *fx, const char *const *names, size_t n) {
    li_slice h[8];
    for (size_t i = 0; i < n; i++)
        h[i] = li_slice_of(names[i]);
    li_error err = {0};
    assert_int_equal(li_mapping_new(h, n, NULL, 0, &fx->m, &err), LI_OK);
    assert_int_equal(li_validator_new(fx->m, NULL, &fx->v, &err), LI_OK);
}

static void teardown_fx(fixture *fx) {
    li_validator_free(fx->v);
    li_mapping_free(fx->m);
}

static void validate(fixture *fx, const char *const *values, size_t n) {
    li_slice f[8];
    for (size_t i = 0; i < n; i++)
        f[i] = li_slice_of(values[i]);
    assert_int_equal(li_validate_row(fx->v, f, n, &fx->lead), LI_OK);
}

static void assert_value(const li_lead *l, li_field f, const char *want) {
    char got[256];
    snprintf(got, sizeof got, "%.*s", (int)l->value[f].len, l->value[f].ptr);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got [%s], want [%s]", li_field_key(f), got, want);
}

static void assert_custom(const li_lead *l, const char *want) {
    char got[256];
    snprintf(got, sizeof got, "%.*s", (int)l->custom_json.len, l->custom_json.ptr);
    assert_string_equal(got, want);
}

static void test_full_name_column_fills_first_and_last_name_in_title_case(void **state) {
    (void)state;
    static const char *const h[] = {"Nom complet", "Email"};
    fixture fx = {0};
    setup_with(&fx, h, 2);
    static const struct {
        const char *in, *first, *last;
    } rows[] = {
        {"JEAN DUPONT", "Jean", "Dupont"},
        {"  Jean   DE LA FONTAINE ", "Jean", "de la Fontaine"},
        {"DUPONT, Marie", "Marie", "Dupont"},
        {"M. Paul Martin", "Paul", "Martin"},
        {"Solo", "", "Solo"},
    };
    for (size_t i = 0; i < N(rows); i++) {
        const char *vals[] = {rows[i].in, "a@example.fr"};
        validate(&fx, vals, 2);
        assert_int_equal(fx.lead.nerrors, 0);
        assert_value(&fx.lead, LI_FIELD_FIRST_NAME, rows[i].first);
        assert_value(&fx.lead, LI_FIELD_LAST_NAME, rows[i].last);
        assert_custom(&fx.lead, "{}"); /* not kept twice */
    }
    const char *empty[] = {"", "a@example.fr"};
    validate(&fx, empty, 2);
    assert_int_equal(fx.lead.nerrors, 1); /* name_missing */
    assert_int_equal(fx.lead.issues[0].code, LI_MSG_NAME_MISSING);
    teardown_fx(&fx);
}

static void test_full_name_is_used_only_when_the_row_has_no_name(void **state) {
    (void)state;
    static const char *const h[] = {"Nom complet", "Nom", "Email"};
    fixture fx = {0};
    setup_with(&fx, h, 3);
    const char *with_name[] = {"Jean Dupont", "Durand", "a@example.fr"};
    validate(&fx, with_name, 3);
    assert_value(&fx.lead, LI_FIELD_LAST_NAME, "Durand");
    assert_value(&fx.lead, LI_FIELD_FIRST_NAME, "");
    const char *without[] = {"Jean Dupont", "", "a@example.fr"};
    validate(&fx, without, 3);
    assert_value(&fx.lead, LI_FIELD_FIRST_NAME, "Jean");
    assert_value(&fx.lead, LI_FIELD_LAST_NAME, "Dupont");
    teardown_fx(&fx);
}

static void test_leading_apostrophe_of_a_neutralised_formula_is_dropped(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "Email", "Téléphone", "Code postal", "Notes", "Autre"};
    fixture fx = {0};
    setup_with(&fx, h, 6);
    const char *row[] = {"'=Dupont", "a@example.fr", "'0612345678", "'06000", "'+1 pour lui",
                         "'@moi"};
    validate(&fx, row, 6);
    assert_int_equal(fx.lead.nerrors, 0);
    assert_value(&fx.lead, LI_FIELD_LAST_NAME, "=Dupont");
    assert_value(&fx.lead, LI_FIELD_PHONE, "+33612345678");
    assert_value(&fx.lead, LI_FIELD_POSTAL_CODE, "06000");
    assert_value(&fx.lead, LI_FIELD_NOTES, "+1 pour lui");
    assert_custom(&fx.lead, "{\"Autre\":\"@moi\"}");
    /* An apostrophe that protects nothing is part of the value. */
    const char *kept[] = {"'Dupont'", "a@example.fr", "", "", "'90s", "'"};
    validate(&fx, kept, 6);
    assert_value(&fx.lead, LI_FIELD_LAST_NAME, "'Dupont'");
    assert_value(&fx.lead, LI_FIELD_NOTES, "'90s");
    assert_custom(&fx.lead, "{\"Autre\":\"'\"}");
    teardown_fx(&fx);
}

/* What one value of a name-like column is: the column is decided on their counts. */
static void test_name_values_are_told_people_from_organisations(void **state) {
    (void)state;
    static const struct {
        const char *in;
        li__name_kind want;
    } cases[] = {
        {"Jane Martin", LI__NAME_PERSON},
        {"DUPONT Jean", LI__NAME_PERSON},
        {"M. Jean Dupont", LI__NAME_PERSON},
        {"Mme Durand", LI__NAME_PERSON},
        {"Dupont, Jean", LI__NAME_PERSON},
        {"Jean de La Fontaine", LI__NAME_PERSON},
        {"Agence Riviera Immobilier", LI__NAME_ORG},
        {"Le Comptoir", LI__NAME_ORG},
        {"L'Atelier", LI__NAME_ORG},
        {"SARL Dupuis", LI__NAME_ORG},
        {"Dupuis SAS", LI__NAME_ORG},
        {"Acme Inc.", LI__NAME_ORG},
        {"Müller GmbH", LI__NAME_ORG},
        {"Restaurant Chez Paul", LI__NAME_ORG},
        {"Société Générale", LI__NAME_ORG},
        {"Dupont & Fils", LI__NAME_ORG},
        {"BTP", LI__NAME_ORG}, /* a trade word too */
        {"SNCF", LI__NAME_ACRONYM},
        {"EDF", LI__NAME_ACRONYM},
        {"REY", LI__NAME_ONE}, /* a family name in capitals, not initials */
        {"ROUX", LI__NAME_ONE},
        {"Dupont", LI__NAME_ONE},
        {"Acme", LI__NAME_ONE},
        {"Atelier 12", LI__NAME_ORG},
        {"Maison 1900", LI__NAME_ORG},
        {"Studio12", LI__NAME_DIGITS},
        {"C0042", LI__NAME_DIGITS},
        {"N0", LI__NAME_DIGITS},
        {"jean@exemple.fr", LI__NAME_NOT},
        {"06 12 34 56 78", LI__NAME_NOT},
        {"12/03/2024", LI__NAME_NOT},
        {"rappeler la semaine prochaine après le salon", LI__NAME_TEXT},
        {"voir (urgent)", LI__NAME_TEXT},
    };
    for (size_t i = 0; i < N(cases); i++) {
        li__name_kind k = li__name_kind_of(cases[i].in, strlen(cases[i].in));
        if (k != cases[i].want)
            fail_msg("« %s »: kind %d, want %d", cases[i].in, (int)k, (int)cases[i].want);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_table),
        cmocka_unit_test(test_split_of_nothing_is_nothing),
        cmocka_unit_test(test_full_name_column_fills_first_and_last_name_in_title_case),
        cmocka_unit_test(test_full_name_is_used_only_when_the_row_has_no_name),
        cmocka_unit_test(test_leading_apostrophe_of_a_neutralised_formula_is_dropped),
        cmocka_unit_test(test_name_values_are_told_people_from_organisations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
