/*
 * storeInt.h — what the files of the store module share.
 */
#ifndef LEADIMPORT_STORE_INT_H
#define LEADIMPORT_STORE_INT_H

#include "leadimport/store.h"

/*
 * The indexes on the leads' match keys. A bulk commit may drop them and build
 * them again at its end (sorting once is far cheaper than a random B-tree
 * insert per row); `IF NOT EXISTS` lets the same text restore them whenever
 * they are missing.
 */
#define LI__SQLITE_LEAD_KEY_INDEXES                                                              \
    "CREATE INDEX IF NOT EXISTS leads_email ON leads(email) WHERE email IS NOT NULL;"           \
    "CREATE INDEX IF NOT EXISTS leads_phone ON leads(phone) WHERE phone IS NOT NULL;"           \
    "CREATE INDEX IF NOT EXISTS leads_external_id ON leads(external_id)"                       \
    "  WHERE external_id IS NOT NULL;"
extern const char li__sqlite_lead_key_indexes[];

/*
 * The rows a report lists (store.h): refused, matched a lead (skipped,
 * updated, or created with match_lead set), or imported with issues. The
 * partial index import_rows_listed (migration 6) holds exactly these, so
 * that the report and its count read a few percent of a job's rows instead
 * of scanning them all; a query uses it only if its WHERE has this very
 * text, hence one macro. No IN list: see migration 6.
 */
#define LI__SQLITE_REPORT_ROWS                                                                   \
    " (status = 'invalid' OR status = 'skipped' OR status = 'updated' OR"                          \
    " (status = 'imported' AND (match_lead IS NOT NULL OR errors IS NOT NULL)))"

/* NULL-terminated list of SQLite migrations; entry i brings version i to i+1. */
extern const char *const li__sqlite_migrations[];

/*
 * Registers the write-coalescing VFS (sqlite_vfs.c) once per process; returns
 * its name, or NULL if it could not be set up (then the default VFS is used).
 */
#define LI__SQLITE_VFS_NAME "li-coalesce"
const char *li__sqlite_vfs_register(void);
/* 1: this thread's writes may use the WAL's spare reservation (sqlite_vfs.c). */
void li__sqlite_vfs_use_spare(int on);

/*
 * For the other files of the backend (sqlite_users.c...): the connection,
 * and the French error of its last failure (LI_EDB).
 */
typedef struct sqlite3 sqlite3;
sqlite3 *li__sqlite_db(li_store *s);
li_status li__sqlite_error(li_store *s, li_error *err);

/*
 * Failures (sqlite_fault.c). li__sqlite_fault() turns the extended result
 * code of a failed call and the errno behind it (sqlite3_system_errno) into
 * the store's status and French message: LI_ENOSPACE (disk full, quota),
 * LI_EREADONLY, LI_EBUSY (locked past the busy timeout; the message names
 * the process holding the lock when /proc/locks tells it), else LI_EDB.
 * path is the database's, for the message. The busy timeout is
 * LI__SQLITE_BUSY_TIMEOUT_S seconds, or $LEADIMPORT_BUSY_TIMEOUT;
 * li__sqlite_busy_restore() installs the handler that waits for it.
 */
#define LI__SQLITE_BUSY_TIMEOUT_S 10.0
li_status li__sqlite_fault(sqlite3 *db, const char *path, int code, int sys_errno,
                           li_error *err);
double li__sqlite_busy_timeout(void);
void li__sqlite_busy_restore(sqlite3 *db);
/* Who holds a lock on the database at path, in French ("le processus 12 (« python3 »)"). */
void li__sqlite_lock_holder(sqlite3 *db, const char *path, char *out, size_t cap);

/*
 * The queue's part of opening a connection (sqlite_queue.c): registers the
 * SQL function li_owner_alive(owner) that claims use to take back the items
 * of dead processes.
 */
li_status li__sqlite_queue_setup(li_store *s, li_error *err);

#endif
