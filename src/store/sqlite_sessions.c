/*
 * sqlite_sessions.c — the sessions and failed logins of the HTTP server in
 * the SQLite backend (store_users.h; tables of migration 8).
 *
 * A few statements per request at most: a session is read by its primary
 * key (the token's hash), and its last use written at most once a minute
 * (the rule is in users/sessions.c). Failed logins are read through the
 * (kind, key, at) index and pruned through the one on at.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "storeInt.h"

/* The session's columns, then the user's (as sqlite_users.c reads them). */
#define SESSION_SELECT                                                                             \
    "SELECT s.last_seen, s.expires, u.id, u.email, u.name, u.role, u.active,"                     \
    " u.password_hash IS NOT NULL, u.created_at"                                                    \
    " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1"

/* Runs sql (no row) with the text a1 and the integers i2, i3, i4 bound (unused ones ignored). */
static li_status run(li__sqlite *s, const char *sql, const char *a1, int64_t i2, int64_t i3,
                     int64_t i4, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_prepare(s, sql, &q, err);
    if (st != LI_OK)
        return st;
    int n = sqlite3_bind_parameter_count(q);
    if (n >= 1)
        sqlite3_bind_text(q, 1, a1, -1, SQLITE_STATIC);
    if (n >= 2)
        sqlite3_bind_int64(q, 2, i2);
    if (n >= 3)
        sqlite3_bind_int64(q, 3, i3);
    if (n >= 4)
        sqlite3_bind_int64(q, 4, i4);
    return li__sqlite_done(s, q, err);
}

li_status li__sqlite_session_insert(li_store *store, const char *token_hash, int64_t user_id,
                                    int64_t now, int64_t expires, li_error *err) {
    return run(li__sq(store),
               "INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires)"
               " VALUES (?1, ?2, ?3, ?3, ?4)",
               token_hash, user_id, now, expires, err);
}

li_status li__sqlite_session_get(li_store *store, const char *token_hash, li_user *u,
                                 int64_t *last_seen, int64_t *expires, int *found,
                                 li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *found = 0;
    if ((st = li__sqlite_prepare(s, SESSION_SELECT, &q, err)) != LI_OK)
        goto out;
    sqlite3_bind_text(q, 1, token_hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        memset(u, 0, sizeof *u);
        *last_seen = sqlite3_column_int64(q, 0);
        *expires = sqlite3_column_int64(q, 1);
        u->id = sqlite3_column_int64(q, 2);
        li__sqlite_col_copy(u->email, sizeof u->email, q, 3);
        li__sqlite_col_copy(u->name, sizeof u->name, q, 4);
        li__sqlite_col_copy(u->role, sizeof u->role, q, 5);
        u->active = sqlite3_column_int(q, 6) != 0;
        u->has_password = sqlite3_column_int(q, 7) != 0;
        li__sqlite_col_copy(u->created_at, sizeof u->created_at, q, 8);
        *found = 1;
    } else if (rc != SQLITE_DONE) {
        st = li__sqlite_fail(s, err);
    }
out:
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_session_touch(li_store *store, const char *token_hash, int64_t now,
                                   li_error *err) {
    return run(li__sq(store), "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1",
               token_hash, now, 0, 0, err);
}

li_status li__sqlite_session_delete(li_store *store, const char *token_hash, li_error *err) {
    return run(li__sq(store), "DELETE FROM sessions WHERE token_hash = ?1", token_hash, 0, 0, 0,
               err);
}

li_status li__sqlite_sessions_end_user(li_store *store, int64_t user_id, uint64_t *n,
                                       li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_prepare(s, "DELETE FROM sessions WHERE user_id = ?1", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, user_id);
    if ((st = li__sqlite_done(s, q, err)) == LI_OK && n)
        *n = (uint64_t)sqlite3_changes(s->db);
    return st;
}

li_status li__sqlite_sessions_prune(li_store *store, int64_t idle_before, int64_t now,
                                    li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_prepare(
        s, "DELETE FROM sessions WHERE last_seen < ?1 OR expires <= ?2", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, idle_before);
    sqlite3_bind_int64(q, 2, now);
    return li__sqlite_done(s, q, err);
}

li_status li__sqlite_login_failures(li_store *store, const char *kind, const char *key,
                                    int64_t since, uint64_t *n, int64_t *oldest, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    *n = 0;
    *oldest = 0;
    if ((st = li__sqlite_prepare(s,
                                 "SELECT count(*), min(at) FROM login_failures"
                                 " WHERE kind = ?1 AND key = ?2 AND at >= ?3",
                                 &q, err)) != LI_OK)
        goto out;
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, since);
    if (sqlite3_step(q) != SQLITE_ROW) {
        st = li__sqlite_fail(s, err);
        goto out;
    }
    *n = (uint64_t)sqlite3_column_int64(q, 0);
    *oldest = sqlite3_column_int64(q, 1);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_login_failure_add(li_store *store, const char *kind, const char *key,
                                       int64_t now, int64_t prune_before, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_prepare(s, "DELETE FROM login_failures WHERE at < ?1", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, prune_before);
    if ((st = li__sqlite_done(s, q, err)) != LI_OK)
        return st;
    if ((st = li__sqlite_prepare(s, "INSERT INTO login_failures (kind, key, at) VALUES (?1, ?2, ?3)",
                                 &q, err)) != LI_OK)
        return st;
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, now);
    return li__sqlite_done(s, q, err);
}

li_status li__sqlite_login_failures_clear(li_store *store, const char *kind, const char *key,
                                          li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_prepare(s, "DELETE FROM login_failures WHERE kind = ?1 AND key = ?2",
                                      &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
    return li__sqlite_done(s, q, err);
}
