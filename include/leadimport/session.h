/*
 * session.h — logging in to the HTTP API: sessions, their CSRF token, and
 * the rate limit of failed logins.
 *
 * A session is a random token (32 bytes from libsodium's randombytes,
 * base64url: LI_SESSION_TOKEN_LEN characters) that the server sets in a
 * cookie; only its SHA-256 is stored, so a copy of the database opens no
 * session. It ends after idle_s without use, after absolute_s whatever
 * its use, at logout, when its user is disabled (li_users_set_active) or
 * gets a new password (li_users_set_password): those end every session of
 * the user at once, and a session of a disabled user is refused even
 * before that (checked on every use).
 *
 * The CSRF token of a session is derived from its token (HMAC-SHA-256 of
 * a fixed text keyed by the token): nothing more to store, the server
 * gives it again from the cookie, and it tells nothing about the cookie.
 * Every state-changing request must carry it; li_session_csrf_ok()
 * compares in constant time.
 *
 * Failed logins are recorded in the database, per account (the e-mail as
 * typed, normalised, whether or not an account has it: the answer must
 * not tell) and per client address, so that several servers on one
 * database share the limit. Past max_failures_* failures within
 * window_s, logins of that account or address are refused until the
 * oldest failure leaves the window, with no password checked. A login
 * with an unknown e-mail costs the same Argon2id verification as one
 * with a wrong password (li_users_check_password). At most
 * LI_SESSION_MAX_VERIFY verifications run at once in a process (each
 * takes 64 MiB): more wait their turn.
 *
 * Every function uses the store from the calling thread only; errors are
 * li_status codes with a French message in err.
 */
#ifndef LEADIMPORT_SESSION_H
#define LEADIMPORT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "leadimport/buf.h"
#include "leadimport/error.h"
#include "leadimport/store.h"

#define LI_SESSION_TOKEN_LEN 43 /* base64url of 32 bytes, no padding */
#define LI_SESSION_CSRF_LEN 43
#define LI_SESSION_IDLE_S (2 * 3600.0)          /* default idle expiry */
#define LI_SESSION_MAX_S (12 * 3600.0)          /* default absolute expiry */
#define LI_LOGIN_MAX_FAILURES_ACCOUNT 5         /* per account within the window */
#define LI_LOGIN_MAX_FAILURES_ADDRESS 20        /* per client address within the window */
#define LI_LOGIN_WINDOW_S (15 * 60.0)
#define LI_SESSION_MAX_VERIFY 2                 /* Argon2id verifications at once */

/* The rules' settings; every 0 field takes its default above. */
typedef struct li_session_policy {
    double idle_s;
    double absolute_s;
    unsigned max_failures_account;
    unsigned max_failures_address;
    double window_s;
    int64_t now; /* Unix seconds; 0 = the clock (tests set it) */
} li_session_policy;

/* An open session, as li_session_login() and li_session_check() give it. */
typedef struct li_session {
    li_user user;                             /* active, as stored now */
    char csrf_token[LI_SESSION_CSRF_LEN + 1]; /* for the X-CSRF-Token header */
    int64_t expires_at;                       /* absolute end, Unix seconds */
} li_session;

/*
 * Logs in: checks the rate limit of the account and of address (the
 * client's address, any text; NULL or "" counts as one address), then the
 * password, then opens a session. On LI_OK, *out is the session and token
 * its LI_SESSION_TOKEN_LEN characters (NUL-terminated), to give the
 * client once: it is not kept.
 * Refusals: a wrong e-mail or password, a disabled account or one without
 * a password are the same LI_EREFUSED (login_failed), recorded against
 * the account and the address; too many recent failures is LI_ELIMIT
 * (login_locked_account or login_locked_address) with *retry_after_s the
 * seconds to wait (>= 1), and no password checked.
 */
li_status li_session_login(li_store *s, const li_session_policy *p, const char *email,
                           const char *password, const char *address, li_session *out,
                           char token[LI_SESSION_TOKEN_LEN + 1], int64_t *retry_after_s,
                           li_error *err);

/*
 * The session of token (the cookie's value; anything, NULL included).
 * *valid = 1 and *out filled when it is open and its user active; its
 * last use is then moved to now (written at most once a minute). An
 * expired session, or one of a disabled user, is deleted and *valid = 0.
 * Only a failure of the database is an error.
 */
li_status li_session_check(li_store *s, const li_session_policy *p, const char *token,
                           li_session *out, int *valid, li_error *err);

/* Ends the session of token (logout). An unknown token is not an error. */
li_status li_session_logout(li_store *s, const char *token, li_error *err);

/* Ends every session of the user user_id; *n (if not NULL) gets their number. */
li_status li_session_end_user(li_store *s, int64_t user_id, uint64_t *n, li_error *err);

/* 1 if header (the X-CSRF-Token value, may be NULL) is the session's CSRF token; constant time. */
int li_session_csrf_ok(const li_session *ss, const char *header);

/*
 * {"user": {"id", "email", "name", "role"}, "csrf_token", "expires_at"
 * (UTC, "2026-12-02T10:00:00Z")}: what the API answers for a session.
 */
li_status li_session_json(li_buf *b, const li_session *ss);

/* The seconds a session may live in all (the cookie's Max-Age): p's absolute_s or the default. */
int64_t li_session_max_age(const li_session_policy *p);

#endif
