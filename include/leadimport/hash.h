/*
 * hash.h — content hashing: SHA-256 of files (duplicate-import refusal) and a
 * fast 64-bit hash for in-memory key sets.
 */
#ifndef LEADIMPORT_HASH_H
#define LEADIMPORT_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "leadimport/error.h"

#define LI_SHA256_HEX 65 /* 64 hex digits + NUL */

/*
 * Computes the SHA-256 of the file at path into hex (lower-case, NUL
 * terminated) and its size into *size. Errors: LI_EIO.
 */
li_status li_sha256_file(const char *path, char hex[LI_SHA256_HEX], uint64_t *size,
                         li_error *err);

/* SHA-256 of n bytes at p into hex (lower-case, NUL terminated). */
void li_sha256_hex(const void *p, size_t n, char hex[LI_SHA256_HEX]);

/* A well-mixed 64-bit hash of n bytes, seeded (not cryptographic). */
uint64_t li_hash64(const void *p, size_t n, uint64_t seed);

#endif
