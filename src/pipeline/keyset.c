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
    /* One reservation for the whole row, then plain copies: this runs once
     * per valid row on the reading thread, which bounds the analysis, and
     * 30 appends a row (each checking the room left) were 4 % of its time. */
    size_t need = 2 + LI_FIELD__COUNT + lead->custom_json.len;
    for (int f = 0; f < LI_FIELD__COUNT; f++)
        need += lead->value[f].len;
    if (lead->assignee.len)
        need += lead->assignee.len + 1;
    li_status st = li_buf_reserve(out, need);
    if (st != LI_OK)
        return st;
    char *w = out->data + out->len;
    *w++ = (char)('0' + lead->phone_type);
    *w++ = LI__SEP;
    for (int f = 0; f < LI_FIELD__COUNT; f++) {
        if (lead->value[f].len)
            memcpy(w, lead->value[f].ptr, lead->value[f].len);
        w += lead->value[f].len;
        *w++ = LI__SEP;
    }
    /* The assignment cell, only when there is one: a row without keeps the
     * encoding it always had (JSON never holds a raw LI__SEP, so the
     * decoder tells the two apart). */
    if (lead->assignee.len) {
        memcpy(w, lead->assignee.ptr, lead->assignee.len);
        w += lead->assignee.len;
        *w++ = LI__SEP;
    }
    if (lead->custom_json.len)
        memcpy(w, lead->custom_json.ptr, lead->custom_json.len);
    w += lead->custom_json.len;
    *w = '\0';
    out->len = (size_t)(w - out->data);
    return LI_OK;
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

/*
 * Slot layouts. Narrow: 32 bits, the lead's id in the low id_bits (as many
 * as the largest id needs, at most NARROW_MAX_ID_BITS) and a fingerprint of
 * the hash in the rest (at least 8 bits). Wide: 64 bits, a 40-bit id and a
 * 24-bit fingerprint, for tables past 16.7 million leads. A slot is never 0
 * (ids start at 1). The fingerprint only saves reads: every candidate is
 * confirmed against the store, so a narrower one costs a read on about one
 * probe in 2^fp_bits, never a wrong match.
 */
#define NARROW_MAX_ID_BITS 24
#define WIDE_ID_BITS 40
#define MAX_CAP (UINT64_C(1) << 32) /* the home position takes 32 bits of the hash */

static unsigned bit_length(uint64_t v) {
    unsigned n = 0;
    while (v) {
        n++;
        v >>= 1;
    }
    return n;
}

li_status li__keyset_init(li__keyset *ks, size_t max_keys, uint64_t max_id) {
    size_t cap = max_keys + max_keys / 2 + 64; /* load <= 2/3 */
    unsigned id_bits = bit_length(max_id);
    memset(ks, 0, sizeof *ks);
    if (id_bits > WIDE_ID_BITS || (uint64_t)cap >= MAX_CAP)
        return LI_ELIMIT;
    ks->wide = id_bits > NARROW_MAX_ID_BITS;
    /* the fingerprint takes at most the top 24 bits, far from the 32 the
       home position uses: bits shared with it would repeat what neighbouring
       slots share */
    ks->id_bits = ks->wide ? WIDE_ID_BITS : (id_bits < 8 ? 8 : id_bits);
    ks->fp_bits = (ks->wide ? 64u : 32u) - ks->id_bits;
    ks->slot = calloc(cap, ks->wide ? sizeof(uint64_t) : sizeof(uint32_t));
    if (!ks->slot)
        return LI_ENOMEM;
    ks->cap = cap;
    ks->count = 0;
    return LI_OK;
}

void li__keyset_free(li__keyset *ks) {
    free(ks->slot);
    free(ks->undo);
    memset(ks, 0, sizeof *ks);
}

void li__keyset_log(li__keyset *ks) {
    ks->logging = 1;
    ks->nundo = 0;
    ks->undo_lost = 0;
}

int li__keyset_rewind(li__keyset *ks) {
    int ok = ks->logging && !ks->undo_lost;
    if (ok) {
        for (size_t n = ks->nundo; n-- > 0;) {
            if (ks->wide)
                ((uint64_t *)ks->slot)[ks->undo[n]] = 0;
            else
                ((uint32_t *)ks->slot)[ks->undo[n]] = 0;
        }
        ks->count -= ks->nundo;
    }
    ks->logging = 0;
    ks->nundo = 0;
    ks->undo_lost = 0;
    return ok;
}

/* Logs slot i, filled by a put (the set stays right without the log). */
static void log_slot(li__keyset *ks, size_t i) {
    if (ks->undo_lost)
        return;
    if (ks->nundo == ks->capundo) {
        size_t cap = ks->capundo ? ks->capundo * 2 : 4096;
        size_t *u = realloc(ks->undo, cap * sizeof *u);
        if (!u) {
            ks->undo_lost = 1;
            return;
        }
        ks->undo = u;
        ks->capundo = cap;
    }
    ks->undo[ks->nundo++] = i;
}

size_t li__keyset_bytes(const li__keyset *ks) {
    return ks->cap * (ks->wide ? sizeof(uint64_t) : sizeof(uint32_t));
}

uint64_t li__key_hash(li_field f, li_slice v) {
    return li_hash64(v.ptr, v.len, (uint64_t)(f + 1) * 0x9e3779b97f4a7c15ULL);
}

/*
 * Position from the low 32 bits (multiply-shift onto [0, cap), cap < 2^32:
 * the product never overflows), fingerprint from the top 24 at most. It
 * took the low 40 bits, whose product with a capacity past 2^24 slots (5.6
 * million leads of two keys) wrapped around and piled a second load onto
 * the first slots: one cluster of millions, probed linearly by every put
 * (an import into 5 million leads spent minutes there).
 */
size_t li__keyset_start(const li__keyset *ks, uint64_t h) {
    return (size_t)(((h & UINT64_C(0xFFFFFFFF)) * (uint64_t)ks->cap) >> 32);
}

static uint64_t fingerprint(const li__keyset *ks, uint64_t h) {
    return h >> (64 - ks->fp_bits);
}

static uint64_t slot_get(const li__keyset *ks, size_t i) {
    return ks->wide ? ((const uint64_t *)ks->slot)[i] : ((const uint32_t *)ks->slot)[i];
}

li_status li__keyset_put(li__keyset *ks, uint64_t h, int64_t id) {
    if (id <= 0 || bit_length((uint64_t)id) > ks->id_bits || (ks->count + 1) * 3 > ks->cap * 2)
        return LI_ELIMIT;
    uint64_t v = (fingerprint(ks, h) << ks->id_bits) | (uint64_t)id;
    size_t i = li__keyset_start(ks, h);
    uint64_t x;
    while ((x = slot_get(ks, i)) != 0) {
        if (x == v)
            return LI_OK;
        if (++i == ks->cap)
            i = 0;
    }
    if (ks->wide)
        ((uint64_t *)ks->slot)[i] = v;
    else
        ((uint32_t *)ks->slot)[i] = (uint32_t)v;
    ks->count++;
    if (ks->logging)
        log_slot(ks, i);
    return LI_OK;
}

int64_t li__keyset_next(const li__keyset *ks, uint64_t h, size_t *pos) {
    uint64_t fp = fingerprint(ks, h), id_mask = (UINT64_C(1) << ks->id_bits) - 1, v;
    size_t i = *pos;
    while ((v = slot_get(ks, i)) != 0) {
        if (++i == ks->cap)
            i = 0;
        if (v >> ks->id_bits == fp) {
            *pos = i;
            return (int64_t)(v & id_mask);
        }
    }
    *pos = i;
    return 0;
}
