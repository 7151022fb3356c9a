/*
 * pg_mappings.c — saved column mappings in the PostgreSQL backend (table
 * mappings, migration 2; see store.h): templates saved under a name, and
 * the mapping remembered for a header signature.
 *
 * Each operation is one statement, so that it is atomic inside or outside
 * the caller's transaction (PostgreSQL has no SAVEPOINT outside a
 * transaction, and a failed statement inside one aborts it): a save is a
 * DELETE and an INSERT in one statement (the row deleted by the statement
 * does not count against the unique index), a read that records its use
 * reads the row as it was before (a CTE sees the statement's snapshot).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgInt.h"

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
#define MAPPING_SELECT "SELECT " LI__PG_COLUMN_TEXT(MAPPING_COLUMNS) " FROM mappings"

/* The row of a name, or the remembered one of a signature ($1 either way). */
#define BY_NAME " WHERE name = $1"
#define BY_SIG " WHERE name IS NULL AND header_sig = $1"

static li_status mapping_from_row(const PGresult *r, int row, li_mapping_rec *m, li_error *err) {
    memset(m, 0, sizeof *m);
    m->id = li__pg_col_int(r, row, MAPPING_COL_id);
    li__pg_col_copy(m->name, sizeof m->name, r, row, MAPPING_COL_name);
    li__pg_col_copy(m->header_sig, sizeof m->header_sig, r, row, MAPPING_COL_header_sig);
    const char *h = li__pg_col_text(r, row, MAPPING_COL_headers);
    const char *j = li__pg_col_text(r, row, MAPPING_COL_mapping);
    m->headers_json = strdup(h ? h : "[]");
    m->mapping_json = strdup(j ? j : "{}");
    li__pg_col_copy(m->created_at, sizeof m->created_at, r, row, MAPPING_COL_created_at);
    li__pg_col_copy(m->updated_at, sizeof m->updated_at, r, row, MAPPING_COL_updated_at);
    li__pg_col_copy(m->used_at, sizeof m->used_at, r, row, MAPPING_COL_used_at);
    if (!m->headers_json || !m->mapping_json) {
        li_mapping_rec_free(m);
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    return LI_OK;
}

li_status li__pg_mapping_save(li_store *store, const char *name, const char *header_sig,
                              const char *headers_json, const char *mapping_json, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    char now[32];
    li_store_now(now);
    /* Replaced by name, or by signature for a remembered one, keeping the
     * creation date of the row it replaces. */
    static const char by_name[] =
        "WITH old AS (DELETE FROM mappings" BY_NAME " RETURNING created_at)"
        " INSERT INTO mappings (name, header_sig, headers, mapping, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, coalesce((SELECT created_at FROM old), $5), $5)";
    static const char by_sig[] =
        "WITH old AS (DELETE FROM mappings" BY_SIG " RETURNING created_at)"
        " INSERT INTO mappings (name, header_sig, headers, mapping, created_at, updated_at)"
        " VALUES (NULL, $1, $2, $3, coalesce((SELECT created_at FROM old), $4), $4)";
    if (name)
        li__pg_arg_text(&a, name);
    li__pg_arg_text(&a, header_sig);
    li__pg_arg_text(&a, headers_json);
    li__pg_arg_text(&a, mapping_json);
    li__pg_arg_text(&a, now);
    return li__pg_run(s, name ? by_name : by_sig, &a, NULL, err);
}

li_status li__pg_mapping_get(li_store *store, const char *name, const char *header_sig,
                             li_mapping_rec *out, int *found, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    char now[32];
    *found = 0;
    li_store_now(now);
    /* When it was last used: `mappings list` shows it. The row is given as
     * it was before (as SQLite reads it, then updates). */
    static const char by_name[] =
        "WITH m AS (" MAPPING_SELECT BY_NAME "),"
        " u AS (UPDATE mappings SET used_at = $2 WHERE id IN (SELECT id FROM m))"
        " SELECT * FROM m";
    static const char by_sig[] =
        "WITH m AS (" MAPPING_SELECT BY_SIG "),"
        " u AS (UPDATE mappings SET used_at = $2 WHERE id IN (SELECT id FROM m))"
        " SELECT * FROM m";
    li__pg_arg_text(&a, name ? name : header_sig);
    li__pg_arg_text(&a, now);
    li_status st = li__pg_run(s, name ? by_name : by_sig, &a, &r, err);
    if (st == LI_OK && PQntuples(r) >= 1) {
        st = mapping_from_row(r, 0, out, err);
        *found = st == LI_OK;
    }
    PQclear(r);
    return st;
}

li_status li__pg_mappings_each(li_store *store, int remembered, li_mapping_cb cb, void *ctx,
                               li_error *err) {
    li__pg *s = li__pgs(store);
    PGresult *r = NULL;
    /* COLLATE "C": SQLite's byte order, whatever the database's locale. */
    const char *sql = remembered
                          ? MAPPING_SELECT
        " ORDER BY name IS NULL, name COLLATE \"C\", updated_at DESC"
                          : MAPPING_SELECT " WHERE name IS NOT NULL ORDER BY name COLLATE \"C\"";
    li_status st = li__pg_run(s, sql, NULL, &r, err);
    for (int i = 0; st == LI_OK && i < PQntuples(r); i++) {
        li_mapping_rec m;
        if ((st = mapping_from_row(r, i, &m, err)) != LI_OK)
            break;
        st = cb(&m, ctx);
        li_mapping_rec_free(&m);
    }
    PQclear(r);
    return st;
}

li_status li__pg_mapping_delete(li_store *store, const char *name, int *found, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *found = 0;
    li__pg_arg_text(&a, name);
    li_status st = li__pg_run(s, "DELETE FROM mappings WHERE name = $1", &a, &r, err);
    if (st == LI_OK)
        *found = li__pg_changes(r) > 0;
    PQclear(r);
    return st;
}
