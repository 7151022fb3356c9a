/*
 * test_session.c — logging in to the HTTP API (session.h): sessions, their
 * expiry and CSRF token, the rate limit of failed logins, and what ends a
 * session (logout, a disabled account, a new password).
 *
 * Each login verifies an Argon2id hash (a fraction of a second, 64 MiB):
 * the users are created once for the whole group, and each test runs at
 * its own point of a fake clock (policy.now), so that the failures one
 * test records never fall in another's window.
 */
#include <pthread.h>
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

#include "leadimport/hash.h"
#include "leadimport/session.h"
#include "leadimport/store.h"
#include "leadimport/users.h"

#include "db_test_util.h"
#include "race_test_util.h"

#define PW "agrafe cheval lune pile"
#define PW2 "tortue violon marche sable"

static li_store *s;

static int group_setup(void **state) {
    (void)state;
    test_db_name("session");
    li_error err;
    if (li_store_open(url, &s, &err) != LI_OK ||
        li_users_add(s, "anne@exemple.fr", "Anne Roux", "admin", PW, NULL, &err) != LI_OK ||
        li_users_add(s, "luc@exemple.fr", "Luc Petit", "commercial", PW, NULL, &err) != LI_OK ||
        li_users_add(s, "rose@exemple.fr", "Rose Blanc", "commercial", PW, NULL, &err) != LI_OK) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state) {
    (void)state;
    li_store_close(s);
    test_db_remove();
    return 0;
}

/* A policy at time `at` (each test its own day), small limits. */
static li_session_policy at(int64_t when) {
    li_session_policy p = {.idle_s = 600,
                           .absolute_s = 3600,
                           .max_failures_account = 3,
                           .max_failures_address = 5,
                           .window_s = 900,
                           .now = when};
    return p;
}

static li_status login(const li_session_policy *p, const char *email, const char *pw,
                       const char *addr, li_session *ss, char token[LI_SESSION_TOKEN_LEN + 1],
                       int64_t *retry, li_error *err) {
    return li_session_login(s, p, email, pw, addr, ss, token, retry, err);
}

static int valid_at(const li_session_policy *p, const char *token, li_session *ss) {
    int valid = -1;
    li_error err;
    assert_int_equal(li_session_check(s, p, token, ss, &valid, &err), LI_OK);
    return valid;
}

static void login_opens_a_session_whose_token_is_stored_only_hashed(void **state) {
    (void)state;
    li_session_policy p = at(1000000);
    li_session ss, again;
    char token[LI_SESSION_TOKEN_LEN + 1];
    int64_t retry = -1;
    li_error err;
    assert_int_equal(login(&p, " Anne@Exemple.FR ", PW, "10.0.0.1", &ss, token, &retry, &err), LI_OK);
    assert_int_equal(strlen(token), LI_SESSION_TOKEN_LEN);
    assert_int_equal(retry, 0);
    assert_string_equal(ss.user.email, "anne@exemple.fr");
    assert_string_equal(ss.user.role, "admin");
    assert_int_equal(ss.expires_at, 1000000 + 3600);
    assert_int_equal(strlen(ss.csrf_token), LI_SESSION_CSRF_LEN);

    /* The cookie opens the same session, with the same CSRF token. */
    assert_int_equal(valid_at(&p, token, &again), 1);
    assert_string_equal(again.user.email, "anne@exemple.fr");
    assert_string_equal(again.csrf_token, ss.csrf_token);

    /* The table holds the SHA-256 of the token, never the token. */
    sqlite3 *db;
    sqlite3_stmt *q;
    char hex[LI_SHA256_HEX];
    li_sha256_hex(token, strlen(token), hex);
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), sum(token_hash = ?1),"
                                            " sum(instr(token_hash, ?2) > 0) FROM sessions",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, hex, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, token, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_true(sqlite3_column_int(q, 0) >= 1);
    assert_int_equal(sqlite3_column_int(q, 1), 1);
    assert_int_equal(sqlite3_column_int(q, 2), 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void csrf_token_is_checked_exactly(void **state) {
    (void)state;
    li_session_policy p = at(2000000);
    li_session ss, other;
    char token[LI_SESSION_TOKEN_LEN + 1], token2[LI_SESSION_TOKEN_LEN + 1];
    int64_t retry;
    li_error err;
    assert_int_equal(login(&p, "anne@exemple.fr", PW, "10.0.0.2", &ss, token, &retry, &err), LI_OK);
    assert_int_equal(login(&p, "anne@exemple.fr", PW, "10.0.0.2", &other, token2, &retry, &err),
                     LI_OK);
    assert_string_not_equal(token, token2);
    assert_true(li_session_csrf_ok(&ss, ss.csrf_token));
    /* Another session's token, a missing one, a cut one, a changed one: refused. */
    assert_string_not_equal(ss.csrf_token, other.csrf_token);
    assert_false(li_session_csrf_ok(&ss, other.csrf_token));
    assert_false(li_session_csrf_ok(&ss, NULL));
    assert_false(li_session_csrf_ok(&ss, ""));
    char cut[LI_SESSION_CSRF_LEN + 1];
    memcpy(cut, ss.csrf_token, sizeof cut);
    cut[LI_SESSION_CSRF_LEN - 1] = '\0';
    assert_false(li_session_csrf_ok(&ss, cut));
    cut[LI_SESSION_CSRF_LEN - 1] = ss.csrf_token[LI_SESSION_CSRF_LEN - 1] == 'A' ? 'B' : 'A';
    cut[LI_SESSION_CSRF_LEN] = '\0';
    assert_false(li_session_csrf_ok(&ss, cut));
}

static void wrong_password_and_unknown_account_get_the_same_refusal(void **state) {
    (void)state;
    li_session_policy p = at(3000000);
    li_session ss;
    char token[LI_SESSION_TOKEN_LEN + 1];
    int64_t retry;
    li_error e1, e2;
    assert_int_equal(login(&p, "anne@exemple.fr", "pas le bon mot de passe", "10.0.0.3", &ss, token,
                           &retry, &e1),
                     LI_EREFUSED);
    assert_int_equal(login(&p, "personne@exemple.fr", PW, "10.0.0.3", &ss, token, &retry, &e2),
                     LI_EREFUSED);
    assert_string_equal(li_msg_code(e1.msg), "login_failed");
    assert_string_equal(e1.message, e2.message);
    assert_string_equal(token, "");
}

static void too_many_failures_lock_the_account_even_with_the_right_password(void **state) {
    (void)state;
    li_session_policy p = at(4000000);
    li_session ss;
    char token[LI_SESSION_TOKEN_LEN + 1];
    int64_t retry = 0;
    li_error err;
    /* Three failures from three addresses: the account's limit, not an address's. */
    const char *addr[] = {"10.1.0.1", "10.1.0.2", "10.1.0.3"};
    for (int i = 0; i < 3; i++) {
        p.now = 4000000 + i * 10;
        assert_int_equal(login(&p, "luc@exemple.fr", "mauvais", addr[i], &ss, token, &retry, &err),
                         LI_EREFUSED);
    }
    p.now = 4000100;
    assert_int_equal(login(&p, "LUC@exemple.fr", PW, "10.1.0.9", &ss, token, &retry, &err),
                     LI_ELIMIT);
    assert_string_equal(li_msg_code(err.msg), "login_locked_account");
    /* Until the oldest failure (t = 4000000) leaves the 900 s window. */
    assert_int_equal(retry, 4000000 + 900 - 4000100);
    p.now = 4000000 + 901;
    assert_int_equal(login(&p, "luc@exemple.fr", PW, "10.1.0.9", &ss, token, &retry, &err), LI_OK);
    /* A success forgets the account's failures: two more failures do not lock it. */
    for (int i = 0; i < 2; i++)
        assert_int_equal(login(&p, "luc@exemple.fr", "mauvais", "10.1.0.8", &ss, token, &retry, &err),
                         LI_EREFUSED);
    assert_int_equal(login(&p, "luc@exemple.fr", PW, "10.1.0.8", &ss, token, &retry, &err), LI_OK);
}

static void an_unknown_account_is_locked_like_a_real_one(void **state) {
    (void)state;
    li_session_policy p = at(5000000);
    li_session ss;
    char token[LI_SESSION_TOKEN_LEN + 1];
    int64_t retry = 0;
    li_error err;
    for (int i = 0; i < 3; i++)
        assert_int_equal(login(&p, "fantome@exemple.fr", "x", "10.2.0.1", &ss, token, &retry, &err),
                         LI_EREFUSED);
    assert_int_equal(login(&p, "fantome@exemple.fr", "x", "10.2.0.2", &ss, token, &retry, &err),
                     LI_ELIMIT);
    assert_string_equal(li_msg_code(err.msg), "login_locked_account");
}

static void too_many_failures_from_one_address_lock_it_for_every_account(void **state) {
    (void)state;
    li_session_policy p = at(6000000);
    li_session ss;
    char token[LI_SESSION_TOKEN_LEN + 1];
    int64_t retry = 0;
    li_error err;
    /* Three failures on three accounts (none reaches its own limit of 3). */
    p.max_failures_address = 3;
    const char *who[] = {"a1@exemple.fr", "a2@exemple.fr", "a3@exemple.fr"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(login(&p, who[i], "x", "192.0.2.7", &ss, token, &retry, &err), LI_EREFUSED);
    assert_int_equal(login(&p, "rose@exemple.fr", PW, "192.0.2.7", &ss, token, &retry, &err),
                     LI_ELIMIT);
    assert_string_equal(li_msg_code(err.msg), "login_locked_address");
    assert_true(retry >= 1);
    /* Another address is not concerned. */
    assert_int_equal(login(&p, "rose@exemple.fr", PW, "192.0.2.8", &ss, token, &retry, &err), LI_OK);
}

static void a_session_ends_after_its_idle_time_and_its_absolute_time(void **state) {
    (void)state;
    li_session_policy p = at(7000000);
    li_session ss;
    char t1[LI_SESSION_TOKEN_LEN + 1], t2[LI_SESSION_TOKEN_LEN + 1];
    int64_t retry;
    li_error err;
    assert_int_equal(login(&p, "anne@exemple.fr", PW, "10.3.0.1", &ss, t1, &retry, &err), LI_OK);
    assert_int_equal(login(&p, "anne@exemple.fr", PW, "10.3.0.1", &ss, t2, &retry, &err), LI_OK);
    /* t1 used every 500 s stays open past the idle time (600 s)... */
    for (int64_t t = 7000000 + 500; t < 7000000 + 3600; t += 500) {
        p.now = t;
        assert_int_equal(valid_at(&p, t1, &ss), 1);
    }
    /* ...but not past its absolute end (3600 s), however used. */
    p.now = 7000000 + 3600;
    assert_int_equal(valid_at(&p, t1, &ss), 0);
    /* t2, unused for more than 600 s, has ended, and stays ended. */
    p.now = 7000000 + 601;
    assert_int_equal(valid_at(&p, t2, &ss), 0);
    p.now = 7000000 + 10;
    assert_int_equal(valid_at(&p, t2, &ss), 0);
}

static void logout_disabling_and_a_new_password_end_sessions(void **state) {
    (void)state;
    li_session_policy p = at(8000000);
    li_session ss;
    char t1[LI_SESSION_TOKEN_LEN + 1], t2[LI_SESSION_TOKEN_LEN + 1], t3[LI_SESSION_TOKEN_LEN + 1];
    int64_t retry;
    li_error err;
    assert_int_equal(login(&p, "rose@exemple.fr", PW, "10.4.0.1", &ss, t1, &retry, &err), LI_OK);
    assert_int_equal(login(&p, "rose@exemple.fr", PW, "10.4.0.1", &ss, t2, &retry, &err), LI_OK);
    assert_int_equal(li_session_logout(s, t1, &err), LI_OK);
    assert_int_equal(valid_at(&p, t1, &ss), 0);
    assert_int_equal(valid_at(&p, t2, &ss), 1);

    /* Disabled: at once, and enabling again does not bring the session back. */
    assert_int_equal(li_users_set_active(s, "rose@exemple.fr", 0, &err), LI_OK);
    assert_int_equal(valid_at(&p, t2, &ss), 0);
    assert_int_equal(login(&p, "rose@exemple.fr", PW, "10.4.0.1", &ss, t3, &retry, &err),
                     LI_EREFUSED);
    assert_int_equal(li_users_set_active(s, "rose@exemple.fr", 1, &err), LI_OK);
    assert_int_equal(valid_at(&p, t2, &ss), 0);

    /* A new password: the open sessions end, the old password stops working. */
    assert_int_equal(login(&p, "rose@exemple.fr", PW, "10.4.0.1", &ss, t3, &retry, &err), LI_OK);
    assert_int_equal(li_users_set_password(s, "rose@exemple.fr", PW2, strlen(PW2), &err), LI_OK);
    assert_int_equal(valid_at(&p, t3, &ss), 0);
    assert_int_equal(login(&p, "rose@exemple.fr", PW, "10.4.0.1", &ss, t3, &retry, &err),
                     LI_EREFUSED);
    assert_int_equal(login(&p, "rose@exemple.fr", PW2, "10.4.0.1", &ss, t3, &retry, &err), LI_OK);
    /* The policy applies to a new password as to a first one. */
    assert_int_equal(li_users_set_password(s, "rose@exemple.fr", "court", 5, &err), LI_EUSAGE);
    assert_string_equal(li_msg_code(err.msg), "password_too_short");
    assert_int_equal(li_users_set_password(s, "inconnu@exemple.fr", PW2, strlen(PW2), &err),
                     LI_EUSAGE);
    assert_string_equal(li_msg_code(err.msg), "user_unknown");
}

typedef struct login_arg {
    const li_session_policy *p;
    li_status st;
    char token[LI_SESSION_TOKEN_LEN + 1];
} login_arg;

static void *login_hugo(void *arg) {
    login_arg *a = arg;
    li_session ss;
    int64_t retry = 0;
    li_error err;
    a->st = login(a->p, "hugo@exemple.fr", PW, "10.5.0.1", &ss, a->token, &retry, &err);
    return NULL;
}

/*
 * A new password set while a login verifies the old one (a tenth of a
 * second of Argon2id, without the lock): the login opens no session. It
 * used to store its session after the reset had ended the others, and the
 * old password kept a session open.
 */
static void a_password_reset_during_a_login_wins(void **state) {
    (void)state;
    li_session_policy p = at(9500000);
    li_store *admin = NULL;
    li_error err;
    assert_int_equal(li_users_add(s, "hugo@exemple.fr", "Hugo Lenoir", "admin", PW, NULL, &err),
                     LI_OK);
    assert_int_equal(li_store_open(url, &admin, &err), LI_OK);
    /* The reset holds the lock, not yet committed: the login reads the old hash. */
    assert_int_equal(li_store_begin(admin, &err), LI_OK);
    assert_int_equal(li_users_set_password(admin, "hugo@exemple.fr", PW2, strlen(PW2), &err),
                     LI_OK);
    login_arg a = {.p = &p, .st = LI_OK};
    /* Long enough for the verification to end and the login to wait for the lock. */
    race_commit_after(admin, login_hugo, &a, 1500);
    li_store_close(admin);
    li_session ss;
    if (a.st == LI_OK)
        assert_int_equal(valid_at(&p, a.token, &ss), 0); /* fails: a session with the old password */
    assert_int_equal(a.st, LI_EREFUSED);
    /* The new password opens one. */
    char t2[LI_SESSION_TOKEN_LEN + 1];
    int64_t retry;
    assert_int_equal(login(&p, "hugo@exemple.fr", PW2, "10.5.0.1", &ss, t2, &retry, &err), LI_OK);
    assert_int_equal(valid_at(&p, t2, &ss), 1);
}

typedef struct guess_arg {
    const li_session_policy *p;
    li_status st;
} guess_arg;

static void *guess(void *arg) {
    guess_arg *a = arg;
    li_store *own = NULL; /* a connection per request, as the server's */
    li_session ss;
    char token[LI_SESSION_TOKEN_LEN + 1];
    int64_t retry = 0;
    li_error err;
    a->st = li_store_open(url, &own, &err);
    if (a->st == LI_OK)
        a->st = li_session_login(own, a->p, "luc@exemple.fr", "pas le bon mot de passe",
                                 "10.6.0.1", &ss, token, &retry, &err);
    li_store_close(own);
    return NULL;
}

/*
 * Guesses sent together: they all passed the limit before any failure was
 * counted, and each got its verification (eight guesses on an account
 * that allows three). The limit is now looked at again once a verification
 * may start, and a failure counted before the next one looks: at most
 * LI_SESSION_MAX_VERIFY - 1 guesses past the limit.
 */
static void guesses_sent_together_stop_at_the_limit(void **state) {
    (void)state;
    li_session_policy p = at(9700000);
    enum { N = 8 };
    guess_arg a[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        a[i] = (guess_arg){.p = &p, .st = LI_OK};
        assert_int_equal(pthread_create(&t[i], NULL, guess, &a[i]), 0);
    }
    int verified = 0, locked = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        verified += a[i].st == LI_EREFUSED;
        locked += a[i].st == LI_ELIMIT;
    }
    assert_int_equal(verified + locked, N);
    if (verified > 3 + LI_SESSION_MAX_VERIFY - 1)
        fail_msg("%d guesses verified, the account allows 3", verified);
}

static void tokens_that_are_not_tokens_open_nothing(void **state) {
    (void)state;
    li_session_policy p = at(9000000);
    li_session ss;
    assert_int_equal(valid_at(&p, NULL, &ss), 0);
    assert_int_equal(valid_at(&p, "", &ss), 0);
    assert_int_equal(valid_at(&p, "' OR 1=1 --", &ss), 0);
    assert_int_equal(valid_at(&p, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &ss), 0);
    li_error err;
    assert_int_equal(li_session_logout(s, "nimporte quoi", &err), LI_OK);
}

static void session_json_names_the_user_and_the_csrf_token(void **state) {
    (void)state;
    li_session ss;
    memset(&ss, 0, sizeof ss);
    ss.user.id = 7;
    snprintf(ss.user.email, sizeof ss.user.email, "anne@exemple.fr");
    snprintf(ss.user.name, sizeof ss.user.name, "Anne \"la\" Roux");
    snprintf(ss.user.role, sizeof ss.user.role, "admin");
    ss.user.active = 1;
    snprintf(ss.csrf_token, sizeof ss.csrf_token, "abc");
    ss.expires_at = 0;
    li_buf b;
    li_buf_init(&b, 0);
    assert_int_equal(li_session_json(&b, &ss), LI_OK);
    assert_string_equal(b.data, "{\"user\":{\"id\":7,\"email\":\"anne@exemple.fr\",\"name\":\"Anne "
                                "\\\"la\\\" Roux\",\"role\":\"admin\",\"active\":true},"
                                "\"csrf_token\":\"abc\",\"expires_at\":\"1970-01-01T00:00:00Z\"}");
    li_buf_free(&b);
}

static void first_admin_is_made_only_in_a_database_without_users(void **state) {
    (void)state;
    char pw[LI_USERS_FIRST_PASSWORD_MAX];
    int created = -1;
    li_error err;
    /* This database has users: nothing is done. */
    assert_int_equal(li_users_first_admin(s, "demo@exemple.fr", "Démo", pw, &created, &err), LI_OK);
    assert_int_equal(created, 0);
    assert_string_equal(pw, "");

    char path[300], u[320];
    snprintf(path, sizeof path, "%s.empty", dbpath);
    unlink(path);
    snprintf(u, sizeof u, "sqlite:%s", path);
    li_store *e = NULL;
    assert_int_equal(li_store_open(u, &e, &err), LI_OK);
    assert_int_equal(li_users_first_admin(e, "demo@exemple.fr", "Démo", pw, &created, &err), LI_OK);
    assert_int_equal(created, 1);
    assert_true(strlen(pw) >= 24);
    int ok = 0;
    li_user who;
    assert_int_equal(li_users_check_password(e, "demo@exemple.fr", pw, &who, &ok, &err), LI_OK);
    assert_int_equal(ok, 1);
    assert_string_equal(who.role, "admin");
    /* A second start makes none. */
    char pw2[LI_USERS_FIRST_PASSWORD_MAX];
    assert_int_equal(li_users_first_admin(e, "autre@exemple.fr", "Autre", pw2, &created, &err), LI_OK);
    assert_int_equal(created, 0);
    li_store_close(e);
    unlink(path);
    char side[320];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(login_opens_a_session_whose_token_is_stored_only_hashed),
        cmocka_unit_test(csrf_token_is_checked_exactly),
        cmocka_unit_test(wrong_password_and_unknown_account_get_the_same_refusal),
        cmocka_unit_test(too_many_failures_lock_the_account_even_with_the_right_password),
        cmocka_unit_test(an_unknown_account_is_locked_like_a_real_one),
        cmocka_unit_test(too_many_failures_from_one_address_lock_it_for_every_account),
        cmocka_unit_test(a_session_ends_after_its_idle_time_and_its_absolute_time),
        cmocka_unit_test(logout_disabling_and_a_new_password_end_sessions),
        cmocka_unit_test(a_password_reset_during_a_login_wins),
        cmocka_unit_test(guesses_sent_together_stop_at_the_limit),
        cmocka_unit_test(tokens_that_are_not_tokens_open_nothing),
        cmocka_unit_test(session_json_names_the_user_and_the_csrf_token),
        cmocka_unit_test(first_admin_is_made_only_in_a_database_without_users),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
