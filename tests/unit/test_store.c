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

static char dbpath[256];
static char url[300];

static int setup(void **state) {
    (void)state;
    snprintf(dbpath, sizeof dbpath, "/tmp/li_test_store_%d.db", (int)getpid());
    unlink(dbpath);
    snprintf(url, sizeof url, "sqlite:%s", dbpath);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char p[300];
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
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
    assert_int_equal(li_store_open("postgres://x", &s, &err), LI_EUSAGE);
    assert_null(s);
    assert_non_null(strstr(err.message, "non reconnue"));
}

/* Inserts a "parsing" job for file name with a SHA-256 made of digit. */
static void insert_job(li_store *s, li_job_rec *j, const char *name, int digit) {
    li_error err;
    memset(j, 0, sizeof *j);
    snprintf(j->file_name, sizeof j->file_name, "%s", name);
    snprintf(j->file_sha256, sizeof j->file_sha256, "%064d", digit);
    snprintf(j->status, sizeof j->status, "parsing");
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
    static const char *const done[] = {"completed", NULL};
    assert_int_equal(li_store_job_find_by_sha(s, j.file_sha256, done, &g, &found, &err), LI_OK);
    assert_int_equal(found, 0);
    assert_int_equal(li_store_job_find_by_sha(s, j.file_sha256, NULL, &g, &found, &err), LI_OK);
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
    assert_int_equal(li_store_lead_find(s, LI_FIELD_EMAIL, li_slice_of("jean@exemple.fr"), &found,
                                        &err),
                     LI_OK);
    assert_int_equal(found, id);
    assert_int_equal(li_store_lead_find(s, LI_FIELD_PHONE, li_slice_of("+33612345679"), &found,
                                        &err),
                     LI_OK);
    assert_int_equal(found, 0);
    li_store_close(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(open_migrates_to_latest_and_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_url_is_a_usage_error_in_french, setup, teardown),
        cmocka_unit_test_setup_teardown(job_round_trips_and_is_found_by_sha, setup, teardown),
        cmocka_unit_test_setup_teardown(restaging_a_row_replaces_it, setup, teardown),
        cmocka_unit_test_setup_teardown(lead_insert_writes_history_and_is_found_by_key, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
