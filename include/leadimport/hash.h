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
 * What tells that a file's bytes may have changed without reading them:
 * its device and inode (replaced by another file), size (appended to,
 * truncated) and modification time in nanoseconds (rewritten in place).
 * All zero: unknown (nothing to compare).
 */
typedef struct li_file_id {
    uint64_t dev, ino, size;
    int64_t mtime_ns;
} li_file_id;

struct stat;
/* The identity of the file sb describes. */
void li_file_id_of(const struct stat *sb, li_file_id *id);
/* 1 if id was set (li_file_id_of), 0 if it is all zero. */
int li_file_id_set(const li_file_id *id);
/*
 * 0 if now is the file was (same inode, size and modification time), else
 * 1 with why (French, for FILE_CHANGED: « il a été remplacé par un autre
 * fichier », « sa taille est passée de 10 à 20 octets », « il a été
 * réécrit ») formatted into why[0..cap).
 */
int li_file_id_differs(const li_file_id *was, const li_file_id *now, char *why, size_t cap);

/*
 * Computes the SHA-256 of the file at path into hex (lower-case, NUL
 * terminated) and its size into *size. Errors: LI_EIO.
 */
li_status li_sha256_file(const char *path, char hex[LI_SHA256_HEX], uint64_t *size,
                         li_error *err);
/*
 * The same, reading exactly the size the file has when it is opened, and
 * *id gets the file's identity then (id->size is the size hashed). A file
 * that changes while it is hashed (appended to by a copy still running,
 * rewritten) is refused: LI_EIO with FILE_CHANGED.
 */
li_status li_sha256_file_id(const char *path, char hex[LI_SHA256_HEX], li_file_id *id,
                            li_error *err);

/* SHA-256 of n bytes at p into hex (lower-case, NUL terminated). */
void li_sha256_hex(const void *p, size_t n, char hex[LI_SHA256_HEX]);

/* A well-mixed 64-bit hash of n bytes, seeded (not cryptographic). */
uint64_t li_hash64(const void *p, size_t n, uint64_t seed);

#endif
