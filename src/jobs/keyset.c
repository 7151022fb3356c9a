/*
 * keyset.c — the in-memory deduplication index (fingerprint + lead id), the
 * encoding of staged valid rows, and the progress meter (see jobsInt.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jobsInt.h"
#include "leadimport/hash.h"

li_status li__row_encode(li_buf *out, const li_lead *lead) {
    li_status st;
    if ((st = li_buf_putc(out, (char)('0' + lead->phone_type))) != LI_OK ||
        (st = li_buf_putc(out, LI__SEP)) != LI_OK)
        return st;
    for (int f = 0; f < LI_FIELD__COUNT; f++) {
        if ((st = li_buf_append(out, lead->value[f].ptr, lead->value[f].len)) != LI_OK ||
            (st = li_buf_putc(out, LI__SEP)) != LI_OK)
            return st;
    }
    /* The assignment cell, only when there is one: a row without keeps the
     * encoding it always had (JSON never holds a raw LI__SEP, so the
     * decoder tells the two apart). */
    if (lead->assignee.len && ((st = li_buf_append(out, lead->assignee.ptr, lead->assignee.len)) !=
                                   LI_OK ||
                               (st = li_buf_putc(out, LI__SEP)) != LI_OK))
        return st;
    return li_buf_append(out, lead->custom_json.ptr, lead->custom_json.len);
}

li_status li__row_decode(li_slice data, li__row *row) {
    const char *p = data.ptr, *end = data.ptr + data.len;
    if (data.len < 2 || p[1] != LI__SEP || p[0] < '0' || p[0] > '0' + LI_PHONE_OTHER)
        return LI_EINTERNAL;
    row->phone_type = (li_phone_type)(p[0] - '0');
    p += 2;
    for (int f = 0; f < LI_FIELD__COUNT; f++) {
        const char *sep = memchr(p, LI__SEP, (size_t)(end - p));
        if (!sep)
            return LI_EINTERNAL;
        row->value[f].ptr = p;
        row->value[f].len = (size_t)(sep - p);
        p = sep + 1;
    }
    const char *sep = memchr(p, LI__SEP, (size_t)(end - p));
    row->assignee.ptr = p;
    row->assignee.len = sep ? (size_t)(sep - p) : 0;
    if (sep)
        p = sep + 1;
    row->custom.ptr = p;
    row->custom.len = (size_t)(end - p);
    return LI_OK;
}

#define FP_BITS 24
#define ID_BITS 40
#define ID_MASK ((UINT64_C(1) << ID_BITS) - 1)

li_status li__keyset_init(li__keyset *ks, size_t max_keys) {
    size_t cap = max_keys + max_keys / 2 + 64; /* load <= 2/3 */
    ks->slot = calloc(cap, sizeof *ks->slot);
    if (!ks->slot)
        return LI_ENOMEM;
    ks->cap = cap;
    ks->count = 0;
    return LI_OK;
}

void li__keyset_free(li__keyset *ks) {
    free(ks->slot);
    ks->slot = NULL;
    ks->cap = 0;
    ks->count = 0;
}

uint64_t li__key_hash(li_field f, li_slice v) {
    return li_hash64(v.ptr, v.len, (uint64_t)(f + 1) * 0x9e3779b97f4a7c15ULL);
}

/* Position from the low 40 bits (multiply-shift onto [0, cap)), fingerprint from the top 24. */
static size_t home(const li__keyset *ks, uint64_t h) {
    return (size_t)(((h & ID_MASK) * (uint64_t)ks->cap) >> ID_BITS);
}

static uint64_t fingerprint(uint64_t h) {
    return h >> (64 - FP_BITS);
}

li_status li__keyset_put(li__keyset *ks, uint64_t h, int64_t id) {
    if (id <= 0 || (uint64_t)id > ID_MASK || (ks->count + 1) * 3 > ks->cap * 2)
        return LI_ELIMIT;
    uint64_t v = (fingerprint(h) << ID_BITS) | (uint64_t)id;
    size_t i = home(ks, h);
    while (ks->slot[i]) {
        if (ks->slot[i] == v)
            return LI_OK;
        if (++i == ks->cap)
            i = 0;
    }
    ks->slot[i] = v;
    ks->count++;
    return LI_OK;
}

size_t li__keyset_start(const li__keyset *ks, uint64_t h) {
    return home(ks, h);
}

int64_t li__keyset_next(const li__keyset *ks, uint64_t h, size_t *pos) {
    uint64_t fp = fingerprint(h);
    size_t i = *pos;
    while (ks->slot[i]) {
        uint64_t v = ks->slot[i];
        if (++i == ks->cap)
            i = 0;
        if (v >> ID_BITS == fp) {
            *pos = i;
            return (int64_t)(v & ID_MASK);
        }
    }
    *pos = i;
    return 0;
}

double li__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void li__meter_start(li__meter *m) {
    memset(m, 0, sizeof *m);
    m->t_start = li__now();
}

double li__meter_add(li__meter *m, uint64_t done) {
    double now = li__now();
    /* One sample every 0.5 s at most: the window covers the last ~4 s. */
    int last = (m->head + 7) % 8;
    if (m->count == 0 || now - m->t[last] >= 0.5) {
        m->t[m->head] = now;
        m->n[m->head] = done;
        m->head = (m->head + 1) % 8;
        if (m->count < 8)
            m->count++;
        last = (m->head + 7) % 8;
    } else {
        m->n[last] = done;
        m->t[last] = now;
    }
    int first = (m->head + 8 - m->count) % 8;
    double dt = m->t[last] - m->t[first];
    if (m->count < 2 || dt <= 0.05) {
        double all = now - m->t_start;
        return all > 0.05 ? (double)done / all : 0.0;
    }
    return (double)(m->n[last] - m->n[first]) / dt;
}

int li__meter_due(li__meter *m) {
    double now = li__now();
    if (now - m->t_last_emit < 0.25)
        return 0;
    m->t_last_emit = now;
    return 1;
}

void li__trace(const char *fmt, ...) {
    static int enabled = -1;
    static double t0;
    if (enabled < 0) {
        enabled = getenv("LEADIMPORT_TRACE") != NULL;
        t0 = li__now();
    }
    if (!enabled)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[%8.3f s] ", li__now() - t0);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
