/*
 * test_store.c — the SQLite store: migrations, jobs, staged rows, leads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "leadimport/store.h"
#include "store/storeInt.h"

#include "db_test_util.h"
#include "store_key_test.h"


static int setup(void **state) {
    (void)state;
    test_db_name("store");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    test_db_remove();
    return 0;
}

static void open_migrates_to_latest_and_is_idempotent(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    int v = 0;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    assert_int_equal(li_store_migrate(s, &v, &err), LI_OK);
    assert_int_equal(v, LI_STORE_SCHEMA_VERSION);
    li_store_close(s);
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    assert_int_equal(li_store_migrate(s, &v, &err), LI_OK);
    assert_int_equal(v, LI_STORE_SCHEMA_VERSION);
    li_store_close(s);
}

static void bad_url_is_a_usage_error_in_french(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    assert_int_equal(li_store_open("mysql://x", &s, &err), LI_EUSAGE);
    assert_null(s);
    assert_non_null(strstr(err.message, "non reconnue"));
    assert_non_null(strstr(err.message, "sqlite:CHEMIN")); /* says what is accepted */
    assert_int_equal(li_store_open("sqlite:", &s, &err), LI_EUSAGE);
    assert_null(s);
}

/*
 * A PostgreSQL URL whose server does not answer: a French message that
 * names the database (never a password), LI_EBUSY (a worker retries, exit 7),
 * nothing opened. The socket folder does not exist: no network involved.
 */
static void postgres_url_without_server_is_said(void **state) {
    (void)state;
    static const char *const urls[] = {"postgresql://u:secret@/leads?host=/nonexistent-li-dir",
                                       "postgres:///leads?host=/nonexistent-li-dir"};
    for (size_t i = 0; i < 2; i++) {
        li_store *s = NULL;
        li_error err;
        li_error_clear(&err);
        assert_int_equal(li_store_open(urls[i], &s, &err), LI_EBUSY);
        assert_null(s);
        assert_int_equal(err.msg, LI_MSG_DB_PG_CONNECTION);
        assert_non_null(strstr(err.message, "PostgreSQL"));
        assert_non_null(strstr(err.message, "leads"));
        assert_null(strstr(err.message, "secret"));
        char *owned = NULL;
        li_outfile_guard g;
        assert_int_equal(li_store_url_guard(urls[i], &g, &owned, &err), LI_OK);
        assert_null(g.db); /* no database file on this machine */
        free(owned);
    }
}

/* Inserts a "parsing" job for file name with a SHA-256 made of digit. */
static void insert_job(li_store *s, li_job_rec *j, const char *name, int digit) {
    li_error err;
    memset(j, 0, sizeof *j);
    snprintf(j->file_name, sizeof j->file_name, "%s", name);
    snprintf(j->file_sha256, sizeof j->file_sha256, "%064d", digit);
    j->state = LI_JOB_PARSING;
    assert_int_equal(li_store_job_insert(s, j, &err), LI_OK);
    assert_true(j->id > 0);
}

static void job_round_trips_and_is_found_by_sha(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_job_rec j;
    insert_job(s, &j, "leads.csv", 7);
    j.rows = 10;
    j.valid = 8;
    j.invalid = 2;
    j.parse_offset = 999;
    j.parse_row = 12;
    assert_int_equal(li_store_job_update(s, &j, &err), LI_OK);

    li_job_rec g;
    assert_int_equal(li_store_job_get(s, j.id, &g, &err), LI_OK);
    assert_string_equal(g.file_name, "leads.csv");
    assert_int_equal(g.rows, 10);
    assert_int_equal(g.invalid, 2);
    assert_int_equal(g.parse_offset, 999);
    assert_int_equal(g.parse_row, 12);

    int found = 0;
    static const li_job_state done[] = {LI_JOB_COMPLETED};
    assert_int_equal(li_store_job_find_by_sha(s, j.file_sha256, done, 1, &g, &found, &err), LI_OK);
    assert_int_equal(found, 0);
    assert_int_equal(li_store_job_find_by_sha(s, j.file_sha256, NULL, 0, &g, &found, &err), LI_OK);
    assert_int_equal(found, 1);
    assert_int_equal(g.id, j.id);
    assert_int_equal(li_store_job_get(s, 4242, &g, &err), LI_ENOTFOUND);
    li_store_close(s);
}

static li_status count_rows(const li_staged_row *r, void *ctx) {
    uint64_t *n = ctx;
    (*n)++;
    assert_true(r->row_no > 0);
    return LI_OK;
}

static void restaging_a_row_replaces_it(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_job_rec j;
    insert_job(s, &j, "x.csv", 1);
    li_staged_row r = {.row_no = 2, .status = "valid", .data = li_slice_of("a")};
    assert_int_equal(li_store_row_put(s, j.id, &r, &err), LI_OK);
    assert_int_equal(li_store_row_put(s, j.id, &r, &err), LI_OK);
    r.row_no = 3;
    r.status = "invalid";
    assert_int_equal(li_store_row_put(s, j.id, &r, &err), LI_OK);
    uint64_t n = 0;
    assert_int_equal(li_store_rows_each(s, j.id, 0, NULL, 0, count_rows, &n, &err), LI_OK);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(li_store_rows_each(s, j.id, 0, "valid", 0, count_rows, &n, &err), LI_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(li_store_rows_each(s, j.id, 2, NULL, 0, count_rows, &n, &err), LI_OK);
    assert_int_equal(n, 1);
    li_store_close(s);
}

static void lead_insert_writes_history_and_is_found_by_key(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_slice v[LI_FIELD__COUNT];
    memset(v, 0, sizeof v);
    v[LI_FIELD_LAST_NAME] = li_slice_of("Dupont");
    v[LI_FIELD_EMAIL] = li_slice_of("jean@exemple.fr");
    v[LI_FIELD_PHONE] = li_slice_of("+33612345678");
    char now[32];
    li_store_now(now);
    int64_t id = 0, found = 0;
    assert_int_equal(li_store_begin(s, &err), LI_OK);
    assert_int_equal(li_store_lead_insert(s, v, li_slice_of("{}"), NULL, 1, 2, now, &id, &err), LI_OK);
    assert_int_equal(li_store_commit(s, &err), LI_OK);
    assert_true(id > 0);
    found = first_with_key(s, LI_FIELD_EMAIL, "jean@exemple.fr");
    assert_int_equal(found, id);
    assert_int_equal(first_with_key(s, LI_FIELD_PHONE, "+33612345679"), 0);
    li_store_close(s);
}

static void leads_with_key_gives_every_lead_of_a_value(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    store_leads_with_key_gives_every_lead_of_a_value(s);
    li_store_close(s);
}

typedef struct seen_rows {
    uint64_t row_no[16];
    const char *key[16]; /* "email"... or "" (static copies of what was read) */
    int64_t match_lead[16];
    size_t n;
} seen_rows;

static li_status collect_rows(const li_staged_row *r, void *ctx) {
    seen_rows *seen = ctx;
    assert_true(seen->n < 16);
    seen->row_no[seen->n] = r->row_no;
    seen->key[seen->n] = !r->match_key                        ? ""
                         : strcmp(r->match_key, "email") == 0 ? "email"
                         : strcmp(r->match_key, "phone") == 0 ? "phone"
                                                              : "other";
    seen->match_lead[seen->n] = r->match_lead;
    seen->n++;
    return LI_OK;
}

/*
 * A staged row keeps the key and the lead it matched, written deferred (in
 * a transaction) or at once; the report's rows are the refused ones, those
 * that matched a lead and those imported with issues, in row order.
 */
static void staged_rows_keep_their_match_and_the_report_lists_what_to_look_at(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_job_rec j;
    insert_job(s, &j, "x.csv", 1);
    const char *warn = "[{\"code\":\"postal_code_fixed\",\"severity\":\"warning\"}]";
    li_staged_row rows[] = {
        {.row_no = 2, .status = "imported", .lead_id = 10},
        {.row_no = 3,
         .status = "invalid",
         .data = li_slice_of("[\"x\"]"),
         .errors = li_slice_of("[{}]")},
        {.row_no = 4, .status = "imported", .lead_id = 11, .errors = li_slice_of(warn)},
        {.row_no = 5, .status = "imported", .lead_id = 12, .match_key = "phone", .match_lead = 10},
        {.row_no = 6, .status = "skipped", .lead_id = 10, .match_key = "email", .match_lead = 10},
        {.row_no = 7, .status = "updated", .lead_id = 11, .match_key = "phone", .match_lead = 11},
        {.row_no = 8, .status = "valid", .data = li_slice_of("v")},
    };
    assert_int_equal(li_store_begin(s, &err), LI_OK);
    for (size_t i = 0; i < 4; i++) /* deferred */
        assert_int_equal(li_store_row_put(s, j.id, &rows[i], &err), LI_OK);
    assert_int_equal(li_store_commit(s, &err), LI_OK);
    for (size_t i = 4; i < sizeof rows / sizeof rows[0]; i++) /* at once */
        assert_int_equal(li_store_row_put(s, j.id, &rows[i], &err), LI_OK);

    seen_rows all = {0};
    assert_int_equal(li_store_rows_each(s, j.id, 0, NULL, 0, collect_rows, &all, &err), LI_OK);
    assert_int_equal(all.n, 7);
    assert_string_equal(all.key[0], "");
    assert_int_equal(all.match_lead[0], 0);
    assert_string_equal(all.key[3], "phone");
    assert_int_equal(all.match_lead[3], 10);
    assert_string_equal(all.key[4], "email");

    seen_rows rep = {0};
    assert_int_equal(li_store_report_rows_each(s, j.id, collect_rows, &rep, &err), LI_OK);
    uint64_t want[] = {3, 4, 5, 6, 7};
    assert_int_equal(rep.n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(rep.row_no[i], want[i]);
    uint64_t n = 0;
    assert_int_equal(li_store_report_rows_count(s, j.id, &n, &err), LI_OK);
    assert_int_equal(n, 5);
    li_store_close(s);
}

/* The committer confirms a candidate with the lead's keys, queued or written. */
static void lead_keys_reads_a_queued_and_a_written_lead(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_slice v[LI_FIELD__COUNT], k[LI_FIELD__COUNT];
    memset(v, 0, sizeof v);
    v[LI_FIELD_LAST_NAME] = li_slice_of("Dupont");
    v[LI_FIELD_PHONE] = li_slice_of("+33612345678");
    v[LI_FIELD_EXTERNAL_ID] = li_slice_of("EXT-1");
    char now[32];
    li_store_now(now);
    int64_t id = 0;
    int found = 0;
    li_buf scratch;
    li_buf_init(&scratch, 0);
    assert_int_equal(li_store_begin(s, &err), LI_OK);
    assert_int_equal(li_store_lead_insert(s, v, li_slice_of("{}"), NULL, 1, 2, now, &id, &err),
                     LI_OK);
    for (int written = 0; written < 2; written++) {
        assert_int_equal(li_store_lead_keys(s, id, &scratch, k, &found, &err), LI_OK);
        assert_int_equal(found, 1);
        assert_int_equal(k[LI_FIELD_EMAIL].len, 0);
        assert_int_equal(k[LI_FIELD_PHONE].len, 12);
        assert_memory_equal(k[LI_FIELD_PHONE].ptr, "+33612345678", 12);
        assert_int_equal(k[LI_FIELD_EXTERNAL_ID].len, 5);
        assert_memory_equal(k[LI_FIELD_EXTERNAL_ID].ptr, "EXT-1", 5);
        assert_int_equal(k[LI_FIELD_LAST_NAME].len, 0); /* only the keys */
        if (!written)
            assert_int_equal(li_store_commit(s, &err), LI_OK);
    }
    assert_int_equal(li_store_lead_keys(s, id + 1, &scratch, k, &found, &err), LI_OK);
    assert_int_equal(found, 0);
    li_buf_free(&scratch);
    li_store_close(s);
}

/* How many of the three match key indexes the database has. */
static int key_indexes(li_store *s) {
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(li__sqlite_db(s),
                                        "SELECT count(*) FROM sqlite_master WHERE type='index'"
                                        " AND name IN ('leads_email','leads_phone',"
                                        "'leads_external_id')",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return n;
}

/* The bulk-load hint: the SQLite backend decides, and every end or migrate repairs. */
static void a_bulk_load_is_the_backends_business(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    int slow = -1, v = 0;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    assert_int_equal(key_indexes(s), 3);
    /* A small load keeps the indexes: nothing slow at its end. */
    assert_int_equal(li_store_bulk_begin(s, 100, &slow, &err), LI_OK);
    assert_int_equal(slow, 0);
    assert_int_equal(key_indexes(s), 3);
    assert_int_equal(li_store_bulk_end(s, &err), LI_OK);
    /* A big one into an empty table drops them until its end, and finding a
     * lead by key still works in between. */
    assert_int_equal(li_store_bulk_begin(s, 50000, &slow, &err), LI_OK);
    assert_int_equal(slow, 1);
    assert_int_equal(key_indexes(s), 0);
    li_slice v1[LI_FIELD__COUNT] = {{0}};
    v1[LI_FIELD_EMAIL] = li_slice_of("bulk@exemple.fr");
    int64_t id = 0, found = 0;
    assert_int_equal(li_store_begin(s, &err), LI_OK);
    assert_int_equal(li_store_lead_insert(s, v1, li_slice_of("{}"), NULL, 0, 1,
                                          "2026-12-01T00:00:00.000Z", &id, &err),
                     LI_OK);
    found = first_with_key(s, LI_FIELD_EMAIL, "bulk@exemple.fr");
    assert_int_equal(found, id);
    assert_int_equal(li_store_bulk_end(s, &err), LI_OK);
    assert_int_equal(li_store_commit(s, &err), LI_OK);
    assert_int_equal(key_indexes(s), 3);
    /* Interrupted (no end): opening leaves it alone (another process may be
     * loading), migrate repairs it. */
    assert_int_equal(li_store_bulk_begin(s, 50000, &slow, &err), LI_OK);
    li_store_close(s);
    s = NULL;
    assert_int_equal(li_store_open_existing(url, &s, &err), LI_OK);
    assert_int_equal(key_indexes(s), 0);
    assert_int_equal(li_store_migrate(s, &v, &err), LI_OK);
    assert_int_equal(key_indexes(s), 3);
    li_store_close(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(open_migrates_to_latest_and_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_url_is_a_usage_error_in_french, setup, teardown),
        cmocka_unit_test(postgres_url_without_server_is_said),
        cmocka_unit_test_setup_teardown(job_round_trips_and_is_found_by_sha, setup, teardown),
        cmocka_unit_test_setup_teardown(restaging_a_row_replaces_it, setup, teardown),
        cmocka_unit_test_setup_teardown(leads_with_key_gives_every_lead_of_a_value, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(lead_insert_writes_history_and_is_found_by_key, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            staged_rows_keep_their_match_and_the_report_lists_what_to_look_at, setup, teardown),
        cmocka_unit_test_setup_teardown(lead_keys_reads_a_queued_and_a_written_lead, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_bulk_load_is_the_backends_business, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
