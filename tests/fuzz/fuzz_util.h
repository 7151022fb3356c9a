/*
 * fuzz_util.h — what the fuzz targets share (tests/fuzz/fuzz_*.c): a
 * temporary file the readers can open (they read paths, not memory), an
 * input cut into pieces, and the check that stops a run on a broken
 * promise.
 *
 * Each target defines LLVMFuzzerTestOneInput(). The fuzz build (-DLI_FUZZ=ON,
 * clang) links it with libFuzzer; the normal and ASan builds link it with
 * replay_main.c, which feeds it the seeds and the checked-in crash inputs
 * of tests/fuzz/regress/, so that every ctest run replays them.
 *
 * Everything is static: each target is one translation unit.
 */
#ifndef LEADIMPORT_FUZZ_UTIL_H
#define LEADIMPORT_FUZZ_UTIL_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FZ_UNUSED __attribute__((unused))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A broken promise of the library (not a crash the sanitizers see): print
 * what and abort, so that libFuzzer keeps the input as a crash.
 */
#define FZ_CHECK(cond, ...)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond);                       \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static char fz_dir[512];

static void fz_cleanup(void) {
    if (fz_dir[0]) {
        char p[600];
        static const char *const names[] = {"in.csv", "in.xlsx", "in.txt"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            snprintf(p, sizeof p, "%s/%s", fz_dir, names[i]);
            unlink(p);
        }
        rmdir(fz_dir);
        fz_dir[0] = '\0';
    }
}

/*
 * Writes data to <a private temporary folder>/name (one of "in.csv",
 * "in.xlsx", "in.txt") and returns its path (static). The folder is made
 * once per process under $FUZZ_TMPDIR, else /dev/shm, else $TMPDIR, and
 * removed at exit.
 */
static FZ_UNUSED const char *fz_write_file(const char *name, const uint8_t *data, size_t size) {
    static char path[600];
    if (!fz_dir[0]) {
        /* memory (tmpfs) when there is some: a disk's journal would cost more than a read */
        const char *tmp = getenv("FUZZ_TMPDIR");
        if (!tmp || !*tmp)
            tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
        snprintf(fz_dir, sizeof fz_dir, "%s/lifuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(fz_dir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(fz_cleanup);
    }
    snprintf(path, sizeof path, "%s/%s", fz_dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror("fuzz: open");
        abort();
    }
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            perror("fuzz: write");
            abort();
        }
        done += (size_t)w;
    }
    close(fd);
    return path;
}

/*
 * Cuts data at each occurrence of sep (not kept): up to max pieces, the
 * last one holding the rest. Returns the number of pieces (at least 1).
 */
static FZ_UNUSED size_t fz_split(const uint8_t *data, size_t size, const char *sep,
                                 const uint8_t **piece, size_t *len, size_t max) {
    size_t n = 0, seplen = strlen(sep), start = 0, i = 0;
    while (n + 1 < max && i + seplen <= size) {
        if (memcmp(data + i, sep, seplen) == 0) {
            piece[n] = data + start;
            len[n++] = i - start;
            i += seplen;
            start = i;
        } else {
            i++;
        }
    }
    piece[n] = data + start;
    len[n++] = size - start;
    return n;
}

/* A NUL-terminated malloc'ed copy of data (never NULL: aborts without memory). */
static FZ_UNUSED char *fz_strndup(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
