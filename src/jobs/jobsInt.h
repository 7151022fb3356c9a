/*
 * jobsInt.h — what the files of the jobs module share: the encoding of a
 * staged valid row, the in-memory key set used for deduplication, and the
 * progress meter.
 */
#ifndef LEADIMPORT_JOBS_INT_H
#define LEADIMPORT_JOBS_INT_H

#include <stdint.h>

#include "leadimport/buf.h"
#include "leadimport/field.h"
#include "leadimport/import.h"
#include "leadimport/slice.h"

/*
 * A valid staged row's data: the normalised values in field order, then
 * the custom-fields JSON, separated by US (0x1F). Normalised values never
 * hold control characters (the validator removes them) and the JSON escapes
 * them, so the separator cannot occur inside a value.
 */
#define LI__SEP '\x1f'
li_status li__row_encode(li_buf *out, const li_slice value[LI_FIELD__COUNT], li_slice custom);
/* Splits data back; slices point into data. Returns LI_EINTERNAL if malformed. */
li_status li__row_decode(li_slice data, li_slice value[LI_FIELD__COUNT], li_slice *custom);

/*
 * A set of 64-bit key hashes (open addressing, linear probing). It answers
 * "certainly absent" or "maybe present": a maybe is confirmed against the
 * database, so a hash collision can never skip a lead wrongly. 8 bytes per
 * key at most 50% load: 1M leads with e-mail and phone take 32 MiB.
 */
typedef struct li__keyset {
    uint64_t *slot;
    size_t mask; /* capacity - 1, capacity a power of two */
    size_t count;
} li__keyset;

li_status li__keyset_init(li__keyset *ks, size_t expected);
void li__keyset_free(li__keyset *ks);
uint64_t li__key_hash(li_field f, li_slice v);
li_status li__keyset_add(li__keyset *ks, uint64_t h);
int li__keyset_maybe(const li__keyset *ks, uint64_t h);

/* Rows per second over a sliding window, and the derived ETA. */
typedef struct li__meter {
    double t_start;
    double t_last_emit;
    double t[8];
    uint64_t n[8];
    int head, count;
} li__meter;

double li__now(void);
void li__meter_start(li__meter *m);
/* Records that done rows are done; returns the current rate (rows/s). */
double li__meter_add(li__meter *m, uint64_t done);
/* 1 if a progress callback is due (at most 4 per second). */
int li__meter_due(li__meter *m);

/* The commit stage (commit.c). */
li_status li__commit_stage(li_store *s, li_job_rec *job, const li_import_opts *o,
                           li__meter *meter, li_error *err);
/* Fills and emits a progress report for the job's current phase. */
void li__progress_emit(const li_import_opts *o, const li_job_rec *job, uint64_t rows,
                       uint64_t rows_total, double rate);

#endif
