/*
 * hash.c — SHA-256 of files through OpenSSL (which uses the CPU's SHA
 * instructions when present: several times faster than a portable C
 * implementation, and hashing is on the critical path of every import), and
 * a small 64-bit hash for key sets.
 */
#include "leadimport/hash.h"
#include "leadimport/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void li_sha256_hex(const void *p, size_t n, char hex[LI_SHA256_HEX]) {
    static const char digits[] = "0123456789abcdef";
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

void li_file_id_of(const struct stat *sb, li_file_id *id) {
    id->dev = (uint64_t)sb->st_dev;
    id->ino = (uint64_t)sb->st_ino;
    id->size = (uint64_t)sb->st_size;
    id->mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + (int64_t)sb->st_mtim.tv_nsec;
}

int li_file_id_set(const li_file_id *id) {
    return id->dev || id->ino || id->size || id->mtime_ns;
}

int li_file_id_differs(const li_file_id *was, const li_file_id *now, char *why, size_t cap) {
    if (was->dev != now->dev || was->ino != now->ino)
        snprintf(why, cap, "il a été remplacé par un autre fichier");
    else if (was->size != now->size)
        snprintf(why, cap, "sa taille est passée de %llu à %llu octets",
                 (unsigned long long)was->size, (unsigned long long)now->size);
    else if (was->mtime_ns != now->mtime_ns)
        snprintf(why, cap, "il a été réécrit");
    else
        return 0;
    return 1;
}

li_status li_sha256_file_id(const char *path, char hex[LI_SHA256_HEX], li_file_id *id,
                            li_error *err) {
    li_status st = LI_OK;
    enum { BLOCK = 1 << 20 };
    unsigned char *block = NULL;
    EVP_MD_CTX *ctx = NULL;
    uint64_t total = 0;
    memset(id, 0, sizeof *id);
    int fd = -1;
    struct stat sb;
    if ((st = li_infile_open(path, &fd, &sb, err)) != LI_OK)
        goto out; /* a FIFO or a device would be waited on: refused at once */
    li_file_id_of(&sb, id);
    block = malloc(BLOCK);
    ctx = EVP_MD_CTX_new();
    if (!block || !ctx) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        st = li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "SHA-256 indisponible");
        goto out;
    }
    /* Exactly the size seen at open: bytes appended meanwhile are not hashed
     * (and the check below refuses the file). */
    while (total < id->size) {
        uint64_t left = id->size - total;
        ssize_t n = read(fd, block, left < BLOCK ? (size_t)left : BLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, li_msg_errno(errno));
            goto out;
        }
        if (n == 0)
            break; /* truncated meanwhile: the check below says so */
        EVP_DigestUpdate(ctx, block, (size_t)n);
        total += (uint64_t)n;
    }
    li_file_id now;
    char why[128];
    if (fstat(fd, &sb) != 0) {
        st = li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, li_msg_errno(errno));
        goto out;
    }
    li_file_id_of(&sb, &now);
    if (li_file_id_differs(id, &now, why, sizeof why) || total != id->size) {
        if (total != id->size && !li_file_id_differs(id, &now, why, sizeof why))
            snprintf(why, sizeof why, "il a été raccourci");
        st = li_error_set(err, LI_EIO, LI_MSG_FILE_CHANGED, path, why);
        goto out;
    }
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
out:
    EVP_MD_CTX_free(ctx);
    free(block);
    if (fd >= 0)
        close(fd);
    return st;
}

li_status li_sha256_file(const char *path, char hex[LI_SHA256_HEX], uint64_t *size,
                         li_error *err) {
    li_file_id id;
    li_status st = li_sha256_file_id(path, hex, &id, err);
    if (size)
        *size = st == LI_OK ? id.size : 0;
    return st;
}

/* 64-bit FNV-1a over 8-byte words, finished with the murmur3 fmix64 mixer. */
uint64_t li_hash64(const void *p, size_t n, uint64_t seed) {
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    while (n--) {
        h = (h ^ *s++) * 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}
