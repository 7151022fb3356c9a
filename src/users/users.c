/*
 * users.c — the rules for users (users.h): what a valid e-mail, name, role
 * and password are, and what adding, disabling or logging in means. The
 * rows themselves are read and written by the store (store_users.h); the
 * hashing is password.c's.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include <utf8proc.h>

#include "leadimport/session.h"
#include "leadimport/users.h"
#include "leadimport/validate.h"
#include "store/store_users.h"
#include "users/usersInt.h"

/* Bytes of a rejected value quoted back in a message. */
#define QUOTE_MAX 120

const char *li_user_role_parse(const char *role) {
    static const char *const roles[] = {"admin", "commercial"};
    for (size_t i = 0; role && i < sizeof roles / sizeof roles[0]; i++)
        if (strcasecmp(role, roles[i]) == 0)
            return roles[i];
    return NULL;
}

/* "abc…" : at most QUOTE_MAX bytes of s, cut on a UTF-8 boundary, for a message. */
static const char *quote(const char *s, char out[QUOTE_MAX + 4]) {
    size_t n = strlen(s);
    if (n <= QUOTE_MAX)
        return s;
    n = QUOTE_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    memcpy(out, s, n);
    memcpy(out + n, "\xE2\x80\xA6", 4); /* "…" and the NUL */
    return out;
}

/*
 * The e-mail of a user as stored: li_norm_email(), and short enough.
 * Returns 1 if valid.
 */
static int norm_email(const char *in, char out[LI_USER_EMAIL_MAX + 1]) {
    return in && li_norm_email(in, strlen(in), out, LI_USER_EMAIL_MAX + 1) == LI_MSG_NONE;
}

/* 1 if s[0..len) is UTF-8 without control characters (C0, DEL, C1). */
static int clean_utf8(const char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0 || cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
            return 0;
        i += (size_t)n;
    }
    return 1;
}

/*
 * The display name as stored: trimmed, inner spaces collapsed, 1 to
 * LI_USER_NAME_MAX bytes. Control characters are refused rather than
 * silently removed: a name is typed by an admin, not read from a file.
 */
static int norm_name(const char *in, char out[LI_USER_NAME_MAX + 1]) {
    if (!in)
        return 0;
    size_t len = strlen(in);
    if (!clean_utf8(in, len))
        return 0;
    /* li_norm_text never lengthens; anything longer than the limit plus
     * spaces to trim could not fit anyway. */
    char tmp[4 * LI_USER_NAME_MAX];
    if (len > sizeof tmp)
        return 0;
    size_t n = li_norm_text(in, len, tmp, 1, 0);
    if (n == 0 || n > LI_USER_NAME_MAX)
        return 0;
    memcpy(out, tmp, n);
    out[n] = '\0';
    return 1;
}

li_status li_users_add(li_store *s, const char *email, const char *name, const char *role,
                       const char *password, li_user *out, li_error *err) {
    li_status st = LI_OK;
    char hash[LI__PASSWORD_HASH_MAX] = "";
    char q[QUOTE_MAX + 4];
    li_user u;
    memset(&u, 0, sizeof u);
    u.active = 1;
    /* Cheap checks first, in the order of the command line; the hash
     * (a quarter of a second, 64 MiB) only once everything else is known good. */
    if (!norm_email(email, u.email)) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_USER_EMAIL_INVALID, quote(email ? email : "", q));
        goto out;
    }
    if (!norm_name(name, u.name)) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_USER_NAME_INVALID, quote(name ? name : "", q),
                          LI_USER_NAME_MAX);
        goto out;
    }
    const char *r = li_user_role_parse(role);
    if (!r) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_USER_ROLE_INVALID, quote(role ? role : "", q));
        goto out;
    }
    snprintf(u.role, sizeof u.role, "%s", r);
    if (password &&
        (st = li_password_check(password, strlen(password), u.email, u.name, err)) != LI_OK)
        goto out;
    li_user existing;
    int found = 0;
    if ((st = li__store_user_get(s, u.email, &existing, NULL, 0, &found, err)) != LI_OK)
        goto out;
    if (found) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_USER_EXISTS, u.email);
        goto out;
    }
    if (password && (st = li__password_hash(password, hash, err)) != LI_OK)
        goto out;
    int inserted = 0;
    if ((st = li__store_user_insert(s, &u, password ? hash : NULL, &inserted, err)) != LI_OK)
        goto out;
    if (!inserted) { /* added by another process since the look-up above */
        st = li_error_set(err, LI_EUSAGE, LI_MSG_USER_EXISTS, u.email);
        goto out;
    }
    if (out)
        *out = u;
out:
    return st;
}

li_status li_users_each(li_store *s, li_user_cb cb, void *ctx, li_error *err) {
    return li__store_users_each(s, cb, ctx, err);
}

li_status li_users_find(li_store *s, const char *email, li_user *out, int *found,
                        li_error *err) {
    char e[LI_USER_EMAIL_MAX + 1];
    *found = 0;
    if (!norm_email(email, e))
        return LI_OK; /* not an e-mail: nobody has it */
    return li__store_user_get(s, e, out, NULL, 0, found, err);
}

li_status li_users_set_active(li_store *s, const char *email, int active, li_error *err) {
    char e[LI_USER_EMAIL_MAX + 1], q[QUOTE_MAX + 4];
    int found = 0;
    if (!norm_email(email, e))
        return li_error_set(err, LI_EUSAGE, LI_MSG_USER_EMAIL_INVALID, quote(email ? email : "", q));
    li_status st = li__store_user_set_active(s, e, active, &found, err);
    if (st == LI_OK && !found)
        st = li_error_set(err, LI_EUSAGE, LI_MSG_USER_UNKNOWN, e);
    if (st == LI_OK && !active) {
        /* Sessions of a disabled user are refused on use anyway (li_session_check
         * reads the user); deleting them makes "ended at once" true in the table too. */
        li_user u;
        if ((st = li__store_user_get(s, e, &u, NULL, 0, &found, err)) == LI_OK && found)
            st = li_session_end_user(s, u.id, NULL, err);
    }
    return st;
}

li_status li_users_set_password(li_store *s, const char *email, const char *password, size_t len,
                                li_error *err) {
    char e[LI_USER_EMAIL_MAX + 1], q[QUOTE_MAX + 4];
    char hash[LI__PASSWORD_HASH_MAX] = "";
    li_user u;
    int found = 0;
    int64_t id = 0;
    li_status st = LI_OK;
    if (!norm_email(email, e)) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_USER_EMAIL_INVALID, quote(email ? email : "", q));
        goto out;
    }
    if ((st = li__store_user_get(s, e, &u, NULL, 0, &found, err)) != LI_OK)
        goto out;
    if (!found) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_USER_UNKNOWN, e);
        goto out;
    }
    if ((st = li_password_check(password, len, u.email, u.name, err)) != LI_OK ||
        (st = li__password_hash(password, hash, err)) != LI_OK)
        goto out;
    if ((st = li__store_user_set_password(s, e, hash, &id, err)) != LI_OK)
        goto out;
    if (id == 0) { /* gone since the look-up: users are never deleted, but say so */
        st = li_error_set(err, LI_EUSAGE, LI_MSG_USER_UNKNOWN, e);
        goto out;
    }
    st = li_session_end_user(s, id, NULL, err);
out:
    sodium_memzero(hash, sizeof hash);
    return st;
}

static li_status count_one(const li_user *u, void *ctx) {
    (void)u;
    ++*(size_t *)ctx;
    return LI_OK;
}

li_status li_users_first_admin(li_store *s, const char *email, const char *name,
                               char password[LI_USERS_FIRST_PASSWORD_MAX], int *created,
                               li_error *err) {
    size_t n = 0;
    li_status st = LI_OK;
    *created = 0;
    password[0] = '\0';
    if ((st = li__store_users_each(s, count_one, &n, err)) != LI_OK || n > 0)
        goto out;
    if (sodium_init() < 0) {
        st = li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "démarrage de libsodium");
        goto out;
    }
    /* 18 random bytes are 24 base64url characters (144 bits): the policy
     * accepts them but for a rare unlucky draw (a run of one character,
     * the e-mail inside), which simply draws again. */
    for (int attempt = 0; attempt < 16; attempt++) {
        unsigned char raw[18];
        randombytes_buf(raw, sizeof raw);
        sodium_bin2base64(password, LI_USERS_FIRST_PASSWORD_MAX, raw, sizeof raw,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        sodium_memzero(raw, sizeof raw);
        st = li_users_add(s, email, name, "admin", password, NULL, err);
        if (st == LI_OK) {
            *created = 1;
            goto out;
        }
        if (err && err->msg == LI_MSG_USER_EXISTS) { /* another server made it meanwhile */
            st = LI_OK;
            li_error_clear(err);
            break;
        }
        if (st != LI_EUSAGE || !err || strncmp(li_msg_code(err->msg), "password_", 9) != 0)
            break;
    }
out:
    if (!*created)
        sodium_memzero(password, LI_USERS_FIRST_PASSWORD_MAX);
    return st;
}

li_status li_users_json(li_buf *b, const li_user *u) {
    li_status st = li_buf_printf(b, "{\"id\":%lld,\"email\":", (long long)u->id);
    if (st == LI_OK)
        st = li_buf_json_str(b, u->email, strlen(u->email));
    if (st == LI_OK)
        st = li_buf_puts(b, ",\"name\":");
    if (st == LI_OK)
        st = li_buf_json_str(b, u->name, strlen(u->name));
    if (st == LI_OK)
        st = li_buf_printf(b, ",\"role\":\"%s\",\"active\":%s}", u->role,
                           u->active ? "true" : "false");
    return st;
}

li_status li__users_check_password(li_store *s, const char *email, const char *password,
                                   li_user *out, int *ok, char *hash, li_error *err) {
    char e[LI_USER_EMAIL_MAX + 1];
    li_user u;
    int found = 0;
    li_status st = LI_OK;
    *ok = 0;
    hash[0] = '\0';
    if (!password)
        password = "";
    if (norm_email(email, e) &&
        (st = li__store_user_get(s, e, &u, hash, LI__PASSWORD_HASH_MAX, &found, err)) != LI_OK)
        goto out;
    /* Verify even when the answer is already no (unknown, disabled, no
     * password: hash is then ""), so that every refusal takes as long. */
    int match = li__password_verify(hash, password);
    *ok = found && u.active && u.has_password && match;
    if (*ok && out)
        *out = u;
out:
    return st;
}

li_status li_users_check_password(li_store *s, const char *email, const char *password,
                                  li_user *out, int *ok, li_error *err) {
    char hash[LI__PASSWORD_HASH_MAX];
    li_status st = li__users_check_password(s, email, password, out, ok, hash, err);
    sodium_memzero(hash, sizeof hash);
    return st;
}
