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
 *
 * The policy (li_password_check) refuses, in this order: more than
 * LI_PASSWORD_MAX_BYTES, a NUL byte, bytes that are not UTF-8, fewer than
 * LI_PASSWORD_MIN_CHARS characters, the account's e-mail or name inside
 * it, and what libpwquality finds weak: a dictionary word or a known
 * password barely changed (cracklib, with the project's dictionary of
 * French and English words and common French passwords, built by
 * CMakeLists.txt), a regular sequence ("12345", "azerty"), a character
 * repeated, a palindrome. libpwquality's messages are English: only its
 * error codes are used, each mapped to a French message of the catalogue.
 * The system's /etc/security/pwquality.conf is not read: the rules are
 * the same on every machine.
 */
#include <pthread.h>
#include <pwquality.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

#include "leadimport/field.h"
#include "leadimport/users.h"
#include "users/usersInt.h"

/* Set by CMakeLists.txt to the dictionary the build makes; the system's
 * cracklib dictionary (English only) for a build without it. */
#ifndef LI_PASSWORD_DICT
#define LI_PASSWORD_DICT "/var/cache/cracklib/cracklib_dict"
#endif

/* A regular run of more than this many characters is refused ("12345"). */
#define MAX_SEQUENCE 4
/* The same character more than this many times in a row is refused. */
#define MAX_REPEAT 3
/* Bytes of the e-mail or name quoted back in a message. */
#define QUOTE_MAX 80

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

/* The cracklib dictionary: $LEADIMPORT_PASSWORD_DICT, else the build's. */
static const char *dict_path(void) {
    const char *env = getenv("LEADIMPORT_PASSWORD_DICT");
    return env && *env ? env : LI_PASSWORD_DICT;
}

/* Number of code points of s[0..len) if it is UTF-8, else -1. */
static long utf8_chars(const char *s, size_t len) {
    long chars = 0;
    for (size_t i = 0; i < len; chars++) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0)
            return -1;
        i += (size_t)n;
    }
    return chars;
}

/*
 * 1 if the folded password contains the folded text, or one of its parts
 * (split at spaces and . - _ + ' @) of 4 characters or more; the whole
 * text counts from 3. "jean.dupont" is found in
 * "Dupont1975!Jean" (as "dupont"), "Anne Roux" in "anneroux-2026".
 */
static int contains_folded(const char *folded_pw, const char *text) {
    char whole[512], part[512];
    if (li_fold(text, strlen(text), whole, sizeof whole) >= 3 && strstr(folded_pw, whole))
        return 1;
    const char *p = text;
    while (*p) {
        size_t n = 0;
        while (p[n] && p[n] != ' ' && p[n] != '.' && p[n] != '-' && p[n] != '_' && p[n] != '+' &&
               p[n] != '\'' && p[n] != '@')
            n++;
        if (n && li_fold(p, n, part, sizeof part) >= 4 && strstr(folded_pw, part))
            return 1;
        p += n;
        while (*p == ' ' || *p == '.' || *p == '-' || *p == '_' || *p == '+' || *p == '\'' ||
               *p == '@')
            p++;
    }
    return 0;
}

/*
 * The word a password is built on, as people build them: "P@ssw0rd2024!"
 * is "password", "Soleil1975!!" is "soleil". Folded (li_fold: lower
 * case, no accents, letters and digits only) after "@" -> "a", "$" -> "s";
 * the digits at both ends dropped; those inside read as the letters they
 * stand for (0 o, 1 i, 3 e, 4 a, 5 s, 7 t), others dropped. cracklib's own
 * rules only try one or two characters added to a word; with 12
 * characters at least, "word + year + !" is the usual weak password.
 * Writes a NUL-terminated string of at most len bytes into core. Returns
 * -1 without memory, else 0.
 */
static int base_word(const char *password, size_t len, char *core) {
    char *tmp = malloc(len + 1);
    core[0] = '\0';
    if (!tmp)
        return -1;
    for (size_t i = 0; i < len; i++)
        tmp[i] = password[i] == '@' ? 'a' : password[i] == '$' ? 's' : password[i];
    size_t n = li_fold(tmp, len, core, len + 1);
    sodium_memzero(tmp, len + 1);
    free(tmp);
    size_t b = 0, e = n;
    while (b < e && core[b] >= '0' && core[b] <= '9')
        b++;
    while (e > b && core[e - 1] >= '0' && core[e - 1] <= '9')
        e--;
    static const char leet[] = "oi?ea?t??"; /* 0..8: '?' drops the digit */
    size_t k = 0;
    for (size_t i = b; i < e; i++) {
        char c = core[i];
        if (c >= '0' && c <= '8' && leet[c - '0'] != '?')
            core[k++] = leet[c - '0'];
        else if (c < '0' || c > '9')
            core[k++] = c;
    }
    core[k] = '\0';
    return 0;
}

/* "abc…": at most QUOTE_MAX bytes of s, cut on a UTF-8 boundary. */
static const char *quote(const char *s, size_t n, char out[QUOTE_MAX + 4]) {
    if (n > QUOTE_MAX) {
        n = QUOTE_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    if (n < strlen(s))
        memcpy(out + n, "\xE2\x80\xA6", 4); /* "…" and the NUL */
    return out;
}

/* The French message of a libpwquality refusal (its text is English: never shown). */
static li_msg pwquality_msg(int code, const char *auxerror) {
    switch (code) {
    case PWQ_ERROR_CRACKLIB_CHECK:
        /* cracklib says why in English; its reasons are stable strings. */
        if (auxerror && strstr(auxerror, "dictionary"))
            return LI_MSG_PASSWORD_DICTIONARY;
        if (auxerror && strstr(auxerror, "DIFFERENT"))
            return LI_MSG_PASSWORD_REPEATS;
        if (auxerror && (strstr(auxerror, "simplistic") || strstr(auxerror, "whitespace")))
            return LI_MSG_PASSWORD_TOO_SIMPLE;
        return LI_MSG_PASSWORD_WEAK;
    case PWQ_ERROR_MAX_SEQUENCE:
        return LI_MSG_PASSWORD_TOO_SIMPLE;
    case PWQ_ERROR_MAX_CONSECUTIVE:
    case PWQ_ERROR_MAX_CLASS_REPEAT:
        return LI_MSG_PASSWORD_REPEATS;
    case PWQ_ERROR_PALINDROME:
        return LI_MSG_PASSWORD_PALINDROME;
    case PWQ_ERROR_BAD_WORDS:
        return LI_MSG_PASSWORD_DICTIONARY;
    default:
        return LI_MSG_PASSWORD_WEAK;
    }
}

/*
 * libpwquality with our settings on one candidate. cracklib keeps state
 * between calls: one check at a time in the process.
 */
static pthread_mutex_t pwq_lock = PTHREAD_MUTEX_INITIALIZER;

static li_status pwquality_check_one(const char *candidate, li_error *err) {
    li_status st = LI_OK;
    void *aux = NULL;
    pthread_mutex_lock(&pwq_lock);
    pwquality_settings_t *pwq = pwquality_default_settings();
    if (!pwq) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    /* Length is ours (characters, not credits); the rest is libpwquality's. */
    if (pwquality_set_int_value(pwq, PWQ_SETTING_MIN_LENGTH, 6) != 0 ||
        pwquality_set_int_value(pwq, PWQ_SETTING_DICT_CHECK, 1) != 0 ||
        pwquality_set_str_value(pwq, PWQ_SETTING_DICT_PATH, dict_path()) != 0 ||
        pwquality_set_int_value(pwq, PWQ_SETTING_MAX_SEQUENCE, MAX_SEQUENCE) != 0 ||
        pwquality_set_int_value(pwq, PWQ_SETTING_MAX_REPEAT, MAX_REPEAT) != 0 ||
        pwquality_set_int_value(pwq, PWQ_SETTING_USER_CHECK, 0) != 0 ||
        pwquality_set_int_value(pwq, PWQ_SETTING_GECOS_CHECK, 0) != 0) {
        st = li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL,
                          "réglage de la vérification des mots de passe");
        goto out;
    }
    int score = pwquality_check(pwq, candidate, NULL, NULL, &aux);
    if (score == PWQ_ERROR_MEM_ALLOC)
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    else if (score < 0) /* aux: cracklib's static reason, or a number; never freed */
        st = li_error_set_unchecked(err, LI_EUSAGE, /* pwquality_msg's entries take no argument */
                                    pwquality_msg(score, score == PWQ_ERROR_CRACKLIB_CHECK ? aux : NULL));
out:
    pwquality_free_settings(pwq);
    pthread_mutex_unlock(&pwq_lock);
    return st;
}

li_status li_password_check(const char *password, size_t len, const char *email, const char *name,
                            li_error *err) {
    li_status st = LI_OK;
    char *ascii = NULL, *folded = NULL, *core = NULL;
    char q[QUOTE_MAX + 4], dict[4096];
    if (len > LI_PASSWORD_MAX_BYTES)
        return li_error_set(err, LI_EUSAGE, LI_MSG_PASSWORD_TOO_LONG, LI_PASSWORD_MAX_BYTES);
    /* Refused, never cut: a password stored up to its NUL would not be the one typed. */
    if (memchr(password, '\0', len))
        return li_error_set(err, LI_EUSAGE, LI_MSG_PASSWORD_NUL);
    long chars = utf8_chars(password, len);
    if (chars < 0)
        return li_error_set(err, LI_EUSAGE, LI_MSG_PASSWORD_NOT_UTF8);
    /* Characters, not bytes: "é" is one. */
    if (chars < LI_PASSWORD_MIN_CHARS)
        return li_error_set(err, LI_EUSAGE, LI_MSG_PASSWORD_TOO_SHORT, LI_PASSWORD_MIN_CHARS);
    if (!(folded = malloc(len + 1))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    /* Cut at len bytes if a ligature would lengthen it: enough to look for a name. */
    li_fold(password, len, folded, len + 1);
    if (email && *email) {
        const char *at = strchr(email, '@');
        size_t local = at ? (size_t)(at - email) : strlen(email);
        char lp[LI_USER_EMAIL_MAX + 1];
        snprintf(lp, sizeof lp, "%.*s", (int)local, email);
        if (contains_folded(folded, lp)) {
            st = li_error_set(err, LI_EUSAGE, LI_MSG_PASSWORD_CONTAINS_EMAIL,
                              quote(lp, strlen(lp), q));
            goto out;
        }
    }
    if (name && *name && contains_folded(folded, name)) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_PASSWORD_CONTAINS_NAME,
                          quote(name, strlen(name), q));
        goto out;
    }
    snprintf(dict, sizeof dict, "%s.pwd", dict_path());
    if (access(dict, R_OK) != 0) {
        st = li_error_set(err, LI_EINTERNAL, LI_MSG_PASSWORD_DICT_MISSING, dict_path());
        goto out;
    }
    if ((st = pwquality_check_one(password, err)) != LI_OK)
        goto out;
    /* The dictionary is folded to ASCII ("général" is "general"): check the
     * password folded the same way too, case and punctuation kept. */
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)password, (utf8proc_ssize_t)len,
                                      (utf8proc_uint8_t **)&ascii,
                                      UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_STRIPMARK);
    if (n < 0) {
        ascii = NULL;
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if (((size_t)n != len || memcmp(ascii, password, len) != 0) &&
        (st = pwquality_check_one(ascii, err)) != LI_OK)
        goto out;
    /* Then the word it is built on: "Marseille13013" is "marseille". */
    if (!(core = malloc(len + 1)) || base_word(password, len, core) != 0) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if (strlen(core) < 4) { /* "2024!!2025!!": digits and signs, hardly a word */
        st = li_error_set(err, LI_EUSAGE, LI_MSG_PASSWORD_WEAK);
        goto out;
    }
    if ((st = pwquality_check_one(core, err)) != LI_OK)
        goto out;
out:
    if (core)
        sodium_memzero(core, len + 1);
    free(core);
    if (ascii)
        sodium_memzero(ascii, strlen(ascii));
    if (folded)
        sodium_memzero(folded, len + 1);
    free(ascii);
    free(folded);
    return st;
}

li_status li__password_hash(const char *password, char out[LI__PASSWORD_HASH_MAX],
                            li_error *err) {
    out[0] = '\0';
    if (!sodium_ready())
        return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "démarrage de libsodium");
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
