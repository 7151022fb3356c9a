/*
 * sign.h — signed links: a URL that grants one request (a method on one
 * path) until a time, without a session, because it carries
 * HMAC-SHA-256(server secret, method "\n" path "\n" expiry).
 *
 * The secret is 32 random bytes kept in a file of the server's data folder
 * (LI_SIGN_KEY_FILE), created 0600 in a 0700 folder on first use; whoever
 * reads it can forge links, so a secret readable by others is refused.
 * Verification compares in constant time and refuses a link whose
 * signature, method, path or expiry was changed, and an expired one.
 */
#ifndef LEADIMPORT_SIGN_H
#define LEADIMPORT_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "leadimport/error.h"

#define LI_SIGN_KEY_BYTES 32
#define LI_SIGN_KEY_FILE "signing.key"
/* How long a link stays valid unless told otherwise: 15 minutes. */
#define LI_SIGN_DEFAULT_TTL_S (15 * 60)
/* Room for "?exp=" + up to 20 digits + "&sig=" + 64 hex digits + NUL, and spare. */
#define LI_SIGN_QUERY_MAX 128

typedef struct li_sign_key {
    unsigned char k[LI_SIGN_KEY_BYTES];
} li_sign_key;

/*
 * Reads the secret of dir/LI_SIGN_KEY_FILE, creating it (and dir, 0700)
 * when it does not exist: written aside, then linked into place, so two
 * servers starting together end up with the same one. Errors: LI_EIO
 * (sign_key_corrupt: not a regular file of LI_SIGN_KEY_BYTES bytes, or
 * unreadable), LI_EREFUSED (sign_key_unsafe: group or others may read
 * or write it), the file system's errors when it cannot be created.
 */
li_status li_sign_key_load(const char *dir, li_sign_key *key, li_error *err);

/*
 * Writes into out (LI_SIGN_QUERY_MAX bytes) the query that signs method
 * on path until exp (seconds since the epoch): "?exp=EXP&sig=HEX".
 * path is the URL's path as the server will see it, without query.
 */
void li_sign_query(const li_sign_key *key, const char *method, const char *path, int64_t exp,
                   char out[LI_SIGN_QUERY_MAX]);

/*
 * LI_OK if sig (64 hex digits) signs method on path until exp (decimal
 * digits), and now <= exp. LI_EREFUSED otherwise, with link_invalid (a
 * missing, malformed or wrong signature: another path, method or expiry)
 * or link_expired (a genuine link past its time). The signature is
 * compared in constant time.
 */
li_status li_sign_check(const li_sign_key *key, const char *method, const char *path,
                        const char *exp, const char *sig, int64_t now, li_error *err);

#endif
