/*
 * test_sign.c — signed links (sign.h): the secret is created private and
 * kept, a link signed for a method, path and expiry verifies, and every
 * change of one of them, of the signature, or the passing of the expiry,
 * is refused with the right code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "leadimport/sign.h"

static char dir[256], keyfile[300];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/li_test_sign_%d/data", (int)getpid());
    snprintf(keyfile, sizeof keyfile, "%s/%s", dir, LI_SIGN_KEY_FILE);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '/tmp/li_test_sign_%d' && mkdir '/tmp/li_test_sign_%d'",
             (int)getpid(), (int)getpid());
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '/tmp/li_test_sign_%d'", (int)getpid());
    return system(cmd) == 0 ? 0 : -1;
}

/* "?exp=E&sig=S" -> exp and sig, copied into e and g. */
static void split(const char *q, char *e, char *g) {
    assert_int_equal(strncmp(q, "?exp=", 5), 0);
    const char *amp = strchr(q, '&');
    assert_non_null(amp);
    memcpy(e, q + 5, (size_t)(amp - q - 5));
    e[amp - q - 5] = '\0';
    assert_int_equal(strncmp(amp, "&sig=", 5), 0);
    snprintf(g, 200, "%s", amp + 5);
}

static void key_created_private_and_kept(void **state) {
    (void)state;
    li_sign_key a, b;
    li_error err;
    umask(0); /* the file is private whatever the umask */
    assert_int_equal(li_sign_key_load(dir, &a, &err), LI_OK);
    umask(022);
    struct stat sb;
    assert_int_equal(stat(keyfile, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, LI_SIGN_KEY_BYTES);
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    /* loaded again: the same secret (links given before a restart still work) */
    assert_int_equal(li_sign_key_load(dir, &b, &err), LI_OK);
    assert_memory_equal(a.k, b.k, sizeof a.k);
    static const unsigned char zero[LI_SIGN_KEY_BYTES];
    assert_memory_not_equal(a.k, zero, sizeof zero);
}

static void key_refused_when_unsafe_or_damaged(void **state) {
    (void)state;
    li_sign_key k;
    li_error err;
    assert_int_equal(li_sign_key_load(dir, &k, &err), LI_OK);
    assert_int_equal(chmod(keyfile, 0644), 0);
    assert_int_equal(li_sign_key_load(dir, &k, &err), LI_EREFUSED);
    assert_string_equal(li_msg_code(err.msg), "sign_key_unsafe");
    assert_non_null(strstr(err.message, "644"));
    assert_int_equal(chmod(keyfile, 0600), 0);
    assert_int_equal(truncate(keyfile, 10), 0);
    assert_int_equal(li_sign_key_load(dir, &k, &err), LI_EIO);
    assert_string_equal(li_msg_code(err.msg), "sign_key_corrupt");
    /* a symbolic link in its place is not followed */
    assert_int_equal(unlink(keyfile), 0);
    assert_int_equal(symlink("/etc/hostname", keyfile), 0);
    assert_int_equal(li_sign_key_load(dir, &k, &err), LI_EIO);
    assert_string_equal(li_msg_code(err.msg), "sign_key_corrupt");
}

static void link_verifies_and_tampering_is_refused(void **state) {
    (void)state;
    li_sign_key k, other;
    li_error err;
    char q[LI_SIGN_QUERY_MAX], e[64], g[200];
    const char *path = "/files/imports/12/erreurs.csv";
    int64_t now = 1800000000;
    assert_int_equal(li_sign_key_load(dir, &k, &err), LI_OK);
    li_sign_query(&k, "GET", path, now + LI_SIGN_DEFAULT_TTL_S, q);
    split(q, e, g);
    assert_int_equal(strlen(g), 64);
    assert_int_equal(li_sign_check(&k, "GET", path, e, g, now, &err), LI_OK);
    assert_int_equal(li_sign_check(&k, "GET", path, e, g, now + LI_SIGN_DEFAULT_TTL_S, &err),
                     LI_OK);

    /* expired: one second after */
    assert_int_equal(li_sign_check(&k, "GET", path, e, g, now + LI_SIGN_DEFAULT_TTL_S + 1, &err),
                     LI_EREFUSED);
    assert_string_equal(li_msg_code(err.msg), "link_expired");

    typedef struct {
        const char *method, *path, *exp, *sig;
    } tamper;
    tamper bad[8];
    char later[64], flipped[200], zeroes[80];
    snprintf(later, sizeof later, "%lld", (long long)(now + 10 * LI_SIGN_DEFAULT_TTL_S));
    snprintf(flipped, sizeof flipped, "%s", g);
    flipped[10] = flipped[10] == '0' ? '1' : '0';
    snprintf(zeroes, sizeof zeroes, "0%s", e);
    bad[0] = (tamper){"GET", "/files/imports/13/erreurs.csv", e, g}; /* other path */
    bad[1] = (tamper){"POST", path, e, g};                          /* other method */
    bad[2] = (tamper){"GET", path, later, g};                       /* expiry pushed */
    bad[3] = (tamper){"GET", path, e, flipped};                     /* signature changed */
    bad[4] = (tamper){"GET", path, e, ""};                          /* no signature */
    bad[5] = (tamper){"GET", path, e, "zz"};                        /* not hex */
    bad[6] = (tamper){"GET", path, zeroes, g};                      /* same number, other text */
    bad[7] = (tamper){"GET", path, NULL, g};                        /* no expiry */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        li_error_clear(&err);
        assert_int_equal(li_sign_check(&k, bad[i].method, bad[i].path, bad[i].exp, bad[i].sig,
                                       now, &err),
                         LI_EREFUSED);
        assert_string_equal(li_msg_code(err.msg), "link_invalid");
    }
    /* another server's secret signs other links */
    memcpy(&other, &k, sizeof k);
    other.k[0] ^= 1;
    assert_int_equal(li_sign_check(&other, "GET", path, e, g, now, &err), LI_EREFUSED);
    assert_string_equal(li_msg_code(err.msg), "link_invalid");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(key_created_private_and_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(key_refused_when_unsafe_or_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(link_verifies_and_tampering_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
