/*
 * pg_pending.c — TEMPORARY: the operations of the PostgreSQL backend not
 * written yet, so that the table links. Each fails with LI_EINTERNAL
 * (never a fake result); each goes as its real version lands.
 */
#include "pgInt.h"

li_status li__pg_mapping_save(li_store *store, const char *name, const char *header_sig, const char *headers_json, const char *mapping_json, li_error *err) {
    (void)name;
    (void)header_sig;
    (void)headers_json;
    (void)mapping_json;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL mapping_save pas encore écrite");
}

li_status li__pg_mapping_get(li_store *store, const char *name, const char *header_sig, li_mapping_rec *out, int *found, li_error *err) {
    (void)name;
    (void)header_sig;
    (void)out;
    (void)found;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL mapping_get pas encore écrite");
}

li_status li__pg_mappings_each(li_store *store, int remembered, li_mapping_cb cb, void *ctx, li_error *err) {
    (void)remembered;
    (void)cb;
    (void)ctx;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL mappings_each pas encore écrite");
}

li_status li__pg_mapping_delete(li_store *store, const char *name, int *found, li_error *err) {
    (void)name;
    (void)found;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL mapping_delete pas encore écrite");
}

li_status li__pg_stats_get(li_store *store, li_store_stats *out, li_error *err) {
    (void)out;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL stats_get pas encore écrite");
}

li_status li__pg_user_insert(li_store *store, li_user *u, const char *password_hash, int *inserted, li_error *err) {
    (void)u;
    (void)password_hash;
    (void)inserted;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL user_insert pas encore écrite");
}

li_status li__pg_user_get(li_store *store, const char *email, li_user *out, char *hash, size_t hash_cap, int *found, li_error *err) {
    (void)email;
    (void)out;
    (void)hash;
    (void)hash_cap;
    (void)found;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL user_get pas encore écrite");
}

li_status li__pg_users_each(li_store *store, li_user_cb cb, void *ctx, li_error *err) {
    (void)cb;
    (void)ctx;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL users_each pas encore écrite");
}

li_status li__pg_user_set_active(li_store *store, const char *email, int active, int *found, li_error *err) {
    (void)email;
    (void)active;
    (void)found;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL user_set_active pas encore écrite");
}

li_status li__pg_user_set_password(li_store *store, const char *email, const char *password_hash, int64_t *user_id, li_error *err) {
    (void)email;
    (void)password_hash;
    (void)user_id;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL user_set_password pas encore écrite");
}

li_status li__pg_session_insert(li_store *store, const char *token_hash, int64_t user_id, int64_t now, int64_t expires, li_error *err) {
    (void)token_hash;
    (void)user_id;
    (void)now;
    (void)expires;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL session_insert pas encore écrite");
}

li_status li__pg_session_get(li_store *store, const char *token_hash, li_user *user, int64_t *last_seen, int64_t *expires, int *found, li_error *err) {
    (void)token_hash;
    (void)user;
    (void)last_seen;
    (void)expires;
    (void)found;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL session_get pas encore écrite");
}

li_status li__pg_session_touch(li_store *store, const char *token_hash, int64_t now, li_error *err) {
    (void)token_hash;
    (void)now;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL session_touch pas encore écrite");
}

li_status li__pg_session_delete(li_store *store, const char *token_hash, li_error *err) {
    (void)token_hash;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL session_delete pas encore écrite");
}

li_status li__pg_sessions_end_user(li_store *store, int64_t user_id, uint64_t *n, li_error *err) {
    (void)user_id;
    (void)n;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL sessions_end_user pas encore écrite");
}

li_status li__pg_sessions_prune(li_store *store, int64_t idle_before, int64_t now, li_error *err) {
    (void)idle_before;
    (void)now;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL sessions_prune pas encore écrite");
}

li_status li__pg_login_failures(li_store *store, const char *kind, const char *key, int64_t since, uint64_t *n, int64_t *oldest, li_error *err) {
    (void)kind;
    (void)key;
    (void)since;
    (void)n;
    (void)oldest;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL login_failures pas encore écrite");
}

li_status li__pg_login_failure_add(li_store *store, const char *kind, const char *key, int64_t now, int64_t prune_before, li_error *err) {
    (void)kind;
    (void)key;
    (void)now;
    (void)prune_before;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL login_failure_add pas encore écrite");
}

li_status li__pg_login_failures_clear(li_store *store, const char *kind, const char *key, li_error *err) {
    (void)kind;
    (void)key;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL login_failures_clear pas encore écrite");
}
