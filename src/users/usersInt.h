/*
 * usersInt.h — what the files of the users module share: the password
 * hashing of password.c, used by users.c.
 */
#ifndef LEADIMPORT_USERS_INT_H
#define LEADIMPORT_USERS_INT_H

#include <stddef.h>

#include "leadimport/error.h"

/* Room for a hash string (libsodium crypto_pwhash_STRBYTES). */
#define LI__PASSWORD_HASH_MAX 128

/*
 * Hashes password with Argon2id (interactive limits) into out, a
 * NUL-terminated "$argon2id$..." string. Initialises libsodium on first
 * use. LI_ENOMEM (password_hash_failed) when Argon2id cannot get its
 * memory; LI_EINTERNAL if libsodium cannot start.
 */
li_status li__password_hash(const char *password, char out[LI__PASSWORD_HASH_MAX],
                            li_error *err);

/*
 * 1 if password matches hash, else 0. A NULL or empty hash is verified
 * against a fixed hash of another password (so it fails, in the same
 * time). Never an error: a hash that cannot be read does not match.
 */
int li__password_verify(const char *hash, const char *password);

struct li_store;
struct li_user;
/*
 * li_users_check_password(), giving also the hash it verified (in
 * hash[LI__PASSWORD_HASH_MAX]): a login stores its session only if the
 * user's hash is still that one, read again under the write lock (a
 * password reset during the slow verification wins).
 */
li_status li__users_check_password(struct li_store *s, const char *email, const char *password,
                                   struct li_user *out, int *ok, char *hash, li_error *err);

#endif
