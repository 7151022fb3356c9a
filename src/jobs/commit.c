/*
 * commit.c — the commit stage: valid staged rows become leads.
 *
 * Rows are read back in row order, LI_IMPORT_BATCH at a time. For each row,
 * its normalised e-mail and phone are looked up: first in an in-memory set
 * of key hashes (built by cursor from the leads table, then fed with every
 * lead this stage creates), and only on a "maybe" in the database, so a
 * hash collision never skips a row wrongly. A row whose e-mail or phone
 * exists is marked skipped with the id of the lead it matched; otherwise a
 * lead and its 'created' history entry are inserted and the row is marked
 * imported. Each batch commits with the commit checkpoint (last row number
 * done), so a resumed stage neither loses nor doubles a lead.
 */
#include <stdlib.h>
#include <string.h>

#include "jobsInt.h"

typedef struct batch_row {
    uint64_t row_no;
    size_t off, len; /* of its data in the batch arena */
} batch_row;

typedef struct batch {
    batch_row row[LI_IMPORT_BATCH];
    size_t n;
    li_buf arena;
} batch;

static li_status collect(const li_staged_row *r, void *ctx) {
    batch *b = ctx;
    batch_row *br = &b->row[b->n++];
    br->row_no = r->row_no;
    br->off = b->arena.len;
    br->len = r->data.len;
    return li_buf_append(&b->arena, r->data.ptr, r->data.len);
}

static li_status add_key(li_field f, li_slice v, void *ctx) {
    return li__keyset_add(ctx, li__key_hash(f, v));
}

/* The id of an existing lead sharing the row's e-mail or phone, or 0. */
static li_status find_match(li_store *s, li__keyset *ks, const li_slice value[LI_FIELD__COUNT],
                            int64_t *match, li_error *err) {
    static const li_field keys[] = {LI_FIELD_EMAIL, LI_FIELD_PHONE};
    *match = 0;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        li_slice v = value[keys[k]];
        if (v.len == 0 || !li__keyset_maybe(ks, li__key_hash(keys[k], v)))
            continue;
        li_status st = li_store_lead_find(s, keys[k], v, match, err);
        if (st != LI_OK || *match)
            return st;
    }
    return LI_OK;
}

li_status li__commit_stage(li_store *s, li_job_rec *job, const li_import_opts *o,
                           li__meter *meter, li_error *err) {
    li_status st = LI_OK;
    li__keyset ks = {0};
    batch *b = NULL;
    int in_tx = 0;
    char now[32];

    snprintf(job->status, sizeof job->status, "importing");
    snprintf(job->phase, sizeof job->phase, "commit");
    if ((st = li_store_job_update(s, job, err)) != LI_OK)
        goto out;
    b = calloc(1, sizeof *b);
    if (!b || li__keyset_init(&ks, job->valid + 1024) != LI_OK) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    li_buf_init(&b->arena, 0);
    if ((st = li_store_lead_keys_each(s, add_key, &ks, err)) != LI_OK)
        goto out;

    uint64_t done = job->created + job->updated + job->skipped;
    for (;;) {
        b->n = 0;
        li_buf_reset(&b->arena);
        if ((st = li_store_rows_each(s, job->id, job->commit_row, "valid", LI_IMPORT_BATCH, collect,
                                     b, err)) != LI_OK)
            goto out;
        if (b->n == 0)
            break;
        if ((st = li_store_begin(s, err)) != LI_OK)
            goto out;
        in_tx = 1;
        li_store_now(now);
        for (size_t i = 0; i < b->n; i++) {
            li_slice value[LI_FIELD__COUNT], custom;
            li_slice data = {b->arena.data + b->row[i].off, b->row[i].len};
            if (li__row_decode(data, value, &custom) != LI_OK) {
                st = li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "ligne préparée illisible");
                goto out;
            }
            int64_t lead_id = 0;
            if ((st = find_match(s, &ks, value, &lead_id, err)) != LI_OK)
                goto out;
            const char *outcome = "skipped";
            if (lead_id) {
                job->skipped++;
            } else {
                if ((st = li_store_lead_insert(s, value, custom, job->id, b->row[i].row_no, now,
                                               &lead_id, err)) != LI_OK)
                    goto out;
                if ((value[LI_FIELD_EMAIL].len &&
                     (st = add_key(LI_FIELD_EMAIL, value[LI_FIELD_EMAIL], &ks)) != LI_OK) ||
                    (value[LI_FIELD_PHONE].len &&
                     (st = add_key(LI_FIELD_PHONE, value[LI_FIELD_PHONE], &ks)) != LI_OK)) {
                    st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
                    goto out;
                }
                job->created++;
                outcome = "imported";
            }
            if ((st = li_store_row_set_outcome(s, job->id, b->row[i].row_no, outcome, lead_id,
                                               err)) != LI_OK)
                goto out;
        }
        done += b->n;
        job->commit_row = b->row[b->n - 1].row_no;
        job->rows_per_s = li__meter_add(meter, done);
        job->eta_s = job->rows_per_s > 0 && job->valid > done
                         ? (int64_t)((double)(job->valid - done) / job->rows_per_s)
                         : 0;
        if ((st = li_store_job_update(s, job, err)) != LI_OK ||
            (st = li_store_commit(s, err)) != LI_OK)
            goto out;
        in_tx = 0;
        if (li__meter_due(meter))
            li__progress_emit(o, job, done, job->valid, job->rows_per_s);
    }
    snprintf(job->status, sizeof job->status, "completed");
    snprintf(job->phase, sizeof job->phase, "done");
    job->eta_s = 0;
    li_store_now(job->finished_at);
    if ((st = li_store_job_update(s, job, err)) != LI_OK)
        goto out;
    li__progress_emit(o, job, done, job->valid, li__meter_add(meter, done));
out:
    if (in_tx)
        li_store_rollback(s);
    if (b)
        li_buf_free(&b->arena);
    free(b);
    li__keyset_free(&ks);
    return st;
}
