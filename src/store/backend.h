/*
 * backend.h — what a store backend implements (private to src/store).
 *
 * A li_store is a backend's connection; its first member is the table of
 * operations that the public functions of store.h dispatch through (one
 * line each, generated in store.c from store_ops.def). store.c picks the
 * backend by the scheme of the --db URL (li__store_backends) and owns
 * nothing else. A backend provides:
 *
 *   - a li_store_backend: its URL schemes, open (create or not, apply the
 *     pending migrations) and url_guard (what an output file must never
 *     replace, without connecting);
 *   - one function per line of store_ops.def, with the contract of store.h
 *     and the guarantees below, which the job layer relies on:
 *
 * Transactions. begin/commit/rollback bracket every write of the job layer;
 *   a commit is durable and all or nothing (a crash loses at most the last
 *   transactions, never half of one): resuming an import relies on the
 *   checkpoint and the rows of a batch being committed together. begin
 *   takes the write lock at once (SQLite: BEGIN IMMEDIATE): the claim's
 *   select-then-update and the lead ids below need it. A call outside a
 *   transaction is its own transaction.
 * Deferred batched inserts. row_put and lead_insert may queue the row and
 *   write it with others at flush (multi-row INSERT, COPY...): per-row
 *   statements are the cost of a 1M-row import. commit and every read that
 *   could see a queued row flush first; rollback drops the queue. Borrowed
 *   strings stay valid until then (store.h).
 * Ids known at insert time. lead_insert returns the lead's id at once, while
 *   the insert may still be queued: the committer records it in the key set
 *   and the staged row before anything is written. Ids are consecutive
 *   within a transaction (SQLite: max(id)+1 under the write lock; a server
 *   database would reserve a range from a sequence). lead_keys of a queued
 *   lead answers from the queue.
 * Key set cursor. lead_keys_each streams the match keys of every lead once,
 *   without loading the table: the committer builds its in-memory key set
 *   from it; leads_max_id bounds its size.
 * Queue claim with lease. work_claim hands a runnable item to one worker
 *   only (SQLite: under the write lock; PostgreSQL: FOR UPDATE SKIP LOCKED),
 *   with a lease that work_renew extends at each checkpoint. Liveness is the
 *   lease: an item running under an expired lease is runnable again, and is
 *   never "live" (li_job_rec.live, li_work_item.live). The backend may end
 *   the lease of an owner known to be dead sooner: li__owner_alive() tells
 *   for an owner of this host; it is called in C, never from SQL, because
 *   the database may be on another machine.
 * Bulk-load hint. bulk_begin(expected_rows) comes before a commit stage
 *   writes leads, bulk_end after its last batch (and after a failure or a
 *   stop). The backend may prepare for many inserts (SQLite drops the match
 *   key indexes and sorts them again at bulk_end, when that is cheaper) as
 *   long as every operation stays correct in between; *slow_end says that
 *   bulk_end will take time (the progress says so). Whatever an interrupted
 *   bulk load left is repaired by the next bulk_end or migrate.
 */
#ifndef LEADIMPORT_STORE_BACKEND_H
#define LEADIMPORT_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "leadimport/store.h"

typedef struct li_store_ops {
#define LI_STORE_OP(R, name, params, args) R(*name) params;
#define LI_STORE_VOP(name, params, args) void(*name) params;
#define LI_STORE_IOP(name, params, args) li_status(*name) params;
#include "store_ops.def"
#undef LI_STORE_OP
#undef LI_STORE_VOP
#undef LI_STORE_IOP
} li_store_ops;

/* The part of every backend's connection that store.c reads. */
struct li_store {
    const li_store_ops *ops;
};

typedef struct li_store_backend {
    const char *name;       /* for messages: "SQLite" */
    const char *schemes[3]; /* URL prefixes it accepts, e.g. "sqlite:"; NULL-terminated */
    /* location: the URL without its scheme, never empty. create: 0 for
     * li_store_open_existing (LI_EUSAGE db_missing when it does not exist). */
    li_status (*open)(const char *location, int create, li_store **out, li_error *err);
    li_status (*url_guard)(const char *location, li_outfile_guard *g, char **owned, li_error *err);
} li_store_backend;

extern const li_store_backend li__sqlite_backend;
extern const li_store_backend li__pg_backend;

/*
 * The same-host fast path of lease expiry: 0 if owner ("host:pid:thread")
 * is a process of this host that no longer runs (or a zombie), 1 otherwise
 * (alive, of another host, or not readable: then only its lease decides).
 */
int li__owner_alive(const char *owner);

#endif
