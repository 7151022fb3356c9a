/*
 * sessions.c — the rules of logging in to the HTTP API (session.h): rate
 * limit of failed logins, password check, session tokens and their
 * expiry, the CSRF token. The rows are the store's (store_users.h).
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "leadimport/hash.h"
#include "leadimport/session.h"
#include "leadimport/users.h"
#include "leadimport/validate.h"
#include "store/store_users.h"
#include "usersInt.h"

/* A session's last use is written at most this often (seconds): one write a minute, not a request. */
#define TOUCH_EVERY_S 60

/* Bytes of an account key (the e-mail as typed, normalised when it is one). */
#define ACCOUNT_KEY_MAX 256
/* Bytes of an address key. */
#define ADDRESS_KEY_MAX 64

static int64_t now_of(const li_session_policy *p) {
    return p && p->now ? p->now : (int64_t)time(NULL);
}

static double idle_of(const li_session_policy *p) {
    return p && p->idle_s > 0 ? p->idle_s : LI_SESSION_IDLE_S;
}

int64_t li_session_max_age(const li_session_policy *p) {
    return (int64_t)(p && p->absolute_s > 0 ? p->absolute_s : LI_SESSION_MAX_S);
}

/* --- limiting concurrent Argon2id verifications ------------------------------ */
static pthread_mutex_t verify_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t verify_free = PTHREAD_COND_INITIALIZER;
static int verifying;

static void verify_enter(void) {
    pthread_mutex_lock(&verify_lock);
    while (verifying >= LI_SESSION_MAX_VERIFY)
        pthread_cond_wait(&verify_free, &verify_lock);
    verifying++;
    pthread_mutex_unlock(&verify_lock);
}

static void verify_leave(void) {
    pthread_mutex_lock(&verify_lock);
    verifying--;
    pthread_cond_signal(&verify_free);
    pthread_mutex_unlock(&verify_lock);
}

/* --- tokens -------------------------------------------------------------------- */

/* 1 if t is LI_SESSION_TOKEN_LEN characters of base64url: anything else is no token. */
static int token_shaped(const char *t) {
    if (!t)
        return 0;
    size_t i = 0;
    for (; t[i]; i++) {
        char c = t[i];
        if (i >= LI_SESSION_TOKEN_LEN ||
            !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return i == LI_SESSION_TOKEN_LEN;
}

/* The CSRF token of a session: HMAC-SHA-256 keyed by its token, base64url. */
static void csrf_of(const char *token, char out[LI_SESSION_CSRF_LEN + 1]) {
    static const char what[] = "leadimport csrf v1";
    unsigned char key[crypto_auth_hmacsha256_KEYBYTES];
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    /* The key is the token's SHA-256: HMAC keys of any length are hashed anyway. */
    crypto_hash_sha256(key, (const unsigned char *)token, strlen(token));
    crypto_auth_hmacsha256(mac, (const unsigned char *)what, sizeof what - 1, key);
    sodium_bin2base64(out, LI_SESSION_CSRF_LEN + 1, mac, sizeof mac,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(key, sizeof key);
}

/* The stored form of a token: its SHA-256 in hex. */
static void token_hash(const char *token, char hex[LI_SHA256_HEX]) {
    li_sha256_hex(token, strlen(token), hex);
}

static li_status new_token(char token[LI_SESSION_TOKEN_LEN + 1], li_error *err) {
    if (sodium_init() < 0)
        return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "démarrage de libsodium");
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, LI_SESSION_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    return LI_OK;
}

/* --- rate limit ---------------------------------------------------------------- */

/* The account key of a login: the e-mail normalised when it is one, else as typed (cut). */
static void account_key(const char *email, char out[ACCOUNT_KEY_MAX]) {
    if (!email)
        email = "";
    if (li_norm_email(email, strlen(email), out, ACCOUNT_KEY_MAX) == LI_MSG_NONE)
        return;
    snprintf(out, ACCOUNT_KEY_MAX, "%s", email);
}

/*
 * *retry = seconds until (kind, key) may try again (0: now). Limited when
 * max failures or more fall in the window: the oldest of them must leave it.
 */
static li_status limited(li_store *s, const char *kind, const char *key, unsigned max,
                         double window, int64_t now, int64_t *retry, li_error *err) {
    uint64_t n = 0;
    int64_t oldest = 0;
    *retry = 0;
    li_status st = li__store_login_failures(s, kind, key, now - (int64_t)window, &n, &oldest, err);
    if (st == LI_OK && n >= max) {
        *retry = oldest + (int64_t)window - now;
        if (*retry < 1)
            *retry = 1;
    }
    return st;
}

/* A failed login, counted against the account and the address. */
static li_status failed(li_store *s, const char *account, const char *addr, int64_t now,
                        double window, li_error *err) {
    int64_t prune = now - (int64_t)window;
    li_status st = li__store_login_failure_add(s, "account", account, now, prune, err);
    return st == LI_OK ? li__store_login_failure_add(s, "address", addr, now, prune, err) : st;
}

/* LI_ELIMIT, with *retry_after_s and the French message, when the address or the account is locked. */
static li_status locked(li_store *s, const char *addr, unsigned max_address, const char *account,
                        unsigned max_account, double window, int64_t now, int64_t *retry_after_s,
                        li_error *err) {
    int64_t retry = 0;
    li_status st = limited(s, "address", addr, max_address, window, now, &retry, err);
    if (st != LI_OK)
        return st;
    if (retry) {
        *retry_after_s = retry;
        return li_error_set(err, LI_ELIMIT, LI_MSG_LOGIN_LOCKED_ADDRESS, (long long)retry);
    }
    if ((st = limited(s, "account", account, max_account, window, now, &retry, err)) != LI_OK)
        return st;
    if (retry) {
        *retry_after_s = retry;
        return li_error_set(err, LI_ELIMIT, LI_MSG_LOGIN_LOCKED_ACCOUNT, (long long)retry);
    }
    return LI_OK;
}

li_status li_session_login(li_store *s, const li_session_policy *p, const char *email,
                           const char *password, const char *address, li_session *out,
                           char token[LI_SESSION_TOKEN_LEN + 1], int64_t *retry_after_s,
                           li_error *err) {
    char account[ACCOUNT_KEY_MAX], addr[ADDRESS_KEY_MAX], hash[LI_SHA256_HEX];
    char verified[LI__PASSWORD_HASH_MAX] = "", now_hash[LI__PASSWORD_HASH_MAX] = "";
    int in_tx = 0;
    int64_t now = now_of(p);
    double window = p && p->window_s > 0 ? p->window_s : LI_LOGIN_WINDOW_S;
    unsigned max_account = p && p->max_failures_account ? p->max_failures_account
                                                         : LI_LOGIN_MAX_FAILURES_ACCOUNT;
    unsigned max_address = p && p->max_failures_address ? p->max_failures_address
                                                         : LI_LOGIN_MAX_FAILURES_ADDRESS;
    li_status st = LI_OK;
    *retry_after_s = 0;
    token[0] = '\0';
    memset(out, 0, sizeof *out);
    account_key(email, account);
    snprintf(addr, sizeof addr, "%s", address ? address : "");

    /* The limits first: a locked account or address costs no Argon2id. */
    if ((st = locked(s, addr, max_address, account, max_account, window, now, retry_after_s,
                     err)) != LI_OK)
        goto out;
    int ok = 0;
    verify_enter();
    /* And again once a verification may start: attempts sent together all
     * passed the first look before any failure was counted, and would
     * each have had a guess. Verifications run LI_SESSION_MAX_VERIFY at a
     * time, so at most that many pass the limit. */
    st = locked(s, addr, max_address, account, max_account, window, now, retry_after_s, err);
    if (st == LI_OK)
        st = li__users_check_password(s, email, password, &out->user, &ok, verified, err);
    if (st == LI_OK && !ok) /* counted before the next verification looks */
        st = failed(s, account, addr, now, window, err);
    verify_leave();
    if (st != LI_OK)
        goto out;
    if (ok) {
        /* The verification took a tenth of a second without the lock: the
         * session is stored only if the password is still the one verified
         * (a reset meanwhile ends the sessions it can see; this one it
         * could not), read again under the write lock. */
        li_user now_user;
        int found = 0;
        if ((st = li_store_begin(s, err)) != LI_OK)
            goto out;
        in_tx = 1;
        if ((st = li__store_user_get(s, out->user.email, &now_user, now_hash, sizeof now_hash,
                                     &found, err)) != LI_OK)
            goto out;
        ok = found && now_user.active && strcmp(now_hash, verified) == 0;
        if (!ok) {
            li_store_rollback(s);
            in_tx = 0;
        }
    }
    if (!ok) {
        st = li_error_set(err, LI_EREFUSED, LI_MSG_LOGIN_FAILED);
        goto out;
    }
    if ((st = li__store_login_failures_clear(s, "account", account, err)) != LI_OK)
        goto out;
    if ((st = new_token(token, err)) != LI_OK)
        goto out;
    token_hash(token, hash);
    out->expires_at = now + li_session_max_age(p);
    /* Expired sessions of everyone go with each login: the table stays small. */
    if ((st = li__store_sessions_prune(s, now - (int64_t)idle_of(p), now, err)) != LI_OK)
        goto out;
    if ((st = li__store_session_insert(s, hash, out->user.id, now, out->expires_at, err)) != LI_OK)
        goto out;
    if ((st = li_store_commit(s, err)) != LI_OK)
        goto out;
    in_tx = 0;
    csrf_of(token, out->csrf_token);
out:
    if (in_tx)
        li_store_rollback(s);
    sodium_memzero(verified, sizeof verified);
    sodium_memzero(now_hash, sizeof now_hash);
    if (st != LI_OK) {
        sodium_memzero(token, LI_SESSION_TOKEN_LEN + 1);
        memset(out, 0, sizeof *out);
    }
    return st;
}

li_status li_session_check(li_store *s, const li_session_policy *p, const char *token,
                           li_session *out, int *valid, li_error *err) {
    char hash[LI_SHA256_HEX];
    int64_t now = now_of(p), last_seen = 0, expires = 0;
    int found = 0;
    li_status st = LI_OK;
    *valid = 0;
    memset(out, 0, sizeof *out);
    if (!token_shaped(token))
        return LI_OK;
    token_hash(token, hash);
    if ((st = li__store_session_get(s, hash, &out->user, &last_seen, &expires, &found, err)) !=
            LI_OK ||
        !found)
        goto out;
    if (!out->user.active || now >= expires || now - last_seen > (int64_t)idle_of(p)) {
        st = li__store_session_delete(s, hash, err);
        goto out;
    }
    if (now - last_seen >= TOUCH_EVERY_S && (st = li__store_session_touch(s, hash, now, err)) != LI_OK)
        goto out;
    out->expires_at = expires;
    csrf_of(token, out->csrf_token);
    *valid = 1;
out:
    if (!*valid)
        memset(out, 0, sizeof *out);
    return st;
}

li_status li_session_logout(li_store *s, const char *token, li_error *err) {
    char hash[LI_SHA256_HEX];
    if (!token_shaped(token))
        return LI_OK;
    token_hash(token, hash);
    return li__store_session_delete(s, hash, err);
}

li_status li_session_end_user(li_store *s, int64_t user_id, uint64_t *n, li_error *err) {
    return li__store_sessions_end_user(s, user_id, n, err);
}

int li_session_csrf_ok(const li_session *ss, const char *header) {
    if (!ss || !header || strlen(header) != LI_SESSION_CSRF_LEN ||
        strlen(ss->csrf_token) != LI_SESSION_CSRF_LEN)
        return 0;
    return sodium_memcmp(ss->csrf_token, header, LI_SESSION_CSRF_LEN) == 0;
}

li_status li_session_json(li_buf *b, const li_session *ss) {
    char when[32];
    time_t t = (time_t)ss->expires_at;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    li_status st = li_buf_puts(b, "{\"user\":");
    if (st == LI_OK)
        st = li_users_json(b, &ss->user);
    if (st == LI_OK)
        st = li_buf_printf(b, ",\"csrf_token\":\"%s\",\"expires_at\":\"%s\"}", ss->csrf_token, when);
    return st;
}
