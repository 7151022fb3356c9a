/*
 * users.h — the people who use leadimport, and the directory that assigns
 * leads to them.
 *
 * A user has an e-mail (the login, unique, stored as li_norm_email() gives
 * it: trimmed, ASCII lower-cased), a display name, a role and a password
 * hash. Roles: "admin" imports files and manages users; "commercial" (a
 * sales rep) owns leads. A user is never deleted, only disabled: leads and
 * imports keep pointing at them, but a disabled user cannot log in and is
 * not given new leads.
 *
 * Passwords are hashed with Argon2id (libsodium crypto_pwhash_str_alg, the
 * "interactive" limits: about 64 MiB and 0.1 to 0.5 s per hash) and stored
 * in the PHC string format ("$argon2id$v=19$m=65536,t=2,p=1$..."), which
 * carries its own salt and parameters. The plain password is never stored
 * nor kept beyond the call. A user without a password cannot log in.
 *
 * The directory (li_user_dir) is a read-only snapshot of the users, loaded
 * once per import, that finds the user a spreadsheet cell names (see
 * li_user_dir_find()). It is immutable once loaded: lookups are thread-safe.
 *
 * Every function taking a store uses it from the calling thread only (as
 * the store requires). Errors are li_status codes with a French message in
 * err (store.h, error.h); a wrong input is LI_EUSAGE.
 */
#ifndef LEADIMPORT_USERS_H
#define LEADIMPORT_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "leadimport/buf.h"
#include "leadimport/error.h"
#include "leadimport/store.h"

/* The record of a user (li_user) and its limits are the store's: store.h. */

/* Canonical role name ("admin", "commercial") of role, any ASCII case; NULL if none. */
const char *li_user_role_parse(const char *role);

/*
 * Adds a user. email is normalised with li_norm_email() and must be valid
 * (user_email_invalid); name is trimmed, its inner spaces collapsed, and
 * must then hold 1 to LI_USER_NAME_MAX bytes of UTF-8 without control
 * characters (user_name_invalid); role is "admin" or "commercial", any case
 * (user_role_invalid). password, if not NULL, must pass
 * li_password_check() with this e-mail and name; it is hashed, never
 * stored; NULL creates a user who cannot log in until a password is set.
 * An e-mail already taken, by an active or a disabled user, is refused
 * (user_exists). All these are LI_EUSAGE. A hash that fails (no memory for
 * Argon2id) is LI_ENOMEM.
 *
 * @param out  if not NULL, receives the user as stored (id, created_at).
 */
li_status li_users_add(li_store *s, const char *email, const char *name, const char *role,
                       const char *password, li_user *out, li_error *err);

/*
 * The password policy. password[0..len) is refused (LI_EUSAGE) when it
 * has more than LI_PASSWORD_MAX_BYTES bytes (password_too_long), a NUL
 * byte (password_nul: len is given so that one is seen, never cut at),
 * bytes that are not UTF-8 (password_not_utf8), fewer than
 * LI_PASSWORD_MIN_CHARS characters (password_too_short), the local part of
 * email or the name inside it, case and accents aside
 * (password_contains_email, password_contains_name; email and name may be
 * NULL), or when libpwquality finds it weak: a French or English word or
 * a common password barely changed (password_dictionary), a regular
 * sequence (password_too_simple), repeats (password_repeats), a palindrome
 * (password_palindrome), anything else (password_weak). A missing
 * dictionary is LI_EINTERNAL (password_dict_missing): the policy is never
 * skipped. Thread-safe; about a millisecond; nothing is kept.
 */
li_status li_password_check(const char *password, size_t len, const char *email, const char *name,
                            li_error *err);


/*
 * Calls cb for every user, active or not, by e-mail. u is borrowed: valid
 * during the call only. A non-OK status from cb stops the walk and is
 * returned.
 */
li_status li_users_each(li_store *s, li_user_cb cb, void *ctx, li_error *err);

/*
 * Finds the user whose e-mail is email (normalised first, so any case and
 * surrounding spaces). *found says whether there is one (0 as well for a
 * string that is not an e-mail); if so *out is filled.
 */
li_status li_users_find(li_store *s, const char *email, li_user *out, int *found,
                        li_error *err);

/*
 * Disables (active = 0) or enables again (active = 1) the user of this
 * e-mail. Disabling ends all of the user's open sessions at once
 * (session.h). Doing it twice is not an error. An invalid e-mail
 * (user_email_invalid) or one no user has (user_unknown) is LI_EUSAGE.
 */
li_status li_users_set_active(li_store *s, const char *email, int active, li_error *err);

/*
 * Gives the user of this e-mail a new password (password[0..len), the
 * policy of li_password_check() with the user's e-mail and name) and ends
 * all of their open sessions (session.h): whoever knew the old one is out.
 * An invalid e-mail (user_email_invalid) or one nobody has (user_unknown)
 * is LI_EUSAGE, like a refused password.
 */
li_status li_users_set_password(li_store *s, const char *email, const char *password, size_t len,
                                li_error *err);

/* Room for the password li_users_first_admin() makes (and its NUL). */
#define LI_USERS_FIRST_PASSWORD_MAX 64

/*
 * A database without any user gets an admin: email and name as given,
 * and a random password (24 characters of base64url from libsodium,
 * checked against the policy) copied into password, to be shown once:
 * it is stored only hashed. *created = 1 then. A database that has a user
 * already is left alone (*created = 0, password "").
 */
li_status li_users_first_admin(li_store *s, const char *email, const char *name,
                               char password[LI_USERS_FIRST_PASSWORD_MAX], int *created,
                               li_error *err);

/* {"id", "email", "name", "role", "active"}: a user as the API shows it (never the hash). */
li_status li_users_json(li_buf *b, const li_user *u);

/*
 * Checks a login. *ok = 1 only if the user exists, is active, has a
 * password and password matches it; then *out (if not NULL) is the user.
 * A wrong password is not an error (LI_OK, *ok = 0). An unknown, disabled
 * or password-less user costs the same Argon2id verification as a wrong
 * password, so that timing does not tell which e-mails exist.
 */
li_status li_users_check_password(li_store *s, const char *email, const char *password,
                                  li_user *out, int *ok, li_error *err);

/* --- the directory: which user a cell names ------------------------------ */

typedef struct li_user_dir li_user_dir;

typedef enum li_user_match {
    LI_USER_FOUND = 0,  /* exactly one user, active */
    LI_USER_UNKNOWN,    /* nobody (an empty cell too) */
    LI_USER_DISABLED,   /* exactly one user, disabled */
    LI_USER_AMBIGUOUS,  /* several users answer to this name */
} li_user_match;

/*
 * Loads every user (active or not) into a new directory. Free it with
 * li_user_dir_free(). Later changes to the users are not seen.
 */
li_status li_user_dir_load(li_store *s, li_user_dir **out, li_error *err);

/* Frees d. Accepts NULL. Pointers handed out by li_user_dir_find() die with it. */
void li_user_dir_free(li_user_dir *d);

/* Number of users in d. */
size_t li_user_dir_count(const li_user_dir *d);

/*
 * The user that text (a cell, not NUL-terminated) names. Both sides are
 * compared folded with li_fold(): case, accents, punctuation and spaces do
 * not count. In this order:
 *   1. the whole text against each e-mail and each name as written:
 *      "jean.dupont@exemple.fr", "JEAN.DUPONT@EXEMPLE.FR", "Jean Dupont",
 *      "jean dupont", "Jean-Dupont", "Jérôme" = "JEROME";
 *   2. only if nothing matched: the words of the text, in any order,
 *      against the words of each name ("Dupont Jean", "DUPONT, Jean" for
 *      "Jean Dupont"). Words are split at spaces and ASCII punctuation.
 * The first step that matches decides. When it matches several users,
 * active or not, the result is LI_USER_AMBIGUOUS (two "Jean Dupont": the
 * cell must give the e-mail); "Jean Martin" written as such still finds
 * Jean Martin even if a "Martin Jean" exists, since step 1 comes first.
 *
 * *user (if user is not NULL) gets the user for LI_USER_FOUND and
 * LI_USER_DISABLED, NULL otherwise; it is borrowed from d. O(log n) per
 * call, no allocation; a text over 1000 bytes is LI_USER_UNKNOWN.
 */
li_user_match li_user_dir_find(const li_user_dir *d, const char *text, size_t len,
                               const li_user **user);

#endif
