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

#endif
