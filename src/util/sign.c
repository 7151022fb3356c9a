/*
 * sign.c — signed links (sign.h): the server's secret in its data folder,
 * HMAC-SHA-256 of method, path and expiry (libsodium), constant-time check.
 */
#include "leadimport/sign.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leadimport/outfile.h"

static int write_all(int fd, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/*
 * A new secret written to a temporary beside path, then linked to path:
 * link() never replaces, so of two servers creating it at once one wins
 * and both read its secret. 0, or -1 with errno (EEXIST is success).
 */
static int create_key(const char *dir, const char *path) {
    unsigned char k[LI_SIGN_KEY_BYTES];
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, LI_SIGN_KEY_FILE) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    randombytes_buf(k, sizeof k);
    int rc = fchmod(fd, 0600) == 0 && write_all(fd, k, sizeof k) == 0 && fsync(fd) == 0 ? 0 : -1;
    int e = errno;
    sodium_memzero(k, sizeof k);
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0 && link(tmp, path) != 0 && errno != EEXIST) {
        rc = -1;
        e = errno;
    }
    unlink(tmp);
    errno = e;
    return rc;
}

li_status li_sign_key_load(const char *dir, li_sign_key *key, li_error *err) {
    char path[4096];
    struct stat sb;
    li_status st = LI_OK;
    if (sodium_init() < 0)
        return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "sodium_init");
    if (snprintf(path, sizeof path, "%s/%s", dir, LI_SIGN_KEY_FILE) >= (int)sizeof path)
        return li_error_set(err, LI_EIO, LI_MSG_SIGN_KEY_CORRUPT, dir, li_msg_errno(ENAMETOOLONG));
    if (lstat(path, &sb) != 0) {
        if (errno != ENOENT)
            return li_error_set(err, LI_EIO, LI_MSG_SIGN_KEY_CORRUPT, path, li_msg_errno(errno));
        if (li_outfile_mkdir_private(dir) != 0 || create_key(dir, path) != 0)
            return li_error_set(err, li_status_from_errno(errno, LI_EIO), LI_MSG_FILE_UNWRITABLE,
                                path, li_msg_errno(errno));
    }
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return li_error_set(err, LI_EIO, LI_MSG_SIGN_KEY_CORRUPT, path, li_msg_errno(errno));
    ssize_t n = -1;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size != LI_SIGN_KEY_BYTES) {
        st = li_error_set(err, LI_EIO, LI_MSG_SIGN_KEY_CORRUPT, path,
                          li_msg_text(LI_MSG_SIGN_KEY_SIZE));
    } else if (sb.st_mode & 077) {
        /* Whoever can read it forges links: not used, and the user told. */
        st = li_error_set(err, LI_EREFUSED, LI_MSG_SIGN_KEY_UNSAFE, path,
                          (unsigned)(sb.st_mode & 0777));
    } else {
        do
            n = read(fd, key->k, sizeof key->k);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t)sizeof key->k)
            st = li_error_set(err, LI_EIO, LI_MSG_SIGN_KEY_CORRUPT, path,
                              n < 0 ? li_msg_errno(errno) : li_msg_text(LI_MSG_SIGN_KEY_SIZE));
    }
    close(fd);
    if (st != LI_OK)
        sodium_memzero(key->k, sizeof key->k);
    return st;
}

static void mac(const li_sign_key *key, const char *method, const char *path, const char *exp,
                unsigned char out[crypto_auth_hmacsha256_BYTES]) {
    crypto_auth_hmacsha256_state h;
    crypto_auth_hmacsha256_init(&h, key->k, sizeof key->k);
    /* "\n" cannot be in a method, a URL path or a number: no two inputs give one text. */
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)method, strlen(method));
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)"\n", 1);
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)path, strlen(path));
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)"\n", 1);
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)exp, strlen(exp));
    crypto_auth_hmacsha256_final(&h, out);
}

void li_sign_query(const li_sign_key *key, const char *method, const char *path, int64_t exp,
                   char out[LI_SIGN_QUERY_MAX]) {
    char e[24], hex[2 * crypto_auth_hmacsha256_BYTES + 1];
    unsigned char m[crypto_auth_hmacsha256_BYTES];
    snprintf(e, sizeof e, "%" PRId64, exp < 0 ? 0 : exp);
    mac(key, method, path, e, m);
    sodium_bin2hex(hex, sizeof hex, m, sizeof m);
    snprintf(out, LI_SIGN_QUERY_MAX, "?exp=%s&sig=%s", e, hex);
}

li_status li_sign_check(const li_sign_key *key, const char *method, const char *path,
                        const char *exp, const char *sig, int64_t now, li_error *err) {
    unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
    size_t n = exp ? strspn(exp, "0123456789") : 0;
    size_t glen = 0;
    /* Only the form li_sign_query writes: digits without sign or spaces, 64 hex digits. */
    if (!exp || !sig || !method || !path || n == 0 || n > 19 || exp[n] != '\0' ||
        strlen(sig) != 2 * sizeof got ||
        sodium_hex2bin(got, sizeof got, sig, strlen(sig), NULL, &glen, NULL) != 0 ||
        glen != sizeof got)
        return li_error_set(err, LI_EREFUSED, LI_MSG_LINK_INVALID);
    mac(key, method, path, exp, want);
    if (sodium_memcmp(want, got, sizeof want) != 0)
        return li_error_set(err, LI_EREFUSED, LI_MSG_LINK_INVALID);
    if (now > (int64_t)strtoll(exp, NULL, 10))
        return li_error_set(err, LI_EREFUSED, LI_MSG_LINK_EXPIRED);
    return LI_OK;
}
