/*
 * password.c — password rules and Argon2id hashing (libsodium).
 *
 * Argon2id is the memory-hard hash recommended for passwords (RFC 9106,
 * OWASP): with the "interactive" limits each hash needs 64 MiB and about
 * 0.1 to 0.5 s, which costs a login nothing and an attacker with a stolen
 * table a great deal. The stored string carries algorithm, limits and salt,
 * so raising the limits later keeps old hashes verifiable.
 *
 * libsodium must be initialised once per process before use; sodium_init()
 * is itself safe to call from several threads, and pthread_once keeps the
 * answer so later calls cost nothing.
 */
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "users/usersInt.h"
#include "leadimport/users.h"

_Static_assert(LI__PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");

/*
 * The hash of a password nobody knows, with the same limits as ours: an
 * unknown or password-less user is verified against it, so that a login
 * for them takes as long as a wrong password.
 */
static const char dummy_hash[] = "$argon2id$v=19$m=65536,t=2,p=1$s+ZP+cq7S6o+McPcgCNR9Q$"
                                 "wKHRimPYliwbtE8Jxo/1wlTZ+HicMKwognhxyaQL9TI";

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_ok;

static void sodium_start(void) {
    sodium_ok = sodium_init() >= 0;
}

static int sodium_ready(void) {
    pthread_once(&sodium_once, sodium_start);
    return sodium_ok;
}

li_status li__password_check_rules(const char *password, li_error *err) {
    size_t bytes = strlen(password), chars = 0;
    if (bytes > LI_PASSWORD_MAX_BYTES)
        return li_error_set(err, LI_EUSAGE, LI_MSG_PASSWORD_TOO_LONG, LI_PASSWORD_MAX_BYTES);
    /* Characters, not bytes: "é" is one. UTF-8 continuation bytes don't count. */
    for (size_t i = 0; i < bytes; i++)
        chars += ((unsigned char)password[i] & 0xC0) != 0x80;
    if (chars < LI_PASSWORD_MIN_CHARS)
        return li_error_set(err, LI_EUSAGE, LI_MSG_PASSWORD_TOO_SHORT, LI_PASSWORD_MIN_CHARS);
    return LI_OK;
}

li_status li__password_hash(const char *password, char out[LI__PASSWORD_HASH_MAX],
                            li_error *err) {
    out[0] = '\0';
    if (!sodium_ready())
        return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "sodium_init");
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        out[0] = '\0';
        return li_error_set(err, LI_ENOMEM, LI_MSG_PASSWORD_HASH_FAILED);
    }
    return LI_OK;
}

int li__password_verify(const char *hash, const char *password) {
    if (!sodium_ready())
        return 0;
    const char *h = hash && *hash ? hash : dummy_hash;
    int ok = crypto_pwhash_str_verify(h, password, strlen(password)) == 0;
    return ok && h != dummy_hash;
}
