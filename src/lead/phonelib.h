/*
 * phonelib.h — the two ways phone.c reads a phone number, private to
 * src/lead/ (and to the tests and the bench, which compare them).
 *
 * The pipeline of li_norm_phone_typed() (validate.h):
 *
 *   1. li__phone_prep(): what Excel and people do to a number, undone the
 *      same way for both paths — trimmed, separators dropped, "(0)" after a
 *      country code dropped, "+" / "00" read as international, scientific
 *      notation read back when no digit was lost (else PRECISION_LOST),
 *      letters and other symbols refused (INVALID). An extension at the
 *      end ("x123", "ext. 12", "poste 12", "#12", ";ext=12") is set
 *      apart first; the steps below see the number alone, and the result
 *      gets ";ext=NN" after its E.164 form. The result is a digit string,
 *      international or national, and its extension.
 *   2. li__phone_fast(): the common French shapes checked against the
 *      French plan of libphonenumber 8.12.57 written out in C, and a few
 *      wholly-valid foreign blocks (Belgian, Swiss, Luxembourg, British
 *      mobiles, Québec). It answers only when it is sure to give exactly
 *      libphonenumber's answer (status, E.164, type), and says "unsure"
 *      otherwise. ~50 ns against 10-15 us for libphonenumber.
 *   3. li__phone_lib(): libphonenumber (phonelib.cc, C++) on the prepared
 *      digits, real numbering plans (IsValidNumber), with one French rule
 *      on top: a number of the French plan (national in France or an
 *      overseas department, or "+33") is checked under the code of its
 *      block (+33, +262, +590, +594, +596): "0262 12 34 56" dialled in
 *      France is +262 262 12 34 56, not +33 262 12 34 56.
 *
 * tests/unit/test_phone_agree.c proves 2 == 3 wherever 2 answers.
 * Thread-safe: no state but libphonenumber's singleton, whose const
 * methods may be called from any thread.
 */
#ifndef LEADIMPORT_PHONELIB_H
#define LEADIMPORT_PHONELIB_H

#include <stddef.h>

#include "leadimport/msg.h"
#include "leadimport/validate.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { LI__PHONE_MAX_DIGITS = 24 };

/* A number after pre-processing: digits only, no "+" or "00". */
typedef struct li__phone_digits {
    char d[LI__PHONE_MAX_DIGITS + 1]; /* NUL-terminated */
    size_t n;
    int intl; /* written with "+" or "00": d starts with the country code */
    char ext[LI_PHONE_EXT_MAX + 1]; /* the extension's digits, NUL-terminated; "" if none */
    size_t next;
} li__phone_digits;

/*
 * Step 1. Returns LI_MSG_NONE (dg filled), LI_MSG_PHONE_INVALID or
 * LI_MSG_PHONE_PRECISION_LOST.
 */
li_msg li__phone_prep(const char *in, size_t len, li__phone_digits *dg);

/*
 * Step 2 on prepared digits. region: upper-case ISO alpha-2 ("FR"). Returns
 * 1 when sure (*msg, and on LI_MSG_NONE the E.164 in out, 17 bytes, and
 * *type, are then exactly what li__phone_lib_digits() gives), 0 when not
 * sure (out, *type and *msg untouched).
 */
int li__phone_fast_digits(const li__phone_digits *dg, const char *region, char out[17],
                          li_phone_type *type, li_msg *msg);

/*
 * Step 3 on prepared digits: libphonenumber. Returns LI_MSG_NONE (E.164 in
 * out, 17 bytes; *type) or LI_MSG_PHONE_INVALID (out "", *type UNKNOWN).
 */
li_msg li__phone_lib_digits(const li__phone_digits *dg, const char *region, char out[17],
                            li_phone_type *type);

/*
 * Steps 1+2 and 1+3 on a raw value, for the agreement test and the bench.
 * region as li_norm_phone_typed() takes it (NULL = "FR", any case, "UK" =
 * "GB"). li__phone_fast() returns 1 when sure (then *msg, out, *type are
 * set), 0 when it would ask libphonenumber. out needs LI_PHONE_CAP bytes
 * (an extension is appended as li_norm_phone_typed() does).
 */
int li__phone_fast(const char *in, size_t len, const char *region, char *out,
                   li_phone_type *type, li_msg *msg);
li_msg li__phone_lib(const char *in, size_t len, const char *region, char *out,
                     li_phone_type *type);

/* --- phonelib.cc: the C++ shim -------------------------------------------- */

/* The number as libphonenumber read it, valid or not. */
typedef struct li__phonelib_num {
    unsigned cc;  /* country calling code; 0 if the text could not be read */
    char nsn[20]; /* national significant number, leading zeros included */
    char ext[24]; /* the extension libphonenumber read ("" if none) */
} li__phonelib_num;

/*
 * Parses in (len bytes: digits, "+" first for an international number) in
 * region (ISO alpha-2, upper-case; "ZZ" = none: only international numbers
 * are read) with PhoneNumberUtil::Parse, and checks it against the plan
 * (IsValidNumber, computed as GetNumberType() != UNKNOWN: the same test).
 * Returns LI_MSG_NONE (out, cap >= 17, gets the E.164 form, *type the type
 * from GetNumberType) or LI_MSG_PHONE_INVALID (out "", *type UNKNOWN).
 * parsed, if not NULL, gets the number read, valid or not. Never throws.
 */
li_msg li__phonelib_norm(const char *in, size_t len, const char *region, char *out, size_t cap,
                         li_phone_type *type, li__phonelib_num *parsed);

/*
 * The country calling code of region iso (ISO alpha-2, upper-case) and its
 * national (trunk) prefix when it is one digit ('0', '8' in Kazakhstan; 0
 * if none or longer). Returns 0 (and *cc = 0) for a region libphonenumber
 * does not know.
 */
int li__phonelib_region(const char *iso, unsigned *cc, char *trunk);

#ifdef __cplusplus
}
#endif

#endif
