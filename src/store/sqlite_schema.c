/*
 * sqlite_schema.c — the versioned migrations of the SQLite backend.
 *
 * Migration N brings the schema from version N-1 to N. A migration is never
 * edited once released: a change of schema is a new entry at the end.
 * Names and meanings follow docs/architecture.md (data model).
 */
#include <stddef.h>

#include "storeInt.h"

const char li__sqlite_lead_key_indexes[] = LI__SQLITE_LEAD_KEY_INDEXES;

const char *const li__sqlite_migrations[] = {
    /* 1: the core tables */
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('admin','commercial')),"
    "  password_hash TEXT,"
    "  active INTEGER NOT NULL DEFAULT 1,"
    "  created_at TEXT NOT NULL);"
    "CREATE TABLE import_jobs ("
    "  id INTEGER PRIMARY KEY,"
    "  file_name TEXT NOT NULL,"
    "  file_size INTEGER NOT NULL,"
    "  file_sha256 TEXT NOT NULL,"
    "  blob_key TEXT,"
    "  format TEXT, sheet TEXT, encoding TEXT, delimiter TEXT, has_header INTEGER,"
    "  header TEXT, mapping TEXT, options TEXT,"
    "  status TEXT NOT NULL, phase TEXT,"
    "  rows_total INTEGER NOT NULL DEFAULT 0, rows_valid INTEGER NOT NULL DEFAULT 0,"
    "  rows_invalid INTEGER NOT NULL DEFAULT 0, rows_warned INTEGER NOT NULL DEFAULT 0,"
    "  created INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0,"
    "  skipped INTEGER NOT NULL DEFAULT 0,"
    "  bytes_total INTEGER NOT NULL DEFAULT 0, bytes_done INTEGER NOT NULL DEFAULT 0,"
    "  parse_offset INTEGER NOT NULL DEFAULT 0, parse_row INTEGER NOT NULL DEFAULT 0,"
    "  commit_row INTEGER NOT NULL DEFAULT 0,"
    "  rows_per_s REAL NOT NULL DEFAULT 0, eta_s INTEGER NOT NULL DEFAULT -1,"
    "  worker TEXT, heartbeat_at TEXT, attempts INTEGER NOT NULL DEFAULT 0, error TEXT,"
    "  created_by INTEGER REFERENCES users(id),"
    "  created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, report_key TEXT);"
    "CREATE INDEX import_jobs_sha ON import_jobs(file_sha256);"
    /* WITHOUT ROWID: rows live in (job, row_no) order, the order every
     * stage reads them in, and the key makes a re-staged row replace itself. */
    "CREATE TABLE import_rows ("
    "  job_id INTEGER NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,"
    "  row_no INTEGER NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('valid','invalid','imported','updated','skipped')),"
    "  data TEXT, errors TEXT, lead_id INTEGER,"
    "  PRIMARY KEY (job_id, row_no)) WITHOUT ROWID;"
    "CREATE TABLE leads ("
    "  id INTEGER PRIMARY KEY,"
    "  first_name TEXT, last_name TEXT, email TEXT, phone TEXT, company TEXT,"
    "  job_title TEXT, address TEXT, postal_code TEXT, city TEXT, country TEXT,"
    "  source TEXT, notes TEXT, external_id TEXT, owner TEXT,"
    "  status TEXT NOT NULL DEFAULT 'new',"
    "  assigned_to INTEGER REFERENCES users(id),"
    "  custom TEXT,"
    "  import_job_id INTEGER, import_row INTEGER,"
    "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
    /* Partial indexes: most leads lack one key or another, and NULLs would
     * only make the deduplication look-ups' indexes bigger. */
    LI__SQLITE_LEAD_KEY_INDEXES
    "CREATE INDEX leads_import_job ON leads(import_job_id, import_row)"
    "  WHERE import_job_id IS NOT NULL;"
    "CREATE TABLE lead_history ("
    "  id INTEGER PRIMARY KEY,"
    "  lead_id INTEGER NOT NULL,"
    "  action TEXT NOT NULL CHECK (action IN ('created','updated','assigned','reverted')),"
    "  job_id INTEGER, actor INTEGER, changes TEXT, at TEXT NOT NULL);"
    "CREATE INDEX lead_history_lead ON lead_history(lead_id);"
    /* By job, only what is not a creation: the leads a job created are
     * found through leads(import_job_id), and an import writes one
     * creation per lead, the hot path. */
    "CREATE INDEX lead_history_job ON lead_history(job_id)"
    "  WHERE job_id IS NOT NULL AND action <> 'created';",

    /* 2: saved column mappings. A named one is a template (--mapping NAME);
     * one without a name is remembered for its header signature (the
     * folded headers), proposed again to the next file with those headers. */
    "CREATE TABLE mappings ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT UNIQUE,"
    "  header_sig TEXT NOT NULL,"
    "  headers TEXT NOT NULL,"
    "  mapping TEXT NOT NULL,"
    "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, used_at TEXT);"
    "CREATE UNIQUE INDEX mappings_remembered ON mappings(header_sig) WHERE name IS NULL;",

    /* 3: duplicate strategies and assignment. duplicate_of flags a lead
     * created anyway (--on-duplicate create) beside the one it matched;
     * phone_type keeps what the numbering plan says (mobile, fixe...);
     * the job counts leads assigned (the round-robin position, saved with
     * each checkpoint) and leads flagged as possible duplicates. */
    "ALTER TABLE leads ADD COLUMN duplicate_of INTEGER;"
    "ALTER TABLE leads ADD COLUMN phone_type TEXT;"
    "ALTER TABLE import_jobs ADD COLUMN assigned INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE import_jobs ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX leads_assigned_to ON leads(assigned_to) WHERE assigned_to IS NOT NULL;",

    /* 4: the work queue. A job's work is a sequence of items (parse, then
     * commit, then report) that workers claim with a lease (owner
     * "host:pid:thread", expiry) and renew while they run; an item whose
     * lease expired or whose owner is a dead process on this host is
     * claimed again. exclusive marks an item that writes leads: one at a
     * time, since a committer's in-memory key set must see every lead.
     * The partial index holds only what a claim looks at. */
    "CREATE TABLE work_items ("
    "  id INTEGER PRIMARY KEY,"
    "  job_id INTEGER NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('parse','commit','report')),"
    "  state TEXT NOT NULL CHECK (state IN ('queued','running','done','dead','cancelled')),"
    "  exclusive INTEGER NOT NULL DEFAULT 0,"
    "  run_at TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  max_attempts INTEGER NOT NULL DEFAULT 5,"
    "  lease_owner TEXT, lease_expiry TEXT, last_error TEXT,"
    "  created_at TEXT NOT NULL, finished_at TEXT);"
    "CREATE INDEX work_items_runnable ON work_items(run_at)"
    "  WHERE state IN ('queued','running');"
    "CREATE INDEX work_items_job ON work_items(job_id);",

    /* 5: what a duplicate row matched. match_key is the match key that
     * decided ('email', 'phone', 'external_id') and match_lead the lead
     * it matched, for a row skipped or updated (then lead_id is that lead)
     * and for a row created anyway as a possible duplicate (status
     * 'imported', lead_id the new lead). NULL for every other row: a
     * listing by outcome reads the job's rows in order, with no index to
     * keep up on the import's hot path. */
    "ALTER TABLE import_rows ADD COLUMN match_key TEXT;"
    "ALTER TABLE import_rows ADD COLUMN match_lead INTEGER;",

    /* 6: cheaper checks, and the rows a report lists behind an index.
     * SQLite (3.40) codes the IN list of three values or more in a CHECK
     * as an ephemeral table that it builds again for every row inserted:
     * two per imported row (staged row, history entry), a 4 KiB page
     * cleared each time, 15 % of the 1M-row import's instructions. The
     * same rule spelled with = and OR is a few comparisons. A CHECK cannot
     * be altered in place: both tables are rebuilt, their rows copied once.
     * The partial index holds the few percent of a job's rows its report
     * lists, so that the report and its count read those, not every row;
     * the import's hot path pays the test of its WHERE per row and an
     * append in key order for the rows it holds. */
    "CREATE TABLE import_rows_v6 ("
    "  job_id INTEGER NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,"
    "  row_no INTEGER NOT NULL,"
    "  status TEXT NOT NULL CHECK (status = 'valid' OR status = 'invalid' OR"
    "    status = 'imported' OR status = 'updated' OR status = 'skipped'),"
    "  data TEXT, errors TEXT, lead_id INTEGER, match_key TEXT, match_lead INTEGER,"
    "  PRIMARY KEY (job_id, row_no)) WITHOUT ROWID;"
    "INSERT INTO import_rows_v6 SELECT job_id, row_no, status, data, errors, lead_id,"
    "  match_key, match_lead FROM import_rows;"
    "DROP TABLE import_rows;"
    "ALTER TABLE import_rows_v6 RENAME TO import_rows;"
    "CREATE INDEX import_rows_listed ON import_rows(job_id, row_no) WHERE"
    LI__SQLITE_REPORT_ROWS ";"
    "CREATE TABLE lead_history_v6 ("
    "  id INTEGER PRIMARY KEY,"
    "  lead_id INTEGER NOT NULL,"
    "  action TEXT NOT NULL CHECK (action = 'created' OR action = 'updated' OR"
    "    action = 'assigned' OR action = 'reverted'),"
    "  job_id INTEGER, actor INTEGER, changes TEXT, at TEXT NOT NULL);"
    "INSERT INTO lead_history_v6 SELECT id, lead_id, action, job_id, actor, changes, at"
    "  FROM lead_history;"
    "DROP TABLE lead_history;"
    "ALTER TABLE lead_history_v6 RENAME TO lead_history;"
    "CREATE INDEX lead_history_lead ON lead_history(lead_id);"
    "CREATE INDEX lead_history_job ON lead_history(job_id)"
    "  WHERE job_id IS NOT NULL AND action <> 'created';",

    /* 7: the review step. A job created with --review (or through the
     * library's li_review_*) has one row here, written with the job: its
     * presence tells the worker to stop the job at "ready" after the
     * analysis instead of queueing its commit; review holds the analysis's
     * counts and predictions (JSON, review.c), so that showing a review
     * reads one row. Deleted with its job. (IF NOT EXISTS: a database
     * taken back to an older version by hand may still have it.) */
    "CREATE TABLE IF NOT EXISTS import_reviews ("
    "  job_id INTEGER PRIMARY KEY REFERENCES import_jobs(id) ON DELETE CASCADE,"
    "  review TEXT NOT NULL);",

    /* 8: sessions and login attempts of the HTTP server (users/sessions.c).
     * A session is stored under the SHA-256 of its token (a copy of the
     * database gives no usable cookie); times are Unix seconds. Failed
     * logins are rows, so that several servers on one database share the
     * rate limit; they are pruned as they age out of the window. */
    "CREATE TABLE IF NOT EXISTS sessions ("
    "  token_hash TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, expires INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);"
    "CREATE TABLE IF NOT EXISTS login_failures ("
    "  kind TEXT NOT NULL, key TEXT NOT NULL, at INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures(kind, key, at);"
    "CREATE INDEX IF NOT EXISTS login_failures_at ON login_failures(at);",

    /* 9: a lead id is never given twice. New leads took max(id)+1: after a
     * revert, the next import gave the reverted leads' ids again, and the
     * history they left (kept: it is the audit trail) read as the new
     * leads'. lead_ids keeps the highest id ever given; it starts above every
     * id the history knows. */
    "CREATE TABLE IF NOT EXISTS lead_ids (last_id INTEGER NOT NULL);"
    "INSERT INTO lead_ids SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM lead_ids);"
    "UPDATE lead_ids SET last_id=max(last_id, coalesce((SELECT max(id) FROM leads), 0),"
    " coalesce((SELECT max(lead_id) FROM lead_history), 0));",

    /* 10: nothing here. On PostgreSQL, import_rows loses its foreign key to
     * import_jobs (pg_schema.c): SQLite checks it in process, for little. */
    "SELECT 1;",

    /* 11: nothing here. On PostgreSQL, lead_commits (pg_schema.c): SQLite
     * runs one committer at a time. */
    "SELECT 1;",

    /* 12: nothing here. On PostgreSQL, the journal's key hashes stored
     * without compression (pg_schema.c). */
    "SELECT 1;",
    NULL,
};
