/*
 * pg_pending.c — TEMPORARY: the operations of the PostgreSQL backend not
 * written yet, so that the table links. Each fails with LI_EINTERNAL
 * (never a fake result); each goes as its real version lands.
 */
#include "pgInt.h"

li_status li__pg_bulk_begin(li_store *store, uint64_t expected_rows, int *slow_end, li_error *err) {
    (void)expected_rows;
    (void)slow_end;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL bulk_begin pas encore écrite");
}

li_status li__pg_bulk_end(li_store *store, li_error *err) {
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL bulk_end pas encore écrite");
}

li_status li__pg_job_insert(li_store *store, li_job_rec *job, li_error *err) {
    (void)job;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_insert pas encore écrite");
}

li_status li__pg_job_update(li_store *store, const li_job_rec *job, li_error *err) {
    (void)job;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_update pas encore écrite");
}

li_status li__pg_job_set_mapping(li_store *store, int64_t job_id, const char *header_json, const char *mapping_json, li_error *err) {
    (void)job_id;
    (void)header_json;
    (void)mapping_json;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_set_mapping pas encore écrite");
}

li_status li__pg_job_mapping(li_store *store, int64_t job_id, char **mapping_json, li_error *err) {
    (void)job_id;
    (void)mapping_json;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_mapping pas encore écrite");
}

li_status li__pg_job_header(li_store *store, int64_t job_id, char **header_json, li_error *err) {
    (void)job_id;
    (void)header_json;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_header pas encore écrite");
}

li_status li__pg_job_get(li_store *store, int64_t id, li_job_rec *job, li_error *err) {
    (void)id;
    (void)job;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_get pas encore écrite");
}

li_status li__pg_job_find_by_sha(li_store *store, const char *sha256, const li_job_state *states, size_t nstates, li_job_rec *job, int *found, li_error *err) {
    (void)sha256;
    (void)states;
    (void)nstates;
    (void)job;
    (void)found;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_find_by_sha pas encore écrite");
}

li_status li__pg_job_state(li_store *store, int64_t job_id, li_job_state *state, li_error *err) {
    (void)job_id;
    (void)state;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_state pas encore écrite");
}

li_status li__pg_job_set_options(li_store *store, int64_t job_id, const char *options_json, const char *blob_key, li_error *err) {
    (void)job_id;
    (void)options_json;
    (void)blob_key;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_set_options pas encore écrite");
}

li_status li__pg_job_set_report(li_store *store, int64_t job_id, const char *report_key, li_error *err) {
    (void)job_id;
    (void)report_key;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_set_report pas encore écrite");
}

li_status li__pg_job_files(li_store *store, int64_t job_id, char **options_json, char **blob_key, char **report_key, li_error *err) {
    (void)job_id;
    (void)options_json;
    (void)blob_key;
    (void)report_key;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_files pas encore écrite");
}

li_status li__pg_jobs_each(li_store *store, const li_job_state *state, li_job_cb cb, void *ctx, li_error *err) {
    (void)state;
    (void)cb;
    (void)ctx;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL jobs_each pas encore écrite");
}

li_status li__pg_jobs_page(li_store *store, const li_job_state *state, uint64_t offset, uint64_t limit, uint64_t *total, li_job_cb cb, void *ctx, li_error *err) {
    (void)state;
    (void)offset;
    (void)limit;
    (void)total;
    (void)cb;
    (void)ctx;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL jobs_page pas encore écrite");
}

li_status li__pg_job_delete(li_store *store, int64_t job_id, int *found, li_error *err) {
    (void)job_id;
    (void)found;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_delete pas encore écrite");
}

li_status li__pg_job_rows_delete(li_store *store, int64_t job_id, uint64_t *n, li_error *err) {
    (void)job_id;
    (void)n;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_rows_delete pas encore écrite");
}

li_status li__pg_blob_shared(li_store *store, const char *blob_key, int64_t job_id, int *used, li_error *err) {
    (void)blob_key;
    (void)job_id;
    (void)used;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL blob_shared pas encore écrite");
}

li_status li__pg_work_add(li_store *store, int64_t job_id, li_work_kind kind, int exclusive, int max_attempts, double delay_s, li_error *err) {
    (void)job_id;
    (void)kind;
    (void)exclusive;
    (void)max_attempts;
    (void)delay_s;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL work_add pas encore écrite");
}

li_status li__pg_work_claim(li_store *store, const char *owner, int64_t job_id, double lease_s, li_work_item *it, int *found, li_error *err) {
    (void)owner;
    (void)job_id;
    (void)lease_s;
    (void)it;
    (void)found;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL work_claim pas encore écrite");
}

li_status li__pg_work_renew(li_store *store, int64_t id, const char *owner, double lease_s, int *held, li_error *err) {
    (void)id;
    (void)owner;
    (void)lease_s;
    (void)held;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL work_renew pas encore écrite");
}

li_status li__pg_work_finish(li_store *store, int64_t id, const char *owner, li_work_state state, const char *error, li_error *err) {
    (void)id;
    (void)owner;
    (void)state;
    (void)error;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL work_finish pas encore écrite");
}

li_status li__pg_work_retry(li_store *store, int64_t id, const char *owner, const char *error, double delay_s, li_error *err) {
    (void)id;
    (void)owner;
    (void)error;
    (void)delay_s;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL work_retry pas encore écrite");
}

li_status li__pg_work_release(li_store *store, int64_t id, const char *owner, li_error *err) {
    (void)id;
    (void)owner;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL work_release pas encore écrite");
}

li_status li__pg_work_cancel_job(li_store *store, int64_t job_id, li_error *err) {
    (void)job_id;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL work_cancel_job pas encore écrite");
}

li_status li__pg_work_pending(li_store *store, int64_t job_id, uint64_t *n, li_error *err) {
    (void)job_id;
    (void)n;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL work_pending pas encore écrite");
}

li_status li__pg_work_each(li_store *store, int64_t job_id, li_work_cb cb, void *ctx, li_error *err) {
    (void)job_id;
    (void)cb;
    (void)ctx;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL work_each pas encore écrite");
}

li_status li__pg_rows_each(li_store *store, int64_t job_id, uint64_t after, const char *status, uint64_t limit, li_row_cb cb, void *ctx, li_error *err) {
    (void)job_id;
    (void)after;
    (void)status;
    (void)limit;
    (void)cb;
    (void)ctx;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL rows_each pas encore écrite");
}

li_status li__pg_report_rows_each(li_store *store, int64_t job_id, li_row_cb cb, void *ctx, li_error *err) {
    (void)job_id;
    (void)cb;
    (void)ctx;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL report_rows_each pas encore écrite");
}

li_status li__pg_report_rows_count(li_store *store, int64_t job_id, uint64_t *n, li_error *err) {
    (void)job_id;
    (void)n;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL report_rows_count pas encore écrite");
}

li_status li__pg_lead_get(li_store *store, int64_t id, li_lead_rec *out, int *found, li_error *err) {
    (void)id;
    (void)out;
    (void)found;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL lead_get pas encore écrite");
}

li_status li__pg_lead_update(li_store *store, int64_t id, const li_slice value[LI_FIELD__COUNT], li_slice custom_json, const li_lead_meta *meta, const char *now, li_error *err) {
    (void)id;
    (void)value;
    (void)custom_json;
    (void)meta;
    (void)now;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL lead_update pas encore écrite");
}

li_status li__pg_lead_delete(li_store *store, int64_t id, li_error *err) {
    (void)id;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL lead_delete pas encore écrite");
}

li_status li__pg_history_add(li_store *store, int64_t lead_id, const char *action, int64_t job_id, const char *changes_json, const char *now, li_error *err) {
    (void)lead_id;
    (void)action;
    (void)job_id;
    (void)changes_json;
    (void)now;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL history_add pas encore écrite");
}

li_status li__pg_job_history_each(li_store *store, int64_t job_id, li_history_cb cb, void *ctx, li_error *err) {
    (void)job_id;
    (void)cb;
    (void)ctx;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_history_each pas encore écrite");
}

li_status li__pg_lead_changed_since(li_store *store, int64_t id, int64_t after_id, int64_t job_id, int *changed, li_error *err) {
    (void)id;
    (void)after_id;
    (void)job_id;
    (void)changed;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL lead_changed_since pas encore écrite");
}

li_status li__pg_job_leads_each(li_store *store, int64_t job_id, li_id_cb cb, void *ctx, li_error *err) {
    (void)job_id;
    (void)cb;
    (void)ctx;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL job_leads_each pas encore écrite");
}

li_status li__pg_lead_find(li_store *store, li_field field, li_slice value, int64_t *id, li_error *err) {
    (void)field;
    (void)value;
    (void)id;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL lead_find pas encore écrite");
}

li_status li__pg_lead_keys_each(li_store *store, li_lead_key_cb cb, void *ctx, li_error *err) {
    (void)cb;
    (void)ctx;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL lead_keys_each pas encore écrite");
}

li_status li__pg_lead_keys(li_store *store, int64_t id, li_buf *scratch, li_slice value[LI_FIELD__COUNT], int *found, li_error *err) {
    (void)id;
    (void)scratch;
    (void)value;
    (void)found;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL lead_keys pas encore écrite");
}

li_status li__pg_leads_max_id(li_store *store, int64_t *max_id, li_error *err) {
    (void)max_id;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL leads_max_id pas encore écrite");
}

li_status li__pg_leads_each(li_store *store, li_lead_cb cb, void *ctx, li_error *err) {
    (void)cb;
    (void)ctx;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL leads_each pas encore écrite");
}

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

li_status li__pg_review_set(li_store *store, int64_t job_id, const char *json, li_error *err) {
    (void)job_id;
    (void)json;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL review_set pas encore écrite");
}

li_status li__pg_review_get(li_store *store, int64_t job_id, char **json, li_error *err) {
    (void)job_id;
    (void)json;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL review_get pas encore écrite");
}

li_status li__pg_row_mark(li_store *store, int64_t job_id, uint64_t row_no, const char *match_key, int64_t match_lead, li_error *err) {
    (void)job_id;
    (void)row_no;
    (void)match_key;
    (void)match_lead;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL row_mark pas encore écrite");
}

li_status li__pg_rows_unmark(li_store *store, int64_t job_id, li_error *err) {
    (void)job_id;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL rows_unmark pas encore écrite");
}

li_status li__pg_rows_page(li_store *store, int64_t job_id, li_row_filter filter, uint64_t offset, uint64_t limit, uint64_t *total, li_row_cb cb, void *ctx, li_error *err) {
    (void)job_id;
    (void)filter;
    (void)offset;
    (void)limit;
    (void)total;
    (void)cb;
    (void)ctx;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL rows_page pas encore écrite");
}

li_status li__pg_rows_get(li_store *store, int64_t job_id, const uint64_t *row_no, size_t n, li_row_cb cb, void *ctx, li_error *err) {
    (void)job_id;
    (void)row_no;
    (void)n;
    (void)cb;
    (void)ctx;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL rows_get pas encore écrite");
}

li_status li__pg_leads_mark(li_store *store, int64_t *mark, li_error *err) {
    (void)mark;
    (void)store;
    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "opération PostgreSQL leads_mark pas encore écrite");
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
