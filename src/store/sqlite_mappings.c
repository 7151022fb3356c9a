/*
 * sqlite_mappings.c — saved column mappings in the SQLite backend (table
 * mappings; see store.h): templates saved under a name, and the mapping
 * remembered for a header signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storeInt.h"

/* The columns of a mapping, read by mapping_from_row(). */
#define MAPPING_COLUMNS(X)                                                                         \
    X(id, "id")                                                                                    \
    X(name, "name")                                                                                \
    X(header_sig, "header_sig")                                                                    \
    X(headers, "headers")                                                                          \
    X(mapping, "mapping")                                                                          \
    X(created_at, "created_at")                                                                    \
    X(updated_at, "updated_at")                                                                    \
    X(used_at, "used_at")

#define MAPPING_COL_POS(name, sql) MAPPING_COL_##name,
enum { MAPPING_COLUMNS(MAPPING_COL_POS) MAPPING_COL__COUNT };
#define MAPPING_SELECT "SELECT " LI__SQLITE_COLUMN_TEXT(MAPPING_COLUMNS) " FROM mappings"

static li_status mapping_from_row(sqlite3_stmt *q, li_mapping_rec *m, li_error *err) {
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(q, MAPPING_COL_id);
    li__sqlite_col_copy(m->name, sizeof m->name, q, MAPPING_COL_name);
    li__sqlite_col_copy(m->header_sig, sizeof m->header_sig, q, MAPPING_COL_header_sig);
    const char *h = (const char *)sqlite3_column_text(q, MAPPING_COL_headers);
    const char *j = (const char *)sqlite3_column_text(q, MAPPING_COL_mapping);
    m->headers_json = strdup(h ? h : "[]");
    m->mapping_json = strdup(j ? j : "{}");
    li__sqlite_col_copy(m->created_at, sizeof m->created_at, q, MAPPING_COL_created_at);
    li__sqlite_col_copy(m->updated_at, sizeof m->updated_at, q, MAPPING_COL_updated_at);
    li__sqlite_col_copy(m->used_at, sizeof m->used_at, q, MAPPING_COL_used_at);
    if (!m->headers_json || !m->mapping_json) {
        li_mapping_rec_free(m);
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    return LI_OK;
}

li_status li__sqlite_mapping_save(li_store *store, const char *name, const char *header_sig,
                                  const char *headers_json, const char *mapping_json,
                                  li_error *err) {
    li__sqlite *s = li__sq(store);
    /* Replace by name, or by signature for a remembered one, keeping the
     * creation date: read it, delete, insert. The write lock is taken
     * before the read (BEGIN IMMEDIATE, waiting its turn): a transaction
     * that has read cannot wait for the lock when it comes to write, and
     * SQLite refuses it at once whenever a worker of the server holds it.
     * Inside the caller's transaction (immediate too) a savepoint is enough. */
    int own_tx = sqlite3_get_autocommit(s->db);
    li_status st = own_tx ? li__sqlite_begin(store, err)
                          : li__sqlite_exec(s, "SAVEPOINT mapping_save;", err);
    if (st != LI_OK)
        return st;
    sqlite3_stmt *q = NULL;
    char now[32];
    li_store_now(now);
    const char *keep = name
                           ? "SELECT created_at FROM mappings WHERE name=?1"
                           : "SELECT created_at FROM mappings WHERE name IS NULL AND header_sig=?1";
    const char *del = name ? "DELETE FROM mappings WHERE name=?1"
                           : "DELETE FROM mappings WHERE name IS NULL AND header_sig=?1";
    char created[32];
    snprintf(created, sizeof created, "%s", now);
    if (sqlite3_prepare_v2(s->db, keep, -1, &q, NULL) != SQLITE_OK)
        goto dberr;
    sqlite3_bind_text(q, 1, name ? name : header_sig, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        li__sqlite_col_copy(created, sizeof created, q, 0);
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(s->db, del, -1, &q, NULL) != SQLITE_OK)
        goto dberr;
    sqlite3_bind_text(q, 1, name ? name : header_sig, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        goto dberr;
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO mappings(name, header_sig, headers, mapping, created_at,"
                           " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &q, NULL) != SQLITE_OK)
        goto dberr;
    li__sqlite_bind_text(q, 1, name);
    sqlite3_bind_text(q, 2, header_sig, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, headers_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, mapping_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, created, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, now, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        goto dberr;
    sqlite3_finalize(q);
    return li__sqlite_exec(s, own_tx ? "COMMIT" : "RELEASE mapping_save;", err);
dberr:
    st = li__sqlite_fail(s, err);
    sqlite3_finalize(q);
    li__sqlite_exec(s, own_tx ? "ROLLBACK" : "ROLLBACK TO mapping_save; RELEASE mapping_save;",
                    NULL);
    return st;
}

li_status li__sqlite_mapping_get(li_store *store, const char *name, const char *header_sig,
                                 li_mapping_rec *out, int *found, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *found = 0;
    const char *sql = name ? MAPPING_SELECT " WHERE name=?1"
                           : MAPPING_SELECT " WHERE name IS NULL AND header_sig=?1";
    if ((st = li__sqlite_prepare(s, sql, &q, err)) != LI_OK)
        return st;
    sqlite3_bind_text(q, 1, name ? name : header_sig, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        st = mapping_from_row(q, out, err);
        *found = st == LI_OK;
    } else if (rc != SQLITE_DONE) {
        st = li__sqlite_fail(s, err);
    }
    sqlite3_finalize(q);
    if (*found) { /* when it was last used: `mappings list` shows it */
        char now[32];
        li_store_now(now);
        if (sqlite3_prepare_v2(s->db, "UPDATE mappings SET used_at=?2 WHERE id=?1", -1, &q, NULL) ==
            SQLITE_OK) {
            sqlite3_bind_int64(q, 1, out->id);
            sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
            sqlite3_step(q); /* best effort: a read-only moment must not fail the import */
            sqlite3_finalize(q);
        }
    }
    return st;
}

li_status li__sqlite_mappings_each(li_store *store, int remembered, li_mapping_cb cb, void *ctx,
                                   li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    const char *sql = remembered ? MAPPING_SELECT " ORDER BY name IS NULL, name, updated_at DESC"
                                 : MAPPING_SELECT " WHERE name IS NOT NULL ORDER BY name";
    if ((st = li__sqlite_prepare(s, sql, &q, err)) != LI_OK)
        return st;
    int rc;
    while (st == LI_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        li_mapping_rec m;
        if ((st = mapping_from_row(q, &m, err)) != LI_OK)
            break;
        st = cb(&m, ctx);
        li_mapping_rec_free(&m);
    }
    if (st == LI_OK && rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_mapping_delete(li_store *store, const char *name, int *found, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *found = 0;
    if ((st = li__sqlite_prepare(s, "DELETE FROM mappings WHERE name=?1", &q, err)) != LI_OK)
        return st;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
    else
        *found = sqlite3_changes(s->db) > 0;
    sqlite3_finalize(q);
    return st;
}
