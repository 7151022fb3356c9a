/*
 * review_predict.c — the review's predictions: what a commit would do
 * with each strategy against the leads as they are now.
 *
 * Predictions are exact because they are the committer's own decisions:
 * for each strategy, the committer of commit.c runs over the valid rows in
 * a write transaction that is then rolled back. Running it over every row
 * would cost three commits; it runs over the rows that can meet a lead
 * only. A row can match, or be matched, only through a key value that a
 * lead or another row of the file also has (every value a lead can hold
 * comes from the table or from a row). One pass over the staged rows
 * marks in a sketch (two bit sets indexed by the keys' hashes) the values
 * seen in the leads and twice in the file; the first simulation reads
 * every valid row again and keeps those the sketch says meet something,
 * the next two read only those by number. A row none of whose keys is
 * marked creates a lead under every strategy, is matched by no other row,
 * and only moves the counters (and the round-robin position). A collision
 * in the sketch only makes the committer see one row more. Memory: the
 * sketch (at most 8 MiB), two bits per row of the file (250 KiB per
 * million rows) and the committer's key set of the existing leads.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "jobsInt.h"
#include "leadimport/review.h"

/* Keys whose blocks are fetched before their bits are set (sketch_later). */
#define SKETCH_AHEAD 16

static const char *const strategy_names[3] = {"skip", "update", "create"};

static void opts_of_choice(const li_review_choice *c, li_dup_strategy dup, li_import_opts *o) {
    li_import_opts_init(o);
    for (size_t i = 0; i < c->nmatch && i < 3; i++)
        o->match[o->nmatch++] = c->match[i];
    o->on_duplicate = dup;
    o->overwrite = c->overwrite;
    o->reassign = c->reassign;
    o->assign = c->assign;
    for (size_t i = 0; i < c->nassignees; i++)
        o->assignees[o->nassignees++] = c->assignees[i];
    o->assign_column = c->assign_column;
}

/* --- predictions --------------------------------------------------------------- */

static int bit_get(const uint64_t *b, uint64_t i) {
    return (int)((b[i >> 6] >> (i & 63)) & 1u);
}

static void bit_set(uint64_t *b, uint64_t i) {
    b[i >> 6] |= 1ull << (i & 63);
}

/* Set bits of b in [from, to). */
static uint64_t bit_count(const uint64_t *b, uint64_t from, uint64_t to) {
    uint64_t n = 0;
    while (from < to && (from & 63)) {
        n += (uint64_t)bit_get(b, from);
        from++;
    }
    for (; from + 64 <= to; from += 64)
        n += (uint64_t)__builtin_popcountll(b[from >> 6]);
    for (; from < to; from++)
        n += (uint64_t)bit_get(b, from);
    return n;
}

struct li__predictor {
    li_store *s;
    const li_job_rec *job;
    li_field match[LI__NKEYS];
    size_t nmatch;
    /* The sketch: "once" holds the key values seen in one row, "many" those
     * seen in a lead or in two rows. */
    uint64_t *once, *many;
    uint64_t mask;
    /* By row number: the valid rows, and those the committer must see. */
    uint64_t *valid, *meet;
    uint64_t nrow_bits, nmeet;
    int meet_known; /* meet is filled: the first simulation marks it as it reads every row */
    /* Fed by the analysis's parse (li__predictor_observer): the key
     * fingerprints of every valid row in row order, nmatch each (0: no
     * value), so that finding the rows that meet something reads no staged
     * row; dropped past FP_MAX (the first simulation then reads them all). */
    uint32_t *fp;
    size_t nfp, capfp;
    /* Key fingerprints observed, not yet in the sketch: their blocks are
     * being fetched (sketch_later). */
    uint64_t ahead[SKETCH_AHEAD]; /* their sketch_hash() */
    size_t nahead, ahead_at;
    int fed;     /* the sketch and valid hold every row the parse staged */
    int fed_fp;  /* and fp too */
    /* The rows the first simulation gave the committer, for the next two
     * (whole), unless they pass KEEP_MAX bytes (over): then each reads them. */
    struct {
        li_buf arena;
        uint64_t *row_no;
        size_t *off, *len;
        size_t n, cap;
        int whole, over;
    } kept;
    /* The key set of the last simulation, taken back to the table's leads
     * (li__committer_keys_back): the next one starts from it instead of
     * reading a million leads again (0.3 s each). It is salted by match,
     * and dropped when match changes. keys_max_id: the table's highest id
     * when it was read. */
    li__keyset keys;
    int64_t keys_max_id;
};

/*
 * A key value takes SKETCH_PROBES bits of each set, all in one block of
 * 512 bits (a cache line): it counts as seen twice when all of its "many"
 * bits are set, so that a value seen once is taken for a shared one only
 * if other values hit all of its bits. Blocked, six probes cost one cache
 * miss a set where three spread probes cost three, and are more precise:
 * a million-row file with two keys into an empty table, sets of 32 Mibit,
 * made the committer see 27,569 rows with three spread probes, 22,536 with
 * these (sets of 64 Mibit and three spread probes: 21,844, and 7 MiB more
 * at the peak of the analysis, over the 64 MiB of issue 16). The probes derive from a 32-bit
 * fingerprint of the key's hash, the form the parse keeps per row: two
 * values with one fingerprint only make the committer see a row more.
 */
#define SKETCH_PROBES 6
#define SKETCH_BLOCK_BITS 9 /* 512 bits */
/* 8 MiB of the rows that meet something, kept between two simulations. */
#define KEEP_MAX ((size_t)8 << 20)
/* 8 MiB of fingerprints: two million keys, a million rows with two keys. */
#define FP_MAX ((size_t)2 << 20)

static uint32_t key_fp(uint64_t h) {
    uint32_t f = (uint32_t)(h >> 32) ^ (uint32_t)h;
    return f ? f : 1; /* 0 says "no value" */
}

static uint64_t mix64(uint64_t h) {
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 32;
    return h;
}

static uint64_t sketch_hash(uint32_t fp) {
    return mix64((uint64_t)fp * 0x9E3779B97F4A7C15ull + 1);
}

/* The block of fp's bits in each set (SKETCH_BLOCK_BITS bits from block << SKETCH_BLOCK_BITS). */
static uint64_t sketch_block(const li__predictor *p, uint64_t h) {
    return h & (p->mask >> SKETCH_BLOCK_BITS);
}

/* The bits of the key whose sketch_hash() is h in each set: a block, then SKETCH_PROBES
 * places in it. */
static void sketch_bits_of(const li__predictor *p, uint64_t h, uint64_t at[SKETCH_PROBES]) {
    uint64_t block = sketch_block(p, h);
    uint64_t r = mix64(h ^ 0xD6E8FEB86659FD93ull);
    for (int i = 0; i < SKETCH_PROBES; i++)
        at[i] = (block << SKETCH_BLOCK_BITS) |
                ((r >> (SKETCH_BLOCK_BITS * i)) & ((1u << SKETCH_BLOCK_BITS) - 1));
}

static void sketch_bits(const li__predictor *p, uint32_t fp, uint64_t at[SKETCH_PROBES]) {
    sketch_bits_of(p, sketch_hash(fp), at);
}

static int sketch_shared(const li__predictor *p, uint32_t fp) {
    uint64_t at[SKETCH_PROBES];
    sketch_bits(p, fp, at);
    for (int i = 0; i < SKETCH_PROBES; i++)
        if (!bit_get(p->many, at[i]))
            return 0;
    return 1;
}

/* The key whose sketch_hash() is h, once more. */
static void sketch_twice(li__predictor *p, uint64_t h) {
    uint64_t at[SKETCH_PROBES];
    sketch_bits_of(p, h, at);
    for (int j = 0; j < SKETCH_PROBES; j++) {
        if (bit_get(p->once, at[j]))
            bit_set(p->many, at[j]);
        else
            bit_set(p->once, at[j]);
    }
}

/*
 * sketch_twice() of fp, a few keys later. The sets are bigger than the CPU's
 * caches: each key's block in each set was a miss, 4 per row with two
 * keys, a tenth of an analysis's samples on whichever thread observes.
 * Fetched here, the blocks are in the cache when the key's turn comes.
 * The sets do not depend on the order keys go in.
 */
static void sketch_later(li__predictor *p, uint32_t fp) {
    uint64_t h = sketch_hash(fp);
    uint64_t word = sketch_block(p, h) << (SKETCH_BLOCK_BITS - 6);
    __builtin_prefetch(&p->once[word], 1);
    __builtin_prefetch(&p->many[word], 1);
    if (p->nahead == SKETCH_AHEAD)
        sketch_twice(p, p->ahead[p->ahead_at]); /* the oldest, fetched by now */
    else
        p->nahead++;
    p->ahead[p->ahead_at] = h;
    p->ahead_at = (p->ahead_at + 1) % SKETCH_AHEAD;
}

/* The keys sketch_later still holds, into the sets. */
static void sketch_settle(li__predictor *p) {
    for (size_t i = 0; i < p->nahead; i++)
        sketch_twice(p, p->ahead[i]);
    p->nahead = p->ahead_at = 0;
}

static li_status sketch_lead(int64_t id, const li_slice value[LI_FIELD__COUNT], void *ctx) {
    li__predictor *p = ctx;
    (void)id;
    for (size_t k = 0; k < p->nmatch; k++)
        if (value[p->match[k]].len) {
            uint64_t at[SKETCH_PROBES];
            sketch_bits(p, key_fp(li__key_hash(p->match[k], value[p->match[k]])), at);
            for (int i = 0; i < SKETCH_PROBES; i++)
                bit_set(p->many, at[i]);
        }
    return LI_OK;
}

/* Sets *b to hold at least need bits (zero), from *nbits; 0 if out of memory. */
static int bits_reserve(uint64_t **b, uint64_t *nbits, uint64_t need) {
    if (need <= *nbits)
        return 1;
    uint64_t n = *nbits ? *nbits : 1u << 16;
    while (n < need)
        n *= 2;
    uint64_t *nb = realloc(*b, (size_t)(n / 64) * sizeof *nb);
    if (!nb)
        return 0;
    memset(nb + *nbits / 64, 0, (size_t)((n - *nbits) / 64) * sizeof *nb);
    *b = nb;
    *nbits = n;
    return 1;
}

static li_status row_hashes(const li__predictor *p, const li_staged_row *r,
                            uint64_t h[LI__NKEYS]) {
    li__row row;
    if (r->row_no >= p->nrow_bits || li__row_decode(r->data, &row) != LI_OK)
        return LI_EINTERNAL;
    li__committer_keys(p->match, p->nmatch, row.value, h);
    return LI_OK;
}

static li_status sketch_row(const li_staged_row *r, void *ctx) {
    li__predictor *p = ctx;
    uint64_t h[LI__NKEYS];
    if (row_hashes(p, r, h) != LI_OK)
        return LI_EINTERNAL;
    bit_set(p->valid, r->row_no);
    for (size_t k = 0; k < LI__NKEYS; k++)
        if (h[k])
            sketch_twice(p, sketch_hash(key_fp(h[k])));
    return LI_OK;
}

void li__predictor_free(li__predictor *p) {
    if (!p)
        return;
    free(p->once);
    free(p->many);
    free(p->valid);
    free(p->meet);
    free(p->fp);
    li__keyset_free(&p->keys);
    li_buf_free(&p->kept.arena);
    free(p->kept.row_no);
    free(p->kept.off);
    free(p->kept.len);
    free(p);
}

static li_status corrupt(li_error *err) {
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "ligne préparée illisible");
}

/*
 * A set of zero bits. From 2 MiB on, in huge pages where the system gives
 * them (madvise): a key's block is anywhere in 4 MiB, and with 4 KiB pages
 * each fetch ahead (sketch_later) also missed the TLB. Memory is the same:
 * the set is touched whole anyway.
 */
static uint64_t *set_alloc(uint64_t bits) {
    const size_t huge = (size_t)2 << 20, size = (size_t)(bits / 8);
    void *m = NULL;
    if (size < huge)
        return calloc(size / sizeof(uint64_t), sizeof(uint64_t));
    if (posix_memalign(&m, huge, size) != 0)
        return NULL;
    (void)madvise(m, size, MADV_HUGEPAGE); /* a hint: 4 KiB pages otherwise */
    memset(m, 0, size);
    return m;
}

/* The two sets, 32 bits per key, between 64 Kibit and 32 Mibit (4 MiB) each. */
static int sketch_alloc(li__predictor *p, uint64_t keys) {
    uint64_t bits = 1u << 16;
    while (bits < keys * 32 && bits < (1ull << 25))
        bits <<= 1;
    p->mask = bits - 1;
    p->once = set_alloc(bits);
    p->many = set_alloc(bits);
    return p->once && p->many;
}

li__predictor *li__predictor_new(const li_review_choice *c, uint64_t max_id,
                                 uint64_t expected_rows) {
    li__predictor *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    for (size_t k = 0; k < c->nmatch && k < LI__NKEYS; k++)
        p->match[p->nmatch++] = c->match[k];
    if (!sketch_alloc(p, (uint64_t)p->nmatch * (max_id + expected_rows))) {
        li__predictor_free(p);
        return NULL;
    }
    p->fed = p->fed_fp = 1;
    return p;
}

/* The observer's call, for each valid row the parse stages (in row order). */
static void observe(void *ctx, uint64_t row_no, const uint64_t h[LI__NKEYS]) {
    li__predictor *p = ctx;
    if (!p->fed)
        return;
    if (!bits_reserve(&p->valid, &p->nrow_bits, row_no + 1)) {
        p->fed = 0; /* predicting reads the staged rows instead */
        return;
    }
    bit_set(p->valid, row_no);
    if (p->fed_fp && p->nfp + p->nmatch > p->capfp) {
        size_t cap = p->capfp ? 2 * p->capfp : 1u << 16;
        uint32_t *nf = cap <= FP_MAX ? realloc(p->fp, cap * sizeof *nf) : NULL;
        if (nf) {
            p->fp = nf;
            p->capfp = cap;
        } else {
            p->fed_fp = 0;
            free(p->fp);
            p->fp = NULL;
        }
    }
    for (size_t k = 0; k < p->nmatch; k++) {
        uint32_t fp = h[k] ? key_fp(h[k]) : 0;
        if (fp)
            sketch_later(p, fp);
        if (p->fed_fp)
            p->fp[p->nfp++] = fp;
    }
}

void li__predictor_observer(li__predictor *p, li__row_observer *out) {
    *out = (li__row_observer){p->match, p->nmatch, observe, p};
}

/*
 * A file with fewer valid rows than the table's leads over this ratio gives
 * every valid row to the rehearsals instead of sketching the leads: a row
 * simulated costs about what 16 leads read do.
 */
#define SMALL_FILE_RATIO 16

/* The rows whose fingerprints the sketch says are shared: meet, from fp. */
static void meet_from_fp(li__predictor *p) {
    size_t i = 0;
    for (uint64_t r = 0; r < p->nrow_bits && i < p->nfp; r++) {
        if (!bit_get(p->valid, r))
            continue;
        int shared = 0;
        for (size_t k = 0; k < p->nmatch; k++, i++)
            shared |= p->fp[i] && sketch_shared(p, p->fp[i]);
        if (shared) {
            bit_set(p->meet, r);
            p->nmeet++;
        }
    }
    p->meet_known = 1;
}

static int same_keys(const li__predictor *p, const li_review_choice *c) {
    if (p->nmatch != c->nmatch)
        return 0;
    for (size_t k = 0; k < p->nmatch; k++)
        if (p->match[k] != c->match[k])
            return 0;
    return 1;
}

/*
 * Which rows the committer must see: from what the parse fed (fed, with
 * the same keys), else by reading every staged valid row (and the first
 * simulation reads them again, fed_fp or not).
 */
static li_status predictor_prepare(li__predictor *p, li_store *s, const li_job_rec *job,
                                   const li_review_choice *c, li_error *err) {
    int64_t max_id = 0;
    p->s = s;
    p->job = job;
    sketch_settle(p);
    int fed = p->fed && same_keys(p, c);
    li_status st = li_store_leads_max_id(s, &max_id, err);
    if (st != LI_OK)
        return st;
    if (!fed) {
        free(p->once);
        free(p->many);
        free(p->valid);
        free(p->fp);
        p->once = p->many = p->valid = NULL;
        p->fp = NULL;
        p->nfp = p->capfp = 0;
        p->nrow_bits = 0;
        p->fed = p->fed_fp = 0;
        li__keyset_free(&p->keys); /* salted by the match keys set again here */
        p->nmatch = 0;
        for (size_t k = 0; k < c->nmatch && k < LI__NKEYS; k++)
            p->match[p->nmatch++] = c->match[k];
        if (!sketch_alloc(p, (uint64_t)p->nmatch * ((uint64_t)max_id + job->valid)))
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    uint64_t row_bits = p->nrow_bits;
    if (!bits_reserve(&p->valid, &row_bits, job->parse_row + 64))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    p->nrow_bits = row_bits;
    uint64_t meet_bits = 0;
    if (!bits_reserve(&p->meet, &meet_bits, p->nrow_bits))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    if (fed && (uint64_t)job->valid * SMALL_FILE_RATIO < (uint64_t)max_id) {
        /* A small file into a big base (a weekly import into a CRM of a
         * million leads): reading every lead to find which of its rows
         * meet one costs more (0.38 s a million leads) than letting the
         * committer see them all, which it does in their rehearsals at a
         * few microseconds a row. The predictions are the same: a row that
         * meets nothing creates its lead in the rehearsal instead of being
         * counted beside it. */
        memcpy(p->meet, p->valid, (size_t)((p->nrow_bits + 63) / 64) * sizeof *p->meet);
        p->nmeet = bit_count(p->valid, 0, p->nrow_bits);
        p->meet_known = 1;
        free(p->once);
        free(p->many);
        free(p->fp);
        p->once = p->many = NULL;
        p->fp = NULL;
        li__trace("review: every valid row goes to the rehearsals (%llu rows, %lld leads)",
                  (unsigned long long)p->nmeet, (long long)max_id);
        return LI_OK;
    }
    if ((st = li_store_lead_keys_each(s, sketch_lead, p, err)) != LI_OK)
        return st;
    li__trace("review: leads' keys sketched");
    if (!fed) {
        st = li_store_rows_each(s, job->id, 0, "valid", 0, sketch_row, p, err);
        li__trace("review: rows' keys sketched");
        if (st == LI_EINTERNAL)
            return corrupt(err);
        if (st != LI_OK)
            return st;
    }
    free(p->once); /* done with: "many" says which rows meet */
    p->once = NULL;
    if (fed && p->fed_fp) {
        meet_from_fp(p);
        li__trace("review: meeting rows found from the parse's fingerprints");
        free(p->many);
        p->many = NULL;
        free(p->fp);
        p->fp = NULL;
    }
    return LI_OK;
}

/* A predicted duplicate: the row, its key, the lead (or -row) it matches. */


void li__dup_marks_free(li__dup_marks *k) {
    free(k->m);
    free(k->sim_id);
    free(k->sim_row);
}

static uint64_t sim_row_of(const li__dup_marks *k, int64_t id) {
    size_t lo = 0, hi = k->nsim;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (k->sim_id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < k->nsim && k->sim_id[lo] == id ? k->sim_row[lo] : 0;
}

static li_status record(li__dup_marks *k, uint64_t row_no, const li__outcome *oc) {
    if (strcmp(oc->status, "imported") == 0 && oc->lead_id > k->max_id) {
        if (li__grow((void **)&k->sim_id, &k->cap_id, k->nsim, sizeof *k->sim_id) ||
            li__grow((void **)&k->sim_row, &k->cap_row, k->nsim, sizeof *k->sim_row))
            return LI_ENOMEM;
        k->sim_id[k->nsim] = oc->lead_id;
        k->sim_row[k->nsim++] = row_no;
    }
    if (!oc->match_lead)
        return LI_OK;
    if (li__grow((void **)&k->m, &k->cap, k->n, sizeof *k->m))
        return LI_ENOMEM;
    int64_t match = oc->match_lead;
    if (match > k->max_id)
        match = -(int64_t)sim_row_of(k, match);
    k->m[k->n++] = (li__dup_mark){row_no, oc->match_key, match};
    return LI_OK;
}

typedef struct fetched {
    li__predictor *p;
    uint64_t last; /* the last valid row read (scan) */
    size_t seen;   /* valid rows read in this batch (scan) */
    li_buf arena;
    uint64_t row_no[LI_IMPORT_BATCH];
    size_t off[LI_IMPORT_BATCH], len[LI_IMPORT_BATCH];
    size_t n;
} fetched;

static li_status fetch_row(const li_staged_row *r, void *ctx) {
    fetched *f = ctx;
    if (f->n == LI_IMPORT_BATCH)
        return LI_EINTERNAL;
    f->row_no[f->n] = r->row_no;
    f->off[f->n] = f->arena.len;
    f->len[f->n] = r->data.len;
    f->n++;
    return li_buf_append(&f->arena, r->data.ptr, r->data.len);
}

/* The scan of the first simulation: a row is kept if one of its key values is shared. */
static li_status fetch_meeting(const li_staged_row *r, void *ctx) {
    fetched *f = ctx;
    li__predictor *p = f->p;
    uint64_t h[LI__NKEYS];
    f->seen++;
    f->last = r->row_no;
    if (row_hashes(p, r, h) != LI_OK)
        return LI_EINTERNAL;
    for (size_t k = 0; k < LI__NKEYS; k++)
        if (h[k] && sketch_shared(p, key_fp(h[k]))) {
            bit_set(p->meet, r->row_no);
            p->nmeet++;
            return fetch_row(r, ctx);
        }
    return LI_OK;
}

/* Keeps the batch in f for the next simulations, while under KEEP_MAX. */
static void keep(li__predictor *p, const fetched *f) {
    if (p->kept.over || p->kept.whole)
        return;
    size_t cap = p->kept.cap;
    int ok = p->kept.arena.len + f->arena.len <= KEEP_MAX;
    while (ok && p->kept.n + f->n > cap)
        cap = cap ? 2 * cap : 1024;
    if (ok && cap != p->kept.cap) {
        uint64_t *rn = realloc(p->kept.row_no, cap * sizeof *rn);
        if (rn)
            p->kept.row_no = rn;
        size_t *of = realloc(p->kept.off, cap * sizeof *of);
        if (of)
            p->kept.off = of;
        size_t *ln = realloc(p->kept.len, cap * sizeof *ln);
        if (ln)
            p->kept.len = ln;
        ok = rn && of && ln;
        if (ok)
            p->kept.cap = cap;
    }
    size_t base = p->kept.arena.len;
    if (ok && li_buf_append(&p->kept.arena, f->arena.data, f->arena.len) == LI_OK) {
        for (size_t i = 0; i < f->n; i++) {
            p->kept.row_no[p->kept.n] = f->row_no[i];
            p->kept.off[p->kept.n] = base + f->off[i];
            p->kept.len[p->kept.n++] = f->len[i];
        }
        return;
    }
    p->kept.over = 1; /* read again: memory stays bounded */
    li_buf_free(&p->kept.arena);
    li_buf_init(&p->kept.arena, 0);
}

/* li__committer_look_up()'s view of a batch of staged valid rows, decoded one at a time. */
typedef struct staged_values {
    const char *base;
    const size_t *off, *len;
    li__row row; /* the last row decoded: its slices point into base */
} staged_values;

static const li_slice *staged_value(void *ctx, size_t i) {
    staged_values *v = ctx;
    if (li__row_decode((li_slice){v->base + v->off[i], v->len[i]}, &v->row) != LI_OK)
        return NULL; /* said corrupt when the row is decided */
    return v->row.value;
}

/*
 * What the commit would do with strategy dup: the committer over the rows
 * that meet a lead, in a transaction rolled back; every other valid row
 * counted as the lead it creates. k (may be NULL) gets the duplicates.
 */
static li_status simulate(li__predictor *p, const li_review_choice *choice, li_dup_strategy dup,
                          li_review_counts *out, li__dup_marks *k, li_error *err) {
    li_job_rec job = *p->job;
    li_import_opts o;
    li__committer c;
    fetched *f = NULL;
    int opened = 0, in_tx = 0, rehearsing = 0;
    li_error ignored;
    uint64_t ids[LI_IMPORT_BATCH];
    job.created = job.updated = job.skipped = job.flagged = job.assigned = 0;
    opts_of_choice(choice, dup, &o);
    if (k && (li_store_leads_max_id(p->s, &k->max_id, err)) != LI_OK)
        return LI_EDB;
    li_status st = li_store_rehearsal(p->s, 1, err);
    if (st != LI_OK)
        goto out;
    rehearsing = 1;
    if ((st = li_store_begin(p->s, err)) != LI_OK)
        goto out;
    in_tx = 1;
    /* Opened inside the rehearsal's transaction, with the rows it will
     * see: the key set is sized for their leads from the start (sized for
     * none, it was loaded again from the table past 1,024 simulated leads),
     * and a store that drops its key indexes for a big load does it in the
     * transaction the rehearsal rolls back (store.h). Predicting "create"
     * for 200,000 rows that all met one of 1M leads took 7.6 s of index
     * inserts; the drop, undone by the rollback, takes 0.4 s. */
    uint64_t expect = p->kept.whole ? p->kept.n : p->meet_known ? p->nmeet : job.valid;
    st = li__committer_open_reusing(&c, p->s, &job, &o, expect, &p->keys, p->keys_max_id, err);
    opened = 1;
    if (st != LI_OK || (st = li__assign_setup(&c, p->s, &o, err)) != LI_OK)
        goto out;
    int rr = o.assign == LI_ASSIGN_ROUND_ROBIN && c.nassignee > 0;
    if (!(f = calloc(1, sizeof *f))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    li_buf_init(&f->arena, 0);
    f->p = p;
    li_store_now(c.now);
    uint64_t next = 0; /* rows below next are counted */
    uint64_t r = 0;
    size_t ki = 0; /* the next kept row */
    for (;;) {
        /* The leads queued by the last batch point into the arena: written first. */
        if ((st = li_store_flush(p->s, err)) != LI_OK)
            goto out;
        f->n = 0;
        li_buf_reset(&f->arena);
        /* This batch's rows: kept by the first simulation, or read now. */
        const char *base = f->arena.data;
        const uint64_t *row_no = f->row_no;
        const size_t *off = f->off, *len = f->len;
        size_t nrows = 0;
        if (p->kept.whole) {
            if (ki == p->kept.n)
                break;
            base = p->kept.arena.data;
            row_no = p->kept.row_no + ki;
            off = p->kept.off + ki;
            len = p->kept.len + ki;
            nrows = p->kept.n - ki < LI_IMPORT_BATCH ? p->kept.n - ki : LI_IMPORT_BATCH;
            ki += nrows;
        } else if (!p->meet_known) {
            /* Every valid row, LI_IMPORT_BATCH at a time, copied out before
             * the committer writes: those that meet something are kept. */
            f->seen = 0;
            st = li_store_rows_each(p->s, job.id, f->last, "valid", LI_IMPORT_BATCH, fetch_meeting,
                                    f, err);
            if (st == LI_EINTERNAL)
                st = corrupt(err);
            if (st != LI_OK)
                goto out;
            if (f->seen == 0)
                break;
        } else {
            size_t n = 0;
            for (; r < p->nrow_bits && n < LI_IMPORT_BATCH; r++)
                if (bit_get(p->meet, r))
                    ids[n++] = r;
            if (n == 0)
                break;
            if ((st = li_store_rows_get(p->s, job.id, ids, n, fetch_row, f, err)) != LI_OK)
                goto out;
        }
        if (!p->kept.whole) {
            base = f->arena.data; /* may have moved as it grew */
            nrows = f->n;
            keep(p, f);
        }
        staged_values sv = {.base = base, .off = off, .len = len};
        if ((st = li__committer_look_up(&c, nrows, staged_value, &sv, err)) != LI_OK)
            goto out;
        for (size_t i = 0; i < nrows; i++) {
            /* The rows in between create leads that nothing meets. */
            uint64_t alone = bit_count(p->valid, next, row_no[i]);
            job.created += alone;
            if (rr)
                job.assigned += alone;
            next = row_no[i] + 1;
            li__row row;
            li__outcome oc;
            if (li__row_decode((li_slice){base + off[i], len[i]}, &row) != LI_OK) {
                st = corrupt(err);
                goto out;
            }
            if ((st = li__committer_row(&c, &row, row_no[i], &oc, err)) != LI_OK)
                goto out;
            if (k && record(k, row_no[i], &oc) != LI_OK) {
                st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
                goto out;
            }
        }
    }
    job.created += bit_count(p->valid, next, p->nrow_bits);
    *out = (li_review_counts){job.created, job.updated, job.skipped, job.flagged};
    if (li__committer_keys_back(&c, &p->keys))
        p->keys_max_id = c.first_new_id - 1; /* the highest id when it was read */
    if (!p->kept.over)
        p->kept.whole = 1;
    if (!p->meet_known) {
        p->meet_known = 1;
        free(p->many); /* meet says it now */
        p->many = NULL;
    }
out:
    if (in_tx)
        li_store_rollback(p->s); /* nothing of it was ever meant to stay */
    if (rehearsing) {
        li_status back = li_store_rehearsal(p->s, 0, st == LI_OK ? err : &ignored);
        if (st == LI_OK)
            st = back;
    }
    if (f)
        li_buf_free(&f->arena);
    free(f);
    if (opened)
        li__committer_free(&c);
    return st;
}

/* The three predictions; k gets the duplicates of strategy mark_dup. */
li_status li__review_predict_all(li_store *s, const li_job_rec *job,
                                 const li_review_choice *choice, li_dup_strategy mark_dup,
                                 li__predictor *fed, li_review_counts *out, li__dup_marks *k,
                                 const li__batch_hook *hook, li_error *err) {
    li__predictor *p = fed ? fed : calloc(1, sizeof *p);
    li_job_rec seen = *job;
    if (!p)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    li_status st = predictor_prepare(p, s, job, choice, err);
    for (int d = 0; st == LI_OK && d < 3; d++) {
        /* Between two steps of seconds each: cancelled? stopping? the lease renewed. */
        if ((st = li__hook_call(hook, &seen, err)) != LI_OK)
            break;
        st = simulate(p, choice, (li_dup_strategy)d, &out[d], d == (int)mark_dup ? k : NULL, err);
        li__trace("review: %s simulated, %llu of %llu valid rows meet a lead or another row",
                  strategy_names[d], (unsigned long long)p->nmeet,
                  (unsigned long long)job->valid);
    }
    if (!fed)
        li__predictor_free(p);
    return st;
}
