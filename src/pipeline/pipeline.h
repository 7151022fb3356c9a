/*
 * pipeline.h — what the import pipeline (src/pipeline) gives the job
 * machinery above it (src/jobs): the encoding of a staged valid row, the
 * in-memory key set used for deduplication, the committer (strategy,
 * assignment, outcome of a row), the two stages (parse, commit) with their
 * batch hook and progress meter, and the stored report.
 *
 * Internal to the library: src/jobs includes it, src/cli and src/http never
 * do (they use the public headers). Nothing here knows about the queue,
 * workers or stored files.
 */
#ifndef LEADIMPORT_PIPELINE_H
#define LEADIMPORT_PIPELINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "leadimport/buf.h"
#include "leadimport/field.h"
#include "leadimport/import.h"
#include "leadimport/slice.h"
#include "leadimport/validate.h"

/*
 * A valid staged row's data: the phone's line type (one digit, a
 * li_phone_type), then the normalised values in field order, then the
 * custom-fields JSON, separated by US (0x1F). Normalised values never hold
 * control characters (the validator removes them) and the JSON escapes
 * them, so the separator cannot occur inside a value. The type travels
 * with the row: the reader thread computed it, the writer need not again.
 */
#define LI__SEP '\x1f'

/* A valid row as staged; slices point into the staged data. */
typedef struct li__row {
    li_slice value[LI_FIELD__COUNT];
    li_slice custom;
    li_slice assignee; /* the assignment cell (li_lead.assignee), empty if none */
    li_phone_type phone_type;
} li__row;

/* Appends the encoding of a valid lead to out. */
li_status li__row_encode(li_buf *out, const li_lead *lead);
/* Splits data back into *row. Returns LI_EINTERNAL if malformed. */
li_status li__row_decode(li_slice data, li__row *row);

/*
 * The deduplication index in memory: for every match key (e-mail, phone) of
 * every lead, a slot holding the lead's id and a fingerprint of the key's
 * hash: 32 bits while ids fit in 24 (id_bits for the largest id, the rest,
 * 8 to 24 bits, fingerprint), else 64 (40-bit id, 24-bit fingerprint). It
 * answers "certainly absent" without touching the database, or gives
 * candidate lead ids, each confirmed by a primary-key look-up of the lead,
 * so a collision never skips a row wrongly. Sized once (the number of keys
 * is bounded in advance: two per existing or new lead) at a load of at most
 * 2/3: 12 bytes per lead with e-mail and phone (one million: 11.4 MiB).
 */
typedef struct li__keyset {
    void *slot;      /* cap slots of 32 bits (narrow) or 64 (wide) */
    size_t cap;
    size_t count;
    int wide;
    unsigned id_bits; /* low bits of a slot: the lead's id */
    unsigned fp_bits; /* the rest: the top bits of the key's hash */
    /* The undo log (li__keyset_log): the slots filled since it started. */
    size_t *undo;
    size_t nundo, capundo;
    int logging;
    int undo_lost; /* a slot could not be logged: the set can't be taken back */
} li__keyset;

/*
 * max_keys: the most keys that will be put; max_id: the largest lead id
 * that will be put (it decides the slot layout). LI_ENOMEM, or LI_ELIMIT
 * for ids past 2^40.
 */
li_status li__keyset_init(li__keyset *ks, size_t max_keys, uint64_t max_id);
void li__keyset_free(li__keyset *ks);
/* Bytes the set's slots take. */
size_t li__keyset_bytes(const li__keyset *ks);
uint64_t li__key_hash(li_field f, li_slice v);
/*
 * Records that lead id has a key of hash h. LI_ELIMIT when full or when id
 * is past the layout's largest: the caller rebuilds the set bigger.
 */
li_status li__keyset_put(li__keyset *ks, uint64_t h, int64_t id);
/*
 * Candidates for hash h: start with *pos = li__keyset_start(ks, h), then call
 * li__keyset_next() until it returns 0; each non-zero return is a lead id
 * that may have the key.
 */
size_t li__keyset_start(const li__keyset *ks, uint64_t h);
static inline void li__keyset_prefetch(const li__keyset *ks, uint64_t h) {
    if (ks->slot)
        __builtin_prefetch((const char *)ks->slot +
                           li__keyset_start(ks, h) * (ks->wide ? 8u : 4u));
}
int64_t li__keyset_next(const li__keyset *ks, uint64_t h, size_t *pos);
/*
 * From now on, every slot a put fills is logged, so that
 * li__keyset_rewind() can take the set back to this moment: the review's
 * three rehearsals share one set read from the table instead of reading it
 * three times. Clearing the logged slots is exact: each was empty when the
 * log began, and a put never moves or changes a filled slot.
 */
void li__keyset_log(li__keyset *ks);
/* Back to the state of li__keyset_log(), logging stopped: 1, or 0 when the
 * log is incomplete (memory ran out): the set is then of no further use. */
int li__keyset_rewind(li__keyset *ks);

/* Number of match keys a row can have: e-mail, phone, external id. */
#define LI__NKEYS 3
/*
 * The match keys an import uses, into out: the nmatch keys it names (three at
 * most), or e-mail then phone when it names none — the one place that says
 * the default. Returns their count.
 */
size_t li__match_keys(const li_field *match, size_t nmatch, li_field out[LI__NKEYS]);

/*
 * Resolves the text of a row's assignment cell to an active user:
 * returns LI_MSG_NONE and sets *user_id, or the warning to give the row
 * (ASSIGN_USER_UNKNOWN, ASSIGN_USER_DISABLED...), the lead then unassigned.
 */
typedef li_msg (*li__assign_lookup)(void *ctx, li_slice text, int64_t *user_id);

/*
 * The commit of valid rows into leads, shared by the one-shot (fused) path
 * and the separate commit stage.
 */
typedef struct li__committer {
    li_store *store;
    li_job_rec *job;
    li__keyset keys;
    int64_t first_new_id; /* the id the import's first lead would get (max id + 1 at open) */
    int bulk;       /* the store's bulk load will take time to end (li_store_bulk_begin) */
    char now[32];   /* timestamp of the current batch */
    /* The import's choices (li_import_opts), resolved. */
    li_field match[LI__NKEYS]; /* match keys in order */
    size_t nmatch;
    li_dup_strategy dup;
    int overwrite, reassign;
    li_assign_mode assign;
    int64_t assignee[LI_IMPORT_MAX_ASSIGNEES]; /* user ids: single, round-robin */
    size_t nassignee;
    li__assign_lookup lookup; /* LI_ASSIGN_COLUMN */
    void *lookup_ctx;
    struct li_user_dir *dir;  /* owned: the users' directory of column mode */
    li_buf changes; /* scratch: the history entry of an update */
    li_buf cand;    /* scratch: the keys of a candidate lead */
    /* Since the last recheck (li__committer_recheck): the leads created or
     * changed, published with the batch's commit when committers run side
     * by side; and the key hashes of the rows that created a lead matching
     * none, which another committer's new leads must not share. */
    li_lead_keyhash mine[LI_IMPORT_BATCH];
    size_t nmine;
    uint64_t fresh[LI_IMPORT_BATCH * LI__NKEYS];
    size_t nfresh;
    int batch_lost;      /* more rows than a batch without a recheck (a rehearsal) */
    int final_check;     /* the journal being read is the final one of a batch */
    int stale;           /* the recheck met a lead sharing a key with a new lead */
    int rebuilt;         /* the key set was read again since the last recheck */
    int side_by_side;    /* other committers may run meanwhile (li_store_side_by_side) */
    /* A small file into a big table: the key set holds only the leads the
     * rows met so far, the rows' keys looked up in the table before they
     * are decided (li_store_leads_with_keys), a batch at a time
     * (li__committer_look_up) or, for a caller that does not, a row at a
     * time, instead of every lead read at open. */
    int keys_partial;
    int batched;           /* the caller looks its batches up (li__committer_look_up) */
    uint64_t looked_up;    /* existing leads the look-ups read */
    uint64_t expected_new; /* li__committer_open()'s */
} li__committer;

/* What became of one committed row. */
typedef struct li__outcome {
    int64_t lead_id;     /* the lead created, updated or matched */
    const char *status;  /* "imported", "updated" or "skipped" */
    /* The lead the row matched (0 if none: then match_key is LI_FIELD_NONE)
     * and the key that decided; for a row created anyway (--on-duplicate
     * create) lead_id is the new lead and match_lead the one it may duplicate. */
    int64_t match_lead;
    li_field match_key;
    li_msg warning;      /* LI_MSG_NONE, or an assignment warning for the row */
    char warning_text[256];
    li_field warning_field; /* the column it is about: owner (column mode) or assignee */
} li__outcome;

/*
 * Prepares to commit up to expected_new rows for job with the options of o
 * (match keys, strategy, assignment: user ids in assignee/lookup, set by
 * the caller after this call): builds the key set from the leads table,
 * and for a large load relative to the table drops the key indexes
 * (restored by li__committer_finish). Must be called outside a transaction.
 */
li_status li__committer_open(li__committer *c, li_store *s, li_job_rec *job,
                             const li_import_opts *o, uint64_t expected_new, li_error *err);
/*
 * li__committer_open() for a rehearsal (a commit rolled back): *keys (may
 * be empty) is a key set an earlier rehearsal gave back, read when the
 * table's highest lead id was keys_max_id. It is taken when that is still
 * the highest id, else the set is read from the table as usual. Either way
 * what the committer puts is logged, for li__committer_keys_back(), unless
 * the committer looks its rows' keys up (a partial set is never shared).
 * Leads changed by others since the set was read are as a set read at the
 * start of a long rehearsal sees them: every candidate is read again.
 */
li_status li__committer_open_reusing(li__committer *c, li_store *s, li_job_rec *job,
                                     const li_import_opts *o, uint64_t expected_new,
                                     li__keyset *keys, int64_t keys_max_id, li_error *err);
/* The committer's key set, as it was when it opened, into *keys (freed
 * first): 1, or 0 when it can't be taken back (read again meanwhile). */
int li__committer_keys_back(li__committer *c, li__keyset *keys);
/*
 * Commits one valid row (inside the caller's transaction) by the strategy:
 * creates, updates or skips, assigns, and updates the job's counters.
 */
li_status li__committer_row(li__committer *c, const li__row *row, uint64_t row_no,
                            li__outcome *out, li_error *err);
/*
 * The committer's keys are the match keys: li__committer_keys() hashes
 * them (0 for an absent or unchosen key), which the reader thread does ahead
 * of time; li__committer_row_hashed() takes them so; li__committer_prefetch()
 * asks the CPU to fetch their slots for a row that comes a little later.
 */
void li__committer_keys(const li_field *match, size_t nmatch,
                        const li_slice value[LI_FIELD__COUNT], uint64_t hash[LI__NKEYS]);
li_status li__committer_row_hashed(li__committer *c, const li__row *row,
                                   const uint64_t hash[LI__NKEYS], uint64_t row_no,
                                   li__outcome *out, li_error *err);
void li__committer_prefetch(const li__committer *c, const uint64_t hash[LI__NKEYS]);
/*
 * The line type of a normalised (E.164) phone, as stored with the lead
 * ("mobile", "fixe", "autre"), or NULL. For a revert, which puts back a
 * phone the row did not bring; a staged row carries its own (li__row).
 */
const char *li__phone_type_of(li_slice e164);
/*
 * Before the commit of a batch (inside its transaction, after its rows):
 * takes the batch's turn and reads the leads other committers created or
 * changed since the last read into the key set, and publishes the batch's
 * own (li_store_leads_recheck). *stale = 1 when one of them shares a key
 * with a lead this batch created, or the key set was read again meanwhile:
 * the caller rolls back and decides the same rows again (the job's counters
 * as they were before the batch). *stale = 0: commit.
 */
li_status li__committer_recheck(li__committer *c, int *stale, li_error *err);
/*
 * Before deciding a batch, when c->side_by_side (a server database: each
 * read a round trip), inside its transaction: the leads other committers
 * created or changed since the last read go into the key set, so that the
 * final recheck seldom finds any that matter; then the candidates the key
 * set gives for the rows' key hashes (hash[0..n-1], li__committer_keys();
 * rows without keys have zeros) are read in one statement
 * (li_store_lead_keys_prefetch), at most LI__PREFETCH leads.
 */
#define LI__PREFETCH 4096
li_status li__committer_before_batch(li__committer *c, const uint64_t (*hash)[LI__NKEYS],
                                     size_t n, li_error *err);
/*
 * Before a batch's rows are decided, inside its transaction (and, side by
 * side, before li__committer_before_batch): when the key set holds only
 * what the rows met (a small file into a big table), the leads the n rows
 * may meet are looked up, one statement per match key, where committers
 * run side by side (a server database: each look-up a round trip).
 * value_of(ctx, i) gives row i's values (NULL: a row not to decide). Does
 * nothing when every lead was read, nor on SQLite, whose rows are looked up
 * one by one as they are decided. A caller that looks one batch up must
 * look every batch up: its rows are then no longer looked up one by one.
 */
li_status li__committer_look_up(li__committer *c, size_t n,
                                const li_slice *(*value_of)(void *ctx, size_t i), void *ctx,
                                li_error *err);
/* Restores the key indexes if they were dropped (inside the caller's last transaction). */
li_status li__committer_finish(li__committer *c, li_error *err);
void li__committer_free(li__committer *c);

/*
 * The row's issues JSON (errors, possibly empty) with its assignment
 * warning (out->warning) added: *owned gets a malloc'ed copy that the
 * caller frees once the row is written (NULL, and errors unchanged, when
 * there is no warning); *first_warning says the row had no issue before.
 */
li_status li__outcome_errors(const li__outcome *out, li_slice *errors, char **owned,
                             int *first_warning);

/*
 * Puts the outcome into the row to stage: status, lead, match. A row that
 * created a lead is staged without its values (they are the lead's), unless
 * the report lists it (a possible duplicate, a warning): writing them once
 * here, in key order, costs far less than the report reading each lead
 * back by id (0.2 s for the bench's 11,000 warned rows), and the report
 * then shows what this import made of the row.
 */
void li__outcome_stage(const li__outcome *out, li_staged_row *sr);

/*
 * Resolves the import's assignment (assign.c): the users given for single
 * and round-robin must exist and be active (LI_EUSAGE otherwise, before
 * anything is written); column mode gets the users' directory.
 */
li_status li__assign_setup(li__committer *c, li_store *s, const li_import_opts *o, li_error *err);
/* Checks the users --assign names, before the import writes anything. */
li_status li__assign_check(li_store *s, const li_import_opts *o, li_error *err);

/*
 * Batches passed between a reading thread and the writing one (handoff.c):
 * the reader takes a free batch, fills it and gives it full; the writer
 * takes the full ones in order and gives them back free. Start with every
 * batch given free. After li__handoff_stop() nothing waits any more: a
 * take with nothing queued returns NULL.
 */
#define LI__HANDOFF_MAX 4
typedef struct li__handoff {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void *free_q[LI__HANDOFF_MAX], *full_q[LI__HANDOFF_MAX];
    int nfree, nfull;
    int stop;
} li__handoff;

void li__handoff_init(li__handoff *h);
void li__handoff_destroy(li__handoff *h);
void *li__handoff_take_free(li__handoff *h);
void *li__handoff_take_full(li__handoff *h);
void li__handoff_give_free(li__handoff *h, void *b);
void li__handoff_give_full(li__handoff *h, void *b);
void li__handoff_stop(li__handoff *h);

/* Rows per second over a sliding window, and the derived ETA. */
typedef struct li__meter {
    double t_start;
    double t_last_emit;
    double t[8];
    uint64_t n[8];
    int head, count;
} li__meter;

double li__now(void);
/*
 * With LEADIMPORT_TRACE set in the environment, prints the time since the
 * first call and a message on stderr (for bench/ and for operators who want
 * to see where an import spends its time). Otherwise does nothing.
 */
void li__trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void li__meter_start(li__meter *m);
/* Records that done rows are done; returns the current rate (rows/s). */
double li__meter_add(li__meter *m, uint64_t done);
/* 1 if a progress callback is due (at most 4 per second). */
int li__meter_due(li__meter *m);

/*
 * Called by both stages inside each batch's transaction, just before the
 * checkpoint is written and committed (and in the last transaction): the
 * queue checks there that the job was not cancelled, that it should not
 * stop, and renews its lease. A non-OK status rolls the batch back and
 * ends the stage with that status.
 */
typedef struct li__batch_hook {
    li_status (*fn)(void *ctx, li_job_rec *job, li_error *err);
    /* Called when a stage starts, before it writes the job's status: only
     * checks that the job was not cancelled meanwhile. May be NULL. */
    li_status (*start)(void *ctx, li_job_rec *job, li_error *err);
    void *ctx;
} li__batch_hook;

static inline li_status li__hook_call(const li__batch_hook *h, li_job_rec *job, li_error *err) {
    return h && h->fn ? h->fn(h->ctx, job, err) : LI_OK;
}

static inline li_status li__hook_start(const li__batch_hook *h, li_job_rec *job, li_error *err) {
    return h && h->start ? h->start(h->ctx, job, err) : LI_OK;
}

/*
 * Sees each valid row of a parse without a committer, in row order, with
 * the hashes of its match keys (li__committer_keys() of match): the
 * review's predictor builds its sketch so, and need not read the staged
 * rows back. Called on the reading thread as each row is prepared, before
 * its batch is staged: the sketch's probes miss the CPU's caches, and on
 * the writing thread, the one an analysis waits for, they were a tenth of
 * its samples. So a parse that fails leaves an observer that saw rows
 * never kept, which its owner must then discard; one that succeeds staged
 * every row its observer saw. The observer is not used by any other thread
 * until the stage returns.
 */
typedef struct li__row_observer {
    const li_field *match;
    size_t nmatch;
    void (*valid_row)(void *ctx, uint64_t row_no, const uint64_t hash[LI__NKEYS]);
    void *ctx;
} li__row_observer;

/*
 * The parse stage (parse.c): from the job's parse checkpoint to the end of
 * the file. With a committer, valid rows are committed as they are staged
 * and the job ends completed; without, obs (may be NULL) sees them and the
 * job ends in state staged_as: ready (its commit may follow), or parsing
 * for a review, whose analysis sets it ready with its predictions
 * (review.c), so that no one sees a review "ready" without them. hook may
 * be NULL.
 */
li_status li__parse_stage(li_store *s, li_job_rec *job, const li_import_opts *o,
                          const li_mapping *m, li__committer *c, const li__row_observer *obs,
                          li_job_state staged_as, li__meter *meter, const li__batch_hook *hook,
                          li_error *err);
/* The commit stage (commit.c). hook may be NULL. */
li_status li__commit_stage(li_store *s, li_job_rec *job, const li_import_opts *o,
                           li__meter *meter, const li__batch_hook *hook, li_error *err);

/* li_report_write() of the store's own report, into its blob store under key. */
li_status li__report_write_stored(li_store *s, int64_t job_id, const char *key, uint64_t *nrows,
                                  li_error *err);

/* Fills and emits a progress report for the job's current phase. */
void li__progress_emit(const li_import_opts *o, const li_job_rec *job, uint64_t rows,
                       uint64_t rows_total, double rate);

#endif
