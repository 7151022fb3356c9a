/*
 * sqlite_users.c — the users table in the SQLite backend (store_users.h).
 *
 * Plain queries, prepared per call: users are read and written a handful of
 * times per command, never per row (the import loads them once into a
 * li_user_dir). The table comes from migration 1 (sqlite_schema.c); its
 * UNIQUE constraint on email is what makes a duplicate impossible, even
 * between two processes adding the same user at once.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "storeInt.h"

/* The columns of a user, read by user_from_row(). */
#define USER_COLUMNS(X)                                                                            \
    X(id, "id")                                                                                    \
    X(email, "email")                                                                              \
    X(name, "name")                                                                                \
    X(role, "role")                                                                                \
    X(active, "active")                                                                            \
    X(has_password, "password_hash IS NOT NULL")                                                   \
    X(created_at, "created_at")                                                                    \
    X(password_hash, "password_hash")

#define USER_COL_POS(name, sql) USER_COL_##name,
enum { USER_COLUMNS(USER_COL_POS) USER_COL__COUNT };
#define USER_SELECT "SELECT " LI__SQLITE_COLUMN_TEXT(USER_COLUMNS) " FROM users"

static void user_from_row(sqlite3_stmt *q, li_user *u) {
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(q, USER_COL_id);
    li__sqlite_col_copy(u->email, sizeof u->email, q, USER_COL_email);
    li__sqlite_col_copy(u->name, sizeof u->name, q, USER_COL_name);
    li__sqlite_col_copy(u->role, sizeof u->role, q, USER_COL_role);
    u->active = sqlite3_column_int(q, USER_COL_active) != 0;
    u->has_password = sqlite3_column_int(q, USER_COL_has_password) != 0;
    li__sqlite_col_copy(u->created_at, sizeof u->created_at, q, USER_COL_created_at);
}

li_status li__sqlite_user_insert(li_store *store, li_user *u, const char *password_hash,
                                 int *inserted, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *inserted = 0;
    li_store_now(u->created_at);
    /* DO NOTHING rather than a constraint error: a taken e-mail is an
     * answer, not a database failure, and checking first would race. */
    if ((st = li__sqlite_prepare(s,
                                 "INSERT INTO users (email, name, role, password_hash, active,"
                                 " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                                 " ON CONFLICT(email) DO NOTHING",
                                 &q, err)) != LI_OK)
        goto out;
    sqlite3_bind_text(q, 1, u->email, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, u->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, u->role, -1, SQLITE_STATIC);
    if (password_hash)
        sqlite3_bind_text(q, 4, password_hash, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 4);
    sqlite3_bind_int(q, 5, u->active ? 1 : 0);
    sqlite3_bind_text(q, 6, u->created_at, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE) {
        st = li__sqlite_fail(s, err);
        goto out;
    }
    if (sqlite3_changes(s->db) > 0) {
        *inserted = 1;
        u->id = sqlite3_last_insert_rowid(s->db);
        u->has_password = password_hash != NULL;
    }
out:
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_user_get(li_store *store, const char *email, li_user *out, char *hash,
                              size_t hash_cap, int *found, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *found = 0;
    if (hash && hash_cap)
        hash[0] = '\0';
    if ((st = li__sqlite_prepare(s, USER_SELECT " WHERE email = ?1", &q, err)) != LI_OK)
        goto out;
    sqlite3_bind_text(q, 1, email, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        user_from_row(q, out);
        if (hash && hash_cap)
            li__sqlite_col_copy(hash, hash_cap, q, USER_COL_password_hash);
        *found = 1;
    } else if (rc != SQLITE_DONE) {
        st = li__sqlite_fail(s, err);
    }
out:
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_users_each(li_store *store, li_user_cb cb, void *ctx, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    int rc = SQLITE_DONE;
    if ((st = li__sqlite_prepare(s, USER_SELECT " ORDER BY email", &q, err)) != LI_OK)
        goto out;
    while (st == LI_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        li_user u;
        user_from_row(q, &u);
        st = cb(&u, ctx);
    }
    if (st == LI_OK && rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_user_set_active(li_store *store, const char *email, int active, int *found,
                                     li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *found = 0;
    /* No "AND active != ?2": a repeated disable must still say the user exists. */
    if ((st = li__sqlite_prepare(s, "UPDATE users SET active = ?2 WHERE email = ?1", &q, err)) !=
        LI_OK)
        goto out;
    sqlite3_bind_text(q, 1, email, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, active ? 1 : 0);
    if (sqlite3_step(q) != SQLITE_DONE) {
        st = li__sqlite_fail(s, err);
        goto out;
    }
    *found = sqlite3_changes(s->db) > 0;
out:
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_user_set_password(li_store *store, const char *email,
                                       const char *password_hash, int64_t *user_id,
                                       li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *user_id = 0;
    if ((st = li__sqlite_prepare(s, "UPDATE users SET password_hash = ?2 WHERE email = ?1"
                                    " RETURNING id",
                                 &q, err)) != LI_OK)
        goto out;
    sqlite3_bind_text(q, 1, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, password_hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *user_id = sqlite3_column_int64(q, 0);
        rc = sqlite3_step(q);
    }
    if (rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
out:
    sqlite3_finalize(q);
    return st;
}
