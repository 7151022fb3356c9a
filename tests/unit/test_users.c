/*
 * test_users.c — users (users.h): adding, listing, disabling, passwords
 * hashed with Argon2id, and the directory that finds the user a cell names.
 *
 * Each Argon2id hash or verification costs 64 MiB and a fraction of a
 * second: only password_is_hashed_with_argon2id_and_verified does any.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "leadimport/store.h"
#include "leadimport/users.h"

#include "db_test_util.h"


static int setup(void **state) {
    test_db_name("users");
    li_store *s = NULL;
    li_error err;
    if (li_store_open(url, &s, &err) != LI_OK) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    *state = s;
    return 0;
}

static int teardown(void **state) {
    li_store_close(*state);
    test_db_remove();
    return 0;
}

/* Adds a user without a password; fails the test if refused. */
static void add(li_store *s, const char *email, const char *name, const char *role) {
    li_error err;
    li_status st = li_users_add(s, email, name, role, NULL, NULL, &err);
    if (st != LI_OK)
        fail_msg("li_users_add(%s): %s", email, err.message);
}

static void add_normalises_and_find_returns_it(void **state) {
    li_store *s = *state;
    li_error err;
    li_user u, f;
    int found = 0;
    assert_int_equal(li_users_add(s, "  Jean.Dupont@Exemple.FR ", "  Jean   Dupont ", "Commercial",
                                  NULL, &u, &err),
                     LI_OK);
    assert_true(u.id > 0);
    assert_string_equal(u.email, "jean.dupont@exemple.fr");
    assert_string_equal(u.name, "Jean Dupont");
    assert_string_equal(u.role, "commercial");
    assert_int_equal(u.active, 1);
    assert_int_equal(u.has_password, 0);
    assert_true(strlen(u.created_at) >= 20);
    assert_int_equal(li_users_find(s, "JEAN.DUPONT@exemple.fr", &f, &found, &err), LI_OK);
    assert_int_equal(found, 1);
    assert_int_equal(f.id, u.id);
    assert_string_equal(f.name, "Jean Dupont");
    assert_string_equal(f.created_at, u.created_at);
    assert_int_equal(li_users_find(s, "nobody@exemple.fr", &f, &found, &err), LI_OK);
    assert_int_equal(found, 0);
    assert_int_equal(li_users_find(s, "not an e-mail", &f, &found, &err), LI_OK);
    assert_int_equal(found, 0);
}

static void duplicate_email_is_refused_in_any_case(void **state) {
    li_store *s = *state;
    li_error err;
    add(s, "anne@exemple.fr", "Anne Roux", "admin");
    assert_int_equal(li_users_add(s, "ANNE@Exemple.fr", "Anne Autre", "commercial", NULL, NULL,
                                  &err),
                     LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_USER_EXISTS);
    assert_non_null(strstr(err.message, "anne@exemple.fr"));
    /* A disabled account keeps its e-mail. */
    assert_int_equal(li_users_set_active(s, "anne@exemple.fr", 0, &err), LI_OK);
    assert_int_equal(li_users_add(s, "anne@exemple.fr", "Anne", "admin", NULL, NULL, &err),
                     LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_USER_EXISTS);
}

/*
 * The password policy alone (li_password_check): each kind of weak
 * password is refused with its own French message, and passphrases pass.
 * No hashing: cheap.
 */
static void password_policy_names_each_weakness(void **state) {
    (void)state;
    const struct {
        const char *password;
        size_t len; /* 0: strlen */
        li_msg msg; /* LI_MSG_NONE: accepted */
    } cases[] = {
        {"correct cheval pile agrafe", 0, LI_MSG_NONE},
        {"Bretagne-Soleil-Vent", 0, LI_MSG_NONE},
        {"xK9#mQ2$vL7@pR", 0, LI_MSG_NONE},
        {"le chat mange la pomme", 0, LI_MSG_NONE},
        {"k7#Rq2!mZp9", 0, LI_MSG_PASSWORD_TOO_SHORT},
        /* A NUL inside: refused, never cut at (strlen would see 8 bytes). */
        {"abcdefgh\0ijklmnop", 17, LI_MSG_PASSWORD_NUL},
        {"abcdefghijkl\xff", 0, LI_MSG_PASSWORD_NOT_UTF8},
        {"k7#Rq2!mZp9\xc3", 0, LI_MSG_PASSWORD_NOT_UTF8}, /* cut sequence */
        /* Common French passwords and words, barely changed. */
        {"motdepasse2024", 0, LI_MSG_PASSWORD_DICTIONARY},
        {"Marseille13013", 0, LI_MSG_PASSWORD_DICTIONARY},
        {"P@ssw0rd2024", 0, LI_MSG_PASSWORD_DICTIONARY},
        {"Soleil2026!!!", 0, LI_MSG_PASSWORD_DICTIONARY},
        {"Généralement2024", 0, LI_MSG_PASSWORD_DICTIONARY},
        {"azertyuiop123", 0, LI_MSG_PASSWORD_DICTIONARY},
        {"123456789012", 0, LI_MSG_PASSWORD_TOO_SIMPLE},
        {"aaaabbbbcccc", 0, LI_MSG_PASSWORD_REPEATS},
        {"kayak-racecar-kayak", 0, LI_MSG_PASSWORD_PALINDROME},
        {"8362-9154-7730", 0, LI_MSG_PASSWORD_WEAK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        li_error err;
        li_error_clear(&err);
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].password);
        li_status st =
            li_password_check(cases[i].password, len, "anne.roux@exemple.fr", "Anne Roux", &err);
        li_status want = cases[i].msg == LI_MSG_NONE ? LI_OK : LI_EUSAGE;
        if (st != want || (want != LI_OK && err.msg != cases[i].msg))
            fail_msg("case %zu (%s): status %d, message %s", i, cases[i].password, (int)st,
                     err.message);
    }
    /* The e-mail's local part and the name, in any case and accents. */
    li_error err;
    li_error_clear(&err);
    assert_int_equal(
        li_password_check("lune-ANNE.ROUX-pile", 19, "anne.roux@exemple.fr", "Zoé Lefèvre", &err),
        LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_PASSWORD_CONTAINS_EMAIL);
    assert_int_equal(
        li_password_check("agrafe-lefevre-lune", 19, "zoe@exemple.fr", "Zoé Lefèvre", &err),
        LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_PASSWORD_CONTAINS_NAME);
    /* Without a dictionary the policy is not skipped: an internal error. */
    setenv("LEADIMPORT_PASSWORD_DICT", "/nonexistent/dict", 1);
    assert_int_equal(li_password_check("correct cheval pile agrafe", 26, NULL, NULL, &err),
                     LI_EINTERNAL);
    assert_int_equal(err.msg, LI_MSG_PASSWORD_DICT_MISSING);
    unsetenv("LEADIMPORT_PASSWORD_DICT");
}

static void bad_email_role_name_or_password_are_refused(void **state) {
    li_store *s = *state;
    char long_name[LI_USER_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    char name_200[LI_USER_NAME_MAX + 1];
    memset(name_200, 'b', sizeof name_200 - 1);
    name_200[sizeof name_200 - 1] = '\0';
    const struct {
        const char *email, *name, *role, *password;
        li_msg msg;
    } cases[] = {
        {"jean.dupont@", "Jean", "admin", NULL, LI_MSG_USER_EMAIL_INVALID},
        {"", "Jean", "admin", NULL, LI_MSG_USER_EMAIL_INVALID},
        {NULL, "Jean", "admin", NULL, LI_MSG_USER_EMAIL_INVALID},
        {"jean dupont@exemple.fr", "Jean", "admin", NULL, LI_MSG_USER_EMAIL_INVALID},
        {"j@exemple.fr", "   ", "admin", NULL, LI_MSG_USER_NAME_INVALID},
        {"j@exemple.fr", NULL, "admin", NULL, LI_MSG_USER_NAME_INVALID},
        {"j@exemple.fr", "Jean\x01", "admin", NULL, LI_MSG_USER_NAME_INVALID},
        {"j@exemple.fr", "Jean\xff", "admin", NULL, LI_MSG_USER_NAME_INVALID},
        {"j@exemple.fr", long_name, "admin", NULL, LI_MSG_USER_NAME_INVALID},
        {"j@exemple.fr", "Jean", "chef", NULL, LI_MSG_USER_ROLE_INVALID},
        {"j@exemple.fr", "Jean", "", NULL, LI_MSG_USER_ROLE_INVALID},
        {"j@exemple.fr", "Jean", NULL, NULL, LI_MSG_USER_ROLE_INVALID},
        {"j@exemple.fr", "Jean", "admin", "", LI_MSG_PASSWORD_TOO_SHORT},
        {"j@exemple.fr", "Jean", "admin", "k7#Rq2!mZp9", LI_MSG_PASSWORD_TOO_SHORT},
        /* Eleven characters, sixteen bytes: characters count, not bytes. */
        {"j@exemple.fr", "Jean", "admin", "ééééék7#Rq2", LI_MSG_PASSWORD_TOO_SHORT},
        /* The account's own e-mail and name, the policy's other rules. */
        {"jean.dupont@exemple.fr", "Jean Dupont", "admin", "Dupont-1975-lune!",
         LI_MSG_PASSWORD_CONTAINS_EMAIL},
        {"j@exemple.fr", "Jean Dupont", "admin", "agrafe DUPONT lune",
         LI_MSG_PASSWORD_CONTAINS_NAME},
        {"j@exemple.fr", "Jean", "admin", "Motdepasse2024!", LI_MSG_PASSWORD_DICTIONARY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        li_error err;
        li_error_clear(&err);
        li_status st =
            li_users_add(s, cases[i].email, cases[i].name, cases[i].role, cases[i].password,
                         NULL, &err);
        if (st != LI_EUSAGE || err.msg != cases[i].msg)
            fail_msg("case %zu: status %d, message %s", i, (int)st, err.message);
        assert_true(err.message[0] != '\0');
    }
    /* Nothing was written, and 200 bytes is still a valid name. */
    int found = 1;
    li_user u;
    li_error err;
    assert_int_equal(li_users_find(s, "j@exemple.fr", &u, &found, &err), LI_OK);
    assert_int_equal(found, 0);
    add(s, "j@exemple.fr", name_200, "ADMIN");
}

static void the_messages_are_french(void **state) {
    li_store *s = *state;
    li_error err;
    assert_int_equal(li_users_add(s, "x@exemple.fr", "X", "chef", NULL, NULL, &err), LI_EUSAGE);
    assert_non_null(strstr(err.message, "Rôle inconnu"));
    assert_non_null(strstr(err.message, "« chef »"));
    assert_int_equal(li_users_set_active(s, "personne@exemple.fr", 0, &err), LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_USER_UNKNOWN);
    assert_non_null(strstr(err.message, "Aucun utilisateur"));
}

typedef struct collect {
    char emails[8][LI_USER_EMAIL_MAX + 1];
    int active[8];
    size_t n;
} collect;

static li_status collect_one(const li_user *u, void *ctx) {
    collect *c = ctx;
    if (c->n == 8)
        return LI_ELIMIT;
    snprintf(c->emails[c->n], sizeof c->emails[0], "%s", u->email);
    c->active[c->n++] = u->active;
    return LI_OK;
}

static li_status stop_at_first(const li_user *u, void *ctx) {
    (void)u;
    ++*(int *)ctx;
    return LI_ECANCELLED;
}

static void each_lists_every_user_by_email(void **state) {
    li_store *s = *state;
    li_error err;
    collect c = {0};
    assert_int_equal(li_users_each(s, collect_one, &c, &err), LI_OK);
    assert_int_equal(c.n, 0);
    add(s, "zoe@exemple.fr", "Zoé", "commercial");
    add(s, "anne@exemple.fr", "Anne", "admin");
    add(s, "marc@exemple.fr", "Marc", "commercial");
    assert_int_equal(li_users_set_active(s, "marc@exemple.fr", 0, &err), LI_OK);
    assert_int_equal(li_users_each(s, collect_one, &c, &err), LI_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.emails[0], "anne@exemple.fr");
    assert_string_equal(c.emails[1], "marc@exemple.fr");
    assert_string_equal(c.emails[2], "zoe@exemple.fr");
    assert_int_equal(c.active[1], 0); /* disabled users are listed too */
    int calls = 0;
    assert_int_equal(li_users_each(s, stop_at_first, &calls, &err), LI_ECANCELLED);
    assert_int_equal(calls, 1);
}

static void disable_and_enable_toggle_active(void **state) {
    li_store *s = *state;
    li_error err;
    li_user u;
    int found = 0;
    add(s, "luc@exemple.fr", "Luc", "commercial");
    assert_int_equal(li_users_set_active(s, " LUC@exemple.fr", 0, &err), LI_OK);
    assert_int_equal(li_users_find(s, "luc@exemple.fr", &u, &found, &err), LI_OK);
    assert_int_equal(u.active, 0);
    /* Twice is not an error. */
    assert_int_equal(li_users_set_active(s, "luc@exemple.fr", 0, &err), LI_OK);
    assert_int_equal(li_users_set_active(s, "luc@exemple.fr", 1, &err), LI_OK);
    assert_int_equal(li_users_find(s, "luc@exemple.fr", &u, &found, &err), LI_OK);
    assert_int_equal(u.active, 1);
    assert_int_equal(li_users_set_active(s, "nobody@exemple.fr", 1, &err), LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_USER_UNKNOWN);
    assert_int_equal(li_users_set_active(s, "luc@", 1, &err), LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_USER_EMAIL_INVALID);
}

/* The stored hash, read behind the module's back. */
static void stored_hash(const char *email, char *out, size_t cap) {
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    out[0] = '\0';
    assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT password_hash FROM users WHERE email = ?1", -1,
                                        &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, email, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void password_is_hashed_with_argon2id_and_verified(void **state) {
    li_store *s = *state;
    li_error err;
    li_user u;
    int ok = -1;
    char hash[256];
    /* The only hash of the suite (a quarter of a second, 64 MiB). */
    assert_int_equal(li_users_add(s, "anne@exemple.fr", "Anne Roux", "admin",
                                  "correct cheval pile", &u, &err),
                     LI_OK);
    assert_int_equal(u.has_password, 1);
    add(s, "luc@exemple.fr", "Luc", "commercial"); /* no password */
    stored_hash("anne@exemple.fr", hash, sizeof hash);
    assert_memory_equal(hash, "$argon2id$", 10);
    assert_null(strstr(hash, "correct cheval pile"));
    stored_hash("luc@exemple.fr", hash, sizeof hash);
    assert_string_equal(hash, "");

    memset(&u, 0, sizeof u);
    assert_int_equal(li_users_check_password(s, "ANNE@exemple.fr", "correct cheval pile", &u, &ok,
                                             &err),
                     LI_OK);
    assert_int_equal(ok, 1);
    assert_string_equal(u.email, "anne@exemple.fr");
    assert_int_equal(li_users_check_password(s, "anne@exemple.fr", "Correct cheval pile", NULL,
                                             &ok, &err),
                     LI_OK);
    assert_int_equal(ok, 0);
    /* Unknown, without password: no, and not an error. */
    assert_int_equal(li_users_check_password(s, "zoe@exemple.fr", "correct cheval pile", NULL, &ok,
                                             &err),
                     LI_OK);
    assert_int_equal(ok, 0);
    assert_int_equal(li_users_check_password(s, "luc@exemple.fr", "", NULL, &ok, &err), LI_OK);
    assert_int_equal(ok, 0);
    /* A disabled user never passes, even with the right password. */
    assert_int_equal(li_users_set_active(s, "anne@exemple.fr", 0, &err), LI_OK);
    assert_int_equal(li_users_check_password(s, "anne@exemple.fr", "correct cheval pile", NULL,
                                             &ok, &err),
                     LI_OK);
    assert_int_equal(ok, 0);
}

/* --- the directory ------------------------------------------------------- */

static void directory_finds_users_by_email_and_name(void **state) {
    li_store *s = *state;
    li_error err;
    add(s, "jean.dupont@exemple.fr", "Jean Dupont", "commercial");
    add(s, "jerome@exemple.fr", "Jérôme Lefèvre-Durand", "commercial");
    add(s, "marie.curie@exemple.fr", "Marie Curie", "commercial");
    add(s, "paul.martin1@exemple.fr", "Paul Martin", "commercial");
    add(s, "paul.martin2@exemple.fr", "Paul  MARTIN", "commercial");
    add(s, "anne.roux@exemple.fr", "Anne Roux", "commercial");
    add(s, "roux.anne@exemple.fr", "Roux Anne", "commercial");
    add(s, "chef@exemple.fr", "Éloïse", "admin");
    assert_int_equal(li_users_set_active(s, "marie.curie@exemple.fr", 0, &err), LI_OK);

    li_user_dir *d = NULL;
    assert_int_equal(li_user_dir_load(s, &d, &err), LI_OK);
    assert_int_equal(li_user_dir_count(d), 8);
    /* Later changes are not seen: the directory is a snapshot. */
    add(s, "late@exemple.fr", "Arrivé Tard", "commercial");

    char too_long[1200];
    memset(too_long, 'x', sizeof too_long);
    memcpy(too_long, "Jean Dupont ", 12);
    const struct {
        const char *text;
        size_t len; /* 0: strlen */
        li_user_match want;
        const char *email; /* the user expected, for FOUND and DISABLED */
    } cases[] = {
        {"jean.dupont@exemple.fr", 0, LI_USER_FOUND, "jean.dupont@exemple.fr"},
        {"JEAN.DUPONT@EXEMPLE.FR", 0, LI_USER_FOUND, "jean.dupont@exemple.fr"},
        {"Jean Dupont", 0, LI_USER_FOUND, "jean.dupont@exemple.fr"},
        {"  JEAN DUPONT  ", 0, LI_USER_FOUND, "jean.dupont@exemple.fr"},
        {"jean-dupont", 0, LI_USER_FOUND, "jean.dupont@exemple.fr"},
        {"Dupont Jean", 0, LI_USER_FOUND, "jean.dupont@exemple.fr"},
        {"DUPONT, Jean", 0, LI_USER_FOUND, "jean.dupont@exemple.fr"},
        {"Dupont\xc2\xa0Jean", 0, LI_USER_FOUND, "jean.dupont@exemple.fr"}, /* no-break space */
        {"jerome lefevre durand", 0, LI_USER_FOUND, "jerome@exemple.fr"},
        {"JÉRÔME LEFÈVRE-DURAND", 0, LI_USER_FOUND, "jerome@exemple.fr"},
        {"Lefèvre-Durand Jérôme", 0, LI_USER_FOUND, "jerome@exemple.fr"},
        {"Durand Jérôme Lefèvre", 0, LI_USER_FOUND, "jerome@exemple.fr"},
        {"eloise", 0, LI_USER_FOUND, "chef@exemple.fr"},
        {"Marie Curie", 0, LI_USER_DISABLED, "marie.curie@exemple.fr"},
        {"MARIE.CURIE@exemple.fr", 0, LI_USER_DISABLED, "marie.curie@exemple.fr"},
        {"Paul Martin", 0, LI_USER_AMBIGUOUS, NULL},
        {"martin paul", 0, LI_USER_AMBIGUOUS, NULL},
        {"paul.martin2@exemple.fr", 0, LI_USER_FOUND, "paul.martin2@exemple.fr"},
        /* Written in one order, a name finds the user of that order first. */
        {"Anne Roux", 0, LI_USER_FOUND, "anne.roux@exemple.fr"},
        {"Roux Anne", 0, LI_USER_FOUND, "roux.anne@exemple.fr"},
        {"Roux, Anne", 0, LI_USER_FOUND, "roux.anne@exemple.fr"},
        {"Jean", 0, LI_USER_UNKNOWN, NULL},
        {"Jean Dupond", 0, LI_USER_UNKNOWN, NULL},
        {"Jean Dupont Dupont", 0, LI_USER_UNKNOWN, NULL},
        {"jean.dupont@exemple.com", 0, LI_USER_UNKNOWN, NULL},
        {"Arrivé Tard", 0, LI_USER_UNKNOWN, NULL},
        {"", 0, LI_USER_UNKNOWN, NULL},
        {"  - ", 0, LI_USER_UNKNOWN, NULL},
        {"Jean Dupontxyz", 11, LI_USER_FOUND, "jean.dupont@exemple.fr"}, /* a slice */
        {too_long, sizeof too_long, LI_USER_UNKNOWN, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const li_user *u = (const li_user *)1;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        li_user_match m = li_user_dir_find(d, cases[i].text, len, &u);
        if (m != cases[i].want)
            fail_msg("case %zu (%.40s): got %d, want %d", i, cases[i].text, (int)m,
                     (int)cases[i].want);
        if (cases[i].email) {
            assert_non_null(u);
            if (strcmp(u->email, cases[i].email) != 0)
                fail_msg("case %zu (%s): user %s, want %s", i, cases[i].text, u->email,
                         cases[i].email);
        } else {
            assert_null(u);
        }
    }
    assert_int_equal(li_user_dir_find(d, NULL, 0, NULL), LI_USER_UNKNOWN);
    li_user_dir_free(d);
}

static void empty_directory_knows_nobody(void **state) {
    li_store *s = *state;
    li_error err;
    li_user_dir *d = NULL;
    const li_user *u = NULL;
    assert_int_equal(li_user_dir_load(s, &d, &err), LI_OK);
    assert_non_null(d);
    assert_int_equal(li_user_dir_count(d), 0);
    assert_int_equal(li_user_dir_find(d, "Jean Dupont", 11, &u), LI_USER_UNKNOWN);
    assert_null(u);
    li_user_dir_free(d);
    li_user_dir_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(add_normalises_and_find_returns_it, setup, teardown),
        cmocka_unit_test_setup_teardown(duplicate_email_is_refused_in_any_case, setup, teardown),
        cmocka_unit_test(password_policy_names_each_weakness),
        cmocka_unit_test_setup_teardown(bad_email_role_name_or_password_are_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_messages_are_french, setup, teardown),
        cmocka_unit_test_setup_teardown(each_lists_every_user_by_email, setup, teardown),
        cmocka_unit_test_setup_teardown(disable_and_enable_toggle_active, setup, teardown),
        cmocka_unit_test_setup_teardown(password_is_hashed_with_argon2id_and_verified, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(directory_finds_users_by_email_and_name, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_directory_knows_nobody, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
