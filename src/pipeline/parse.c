/*
 * parse.c — the parse stage: file -> validated rows -> import_rows (and, on
 * the one-shot path, -> leads in the same transactions).
 *
 * Two threads, so that both cores work: a producer reads and validates rows
 * into batches of LI_IMPORT_BATCH prepared rows (everything a row needs is
 * encoded into the batch's arena); the calling thread writes each batch to
 * the database in one transaction, with the parse checkpoint (source offset
 * and number of the next row) and, when it also commits, the commit
 * checkpoint. Three batches circulate between them, so memory is bounded by
 * the batch size and the reader's limits, never by the file.
 *
 * Promises: every data row is staged exactly once, keyed by its row number
 * (a resumed parse re-stages from the checkpoint, replacing, never
 * doubling); a row with an error is stored with its original fields and its
 * French errors; a valid row with its normalised values (except, on the
 * one-shot path, a row that only became a lead: its values are the lead's)
 * and, once committed, the lead and key it matched (li__outcome_stage).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "leadimport/validate.h"

#define NBATCH 3
/* A review's parse of a file this big stages rows long enough for li_store_heavy_writes. */
#define HEAVY_BYTES (16u << 20)

typedef struct prep_row {
    uint64_t number;
    uint64_t next_offset;
    int valid;
    int warned;
    uint64_t key_hash[LI__NKEYS]; /* valid: the committer's key hashes, computed here */
    size_t data_off, data_len; /* valid: li__row_encode(); invalid: JSON array of the fields */
    size_t err_off, err_len;   /* JSON array of issues, or empty */
} prep_row;

typedef struct prep_batch {
    prep_row row[LI_IMPORT_BATCH];
    size_t n;
    li_buf arena;
    uint64_t position; /* reader position after the batch, for progress */
    int last;          /* no batch follows: end of file or producer error */
    li_status st;      /* the producer's error, if any, with err */
    li_error err;
    char *owned[LI_IMPORT_BATCH]; /* issues with an assignment warning, until written */
    size_t nowned;
} prep_batch;

static void batch_release(prep_batch *b) {
    for (size_t i = 0; i < b->nowned; i++)
        free(b->owned[i]);
    b->nowned = 0;
}

typedef struct pipeline {
    li__handoff q; /* stopped: the consumer gave up, the producer must end */
    li_reader *reader;
    li_validator *validator;
    li_lead lead;
    const li_field *match; /* the committer's match keys, hashed by the producer */
    size_t nmatch;
    const li__row_observer *obs; /* sees the valid rows here, on the producer's thread */
} pipeline;

/* --- JSON pieces --------------------------------------------------------- */

static li_status issue_json(li_buf *b, int first, li_msg code, li_field field, const char *text) {
    li_status st;
    if ((!first && (st = li_buf_putc(b, ',')) != LI_OK) ||
        (st = li_buf_puts(b, "{\"code\":")) != LI_OK ||
        (st = li_buf_json_str(b, li_msg_code(code), strlen(li_msg_code(code)))) != LI_OK ||
        (st = li_buf_puts(b, li_msg_severity(code) == LI_SEV_ERROR
                                 ? ",\"severity\":\"error\""
                                 : ",\"severity\":\"warning\"")) != LI_OK)
        return st;
    if (field != LI_FIELD_NONE) {
        const char *key = li_field_key(field);
        if ((st = li_buf_puts(b, ",\"field\":")) != LI_OK ||
            (st = li_buf_json_str(b, key, strlen(key))) != LI_OK)
            return st;
    }
    if ((st = li_buf_puts(b, ",\"message\":")) != LI_OK ||
        (st = li_buf_json_str(b, text, strlen(text))) != LI_OK)
        return st;
    return li_buf_putc(b, '}');
}

static li_status fields_json(li_buf *b, const li_slice *fields, size_t n) {
    li_status st = li_buf_putc(b, '[');
    for (size_t i = 0; i < n && st == LI_OK; i++) {
        if (i && (st = li_buf_putc(b, ',')) != LI_OK)
            break;
        st = li_buf_json_str(b, fields[i].ptr, fields[i].len);
    }
    return st == LI_OK ? li_buf_putc(b, ']') : st;
}

/* --- producer ------------------------------------------------------------ */

/* Validates one row and appends its prepared form to the batch. */
static li_status prepare_row(pipeline *p, prep_batch *b, const li_row *row) {
    li_status st;
    li_buf *a = &b->arena;
    prep_row *pr = &b->row[b->n];
    li_lead *lead = &p->lead;
    int reader_error = row->problem != LI_MSG_NONE && li_msg_severity(row->problem) == LI_SEV_ERROR;
    int nissues = 0, nerrors = reader_error;

    pr->number = row->number;
    pr->next_offset = row->next_offset;
    if (!reader_error) {
        if ((st = li_validate_row(p->validator, row->fields, row->nfields, lead)) != LI_OK)
            return st;
        nerrors += lead->nerrors;
    }
    pr->err_off = a->len;
    if (row->problem != LI_MSG_NONE || (!reader_error && lead->nissues)) {
        if ((st = li_buf_putc(a, '[')) != LI_OK)
            return st;
        if (row->problem != LI_MSG_NONE) {
            if ((st = issue_json(a, 1, row->problem, LI_FIELD_NONE, row->problem_text)) != LI_OK)
                return st;
            nissues++;
        }
        for (size_t i = 0; !reader_error && i < lead->nissues; i++, nissues++)
            if ((st = issue_json(a, nissues == 0, lead->issues[i].code, lead->issues[i].field,
                                 lead->issues[i].text)) != LI_OK)
                return st;
        if ((st = li_buf_putc(a, ']')) != LI_OK)
            return st;
    }
    pr->err_len = a->len - pr->err_off;
    pr->valid = nerrors == 0;
    pr->warned = pr->valid && nissues > 0;

    pr->data_off = a->len;
    if ((st = pr->valid ? li__row_encode(a, lead)
                        : fields_json(a, row->fields, row->nfields)) != LI_OK)
        return st;
    if (pr->valid && p->nmatch)
        li__committer_keys(p->match, p->nmatch, lead->value, pr->key_hash);
    pr->data_len = a->len - pr->data_off;
    b->n++;
    return LI_OK;
}

static void *producer(void *arg) {
    pipeline *p = arg;
    for (;;) {
        prep_batch *b = li__handoff_take_free(&p->q);
        if (!b)
            return NULL; /* stopped */
        b->n = 0;
        b->last = 0;
        b->st = LI_OK;
        li_error_clear(&b->err);
        li_buf_reset(&b->arena);
        while (b->n < LI_IMPORT_BATCH) {
            const li_row *row;
            li_status st = li_reader_next(p->reader, &row, &b->err);
            if (st == LI_EOF) {
                b->last = 1;
                break;
            }
            if (st == LI_OK && (st = prepare_row(p, b, row)) != LI_OK)
                li_error_set(&b->err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            if (st != LI_OK) {
                b->st = st;
                b->last = 1;
                break;
            }
            const prep_row *pr = &b->row[b->n - 1];
            if (p->obs && pr->valid)
                p->obs->valid_row(p->obs->ctx, pr->number, pr->key_hash);
        }
        b->position = li_reader_position(p->reader);
        int last = b->last;
        li__handoff_give_full(&p->q, b);
        if (last)
            return NULL;
    }
}

/* --- consumer ------------------------------------------------------------ */

/* What a committer side by side reads before deciding the batch (its valid rows' keys). */
static li_status before_batch(li__committer *c, const prep_batch *b, li_error *err) {
    uint64_t hash[LI_IMPORT_BATCH][LI__NKEYS];
    for (size_t i = 0; i < b->n; i++)
        for (size_t k = 0; k < LI__NKEYS; k++)
            hash[i][k] = b->row[i].valid ? b->row[i].key_hash[k] : 0;
    return li__committer_before_batch(c, (const uint64_t (*)[LI__NKEYS])hash, b->n, err);
}

/* li__committer_look_up()'s view of a prepared batch: its valid rows, decoded one at a time. */
typedef struct batch_values {
    const prep_batch *b;
    li__row row; /* the last row decoded: its slices point into the batch's arena */
} batch_values;

static const li_slice *batch_value(void *ctx, size_t i) {
    batch_values *v = ctx;
    const prep_row *pr = &v->b->row[i];
    if (!pr->valid ||
        li__row_decode((li_slice){v->b->arena.data + pr->data_off, pr->data_len}, &v->row) != LI_OK)
        return NULL; /* a row that cannot be read is refused when it is stored */
    return v->row.value;
}

/* Stores one prepared row (committing it first on the one-shot path). */
static li_status store_row(li_store *s, li_job_rec *job, li__committer *c, prep_batch *b,
                           const prep_row *pr, li_error *err) {
    li_status st;
    const char *arena = b->arena.data;
    li_staged_row sr = {
        .row_no = pr->number,
        .status = pr->valid ? "valid" : "invalid",
        .data = {arena + pr->data_off, pr->data_len},
        .errors = {arena + pr->err_off, pr->err_len},
    };
    job->rows++;
    if (!pr->valid) {
        job->invalid++;
    } else {
        job->valid++;
        job->warnings += (uint64_t)pr->warned;
        if (c) {
            li__row row;
            li__outcome oc;
            if (li__row_decode(sr.data, &row) != LI_OK)
                return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "ligne préparée illisible");
            if ((st = li__committer_row_hashed(c, &row, pr->key_hash, pr->number, &oc, err)) !=
                LI_OK)
                return st;
            int first_warning = 0;
            if (li__outcome_errors(&oc, &sr.errors, &b->owned[b->nowned], &first_warning) != LI_OK)
                return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            b->nowned += b->owned[b->nowned] != NULL;
            job->warnings += (uint64_t)first_warning;
            li__outcome_stage(&oc, &sr);
        }
    }
    return li_store_row_put(s, job->id, &sr, err);
}

static void delimiter_name(int d, char out[8]) {
    if (d == '\t')
        snprintf(out, 8, "tab");
    else
        snprintf(out, 8, "%c", d ? d : ',');
}

static int delimiter_from_name(const char *s) {
    if (!s || !*s)
        return 0;
    return strcmp(s, "tab") == 0 ? '\t' : (unsigned char)s[0];
}

/* Header row and mapping, stored with the job for the report and the review. */
static li_status save_mapping(li_store *s, const li_job_rec *job, const li_slice *header,
                              size_t nheader, const li_mapping *m, li_error *err) {
    li_buf b;
    li_buf_init(&b, 0);
    char *mapping_json = li_mapping_to_json(m);
    li_status st = mapping_json ? LI_OK : LI_ENOMEM;
    if (st == LI_OK && header)
        st = fields_json(&b, header, nheader);
    if (st != LI_OK) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    st = li_store_job_set_mapping(s, job->id, header ? b.data : NULL, mapping_json, err);
out:
    free(mapping_json);
    li_buf_free(&b);
    return st;
}

/*
 * LI_OK if the file being read is still as it was opened (and hashed),
 * else LI_EIO with JOB_FILE_CHANGED: the batch in hand is rolled back, the
 * batches committed before were read from the bytes hashed. One fstat per
 * batch.
 */
static li_status unchanged(const pipeline *p, const li_import_opts *o, const li_job_rec *job,
                           li_error *err) {
    char why[128];
    if (!li_reader_changed(p->reader, why, sizeof why))
        return LI_OK;
    return li_error_set(err, LI_EIO, LI_MSG_JOB_FILE_CHANGED, o->path, (long long)job->id, why,
                        (long long)job->id);
}

li_status li__parse_stage(li_store *s, li_job_rec *job, const li_import_opts *o,
                          const li_mapping *m, li__committer *c, const li__row_observer *obs,
                          li_job_state staged_as, li__meter *meter, const li__batch_hook *hook,
                          li_error *err) {
    li_status st = LI_OK;
    pipeline p;
    prep_batch *batches = NULL;
    int in_tx = 0, started = 0, heavy = 0;
    pthread_t thread;
    memset(&p, 0, sizeof p);
    if (c) {
        p.match = c->match;
        p.nmatch = c->nmatch;
    } else if (obs) {
        p.match = obs->match;
        p.nmatch = obs->nmatch;
        p.obs = obs;
    }
    li__handoff_init(&p.q);

    li_reader_opts ro = o->reader;
    if (job->parse_row > 0) {
        /* Resume with exactly the decisions of the first run. */
        ro.encoding = job->encoding[0] ? job->encoding : ro.encoding;
        ro.delimiter = job->delimiter[0] ? delimiter_from_name(job->delimiter) : ro.delimiter;
        ro.header = job->has_header;
        ro.resume_offset = job->parse_offset;
        ro.resume_row = job->parse_row;
    }
    if ((st = li_reader_open(o->path, &ro, &p.reader, err)) != LI_OK)
        goto out;
    const li_reader_info *info = li_reader_get_info(p.reader);
    snprintf(job->format, sizeof job->format, "%s", info->format);
    snprintf(job->encoding, sizeof job->encoding, "%s", info->encoding);
    delimiter_name(info->delimiter, job->delimiter);
    job->has_header = info->has_header;

    size_t nheader = 0;
    const li_slice *header = li_reader_header(p.reader, &nheader);
    li_validate_opts vo = {.region = o->region};
    if ((st = li_validator_new(m, &vo, &p.validator, err)) != LI_OK)
        goto out;

    job->state = c ? LI_JOB_IMPORTING : LI_JOB_PARSING;
    job->phase = c ? LI_PHASE_IMPORT : LI_PHASE_PARSE;
    if ((st = li_store_begin(s, err)) != LI_OK)
        goto out;
    in_tx = 1;
    if ((st = li__hook_start(hook, job, err)) != LI_OK ||
        (st = save_mapping(s, job, header, nheader, m, err)) != LI_OK ||
        (st = li_store_job_update(s, job, err)) != LI_OK || (st = li_store_commit(s, err)) != LI_OK)
        goto out;
    in_tx = 0;

    if (!(batches = calloc(NBATCH, sizeof *batches))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    for (int i = 0; i < NBATCH; i++) {
        li_buf_init(&batches[i].arena, 0);
        li__handoff_give_free(&p.q, &batches[i]);
    }
    if (pthread_create(&thread, NULL, producer, &p) != 0) {
        st = li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "création du fil de lecture");
        goto out;
    }
    (void)pthread_setname_np(thread, "li-parse-read");
    started = 1;
    /* A review's big parse stages rows without end: the backend's housekeeping elsewhere
     * (the one pass has its own, for its bulk load: li_store_bulk_begin). */
    if (!c && info->size >= HEAVY_BYTES) {
        li_store_heavy_writes(s, 1);
        heavy = 1;
    }

    for (;;) {
        prep_batch *b = li__handoff_take_full(&p.q);
        if (b->st != LI_OK) {
            st = b->st;
            if (err)
                *err = b->err;
            li__handoff_give_free(&p.q, b);
            goto out;
        }
        if (b->n) {
            const li_job_rec before = *job;
            for (int stale = 1; stale;) {
                if ((st = li_store_begin(s, err)) != LI_OK)
                    goto out;
                in_tx = 1;
                if (c) {
                    batch_values v = {.b = b};
                    li_store_now(c->now);
                    if ((st = li__committer_look_up(c, b->n, batch_value, &v, err)) != LI_OK)
                        goto out;
                }
                if (c && c->side_by_side && (st = before_batch(c, b, err)) != LI_OK)
                    goto out;
                for (size_t i = 0; i < b->n; i++) {
                    /* The key set is bigger than the CPU's caches: fetch ahead. */
                    if (c && i + 8 < b->n && b->row[i + 8].valid)
                        li__committer_prefetch(c, b->row[i + 8].key_hash);
                    if ((st = store_row(s, job, c, b, &b->row[i], err)) != LI_OK)
                        goto out;
                }
                stale = 0;
                if (c && (st = li__committer_recheck(c, &stale, err)) != LI_OK)
                    goto out;
                if (stale) { /* another import's leads meanwhile: the same rows again */
                    li_store_rollback(s);
                    in_tx = 0;
                    *job = before;
                    batch_release(b);
                }
            }
            const prep_row *lastrow = &b->row[b->n - 1];
            job->parse_offset = lastrow->next_offset;
            job->parse_row = lastrow->number + 1;
            if (c)
                job->commit_row = lastrow->number;
            job->bytes_done = b->position;
            job->rows_per_s = li__meter_add(meter, job->rows);
            uint64_t est = job->bytes_done
                               ? (uint64_t)((double)job->rows * (double)job->bytes_total /
                                            (double)job->bytes_done)
                               : 0;
            job->eta_s = job->rows_per_s > 0 && est > job->rows
                             ? (int64_t)((double)(est - job->rows) / job->rows_per_s)
                             : -1;
            /* Rows read from bytes changed since the hash are never kept:
             * the file must still be the one opened now that they are read. */
            if ((st = unchanged(&p, o, job, err)) != LI_OK)
                goto out;
            if (!b->last) {
                /* Checkpoint: the batch's rows and the resume point, atomically. */
                if ((st = li__hook_call(hook, job, err)) != LI_OK ||
                    (st = li_store_job_update(s, job, err)) != LI_OK ||
                    (st = li_store_commit(s, err)) != LI_OK)
                    goto out;
                in_tx = 0;
                batch_release(b); /* written */
            }
            if (li__meter_due(meter))
                li__progress_emit(o, job, job->rows, est, job->rows_per_s);
        }
        int last = b->last;
        li__handoff_give_free(&p.q, b);
        if (last)
            break;
    }
    /* The last batch (possibly empty) commits with the job's new status. */
    if (!in_tx) {
        if ((st = li_store_begin(s, err)) != LI_OK)
            goto out;
        in_tx = 1;
    }
    job->bytes_done = job->bytes_total;
    job->eta_s = 0;
    if (c) {
        job->state = LI_JOB_COMPLETED;
        job->phase = LI_PHASE_DONE;
        li_store_now(job->finished_at);
        if (c->bulk) { /* the index rebuild takes seconds on big loads: say so */
            li_job_rec shown = *job;
            shown.phase = LI_PHASE_INDEX;
            li__progress_emit(o, &shown, job->rows, job->rows, job->rows_per_s);
        }
        if ((st = li__committer_finish(c, err)) != LI_OK)
            goto out;
    } else {
        job->state = staged_as; /* ready, or parsing until a review's predictions are in */
    }
    if ((st = li__hook_call(hook, job, err)) != LI_OK ||
        (st = li_store_job_update(s, job, err)) != LI_OK || (st = li_store_commit(s, err)) != LI_OK)
        goto out;
    in_tx = 0;
    /* The review reads them back by status, page by page. */
    if (!c && (st = li_store_rows_staged(s, job->id, job->rows, err)) != LI_OK)
        goto out;
    li__progress_emit(o, job, job->rows, job->rows, li__meter_add(meter, job->rows));
out:
    if (in_tx)
        li_store_rollback(s);
    if (heavy)
        li_store_heavy_writes(s, 0);
    if (started) {
        li__handoff_stop(&p.q);
        pthread_join(thread, NULL);
    }
    for (int i = 0; batches && i < NBATCH; i++) {
        batch_release(&batches[i]);
        li_buf_free(&batches[i].arena);
    }
    free(batches);
    li_validator_free(p.validator);
    li_reader_free(p.reader);
    li__handoff_destroy(&p.q);
    return st;
}
