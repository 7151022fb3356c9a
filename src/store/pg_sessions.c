/*
 * pg_sessions.c — the sessions and failed logins of the HTTP server in the
 * PostgreSQL backend (store_users.h; tables of migration 8).
 *
 * The same statements as sqlite_sessions.c: a session read by its primary
 * key (the token's hash), its last use written at most once a minute (the
 * rule is in users/sessions.c), failed logins read through the (kind, key,
 * at) index. With several servers on one database, a session opened on one
 * is valid on all, and the login limits count the attempts of all.
 */
#include <stdio.h>
#include <string.h>

#include "pgInt.h"

/* Runs sql (no row wanted) with a1 and the integers i2.. bound ($1 text, then n-1 numbers). */
static li_status run(li__pg *s, const char *sql, int n, const char *a1, int64_t i2, int64_t i3,
                     int64_t i4, uint64_t *changes, li_error *err) {
    li__pg_args a = {0};
    PGresult *r = NULL;
    int64_t ints[3] = {i2, i3, i4};
    li__pg_arg_text(&a, a1);
    for (int i = 1; i < n; i++)
        li__pg_arg_int(&a, ints[i - 1]);
    li_status st = li__pg_run(s, sql, &a, &r, err);
    if (st == LI_OK && changes)
        *changes = li__pg_changes(r);
    PQclear(r);
    return st;
}

li_status li__pg_session_insert(li_store *store, const char *token_hash, int64_t user_id,
                                int64_t now, int64_t expires, li_error *err) {
    return run(li__pgs(store),
               "INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires)"
               " VALUES ($1, $2, $3, $3, $4)",
               4, token_hash, user_id, now, expires, NULL, err);
}

li_status li__pg_session_get(li_store *store, const char *token_hash, li_user *u,
                             int64_t *last_seen, int64_t *expires, int *found, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *found = 0;
    li__pg_arg_text(&a, token_hash);
    li_status st = li__pg_run(s,
                              "SELECT s.last_seen, s.expires, u.id, u.email, u.name, u.role,"
                              " u.active, (u.password_hash IS NOT NULL)::int, u.created_at"
                              " FROM sessions s JOIN users u ON u.id = s.user_id"
                              " WHERE s.token_hash = $1",
                              &a, &r, err);
    if (st == LI_OK && PQntuples(r) == 1) {
        memset(u, 0, sizeof *u);
        *last_seen = li__pg_col_int(r, 0, 0);
        *expires = li__pg_col_int(r, 0, 1);
        u->id = li__pg_col_int(r, 0, 2);
        li__pg_col_copy(u->email, sizeof u->email, r, 0, 3);
        li__pg_col_copy(u->name, sizeof u->name, r, 0, 4);
        li__pg_col_copy(u->role, sizeof u->role, r, 0, 5);
        u->active = li__pg_col_int(r, 0, 6) != 0;
        u->has_password = li__pg_col_int(r, 0, 7) != 0;
        li__pg_col_copy(u->created_at, sizeof u->created_at, r, 0, 8);
        *found = 1;
    }
    PQclear(r);
    return st;
}

li_status li__pg_session_touch(li_store *store, const char *token_hash, int64_t now,
                               li_error *err) {
    return run(li__pgs(store), "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1", 2,
               token_hash, now, 0, 0, NULL, err);
}

li_status li__pg_session_delete(li_store *store, const char *token_hash, li_error *err) {
    return run(li__pgs(store), "DELETE FROM sessions WHERE token_hash = $1", 1, token_hash, 0, 0,
               0, NULL, err);
}

li_status li__pg_sessions_end_user(li_store *store, int64_t user_id, uint64_t *n,
                                   li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    li__pg_arg_int(&a, user_id);
    li_status st = li__pg_run(s, "DELETE FROM sessions WHERE user_id = $1", &a, &r, err);
    if (st == LI_OK && n)
        *n = li__pg_changes(r);
    PQclear(r);
    return st;
}

li_status li__pg_sessions_prune(li_store *store, int64_t idle_before, int64_t now,
                                li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    li__pg_arg_int(&a, idle_before);
    li__pg_arg_int(&a, now);
    return li__pg_run(s, "DELETE FROM sessions WHERE last_seen < $1 OR expires <= $2", &a, NULL,
                      err);
}

li_status li__pg_login_failures(li_store *store, const char *kind, const char *key,
                                int64_t since, uint64_t *n, int64_t *oldest, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *n = 0;
    *oldest = 0;
    li__pg_arg_text(&a, kind);
    li__pg_arg_text(&a, key);
    li__pg_arg_int(&a, since);
    li_status st = li__pg_run(s,
                              "SELECT count(*), min(at) FROM login_failures"
                              " WHERE kind = $1 AND key = $2 AND at >= $3",
                              &a, &r, err);
    if (st == LI_OK && PQntuples(r) == 1) {
        *n = (uint64_t)li__pg_col_int(r, 0, 0);
        *oldest = li__pg_col_int(r, 0, 1); /* NULL (none) reads 0 */
    }
    PQclear(r);
    return st;
}

li_status li__pg_login_failure_add(li_store *store, const char *kind, const char *key,
                                   int64_t now, int64_t prune_before, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    li__pg_arg_int(&a, prune_before);
    li_status st = li__pg_run(s, "DELETE FROM login_failures WHERE at < $1", &a, NULL, err);
    if (st != LI_OK)
        return st;
    a = (li__pg_args){0};
    li__pg_arg_text(&a, kind);
    li__pg_arg_text(&a, key);
    li__pg_arg_int(&a, now);
    return li__pg_run(s, "INSERT INTO login_failures (kind, key, at) VALUES ($1, $2, $3)", &a,
                      NULL, err);
}

li_status li__pg_login_failures_clear(li_store *store, const char *kind, const char *key,
                                      li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    li__pg_arg_text(&a, kind);
    li__pg_arg_text(&a, key);
    return li__pg_run(s, "DELETE FROM login_failures WHERE kind = $1 AND key = $2", &a, NULL,
                      err);
}
