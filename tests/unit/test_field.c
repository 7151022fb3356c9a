/*
 * test_field.c — the field catalogue, li_fold() and header recognition.
 *
 * Promises tested: keys and labels are the documented ones; folding ignores
 * case, accents, punctuation and spacing; every synonym of the table maps
 * to its field and no folded synonym belongs to two fields (in either
 * matching pass); French and English headers of real files are found;
 * "Nom" alone is the last name; headers that name no field map to none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lead/leadInt.h"
#include "leadimport/field.h"

static li_field by(const char *header) {
    return li_field_by_header(header, strlen(header));
}

static const char *fold(const char *s) {
    static char out[256];
    li_fold(s, strlen(s), out, sizeof out);
    return out;
}

static void test_keys_and_labels_are_the_documented_ones(void **state) {
    (void)state;
    static const char *const keys[] = {"first_name", "last_name", "email",       "phone", "company",
                                       "job_title",  "address",   "postal_code", "city",  "country",
                                       "source",     "notes",     "external_id", "owner"};
    static const char *const labels[] = {"Prénom", "Nom",     "E-mail",      "Téléphone", "Société",
                                         "Poste",  "Adresse", "Code postal", "Ville",     "Pays",
                                         "Source", "Notes",   "ID externe",  "Commercial"};
    for (int f = 0; f < LI_FIELD__COUNT; f++) {
        assert_string_equal(li_field_key((li_field)f), keys[f]);
        assert_string_equal(li_field_label((li_field)f), labels[f]);
        assert_int_equal(li_field_by_key(keys[f]), f);
        assert_true(li_field_max_len((li_field)f) > 0);
    }
    assert_int_equal(li_field_by_key("Email"), LI_FIELD_NONE); /* keys are exact */
    assert_int_equal(li_field_by_key("nope"), LI_FIELD_NONE);
    assert_int_equal(li_field_by_key(NULL), LI_FIELD_NONE);
    assert_string_equal(li_field_key(LI_FIELD_NONE), "");
}

static void test_fold_ignores_case_accents_punctuation_and_spaces(void **state) {
    (void)state;
    assert_string_equal(fold("Code postal"), "codepostal");
    assert_string_equal(fold("E-mail"), "email");
    assert_string_equal(fold("Téléphone"), "telephone");
    assert_string_equal(fold("Tél."), "tel");
    assert_string_equal(fold("N° de téléphone"), "ndetelephone");
    assert_string_equal(fold("PRÉNOM"), "prenom");
    assert_string_equal(fold("  first_name  "), "firstname");
    assert_string_equal(fold("Société"), "societe");
    assert_string_equal(fold("Attribué à"), "attribuea");
    assert_string_equal(fold("Localité"), "localite");
    assert_string_equal(fold("Straße"), "strasse"); /* case folding */
    assert_string_equal(fold("\xEF\xAC\x81"
                             "chier"),
                        "fichier");                              /* ligature fi, NFKD */
    assert_string_equal(fold("\xEF\xBC\xA9\xEF\xBC\xA4"), "id"); /* full-width ID */
    assert_string_equal(fold("\xEF\xBB\xBFNom"), "nom");         /* BOM */
    assert_string_equal(fold("Nº"), "no");                       /* ordinal indicator */
    assert_string_equal(fold("Œuvre"), "œuvre");                 /* a letter, kept */
    assert_string_equal(fold("E\xCC\x81"
                             "tat"),
                        "etat"); /* decomposed accent */
    assert_string_equal(fold("Ville\xC2\xA0/\xC2\xA0"
                             "City"),
                        "villecity");
    assert_string_equal(fold("Ab\xFF"
                             "c"),
                        "abc"); /* invalid UTF-8 skipped */
    assert_string_equal(fold(""), "");
    assert_string_equal(fold("--- ..."), "");
}

static void test_fold_truncates_on_a_character_boundary(void **state) {
    (void)state;
    char out[6];
    assert_int_equal(li_fold("abcdefgh", 8, out, sizeof out), 5);
    assert_string_equal(out, "abcde");
    /* "aaaaœb": œ (2 bytes) does not fit after 4 bytes in 5 + NUL; b must not follow */
    assert_int_equal(li_fold("aaaa\xC5\x93"
                             "b",
                             7, out, sizeof out),
                     4);
    assert_string_equal(out, "aaaa");
    assert_int_equal(li_fold("abc", 3, out, 0), 0);
}

static void test_every_synonym_maps_to_its_field(void **state) {
    (void)state;
    size_t n = li__field_synonym_count();
    assert_true(n > 150);
    for (size_t i = 0; i < n; i++) {
        li_field f;
        const char *name = li__field_synonym(i, &f);
        if (by(name) != f)
            fail_msg("synonym \"%s\" maps to %d, expected %s", name, by(name), li_field_key(f));
    }
    assert_null(li__field_synonym(n, NULL));
}

static void test_no_synonym_is_ambiguous(void **state) {
    (void)state;
    size_t n = li__field_synonym_count();
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            li_field fi, fj;
            const char *a = li__field_synonym(i, &fi);
            char ka[256], kb[256];
            size_t la = li__fold(a, strlen(a), ka, sizeof ka, pass);
            if (pass == 0 && la == 0)
                fail_msg("synonym \"%s\" folds to nothing", a);
            for (size_t j = i + 1; j < n && la > 0; j++) {
                const char *b = li__field_synonym(j, &fj);
                li__fold(b, strlen(b), kb, sizeof kb, pass);
                if (fi != fj && strcmp(ka, kb) == 0)
                    fail_msg("\"%s\" (%s) and \"%s\" (%s) fold alike in pass %d", a,
                             li_field_key(fi), b, li_field_key(fj), pass + 1);
            }
        }
    }
}

static void test_every_field_has_its_label_key_and_issue_names_as_synonyms(void **state) {
    (void)state;
    static const struct {
        const char *header;
        li_field field;
    } names[] = {
        {"Prénom", LI_FIELD_FIRST_NAME},
        {"First name", LI_FIELD_FIRST_NAME},
        {"Nom", LI_FIELD_LAST_NAME},
        {"Last name", LI_FIELD_LAST_NAME},
        {"E-mail", LI_FIELD_EMAIL},
        {"Courriel", LI_FIELD_EMAIL},
        {"Email", LI_FIELD_EMAIL},
        {"Téléphone", LI_FIELD_PHONE},
        {"Tél", LI_FIELD_PHONE},
        {"Mobile", LI_FIELD_PHONE},
        {"Portable", LI_FIELD_PHONE},
        {"Phone", LI_FIELD_PHONE},
        {"Société", LI_FIELD_COMPANY},
        {"Entreprise", LI_FIELD_COMPANY},
        {"Company", LI_FIELD_COMPANY},
        {"Poste", LI_FIELD_JOB_TITLE},
        {"Fonction", LI_FIELD_JOB_TITLE},
        {"Job title", LI_FIELD_JOB_TITLE},
        {"Adresse", LI_FIELD_ADDRESS},
        {"Code postal", LI_FIELD_POSTAL_CODE},
        {"CP", LI_FIELD_POSTAL_CODE},
        {"Zip", LI_FIELD_POSTAL_CODE},
        {"Ville", LI_FIELD_CITY},
        {"City", LI_FIELD_CITY},
        {"Pays", LI_FIELD_COUNTRY},
        {"Country", LI_FIELD_COUNTRY},
        {"Source", LI_FIELD_SOURCE},
        {"Origine", LI_FIELD_SOURCE},
        {"Notes", LI_FIELD_NOTES},
        {"Commentaire", LI_FIELD_NOTES},
        {"ID externe", LI_FIELD_EXTERNAL_ID},
        {"External ID", LI_FIELD_EXTERNAL_ID},
        {"Référence", LI_FIELD_EXTERNAL_ID},
        {"Commercial", LI_FIELD_OWNER},
        {"Propriétaire", LI_FIELD_OWNER},
        {"Owner", LI_FIELD_OWNER},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (by(names[i].header) != names[i].field)
            fail_msg("\"%s\" should map to %s", names[i].header, li_field_key(names[i].field));
    for (int f = 0; f < LI_FIELD__COUNT; f++) {
        assert_int_equal(by(li_field_label((li_field)f)), f);
        assert_int_equal(by(li_field_key((li_field)f)), f);
    }
}

static void test_header_variants_of_real_files_are_recognised(void **state) {
    (void)state;
    static const struct {
        const char *header;
        li_field field;
    } cases[] = {
        {"PRENOM", LI_FIELD_FIRST_NAME},
        {"prénom", LI_FIELD_FIRST_NAME},
        {"first-name", LI_FIELD_FIRST_NAME},
        {"FIRST_NAME", LI_FIELD_FIRST_NAME},
        {"Given Name", LI_FIELD_FIRST_NAME},
        {"NOM DE FAMILLE", LI_FIELD_LAST_NAME},
        {"Surname", LI_FIELD_LAST_NAME},
        {" E-Mail ", LI_FIELD_EMAIL},
        {"e mail", LI_FIELD_EMAIL},
        {"Adresse e-mail", LI_FIELD_EMAIL},
        {"Adresse mail", LI_FIELD_EMAIL},
        {"Email Address", LI_FIELD_EMAIL},
        {"MAIL", LI_FIELD_EMAIL},
        {"Tel", LI_FIELD_PHONE},
        {"Tél.", LI_FIELD_PHONE},
        {"TEL", LI_FIELD_PHONE},
        {"Téléphone portable", LI_FIELD_PHONE},
        {"GSM", LI_FIELD_PHONE},
        {"Mobile phone", LI_FIELD_PHONE},
        {"Phone Number", LI_FIELD_PHONE},
        {"Numéro de téléphone", LI_FIELD_PHONE},
        {"N° de téléphone", LI_FIELD_PHONE},
        {"Raison sociale", LI_FIELD_COMPANY},
        {"Organisation", LI_FIELD_COMPANY},
        {"Company Name", LI_FIELD_COMPANY},
        {"Titre", LI_FIELD_JOB_TITLE},
        {"Job", LI_FIELD_JOB_TITLE},
        {"Intitulé de poste", LI_FIELD_JOB_TITLE},
        {"Rue", LI_FIELD_ADDRESS},
        {"Street", LI_FIELD_ADDRESS},
        {"Address", LI_FIELD_ADDRESS},
        {"Address Line 1", LI_FIELD_ADDRESS},
        {"code_postal", LI_FIELD_POSTAL_CODE},
        {"CODE-POSTAL", LI_FIELD_POSTAL_CODE},
        {"Zip Code", LI_FIELD_POSTAL_CODE},
        {"Postcode", LI_FIELD_POSTAL_CODE},
        {"Postal code", LI_FIELD_POSTAL_CODE},
        {"Localité", LI_FIELD_CITY},
        {"Commune", LI_FIELD_CITY},
        {"Town", LI_FIELD_CITY},
        {"Lead Source", LI_FIELD_SOURCE},
        {"Provenance", LI_FIELD_SOURCE},
        {"Canal", LI_FIELD_SOURCE},
        {"Commentaires", LI_FIELD_NOTES},
        {"Remarques", LI_FIELD_NOTES},
        {"Comments", LI_FIELD_NOTES},
        {"ID", LI_FIELD_EXTERNAL_ID},
        {"Identifiant", LI_FIELD_EXTERNAL_ID},
        {"Réf", LI_FIELD_EXTERNAL_ID},
        {"Record ID", LI_FIELD_EXTERNAL_ID},
        {"Responsable", LI_FIELD_OWNER},
        {"Assigned to", LI_FIELD_ASSIGNEE},
        {"Attribué à", LI_FIELD_ASSIGNEE},
        {"ASSIGNÉ À", LI_FIELD_ASSIGNEE},
        {"Assigné", LI_FIELD_ASSIGNEE},
        {"Sales rep", LI_FIELD_OWNER},
        {"Vendeur", LI_FIELD_OWNER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (by(cases[i].header) != cases[i].field)
            fail_msg("\"%s\" should map to %s", cases[i].header, li_field_key(cases[i].field));
}

static void test_nom_alone_is_the_last_name(void **state) {
    (void)state;
    assert_int_equal(by("Nom"), LI_FIELD_LAST_NAME);
    assert_int_equal(by("NOM"), LI_FIELD_LAST_NAME);
    assert_int_equal(by("Nom de la société"), LI_FIELD_COMPANY);
    assert_int_equal(by("Nom de l'entreprise"), LI_FIELD_COMPANY);
    assert_int_equal(by("Name"), LI_FIELD_NONE); /* full name or company: not guessed */
    /* A full name is split by the validator into first and last name. */
    assert_int_equal(by("Nom complet"), LI_FIELD_FULL_NAME);
    assert_int_equal(by("Full name"), LI_FIELD_FULL_NAME);
    assert_int_equal(by("Prénom et nom"), LI_FIELD_FULL_NAME);
    assert_int_equal(by("NOM PRENOM"), LI_FIELD_FULL_NAME);
    assert_string_equal(li_field_key(LI_FIELD_FULL_NAME), "full_name");
    assert_string_equal(li_field_label(LI_FIELD_FULL_NAME), "Nom complet");
    assert_int_equal(li_field_by_key("full_name"), LI_FIELD_FULL_NAME);
}

static void test_filler_words_are_ignored_when_nothing_else_matches(void **state) {
    (void)state;
    assert_int_equal(by("N° de téléphone du client"), LI_FIELD_PHONE);
    assert_int_equal(by("Email du contact"), LI_FIELD_EMAIL);
    assert_int_equal(by("Contact email"), LI_FIELD_EMAIL);
    assert_int_equal(by("Ville du client"), LI_FIELD_CITY);
    assert_int_equal(by("Téléphone 1"), LI_FIELD_PHONE);
    assert_int_equal(by("Prénom du prospect"), LI_FIELD_FIRST_NAME);
    assert_int_equal(by("Réf. client"), LI_FIELD_EXTERNAL_ID);
    assert_int_equal(by("Adresse 2"), LI_FIELD_NONE); /* a second line: not the address */
    assert_int_equal(by("Contact"), LI_FIELD_NONE);   /* only filler: nothing */
    assert_int_equal(by("Numéro"), LI_FIELD_NONE);
}

static void test_headers_that_name_no_field_map_to_none(void **state) {
    (void)state;
    static const char *const none[] = {"Date de création",
                                       "Chiffre d'affaires",
                                       "Civilité",
                                       "Colonne 3",
                                       "Adresse 2",
                                       "Effectif",
                                       "Site web",
                                       "Date",
                                       "",
                                       "   ",
                                       "---",
                                       "Statut",
                                       "Secteur"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        if (by(none[i]) != LI_FIELD_NONE)
            fail_msg("\"%s\" should map to no field, got %s", none[i], li_field_key(by(none[i])));
    assert_int_equal(li_field_by_header(NULL, 0), LI_FIELD_NONE);
}

static void test_gen_leads_header_maps_every_field_in_order(void **state) {
    (void)state;
    static const char *const header[] = {"Prénom", "Nom",     "Email",       "Téléphone", "Société",
                                         "Poste",  "Adresse", "Code postal", "Ville",     "Pays",
                                         "Source", "Notes",   "ID externe",  "Commercial"};
    for (int f = 0; f < LI_FIELD__COUNT; f++)
        assert_int_equal(by(header[f]), f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_and_labels_are_the_documented_ones),
        cmocka_unit_test(test_fold_ignores_case_accents_punctuation_and_spaces),
        cmocka_unit_test(test_fold_truncates_on_a_character_boundary),
        cmocka_unit_test(test_every_synonym_maps_to_its_field),
        cmocka_unit_test(test_no_synonym_is_ambiguous),
        cmocka_unit_test(test_every_field_has_its_label_key_and_issue_names_as_synonyms),
        cmocka_unit_test(test_header_variants_of_real_files_are_recognised),
        cmocka_unit_test(test_nom_alone_is_the_last_name),
        cmocka_unit_test(test_filler_words_are_ignored_when_nothing_else_matches),
        cmocka_unit_test(test_headers_that_name_no_field_map_to_none),
        cmocka_unit_test(test_gen_leads_header_maps_every_field_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
