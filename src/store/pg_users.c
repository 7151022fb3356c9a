/*
 * pg_users.c — the users table in the PostgreSQL backend (store_users.h).
 *
 * The same statements as sqlite_users.c, with $N parameters: users are
 * read and written a handful of times per command, never per row. The
 * UNIQUE constraint on email (migration 1, pg_schema.c) is what makes a
 * duplicate impossible, also between two machines adding the same user at
 * once: ON CONFLICT DO NOTHING turns it into an answer, not a failure.
 */
#include <stdio.h>
#include <string.h>

#include "pgInt.h"

/* The columns of a user, read by user_from_row(). */
#define USER_COLUMNS(X)                                                                            \
    X(id, "id")                                                                                    \
    X(email, "email")                                                                              \
    X(name, "name")                                                                                \
    X(role, "role")                                                                                \
    X(active, "active")                                                                            \
    X(has_password, "(password_hash IS NOT NULL)::int")                                            \
    X(created_at, "created_at")                                                                    \
    X(password_hash, "password_hash")

#define USER_COL_POS(name, sql) USER_COL_##name,
enum { USER_COLUMNS(USER_COL_POS) USER_COL__COUNT };
#define USER_SELECT "SELECT " LI__PG_COLUMN_TEXT(USER_COLUMNS) " FROM users"

static void user_from_row(const PGresult *r, int row, li_user *u) {
    memset(u, 0, sizeof *u);
    u->id = li__pg_col_int(r, row, USER_COL_id);
    li__pg_col_copy(u->email, sizeof u->email, r, row, USER_COL_email);
    li__pg_col_copy(u->name, sizeof u->name, r, row, USER_COL_name);
    li__pg_col_copy(u->role, sizeof u->role, r, row, USER_COL_role);
    u->active = li__pg_col_int(r, row, USER_COL_active) != 0;
    u->has_password = li__pg_col_int(r, row, USER_COL_has_password) != 0;
    li__pg_col_copy(u->created_at, sizeof u->created_at, r, row, USER_COL_created_at);
}

li_status li__pg_user_insert(li_store *store, li_user *u, const char *password_hash,
                             int *inserted, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *inserted = 0;
    li_store_now(u->created_at);
    li__pg_arg_text(&a, u->email);
    li__pg_arg_text(&a, u->name);
    li__pg_arg_text(&a, u->role);
    li__pg_arg_text(&a, password_hash);
    li__pg_arg_int(&a, u->active ? 1 : 0);
    li__pg_arg_text(&a, u->created_at);
    li_status st = li__pg_run(s,
                              "INSERT INTO users (email, name, role, password_hash, active,"
                              " created_at) VALUES ($1, $2, $3, $4, $5, $6)"
                              " ON CONFLICT (email) DO NOTHING RETURNING id",
                              &a, &r, err);
    if (st == LI_OK && PQntuples(r) == 1) {
        *inserted = 1;
        u->id = li__pg_col_int(r, 0, 0);
        u->has_password = password_hash != NULL;
    }
    PQclear(r);
    return st;
}

li_status li__pg_user_get(li_store *store, const char *email, li_user *out, char *hash,
                          size_t hash_cap, int *found, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *found = 0;
    if (hash && hash_cap)
        hash[0] = '\0';
    li__pg_arg_text(&a, email);
    /* Inside a transaction the row is read FOR SHARE: a login that checks
     * the password it verified is still the user's, then stores its
     * session, makes a password change wait for its commit, and the
     * change's end of the user's sessions then sees that one (SQLite's
     * write lock does the same there). */
    li_status st = li__pg_run(s,
                              s->in_tx ? USER_SELECT " WHERE email = $1 FOR SHARE"
                                       : USER_SELECT " WHERE email = $1",
                              &a, &r, err);
    if (st == LI_OK && PQntuples(r) == 1) {
        user_from_row(r, 0, out);
        if (hash && hash_cap)
            li__pg_col_copy(hash, hash_cap, r, 0, USER_COL_password_hash);
        *found = 1;
    }
    PQclear(r);
    return st;
}

li_status li__pg_users_each(li_store *store, li_user_cb cb, void *ctx, li_error *err) {
    li__pg *s = li__pgs(store);
    PGresult *r = NULL;
    /* COLLATE "C": the byte order SQLite sorts by, whatever the database's locale. */
    li_status st = li__pg_run(s, USER_SELECT " ORDER BY email COLLATE \"C\"", NULL, &r, err);
    for (int i = 0; st == LI_OK && i < PQntuples(r); i++) {
        li_user u;
        user_from_row(r, i, &u);
        st = cb(&u, ctx);
    }
    PQclear(r);
    return st;
}

li_status li__pg_user_set_active(li_store *store, const char *email, int active, int *found,
                                 li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *found = 0;
    li__pg_arg_text(&a, email);
    li__pg_arg_int(&a, active ? 1 : 0);
    /* No "AND active <> $2": a repeated disable must still say the user exists. */
    li_status st = li__pg_run(s, "UPDATE users SET active = $2 WHERE email = $1", &a, &r, err);
    if (st == LI_OK)
        *found = li__pg_changes(r) > 0;
    PQclear(r);
    return st;
}

li_status li__pg_user_set_password(li_store *store, const char *email, const char *password_hash,
                                   int64_t *user_id, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *user_id = 0;
    li__pg_arg_text(&a, email);
    li__pg_arg_text(&a, password_hash);
    li_status st = li__pg_run(s, "UPDATE users SET password_hash = $2 WHERE email = $1"
                                 " RETURNING id",
                              &a, &r, err);
    if (st == LI_OK && PQntuples(r) == 1)
        *user_id = li__pg_col_int(r, 0, 0);
    PQclear(r);
    return st;
}
