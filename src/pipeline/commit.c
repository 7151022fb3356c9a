/*
 * commit.c — valid rows become leads.
 *
 * The committer decides, for each valid row, whether it creates a lead or
 * duplicates one: its normalised match keys (e-mail and phone by default)
 * are looked up in the in-memory key set (built by cursor from the leads
 * table, then fed with every lead created here), and every candidate it
 * gives is confirmed by a primary-key look-up of the lead's keys. The
 * first key that both the row and the lead have decides (find_match). A
 * duplicate row is skipped, updates the lead or is created flagged, and is
 * staged with the lead and the key it matched; otherwise a lead and its
 * 'created' history entry are inserted.
 *
 * A large load (many rows relative to the table) drops the indexes on the
 * leads' match keys first and builds them again at the end: one sort instead
 * of a random B-tree insert per row per index, which with a commit every
 * LI_IMPORT_BATCH rows rewrites most index pages at every commit.
 * Deduplication never reads those indexes, so it is unaffected.
 *
 * The separate commit stage (li__commit_stage) commits rows that an earlier
 * parse staged as valid: read back in row order, LI_IMPORT_BATCH at a time,
 * each batch committed with the commit checkpoint (last row number done), so
 * a resumed stage neither loses nor doubles a lead.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "leadimport/users.h"
#include "leadimport/validate.h"

/*
 * The key set holds key k of a lead under its hash salted with the set of
 * earlier match keys the lead lacks (bit j: it has no key j). A row that
 * has an earlier key j can only match a lead that lacks j (else j decides:
 * equal, it matched already; different, they are different people), so it
 * looks only in the sets whose mask holds every earlier key it has: behind
 * a switchboard number shared by a thousand colleagues with their own
 * e-mails, a row with an e-mail meets only the leads that have none, not
 * a thousand candidates to read and reject. Mask 0 (the first key, or a
 * lead with every earlier key) is the plain hash.
 */
static uint64_t salted(uint64_t h, unsigned lacks) {
    if (!lacks)
        return h;
    h ^= 0x9E3779B97F4A7C15ull * lacks;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return h ? h : 1;
}

/* The earlier match keys (before key k) that value has no value for. */
static unsigned lacks_before(const li__committer *c, const li_slice value[LI_FIELD__COUNT],
                             size_t k) {
    unsigned m = 0;
    for (size_t j = 0; j < k; j++)
        if (!value[c->match[j]].len)
            m |= 1u << j;
    return m;
}

/* The hashes a lead's match keys go into the set under (salted by the
 * earlier keys it lacks), into h; returns their count. */
static size_t lead_hashes(const li__committer *c, const li_slice value[LI_FIELD__COUNT],
                          uint64_t h[LI__NKEYS]) {
    size_t n = 0;
    for (size_t k = 0; k < c->nmatch; k++) {
        li_field f = c->match[k];
        if (value[f].len)
            h[n++] = salted(li__key_hash(f, value[f]), lacks_before(c, value, k));
    }
    return n;
}

/* Puts the match keys of lead id into the key set; LI_ELIMIT when it is full. */
static li_status put_keys(li__committer *c, const li_slice value[LI_FIELD__COUNT], int64_t id) {
    uint64_t h[LI__NKEYS];
    size_t n = lead_hashes(c, value, h);
    for (size_t k = 0; k < n; k++) {
        li_status st = li__keyset_put(&c->keys, h[k], id);
        if (st != LI_OK)
            return st;
    }
    return LI_OK;
}

/*
 * The load of the key set from the table: each put lands in a random slot
 * of a set of megabytes (12 MiB for a million leads), a cache miss that
 * the next put could not overlap. The keys wait in a small queue, their
 * slots fetched ahead, and go in LOAD_AHEAD puts later: on 1M leads the
 * puts took 0.45 s a load (a review loads it three times).
 */
#define LOAD_AHEAD 16
typedef struct key_loader {
    li__committer *c;
    uint64_t h[LOAD_AHEAD];
    int64_t id[LOAD_AHEAD];
    size_t n; /* keys queued so far; the last min(n, LOAD_AHEAD) wait, at n % LOAD_AHEAD on */
} key_loader;

/* Puts the keys still waiting, oldest first. */
static li_status loader_drain(key_loader *l) {
    size_t left = l->n < LOAD_AHEAD ? l->n : LOAD_AHEAD;
    for (size_t i = l->n - left; i < l->n; i++) {
        li_status st = li__keyset_put(&l->c->keys, l->h[i % LOAD_AHEAD], l->id[i % LOAD_AHEAD]);
        if (st != LI_OK)
            return st;
    }
    l->n = 0;
    return LI_OK;
}

static li_status put_key(int64_t id, const li_slice value[LI_FIELD__COUNT], void *ctx) {
    key_loader *l = ctx;
    li__keyset *ks = &l->c->keys;
    uint64_t h[LI__NKEYS];
    size_t n = lead_hashes(l->c, value, h);
    for (size_t k = 0; k < n; k++) {
        size_t at = l->n % LOAD_AHEAD;
        if (l->n >= LOAD_AHEAD) { /* the oldest goes in, its slot fetched by now */
            li_status st = li__keyset_put(ks, l->h[at], l->id[at]);
            if (st != LI_OK)
                return st;
        }
        li__keyset_prefetch(ks, h[k]);
        l->h[at] = h[k];
        l->id[at] = id;
        l->n++;
    }
    return LI_OK;
}

/*
 * (Re)builds the key set with room for max_keys of ids up to max_id, from
 * the table. The table may hold more than the caller counted (another
 * import's leads, committed side by side): a set that fills while it loads
 * is made half as big again, and loaded again.
 */
static li_status load_keys(li__committer *c, size_t max_keys, uint64_t max_id, li_error *err) {
    c->keys_partial = 0; /* every lead from now on */
    for (;;) {
        li__keyset_free(&c->keys);
        li_status st = li__keyset_init(&c->keys, max_keys, max_id);
        if (st == LI_ELIMIT)
            return li_error_set(err, LI_ELIMIT, LI_MSG_INTERNAL, "lead ids past 2^40");
        if (st != LI_OK)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        key_loader l = {.c = c, .n = 0};
        st = li_store_lead_keys_each(c->store, put_key, &l, err);
        if (st == LI_OK)
            st = loader_drain(&l);
        if (st != LI_ELIMIT)
            return st;
        max_keys += max_keys / 2 + 4096;
        max_id += max_id / 2 + 4096;
    }
}

/*
 * A file with fewer rows than the table's leads over this ratio looks its
 * rows' keys up in the table's key indexes instead of reading every lead's
 * keys into the set: 2,000 rows into a million leads read 4,000 index
 * entries instead of a million rows. SQLite: two look-ups a row, 5 to 10
 * µs each, against 0.35 µs a lead read. PostgreSQL (side by side): a
 * batch's keys in one statement, 36 µs a key (500 e-mails in 18 ms), against
 * 0.87 µs a lead read.
 */
#define LOOKUP_RATIO 32
#define LOOKUP_RATIO_SERVER 96

/*
 * LEADIMPORT_KEY_LOOKUP=1 takes the look-ups whatever the sizes, =0 never:
 * the tests run the deduplication suites both ways, on the small bases they
 * build, and compare the two on a big one. Unset: by the sizes.
 */
static int lookup_wanted(uint64_t expected_new, int64_t max_id, int side_by_side) {
    const char *v = getenv("LEADIMPORT_KEY_LOOKUP");
    if (v && strcmp(v, "1") == 0)
        return 1;
    if (v && strcmp(v, "0") == 0)
        return 0;
    uint64_t ratio = side_by_side ? LOOKUP_RATIO_SERVER : LOOKUP_RATIO;
    return (expected_new + 1) * ratio < (uint64_t)max_id;
}

/*
 * The key set read whole from a table whose highest id is max_id: at most
 * one key per match key per lead, existing or new (expected_new may be an
 * estimate: the set is rebuilt bigger if it fills); ids: the new leads'
 * follow max_id, with room for twice the estimate before a rebuild (a wider
 * id field costs a fingerprint bit, not a byte).
 */
static li_status load_whole(li__committer *c, int64_t max_id, li_error *err) {
    return load_keys(c, c->nmatch * ((size_t)max_id + (size_t)c->expected_new),
                     (uint64_t)max_id + 2 * c->expected_new + 1024, err);
}

/* The look-ups given up mid-import: the key set read whole, as at open. */
static li_status load_all(li__committer *c, int mid_batch, li_error *err) {
    int64_t max_id = 0;
    li_status st = li_store_leads_max_id(c->store, &max_id, err);
    if (st != LI_OK)
        return st;
    c->rebuilt |= mid_batch; /* rows decided before did not see it all */
    return load_whole(c, max_id, err);
}

/* A lead a look-up found: into the set, as the whole read would have put it. */
static li_status put_found(int64_t id, const li_slice value[LI_FIELD__COUNT], void *ctx) {
    li__committer *c = ctx;
    /* This import's own: the set has it. Side by side, ids past the first
     * are other committers' too, and a lead of ours found again is put
     * again as it was (the same slots). */
    if (id >= c->first_new_id && !c->side_by_side)
        return LI_OK;
    /* Past this, rows sharing keys with crowds of leads (a switchboard
     * number) cost more looked up than read once. */
    if (++c->looked_up > 8 * c->expected_new + 65536)
        return LI_ELIMIT;
    return put_keys(c, value, id);
}

/* The look-ups of values[0..n-1] of field f; the set read whole instead when they fill it. */
static li_status look_up_values(li__committer *c, li_field f, const li_slice *values, size_t n,
                                int mid_batch, li_error *err) {
    li_status st = n ? li_store_leads_with_keys(c->store, f, values, n, put_found, c, err) : LI_OK;
    if (st == LI_ELIMIT) { /* full, or too many: every lead, once */
        li__trace("key set: read whole (look-ups given up after %llu leads)",
                  (unsigned long long)c->looked_up);
        return load_all(c, mid_batch, err);
    }
    return st;
}

/* Before a row is decided, for a caller that does not look its batches up. */
static li_status look_up(li__committer *c, const li_slice value[LI_FIELD__COUNT], li_error *err) {
    for (size_t k = 0; c->keys_partial && k < c->nmatch; k++) {
        li_field f = c->match[k];
        li_status st = value[f].len ? look_up_values(c, f, &value[f], 1, 1, err) : LI_OK;
        if (st != LI_OK)
            return st;
    }
    return LI_OK;
}

li_status li__committer_look_up(li__committer *c, size_t n,
                                const li_slice *(*value_of)(void *ctx, size_t i), void *ctx,
                                li_error *err) {
    li_slice values[LI__NKEYS][LI_IMPORT_BATCH];
    /* Only where a look-up is a round trip: on SQLite, a row's keys looked
     * up just before it is decided leave warm the pages its decision reads
     * (2,000 rows into a million leads: 0.185 s a row at a time, 0.215 s a
     * batch at a time). */
    if (!c->side_by_side)
        return LI_OK;
    c->batched = 1;
    for (size_t from = 0; c->keys_partial && from < n; from += LI_IMPORT_BATCH) {
        size_t m[LI__NKEYS] = {0};
        for (size_t i = from; i < n && i < from + LI_IMPORT_BATCH; i++) {
            const li_slice *v = value_of(ctx, i);
            for (size_t k = 0; v && k < c->nmatch; k++)
                if (v[c->match[k]].len)
                    values[k][m[k]++] = v[c->match[k]];
        }
        /* Before any of the rows is decided: a set read whole now has nothing to redo. */
        for (size_t k = 0; c->keys_partial && k < c->nmatch; k++) {
            li_status st = look_up_values(c, c->match[k], values[k], m[k], 0, err);
            if (st != LI_OK)
                return st;
        }
    }
    return LI_OK;
}

/* li__committer_open(); reuse (may be NULL) is li__committer_open_reusing()'s. */
static li_status open_with(li__committer *c, li_store *s, li_job_rec *job,
                           const li_import_opts *o, uint64_t expected_new, li__keyset *reuse,
                           int64_t reuse_max_id, li_error *err) {
    li_status st;
    int64_t max_id = 0;
    memset(c, 0, sizeof *c);
    c->store = s;
    c->job = job;
    li_buf_init(&c->changes, 0);
    li_buf_init(&c->cand, 0);
    c->nmatch = o ? li__match_keys(o->match, o->nmatch, c->match) : li__match_keys(NULL, 0, c->match);
    if (o) {
        c->dup = o->on_duplicate;
        c->overwrite = o->overwrite;
        c->reassign = o->reassign;
        c->assign = o->assign;
    }
    if ((st = li_store_leads_max_id(s, &max_id, err)) != LI_OK)
        return st;
    c->first_new_id = max_id + 1;
    c->side_by_side = li_store_side_by_side(s);
    c->expected_new = expected_new;
    /* A file of fewer rows than the table's leads over LOOKUP_RATIO looks
     * its rows' keys up (side by side, after marking where its reading of
     * the others' journal starts, as the whole read does). */
    int lookup = lookup_wanted(expected_new, max_id, c->side_by_side);
    if (reuse && reuse->slot && reuse_max_id == max_id && !lookup) {
        c->keys = *reuse; /* read from this very table: no lead created since */
        memset(reuse, 0, sizeof *reuse);
        li__trace("review: key set of the previous simulation taken again");
    } else {
        if (reuse)
            li__keyset_free(reuse); /* stale: its memory goes before the new set's */
        if (lookup) {
            /* the rows' leads and those they meet: rebuilt bigger (or whole) if it fills */
            st = li__keyset_init(&c->keys, c->nmatch * (2 * (size_t)expected_new + 1024),
                                 (uint64_t)max_id + 2 * expected_new + 1024);
            if (st == LI_ELIMIT)
                return li_error_set(err, LI_ELIMIT, LI_MSG_INTERNAL, "lead ids past 2^40");
            if (st != LI_OK)
                return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            if (c->side_by_side && (st = li_store_lead_keys_mark(s, err)) != LI_OK)
                return st;
            c->keys_partial = 1;
            li__trace("key set: the rows' keys looked up in the table (%llu rows, %lld leads)",
                      (unsigned long long)expected_new, (long long)max_id);
        } else if ((st = load_whole(c, max_id, err)) != LI_OK) {
            return st;
        }
    }
    if (reuse && !c->keys_partial) /* a partial set is never given back: the next takes sets whole */
        li__keyset_log(&c->keys);
    /* The backend may prepare for a big load (store.h); deduplication
     * relies on the key set, never on the database. */
    if ((st = li_store_bulk_begin(s, expected_new, &c->bulk, err)) != LI_OK)
        return st;
    /* A load that drops the key indexes is never small for its table; were
     * it so, the look-ups would scan the table: every lead is read instead. */
    return c->bulk && c->keys_partial ? load_all(c, 0, err) : LI_OK;
}

li_status li__committer_open(li__committer *c, li_store *s, li_job_rec *job,
                             const li_import_opts *o, uint64_t expected_new, li_error *err) {
    return open_with(c, s, job, o, expected_new, NULL, 0, err);
}

li_status li__committer_open_reusing(li__committer *c, li_store *s, li_job_rec *job,
                                     const li_import_opts *o, uint64_t expected_new,
                                     li__keyset *keys, int64_t keys_max_id, li_error *err) {
    return open_with(c, s, job, o, expected_new, keys, keys_max_id, err);
}

int li__committer_keys_back(li__committer *c, li__keyset *keys) {
    /* a set read again meanwhile logs nothing: it holds the rehearsal's leads */
    if (!c->keys.slot || !li__keyset_rewind(&c->keys))
        return 0;
    li__keyset_free(keys);
    *keys = c->keys;
    memset(&c->keys, 0, sizeof c->keys);
    return 1;
}

void li__committer_keys(const li_field *match, size_t nmatch,
                        const li_slice value[LI_FIELD__COUNT], uint64_t hash[LI__NKEYS]) {
    for (size_t k = 0; k < LI__NKEYS; k++) {
        li_field f = k < nmatch ? match[k] : LI_FIELD_NONE;
        hash[k] = f != LI_FIELD_NONE && value[f].len ? li__key_hash(f, value[f]) : 0;
    }
}

void li__committer_prefetch(const li__committer *c, const uint64_t hash[LI__NKEYS]) {
    /* the slot a row looks in (leads lacking exactly the earlier keys it
       has), and the one its own lead goes to (lacking the earlier keys the
       row lacks): the same slot for the first key */
    unsigned has = 0;
    for (size_t k = 0; k < c->nmatch && k < LI__NKEYS; k++) {
        if (!hash[k])
            continue;
        unsigned earlier = (1u << k) - 1;
        li__keyset_prefetch(&c->keys, salted(hash[k], has));
        if ((earlier & ~has) != has)
            li__keyset_prefetch(&c->keys, salted(hash[k], earlier & ~has));
        has |= 1u << k;
    }
}

static int same(li_slice a, li_slice b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/*
 * The lead the row matches, 0 if none, and the key that decided (*key, an
 * index into c->match). Keys are tried in the import's order, and the
 * first key that both the row and a lead have decides: a candidate found
 * through key k matches when its value of k is the row's and no earlier
 * key has values on both sides that differ. So two people with different
 * e-mails who share a switchboard number are two leads, and the phone
 * decides only when one side has no e-mail. (An earlier key equal on both
 * sides would have found the lead already.) The lead's keys come from the
 * primary-key read that confirms the candidate: the rule costs no read.
 * Among several leads that match through the same key, the first one put
 * in the key set (the oldest) is taken.
 */
static li_status find_match(li__committer *c, const li_slice value[LI_FIELD__COUNT],
                            const uint64_t hash[LI__NKEYS], int64_t *match, size_t *key,
                            li_error *err) {
    *match = 0;
    for (size_t k = 0; k < c->nmatch; k++) {
        if (!hash[k])
            continue;
        li_field f = c->match[k];
        unsigned earlier = (1u << k) - 1, has = earlier & ~lacks_before(c, value, k);
        int64_t best = 0;
        /* every set of leads that lack at least the earlier keys the row has */
        for (unsigned lacks = 0; lacks <= earlier; lacks++) {
            if ((lacks & has) != has)
                continue;
            uint64_t h = salted(hash[k], lacks);
            size_t pos = li__keyset_start(&c->keys, h);
            int64_t id;
            while ((id = li__keyset_next(&c->keys, h, &pos)) != 0) {
                if (best && id >= best)
                    continue;
                li_slice lead[LI_FIELD__COUNT];
                int found = 0;
                li_status st = li_store_lead_keys(c->store, id, &c->cand, lead, &found, err);
                if (st != LI_OK)
                    return st;
                if (!found || !same(lead[f], value[f]))
                    continue; /* a fingerprint collision, or a key the lead no longer has */
                int other = 0; /* a lead that gained a key since it was put (update) */
                for (size_t j = 0; j < k && !other; j++) {
                    li_field g = c->match[j];
                    other = value[g].len && lead[g].len && !same(value[g], lead[g]);
                }
                /* The oldest: the probe order is the ids' only when every
                 * lead was read in order; the look-ups put leads as the
                 * index gives them, the journal as the others commit. A
                 * younger one is skipped above without being read. */
                if (!other)
                    best = id;
            }
        }
        if (best) {
            *match = best;
            *key = k;
            return LI_OK;
        }
    }
    return LI_OK;
}

/* The key of each slot of a journal entry (li_lead_keyhash.key). */
static const li_field journal_field[LI__NKEYS] = {LI_FIELD_EMAIL, LI_FIELD_PHONE,
                                                  LI_FIELD_EXTERNAL_ID};

/*
 * Records the match keys of lead id; a set that is full (or whose ids are
 * too narrow for id) is rebuilt a little bigger: the file had more rows
 * than estimated, and doubling the set would double its memory for a
 * handful of rows (a 2,000-row file into a million leads took 72 MiB).
 */
static li_status remember_keys(li__committer *c, const li_slice value[LI_FIELD__COUNT],
                               int64_t id, li_error *err) {
    if (c->side_by_side) { /* for the others (li__committer_recheck) */
        if (c->nmine < LI_IMPORT_BATCH) {
            li_lead_keyhash *m = &c->mine[c->nmine++];
            m->id = id;
            for (int k = 0; k < LI__NKEYS; k++) {
                li_field f = journal_field[k];
                m->key[k] = value[f].len ? li__key_hash(f, value[f]) : 0;
            }
        } else {
            c->batch_lost = 1;
        }
    }
    if (put_keys(c, value, id) == LI_OK)
        return LI_OK;
    /* The table already holds (or has pending) every lead so far, this one
     * included. */
    size_t keys = c->keys.count + c->nmatch;
    uint64_t created = id >= c->first_new_id ? (uint64_t)(id - c->first_new_id) + 1 : 0;
    /* a sixteenth more (a few more rows than estimated into a big table:
       12.75 bytes a lead, not 15), or as many as the new leads so far when
       they dominate (an import into an empty table grows by half: a few
       rebuilds, never one per row, and at most half the set unused) */
    size_t more = keys / 16 > c->nmatch * created ? keys / 16 : c->nmatch * created;
    uint64_t id_more = (uint64_t)id / 4 > created ? (uint64_t)id / 4 : created;
    /* Read again mid-batch, the set now holds other committers' leads that
     * rows decided before did not see, and that the recheck would take for
     * known: the batch is decided again (li__committer_recheck). */
    c->rebuilt = 1;
    return load_keys(c, keys + more + 4096, (uint64_t)id + id_more + 4096, err);
}

/*
 * The user the row goes to (0 = nobody). Column mode reads the owner cell
 * (the import maps the assignment column to owner); the default mode reads
 * the file's "Assigné à" column, staged with the row. The caller counts the
 * assignment (job->assigned, the round-robin position) once it is made.
 */
static int64_t assignee(li__committer *c, const li__row *row, li__outcome *out) {
    const li_slice *value = row->value;
    int64_t id = 0;
    li_slice who = {0};
    switch (c->assign) {
    case LI_ASSIGN_SINGLE:
        id = c->assignee[0];
        break;
    case LI_ASSIGN_ROUND_ROBIN:
        /* The position is the job's count of assigned leads, saved with
         * every checkpoint: a resumed import goes on where it stopped. */
        id = c->nassignee ? c->assignee[c->job->assigned % c->nassignee] : 0;
        break;
    case LI_ASSIGN_COLUMN:
        who = value[LI_FIELD_OWNER];
        break;
    case LI_ASSIGN_AUTO: /* the file's assignment column ("Assigné à"), if any */
        who = row->assignee;
        break;
    case LI_ASSIGN_NONE:
        break;
    }
    if (who.len && c->lookup) {
        out->warning_field = c->assign == LI_ASSIGN_AUTO ? LI_FIELD_ASSIGNEE : LI_FIELD_OWNER;
        out->warning = c->lookup(c->lookup_ctx, who, &id);
        if (out->warning != LI_MSG_NONE) {
            char name[96];
            snprintf(name, sizeof name, "%.*s", (int)(who.len > 80 ? 80 : who.len), who.ptr);
            /* One of the lookup's assign_user_* warnings, each quoting the name (%s). */
            li_msg_format_unchecked(out->warning_text, sizeof out->warning_text, out->warning,
                                    name);
            id = 0;
        }
    }
    return id;
}

/* Appends "key":[old,new] to the changes object being built. */
static li_status change(li_buf *b, const char *key, size_t klen, li_slice old, li_slice now) {
    li_status st = li_buf_putc(b, b->len ? ',' : '{'); /* the first change opens the object */
    if (st == LI_OK)
        st = li_buf_json_str(b, key, klen);
    if (st == LI_OK)
        st = li_buf_puts(b, ":[");
    if (st == LI_OK)
        st = old.len ? li_buf_json_str(b, old.ptr, old.len) : li_buf_puts(b, "null");
    if (st == LI_OK)
        st = li_buf_putc(b, ',');
    if (st == LI_OK)
        st = now.len ? li_buf_json_str(b, now.ptr, now.len) : li_buf_puts(b, "null");
    return st == LI_OK ? li_buf_putc(b, ']') : st;
}

/*
 * Merges the row's custom fields into the lead's: a key the lead lacks (or,
 * with overwrite, has with another value) takes the row's value. *merged
 * is malloc'ed (NULL when nothing changed). Changes go to c->changes as
 * "custom.KEY".
 */
static li_status merge_custom(li__committer *c, li_slice old, li_slice row, char **merged) {
    *merged = NULL;
    if (row.len <= 2)
        return LI_OK;
    json_t *base = json_loadb(old.len ? old.ptr : "{}", old.len ? old.len : 2, 0, NULL);
    json_t *add = json_loadb(row.ptr, row.len, 0, NULL);
    li_status st = LI_OK;
    int changed = 0;
    if (!json_is_object(base) || !json_is_object(add)) {
        st = LI_EINTERNAL;
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(add, key, v) {
        json_t *had = json_object_get(base, key);
        const char *nv = json_string_value(v), *ov = json_string_value(had);
        if (!nv || !*nv || (ov && strcmp(ov, nv) == 0) || (ov && *ov && !c->overwrite))
            continue;
        char name[300];
        int n = snprintf(name, sizeof name, "custom.%s", key);
        li_slice o = {ov ? ov : "", ov ? strlen(ov) : 0}, w = {nv, strlen(nv)};
        if ((st = change(&c->changes, name, n > 0 && (size_t)n < sizeof name ? (size_t)n : strlen(name), o, w)) != LI_OK ||
            json_object_set(base, key, v) != 0) {
            st = LI_ENOMEM;
            goto out;
        }
        changed = 1;
    }
    if (changed && !(*merged = json_dumps(base, JSON_COMPACT | JSON_PRESERVE_ORDER)))
        st = LI_ENOMEM;
out:
    json_decref(base);
    json_decref(add);
    return st;
}

/*
 * --on-duplicate update: the matched lead takes the row's non-empty
 * values where it has none (or every differing one with overwrite), and,
 * with reassign, the row's assignee (unless this import created the lead:
 * it keeps the assignee it was created with). One 'updated' history entry holds
 * every changed field with its old and new value; a change of assignee
 * is an 'assigned' entry. A row that changes nothing is skipped.
 */
static li_status update_lead(li__committer *c, int64_t id, const li__row *row, li__outcome *out,
                             li_error *err) {
    const li_slice *value = row->value;
    li_lead_rec old;
    int found = 0;
    char *merged = NULL;
    li_status st = li_store_lead_get(c->store, id, &old, &found, err);
    if (st != LI_OK)
        return st;
    if (!found) { /* cannot happen: matches are confirmed by primary key */
        out->status = "skipped";
        c->job->skipped++;
        return LI_OK;
    }
    li_slice nv[LI_FIELD__COUNT];
    li_buf_reset(&c->changes);
    for (int f = 0; f < LI_FIELD__COUNT && st == LI_OK; f++) {
        nv[f] = old.value[f];
        if (!value[f].len || same(value[f], old.value[f]) || (old.value[f].len && !c->overwrite))
            continue;
        nv[f] = value[f];
        const char *key = li_field_key((li_field)f);
        st = change(&c->changes, key, strlen(key), old.value[f], value[f]);
    }
    if (st == LI_OK && (st = merge_custom(c, old.custom, row->custom, &merged)) != LI_OK) {
        if (st == LI_ENOMEM)
            st = li_error_set(err, st, LI_MSG_NO_MEMORY);
        else
            st = li_error_set(err, st, LI_MSG_INTERNAL, "champs personnalisés illisibles");
    }
    if (st != LI_OK)
        goto out;
    int64_t owner = old.assigned_to;
    /* A lead this import created keeps the assignee it was created with. */
    if (c->reassign && c->assign != LI_ASSIGN_NONE && old.import_job_id != c->job->id) {
        int64_t to = assignee(c, row, out);
        if (to && to != owner) { /* already theirs is not an assignment */
            owner = to;
            c->job->assigned++;
        }
    }
    int fields_changed = c->changes.len > 0;
    if (!fields_changed && owner == old.assigned_to) {
        out->status = "skipped";
        c->job->skipped++;
        goto out;
    }
    li_slice new_custom = merged ? (li_slice){merged, strlen(merged)} : old.custom;
    /* The phone is the row's when it changed, so is its type. */
    const char *ptype = nv[LI_FIELD_PHONE].ptr == value[LI_FIELD_PHONE].ptr && value[LI_FIELD_PHONE].len
                            ? li_phone_type_key(row->phone_type)
                            : old.phone_type;
    li_lead_meta meta = {.assigned_to = owner, .phone_type = ptype};
    if ((st = li_store_lead_update(c->store, id, nv, new_custom, &meta, c->now, err)) != LI_OK)
        goto out;
    if (fields_changed) {
        if ((st = li_buf_putc(&c->changes, '}')) != LI_OK) {
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            goto out;
        }
        if ((st = li_store_history_add(c->store, id, "updated", c->job->id, c->changes.data,
                                       c->now, err)) != LI_OK)
            goto out;
    }
    if (owner != old.assigned_to) {
        char ch[96];
        if (old.assigned_to)
            snprintf(ch, sizeof ch, "{\"assigned_to\":[%lld,%lld]}", (long long)old.assigned_to,
                     (long long)owner);
        else
            snprintf(ch, sizeof ch, "{\"assigned_to\":[null,%lld]}", (long long)owner);
        if ((st = li_store_history_add(c->store, id, "assigned", c->job->id, ch, c->now, err)) !=
            LI_OK)
            goto out;
    }
    if ((st = remember_keys(c, nv, id, err)) != LI_OK)
        goto out;
    out->status = "updated";
    c->job->updated++;
out:
    free(merged);
    li_lead_rec_free(&old);
    return st;
}

li_status li__committer_row_hashed(li__committer *c, const li__row *row,
                                   const uint64_t hash[LI__NKEYS], uint64_t row_no,
                                   li__outcome *out, li_error *err) {
    const li_slice *value = row->value;
    int64_t match = 0;
    size_t key = 0;
    memset(out, 0, sizeof *out);
    out->match_key = LI_FIELD_NONE;
    li_status st = c->keys_partial && !c->batched ? look_up(c, value, err) : LI_OK;
    if (st == LI_OK)
        st = find_match(c, value, hash, &match, &key, err);
    if (st != LI_OK)
        return st;
    if (match) {
        out->match_lead = match;
        out->match_key = c->match[key];
    }
    if (match && c->dup == LI_DUP_SKIP) {
        out->lead_id = match;
        out->status = "skipped";
        c->job->skipped++;
        return LI_OK;
    }
    if (match && c->dup == LI_DUP_UPDATE) {
        out->lead_id = match;
        return update_lead(c, match, row, out, err);
    }
    li_lead_meta meta = {.assigned_to = assignee(c, row, out),
                         .duplicate_of = match,
                         .phone_type = li_phone_type_key(row->phone_type)};
    if ((st = li_store_lead_insert(c->store, value, row->custom, &meta, c->job->id, row_no, c->now,
                                   &out->lead_id, err)) != LI_OK)
        return st;
    /* A new lead that matched none: another committer's new lead must not
     * share a key with it (a row that matched a lead creates none that
     * another import could have made too). Only side by side: the list is
     * sorted at each batch's recheck, which was 2 % of a one pass's
     * writing thread on SQLite, where no one else commits. */
    for (size_t k = 0; c->side_by_side && !match && k < c->nmatch; k++) {
        if (!hash[k])
            continue;
        if (c->nfresh < sizeof c->fresh / sizeof c->fresh[0])
            c->fresh[c->nfresh++] = hash[k];
        else
            c->batch_lost = 1; /* the recheck refuses an incomplete batch */
    }
    c->job->assigned += meta.assigned_to != 0;
    if ((st = remember_keys(c, value, out->lead_id, err)) != LI_OK)
        return st;
    out->status = "imported";
    c->job->created++;
    if (match)
        c->job->flagged++;
    return LI_OK;
}

const char *li__phone_type_of(li_slice e164) {
    char out[LI_PHONE_CAP]; /* the stored form may carry ";ext=NN" */
    li_phone_type t = LI_PHONE_UNKNOWN;
    /* An E.164 number needs no region; the usual French ones take the fast path. */
    if (e164.len && e164.ptr[0] == '+')
        li_norm_phone_typed(e164.ptr, e164.len, NULL, out, sizeof out, &t);
    const char *key = li_phone_type_key(t);
    return key[0] ? key : NULL;
}

li_status li__committer_row(li__committer *c, const li__row *row, uint64_t row_no,
                            li__outcome *out, li_error *err) {
    uint64_t hash[LI__NKEYS];
    li__committer_keys(c->match, c->nmatch, row->value, hash);
    return li__committer_row_hashed(c, row, hash, row_no, out, err);
}

li_status li__outcome_errors(const li__outcome *out, li_slice *errors, char **owned,
                             int *first_warning) {
    *owned = NULL;
    *first_warning = 0;
    if (out->warning == LI_MSG_NONE)
        return LI_OK;
    li_buf b;
    li_buf_init(&b, 0);
    li_status st;
    int empty = errors->len <= 2;
    if (empty)
        st = li_buf_putc(&b, '[');
    else
        st = li_buf_append(&b, errors->ptr, errors->len - 1); /* without its ']' */
    const char *code = li_msg_code(out->warning);
    if (st == LI_OK)
        st = li_buf_printf(&b, "%s{\"code\":\"%s\",\"severity\":\"warning\",\"field\":\"%s\","
                           "\"message\":", empty ? "" : ",", code,
                           /* 0 (first name) is never the field of a warning: unset */
                           li_field_key(out->warning_field ? out->warning_field : LI_FIELD_OWNER));
    if (st == LI_OK)
        st = li_buf_json_str(&b, out->warning_text, strlen(out->warning_text));
    if (st == LI_OK)
        st = li_buf_puts(&b, "}]");
    if (st != LI_OK) {
        li_buf_free(&b);
        return st;
    }
    *errors = (li_slice){b.data, b.len};
    *owned = b.data; /* ownership passes to the caller */
    *first_warning = empty;
    return LI_OK;
}

void li__outcome_stage(const li__outcome *out, li_staged_row *sr) {
    sr->status = out->status;
    sr->lead_id = out->lead_id;
    sr->match_lead = out->match_lead;
    sr->match_key = out->match_lead ? li_field_key(out->match_key) : NULL;
    if (strcmp(out->status, "imported") == 0 && !out->match_lead && !sr->errors.len)
        sr->data = (li_slice){NULL, 0};
}

/* Whether the key set holds lead id under salted hash h. */
static int knows(const li__committer *c, uint64_t h, int64_t id) {
    size_t pos = li__keyset_start(&c->keys, h);
    int64_t got;
    while ((got = li__keyset_next(&c->keys, h, &pos)) != 0)
        if (got == id)
            return 1;
    return 0;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The journal slot of a match field (journal_field). */
static int slot_of(li_field f) {
    int k = 0;
    while (k < LI__NKEYS - 1 && journal_field[k] != f)
        k++;
    return k;
}

/*
 * A lead another committer created or changed: its keys go into the key
 * set (salted as put_keys() does, from which earlier keys it lacks), and in
 * the final read, a key it shares with a lead this batch created makes the
 * batch stale (c->fresh, sorted).
 */
static li_status journal_lead(const li_lead_keyhash *l, void *ctx) {
    li__committer *c = ctx;
    unsigned lacks = 0;
    for (size_t k = 0; k < c->nmatch; k++) {
        uint64_t h = l->key[slot_of(c->match[k])];
        unsigned had = lacks;
        if (!h) {
            lacks |= 1u << k;
            continue;
        }
        uint64_t sh = salted(h, had);
        if (!knows(c, sh, l->id)) {
            li_status st = li__keyset_put(&c->keys, sh, l->id);
            if (st != LI_OK)
                return st;
        }
        if (c->final_check && bsearch(&h, c->fresh, c->nfresh, sizeof h, cmp_u64))
            c->stale = 1;
    }
    return LI_OK;
}

/* The set full (or its ids too narrow), or the journal pruned: built again from
 * the table, which shows every other committer's leads committed so far. */
static li_status keys_again(li__committer *c, li_error *err) {
    size_t keys = c->keys.count + c->keys.count / 8 + 4096;
    int64_t max_id = 0;
    li_status st = li_store_leads_max_id(c->store, &max_id, err);
    return st == LI_OK ? load_keys(c, keys, (uint64_t)max_id + (uint64_t)max_id / 4 + 4096, err)
                       : st;
}

/* The key set's candidates for the rows' key hashes, read in one statement. */
static li_status candidates(li__committer *c, const uint64_t (*hash)[LI__NKEYS], size_t n,
                            li_error *err) {
    int64_t ids[LI__PREFETCH];
    size_t m = 0;
    /* The sets find_match() looks in (a candidate of several rows comes
     * several times: harmless, and rarer than a pass to remove them). */
    for (size_t i = 0; i < n && m < LI__PREFETCH; i++) {
        unsigned has = 0;
        for (size_t k = 0; k < c->nmatch && k < LI__NKEYS; k++)
            has |= hash[i][k] ? 1u << k : 0;
        for (size_t k = 0; k < c->nmatch && m < LI__PREFETCH; k++) {
            if (!hash[i][k])
                continue;
            unsigned earlier = (1u << k) - 1, h_has = has & earlier;
            for (unsigned lacks = 0; lacks <= earlier && m < LI__PREFETCH; lacks++) {
                if ((lacks & h_has) != h_has)
                    continue;
                uint64_t h = salted(hash[i][k], lacks);
                size_t pos = li__keyset_start(&c->keys, h);
                int64_t id;
                while (m < LI__PREFETCH && (id = li__keyset_next(&c->keys, h, &pos)) != 0)
                    ids[m++] = id;
            }
        }
    }
    return m ? li_store_lead_keys_prefetch(c->store, ids, m, err) : LI_OK;
}

li_status li__committer_before_batch(li__committer *c, const uint64_t (*hash)[LI__NKEYS],
                                     size_t n, li_error *err) {
    c->final_check = 0;
    li_status st = li_store_leads_recheck(c->store, c->job->id, NULL, 0, 0, journal_lead, c, err);
    /* A set read again now comes before the batch's rows: nothing to redo. */
    if (st == LI_ELIMIT)
        st = keys_again(c, err);
    return st == LI_OK ? candidates(c, hash, n, err) : st;
}

li_status li__committer_recheck(li__committer *c, int *stale, li_error *err) {
    li_status st = LI_OK;
    *stale = 0;
    c->stale = 0;
    c->final_check = 1;
    qsort(c->fresh, c->nfresh, sizeof c->fresh[0], cmp_u64);
    if (c->batch_lost) /* a caller that decided more than a batch: a bug */
        st = li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "lot trop grand pour la vérification");
    else
        st = li_store_leads_recheck(c->store, c->job->id, c->mine, c->nmine, 1, journal_lead, c,
                                    err);
    if (st == LI_ELIMIT) {
        st = keys_again(c, err);
        c->stale = 1;
    }
    /* Read again mid-batch: rows decided before did not see what it brought. */
    if (c->rebuilt && c->side_by_side)
        c->stale = 1;
    c->rebuilt = 0;
    c->final_check = 0;
    c->nmine = 0;
    c->nfresh = 0;
    c->batch_lost = 0;
    if (st == LI_OK && c->stale)
        li__trace("batch decided again: %s", "another import created a lead with one of its keys");
    *stale = st == LI_OK && c->stale;
    return st;
}

li_status li__committer_finish(li__committer *c, li_error *err) {
    /* Always: a resumed job may be too small now for a bulk load while an
     * earlier attempt of it began one (bulk_end is a no-op otherwise). */
    if (c->bulk) {
        li__trace("end of bulk load");
        /* The key set is done with: give its memory back before the
         * backend's end of load (SQLite sorts the key indexes). */
        li__keyset_free(&c->keys);
    }
    li_status st = li_store_bulk_end(c->store, err);
    if (st == LI_OK && c->bulk)
        li__trace("key indexes built");
    if (st == LI_OK)
        c->bulk = 0;
    return st;
}

void li__committer_free(li__committer *c) {
    li__keyset_free(&c->keys);
    li_buf_free(&c->changes);
    li_buf_free(&c->cand);
    li_user_dir_free(c->dir);
    c->dir = NULL;
}

/* --- the separate commit stage ------------------------------------------- */

typedef struct batch_row {
    uint64_t row_no;
    size_t off, len;         /* of its data in the batch arena */
    size_t err_off, err_len; /* of its warnings (JSON) in the arena */
    li__row row;             /* its values, pointing into the arena */
    uint64_t hash[LI__NKEYS]; /* of its match keys (li__committer_keys) */
} batch_row;

typedef struct batch {
    batch_row row[LI_IMPORT_BATCH];
    size_t n;
    li_buf arena;
    char *owned[LI_IMPORT_BATCH]; /* issues with an assignment warning, until written */
    size_t nowned;
    int last;     /* no batch follows: every row read, or a failure */
    li_status st; /* the reading's failure, with err */
    li_error err;
} batch;

/* li__committer_look_up()'s view of a batch: every row is a valid one. */
static const li_slice *batch_value(void *ctx, size_t i) {
    const batch *b = ctx;
    return b->row[i].row.value;
}

static void batch_release(batch *b) {
    for (size_t i = 0; i < b->nowned; i++)
        free(b->owned[i]);
    b->nowned = 0;
}

static li_status collect(const li_staged_row *r, void *ctx) {
    batch *b = ctx;
    batch_row *br = &b->row[b->n++];
    br->row_no = r->row_no;
    br->off = b->arena.len;
    br->len = r->data.len;
    br->err_off = br->off + br->len;
    br->err_len = r->errors.len;
    li_status st = li_buf_append(&b->arena, r->data.ptr, r->data.len);
    return st == LI_OK ? li_buf_append(&b->arena, r->errors.ptr, r->errors.len) : st;
}

/*
 * The reading side: the next valid rows after *after, decoded, their keys
 * hashed. On its own connection and thread when it can (while the writer
 * commits one batch, the next ones are read: the staged rows are never
 * written by the stage before it has read them), else inline.
 */
typedef struct reader {
    li__handoff q;
    li_store *store;
    int64_t job_id;
    uint64_t after;
    const li_field *match;
    size_t nmatch;
} reader;

static void fill(reader *rd, batch *b) {
    b->n = 0;
    b->st = LI_OK;
    li_error_clear(&b->err);
    li_buf_reset(&b->arena);
    b->st = li_store_rows_each(rd->store, rd->job_id, rd->after, "valid", LI_IMPORT_BATCH, collect,
                               b, &b->err);
    /* Decoded once the arena is whole: it may move while it grows. */
    for (size_t i = 0; i < b->n && b->st == LI_OK; i++) {
        batch_row *br = &b->row[i];
        if (li__row_decode((li_slice){b->arena.data + br->off, br->len}, &br->row) != LI_OK)
            b->st = li_error_set(&b->err, LI_EINTERNAL, LI_MSG_INTERNAL, "ligne préparée illisible");
        else
            li__committer_keys(rd->match, rd->nmatch, br->row.value, br->hash);
    }
    if (b->st == LI_OK && b->n)
        rd->after = b->row[b->n - 1].row_no;
    b->last = b->st != LI_OK || b->n < LI_IMPORT_BATCH;
}

static void *read_ahead(void *arg) {
    reader *rd = arg;
    for (;;) {
        batch *b = li__handoff_take_free(&rd->q);
        if (!b)
            return NULL; /* stopped */
        fill(rd, b);
        int last = b->last;
        li__handoff_give_full(&rd->q, b);
        if (last)
            return NULL;
    }
}

#define NBATCH 3

size_t li__match_keys(const li_field *match, size_t nmatch, li_field out[LI__NKEYS]) {
    size_t n = 0;
    for (size_t k = 0; k < nmatch && k < LI__NKEYS; k++)
        out[n++] = match[k];
    if (!n) {
        out[n++] = LI_FIELD_EMAIL;
        out[n++] = LI_FIELD_PHONE;
    }
    return n;
}

li_status li__commit_stage(li_store *s, li_job_rec *job, const li_import_opts *o, li__meter *meter,
                           const li__batch_hook *hook, li_error *err) {
    li_status st = LI_OK;
    li__committer c;
    batch *batches = NULL;
    reader rd;
    pthread_t thread;
    int in_tx = 0, opened = 0, started = 0;
    li_error again_err;

    memset(&rd, 0, sizeof rd);
    li__handoff_init(&rd.q);
    job->state = LI_JOB_IMPORTING;
    job->phase = LI_PHASE_COMMIT;
    if ((st = li_store_begin(s, err)) != LI_OK)
        goto out;
    in_tx = 1;
    if ((st = li__hook_start(hook, job, err)) != LI_OK ||
        (st = li_store_job_update(s, job, err)) != LI_OK || (st = li_store_commit(s, err)) != LI_OK)
        goto out;
    in_tx = 0;
    uint64_t done = job->created + job->updated + job->skipped;
    st = li__committer_open(&c, s, job, o, job->valid - done, err);
    opened = 1;
    if (st != LI_OK || (st = li__assign_setup(&c, s, o, err)) != LI_OK)
        goto out;
    if (!(batches = calloc(NBATCH, sizeof *batches))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    for (int i = 0; i < NBATCH; i++) {
        li_buf_init(&batches[i].arena, 0);
        li__handoff_give_free(&rd.q, &batches[i]);
    }
    rd.job_id = job->id;
    rd.after = job->commit_row;
    rd.match = c.match;
    rd.nmatch = c.nmatch;
    /* Without a second connection, the rows are read between the batches. */
    if (li_store_open_again(s, &rd.store, &again_err) == LI_OK) {
        if (pthread_create(&thread, NULL, read_ahead, &rd) == 0) {
            (void)pthread_setname_np(thread, "li-commit-read");
            started = 1;
        } else {
            li_store_close(rd.store);
            rd.store = NULL;
        }
    }
    for (;;) {
        batch *b;
        if (started) {
            b = li__handoff_take_full(&rd.q);
        } else {
            b = li__handoff_take_free(&rd.q);
            rd.store = s;
            fill(&rd, b);
            rd.store = NULL;
        }
        if (b->st != LI_OK) {
            st = b->st;
            if (err)
                *err = b->err;
            li__handoff_give_free(&rd.q, b);
            goto out;
        }
        const li_job_rec before = *job;
        for (int stale = 1; b->n && stale;) {
            if ((st = li_store_begin(s, err)) != LI_OK)
                goto out;
            in_tx = 1;
            li_store_now(c.now);
            if ((st = li__committer_look_up(&c, b->n, batch_value, b, err)) != LI_OK)
                goto out;
            if (c.side_by_side) {
                uint64_t hash[LI_IMPORT_BATCH][LI__NKEYS];
                for (size_t i = 0; i < b->n; i++)
                    memcpy(hash[i], b->row[i].hash, sizeof hash[i]);
                if ((st = li__committer_before_batch(&c, (const uint64_t (*)[LI__NKEYS])hash,
                                                     b->n, err)) != LI_OK)
                    goto out;
            }
            for (size_t i = 0; i < b->n; i++) {
                batch_row *br = &b->row[i];
                /* The key set is bigger than the CPU's caches: fetch ahead. */
                if (i + 8 < b->n)
                    li__committer_prefetch(&c, b->row[i + 8].hash);
                li__outcome oc;
                if ((st = li__committer_row_hashed(&c, &br->row, br->hash, br->row_no, &oc,
                                                   err)) != LI_OK)
                    goto out;
                li_slice data = {b->arena.data + br->off, br->len};
                li_slice errors = {b->arena.data + br->err_off, br->err_len};
                int first_warning = 0;
                if (li__outcome_errors(&oc, &errors, &b->owned[b->nowned], &first_warning) !=
                    LI_OK) {
                    st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
                    goto out;
                }
                b->nowned += b->owned[b->nowned] != NULL;
                job->warnings += (uint64_t)first_warning;
                /* The row again, with its outcome: a deferred replace, batched
                 * like every other write (as on the one-pass path). A row that
                 * only created its lead stays as it was staged: a valid row at
                 * or below the commit checkpoint reads as imported (store.h),
                 * its lead found by (job, row). Rewriting them all cost 2.8 s
                 * per million rows, a third of the stage. */
                li_staged_row sr = {.row_no = br->row_no, .data = data, .errors = errors};
                li__outcome_stage(&oc, &sr);
                if (!sr.data.ptr)
                    continue;
                if ((st = li_store_row_put(s, job->id, &sr, err)) != LI_OK)
                    goto out;
            }
            if ((st = li__committer_recheck(&c, &stale, err)) != LI_OK)
                goto out;
            if (stale) { /* another import's leads meanwhile: the same rows again */
                li_store_rollback(s);
                in_tx = 0;
                *job = before;
                batch_release(b);
            }
        }
        if (b->n) {
            done += b->n;
            job->commit_row = b->row[b->n - 1].row_no;
            job->rows_per_s = li__meter_add(meter, done);
            /* nothing left: 0; a rhythm not known yet: unknown (-1), not « no time » */
            job->eta_s = job->valid <= done      ? 0
                         : job->rows_per_s > 0 ? (int64_t)((double)(job->valid - done) /
                                                           job->rows_per_s)
                                               : -1;
            if ((st = li__hook_call(hook, job, err)) != LI_OK ||
                (st = li_store_job_update(s, job, err)) != LI_OK ||
                (st = li_store_commit(s, err)) != LI_OK)
                goto out;
            in_tx = 0;
            batch_release(b); /* written: the deferred rows no longer point at them */
            if (li__meter_due(meter))
                li__progress_emit(o, job, done, job->valid, job->rows_per_s);
        }
        int last = b->last;
        li__handoff_give_free(&rd.q, b);
        if (last)
            break;
    }
    if ((st = li_store_begin(s, err)) != LI_OK)
        goto out;
    in_tx = 1;
    job->state = LI_JOB_COMPLETED;
    job->phase = LI_PHASE_DONE;
    job->eta_s = 0;
    li_store_now(job->finished_at);
    if ((st = li__hook_call(hook, job, err)) != LI_OK ||
        (st = li__committer_finish(&c, err)) != LI_OK ||
        (st = li_store_job_update(s, job, err)) != LI_OK || (st = li_store_commit(s, err)) != LI_OK)
        goto out;
    in_tx = 0;
    li__progress_emit(o, job, done, job->valid, li__meter_add(meter, done));
out:
    if (in_tx)
        li_store_rollback(s);
    if (started) {
        li__handoff_stop(&rd.q);
        pthread_join(thread, NULL);
    }
    if (rd.store)
        li_store_close(rd.store);
    for (int i = 0; batches && i < NBATCH; i++) {
        batch_release(&batches[i]);
        li_buf_free(&batches[i].arena);
    }
    free(batches);
    li__handoff_destroy(&rd.q);
    if (opened)
        li__committer_free(&c);
    return st;
}
