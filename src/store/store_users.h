/*
 * store_users.h — the users table, as the store gives it to the users module.
 *
 * Not public: these functions store what they are given, with no check of
 * e-mail, name, role or password; the rules live in src/users (users.h),
 * the only caller. They dispatch through the operations table like the
 * rest of the store (store_ops.def); the SQLite ones are in sqlite_users.c.
 * Same conventions as store.h: strings passed in are only read during the
 * call.
 */
#ifndef LEADIMPORT_STORE_USERS_H
#define LEADIMPORT_STORE_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "leadimport/store.h"

/*
 * Inserts u->email, u->name, u->role, u->active with password_hash (NULL:
 * none). If a user already has this e-mail nothing is written and
 * *inserted = 0; otherwise *inserted = 1 and u->id, u->created_at are set.
 */
li_status li__store_user_insert(li_store *s, li_user *u, const char *password_hash,
                                int *inserted, li_error *err);

/*
 * The user of this (already normalised) e-mail. *found says whether it
 * exists. hash, if not NULL, gets the password hash ("" if none), truncated
 * to hash_cap - 1 bytes.
 */
li_status li__store_user_get(li_store *s, const char *email, li_user *out, char *hash,
                             size_t hash_cap, int *found, li_error *err);

/* Calls cb for every user, by e-mail; a non-OK status from cb stops and is returned. */
li_status li__store_users_each(li_store *s, li_user_cb cb, void *ctx, li_error *err);

/* Sets active on the user of this e-mail; *found = 0 if there is none. */
li_status li__store_user_set_active(li_store *s, const char *email, int active, int *found,
                                    li_error *err);

/*
 * Replaces the password hash of the user of this (normalised) e-mail;
 * *user_id gets the user's id, 0 when nobody has this e-mail (nothing written).
 */
li_status li__store_user_set_password(li_store *s, const char *email, const char *password_hash,
                                      int64_t *user_id, li_error *err);

/* --- sessions and login attempts (src/users/sessions.c) -------------------
 * Times are Unix seconds, given by the caller (the rules' clock). A session
 * is stored under the SHA-256 (hex) of its token, never the token itself.
 */

/* Stores a new session of user_id, created (and last seen) at now, ending at expires. */
li_status li__store_session_insert(li_store *s, const char *token_hash, int64_t user_id,
                                   int64_t now, int64_t expires, li_error *err);
/*
 * The session stored under token_hash and its user (as li__store_user_get
 * gives it, active or not). *found = 0 if there is none.
 */
li_status li__store_session_get(li_store *s, const char *token_hash, li_user *user,
                                int64_t *last_seen, int64_t *expires, int *found, li_error *err);
/* Sets the session's last use to now. */
li_status li__store_session_touch(li_store *s, const char *token_hash, int64_t now,
                                  li_error *err);
/* Deletes the session (none there is not an error). */
li_status li__store_session_delete(li_store *s, const char *token_hash, li_error *err);
/* Deletes every session of user_id; *n (if not NULL) gets their number. */
li_status li__store_sessions_end_user(li_store *s, int64_t user_id, uint64_t *n, li_error *err);
/* Deletes the sessions last used before idle_before or ending at or before now. */
li_status li__store_sessions_prune(li_store *s, int64_t idle_before, int64_t now, li_error *err);
/*
 * Failed logins recorded for (kind, key) at or after since: *n their
 * number, *oldest the time of the oldest of them (0 if none). kind is
 * "account" or "address".
 */
li_status li__store_login_failures(li_store *s, const char *kind, const char *key, int64_t since,
                                   uint64_t *n, int64_t *oldest, li_error *err);
/* Records a failed login for (kind, key) at now; drops every record older than prune_before. */
li_status li__store_login_failure_add(li_store *s, const char *kind, const char *key, int64_t now,
                                      int64_t prune_before, li_error *err);
/* Forgets the failed logins of (kind, key) (a successful login). */
li_status li__store_login_failures_clear(li_store *s, const char *kind, const char *key,
                                         li_error *err);

#endif
