/*
 * keyset.c — the in-memory deduplication index (fingerprint + lead id), the
 * encoding of staged valid rows, and the progress meter (see jobsInt.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
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
