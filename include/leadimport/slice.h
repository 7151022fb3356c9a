/*
 * slice.h — a borrowed view of bytes: {ptr, len}, not NUL-terminated.
 *
 * Whoever hands out a slice says how long it stays valid (for a reader's
 * fields: until the next row). Whoever wants to keep the bytes copies them.
 */
#ifndef LEADIMPORT_SLICE_H
#define LEADIMPORT_SLICE_H

#include <stddef.h>
#include <string.h>

typedef struct li_slice {
    const char *ptr;
    size_t len;
} li_slice;

static inline li_slice li_slice_of(const char *s) {
    li_slice sl = {s, s ? strlen(s) : 0};
    return sl;
}

static inline int li_slice_eq(li_slice a, const char *s) {
    size_t n = strlen(s);
    return a.len == n && (n == 0 || memcmp(a.ptr, s, n) == 0);
}

#endif
