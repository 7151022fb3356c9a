/*
 * keyset.c — the compact set of key hashes behind deduplication, the
 * encoding of staged valid rows, and the progress meter (see jobsInt.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jobsInt.h"
#include "leadimport/hash.h"

li_status li__row_encode(li_buf *out, const li_slice value[LI_FIELD__COUNT], li_slice custom) {
    li_status st;
    li_buf_reset(out);
    for (int f = 0; f < LI_FIELD__COUNT; f++) {
        if ((st = li_buf_append(out, value[f].ptr, value[f].len)) != LI_OK ||
            (st = li_buf_putc(out, LI__SEP)) != LI_OK)
            return st;
    }
    return li_buf_append(out, custom.ptr, custom.len);
}

li_status li__row_decode(li_slice data, li_slice value[LI_FIELD__COUNT], li_slice *custom) {
    const char *p = data.ptr, *end = data.ptr + data.len;
    for (int f = 0; f < LI_FIELD__COUNT; f++) {
        const char *sep = memchr(p, LI__SEP, (size_t)(end - p));
        if (!sep)
            return LI_EINTERNAL;
        value[f].ptr = p;
        value[f].len = (size_t)(sep - p);
        p = sep + 1;
    }
    custom->ptr = p;
    custom->len = (size_t)(end - p);
    return LI_OK;
}

li_status li__keyset_init(li__keyset *ks, size_t expected) {
    size_t cap = 1024;
    while (cap < expected * 2)
        cap *= 2;
    ks->slot = calloc(cap, sizeof *ks->slot);
    if (!ks->slot)
        return LI_ENOMEM;
    ks->mask = cap - 1;
    ks->count = 0;
    return LI_OK;
}

void li__keyset_free(li__keyset *ks) {
    free(ks->slot);
    ks->slot = NULL;
    ks->mask = 0;
    ks->count = 0;
}

uint64_t li__key_hash(li_field f, li_slice v) {
    uint64_t h = li_hash64(v.ptr, v.len, (uint64_t)f * 0x9e3779b97f4a7c15ULL);
    return h ? h : 1; /* 0 marks an empty slot */
}

static void insert_raw(uint64_t *slot, size_t mask, uint64_t h) {
    size_t i = (size_t)h & mask;
    while (slot[i] && slot[i] != h)
        i = (i + 1) & mask;
    slot[i] = h;
}

li_status li__keyset_add(li__keyset *ks, uint64_t h) {
    if ((ks->count + 1) * 2 > ks->mask + 1) {
        size_t cap = (ks->mask + 1) * 2;
        uint64_t *slot = calloc(cap, sizeof *slot);
        if (!slot)
            return LI_ENOMEM;
        for (size_t i = 0; i <= ks->mask; i++)
            if (ks->slot[i])
                insert_raw(slot, cap - 1, ks->slot[i]);
        free(ks->slot);
        ks->slot = slot;
        ks->mask = cap - 1;
    }
    size_t i = (size_t)h & ks->mask;
    while (ks->slot[i]) {
        if (ks->slot[i] == h)
            return LI_OK;
        i = (i + 1) & ks->mask;
    }
    ks->slot[i] = h;
    ks->count++;
    return LI_OK;
}

int li__keyset_maybe(const li__keyset *ks, uint64_t h) {
    size_t i = (size_t)h & ks->mask;
    while (ks->slot[i]) {
        if (ks->slot[i] == h)
            return 1;
        i = (i + 1) & ks->mask;
    }
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
