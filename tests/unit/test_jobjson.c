/*
 * test_jobjson.c — the job JSON a front end serves (jobjson.h) and the two
 * rules it shows: a job is "interrupted" when it says it runs but no live
 * worker holds it, and a resumed job goes on from the row after its last
 * checkpoint. The names and their order are a contract.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "leadimport/jobjson.h"

static li_job_rec a_job(li_job_state state, int live) {
    li_job_rec j;
    memset(&j, 0, sizeof j);
    j.id = 42;
    j.state = state;
    j.phase = LI_PHASE_IMPORT;
    j.live = live;
    j.eta_s = -1;
    snprintf(j.file_name, sizeof j.file_name, "clients \"été\".csv");
    snprintf(j.created_at, sizeof j.created_at, "2026-12-01T10:00:00.000Z");
    j.rows = 1500;
    return j;
}

static void interrupted_means_running_without_a_live_worker(void **state) {
    (void)state;
    li_job_rec parsing = a_job(LI_JOB_PARSING, 0), importing = a_job(LI_JOB_IMPORTING, 0);
    li_job_rec alive = a_job(LI_JOB_IMPORTING, 1), queued = a_job(LI_JOB_QUEUED, 0);
    li_job_rec done = a_job(LI_JOB_COMPLETED, 0);
    assert_true(li_job_interrupted(&parsing));
    assert_true(li_job_interrupted(&importing));
    assert_false(li_job_interrupted(&alive));
    assert_false(li_job_interrupted(&queued));
    assert_false(li_job_interrupted(&done));
}

static void a_resumed_job_goes_on_after_its_checkpoint(void **state) {
    (void)state;
    li_job_rec j = a_job(LI_JOB_FAILED, 0);
    j.phase = LI_PHASE_COMMIT;
    j.commit_row = 500;
    j.parse_row = 2001;
    assert_int_equal(li_job_resume_row(&j), 501);
    j.phase = LI_PHASE_PARSE;
    assert_int_equal(li_job_resume_row(&j), 2001);
    j.parse_row = 0;
    assert_int_equal(li_job_resume_row(&j), 1); /* never started: from the first row */
}

static void job_object_keeps_its_names_order_and_nulls(void **state) {
    (void)state;
    static const char *const keys[] = {
        "job_id", "status", "phase", "file", "file_sha256", "file_size", "rows", "valid",
        "invalid", "warnings", "created", "updated", "skipped", "assigned", "flagged",
        "bytes_done", "bytes_total", "parse_row", "commit_row", "rows_per_s", "eta_s", "running",
        "interrupted", "attempts", "worker", "heartbeat_at", "created_at", "started_at",
        "finished_at", "duration_s", "error", "created_by"};
    li_job_rec j = a_job(LI_JOB_IMPORTING, 0);
    li_buf b;
    li_buf_init(&b, 0);
    assert_int_equal(li_jobjson_job(&b, &j), LI_OK);
    json_error_t jerr;
    json_t *o = json_loads(b.data, JSON_PRESERVE_ORDER, &jerr);
    assert_non_null(o);
    assert_int_equal(json_object_size(o), sizeof keys / sizeof keys[0]);
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) assert_string_equal(k, keys[i++]);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "importing");
    assert_string_equal(json_string_value(json_object_get(o, "file")), "clients \"été\".csv");
    assert_true(json_is_true(json_object_get(o, "interrupted")));
    assert_true(json_is_null(json_object_get(o, "eta_s")));
    assert_true(json_is_null(json_object_get(o, "error"))); /* empty text: null */
    assert_true(json_is_null(json_object_get(o, "created_by"))); /* no user: the operator */
    assert_int_equal(json_integer_value(json_object_get(o, "rows")), 1500);
    json_decref(o);
    li_buf_free(&b);
}

/*
 * « Durée », one rule for every front end (li_job_duration_s): start to end;
 * for a reviewed import, from its commit item (not the wait for the admin);
 * none while it waits; a running job's so far.
 */
static void duration_is_the_work_not_the_wait(void **state) {
    (void)state;
    li_job_rec done = a_job(LI_JOB_COMPLETED, 0);
    snprintf(done.started_at, sizeof done.started_at, "2026-12-01T10:00:01.250Z");
    snprintf(done.finished_at, sizeof done.finished_at, "2026-12-01T10:01:03.750Z");
    assert_true(li_job_duration_s(&done) > 62.49 && li_job_duration_s(&done) < 62.51);
    /* reviewed: analysed at 10:00, committed the next day at 09:00, done 4 s later */
    snprintf(done.commit_at, sizeof done.commit_at, "2026-12-02T09:00:00.000Z");
    snprintf(done.finished_at, sizeof done.finished_at, "2026-12-02T09:00:04.000Z");
    assert_true(li_job_duration_s(&done) > 3.99 && li_job_duration_s(&done) < 4.01);
    /* two machines' clocks: never negative */
    snprintf(done.finished_at, sizeof done.finished_at, "2026-12-02T08:59:59.000Z");
    assert_true(li_job_duration_s(&done) == 0);
    /* waiting (ready for the admin, queued): none, whatever its dates */
    li_job_rec ready = a_job(LI_JOB_READY, 0);
    snprintf(ready.started_at, sizeof ready.started_at, "2026-12-01T10:00:01.000Z");
    assert_true(li_job_duration_s(&ready) < 0);
    li_job_rec queued = a_job(LI_JOB_QUEUED, 0);
    assert_true(li_job_duration_s(&queued) < 0);
    /* running since 2020: so far, counted to now */
    li_job_rec running = a_job(LI_JOB_IMPORTING, 1);
    snprintf(running.started_at, sizeof running.started_at, "2020-01-01T00:00:00.000Z");
    assert_true(li_job_duration_s(&running) > 86400.0 * 365);
    /* and the JSON says it, null when there is none */
    li_buf b;
    li_buf_init(&b, 0);
    assert_int_equal(li_jobjson_job(&b, &ready), LI_OK);
    assert_non_null(strstr(b.data, "\"duration_s\":null,"));
    li_buf_free(&b);
}

/* The analysis's rhythm is not the import's: a job waiting says none. */
static void a_waiting_job_has_no_rhythm_a_moving_one_has(void **state) {
    (void)state;
    static const li_job_state waiting[] = {LI_JOB_UPLOADED, LI_JOB_QUEUED, LI_JOB_READY};
    for (size_t i = 0; i < 4; i++) {
        li_job_rec j = a_job(i < 3 ? waiting[i] : LI_JOB_IMPORTING, i == 3);
        j.rows_per_s = 266077;
        j.eta_s = 4;
        li_buf b;
        li_buf_init(&b, 0);
        assert_int_equal(li_jobjson_job(&b, &j), LI_OK);
        json_error_t jerr;
        json_t *o = json_loads(b.data, 0, &jerr);
        assert_non_null(o);
        if (i < 3) {
            assert_true(json_number_value(json_object_get(o, "rows_per_s")) == 0.0);
            assert_true(json_is_null(json_object_get(o, "eta_s")));
        } else {
            assert_true(json_number_value(json_object_get(o, "rows_per_s")) == 266077.0);
            assert_int_equal(json_integer_value(json_object_get(o, "eta_s")), 4);
        }
        json_decref(o);
        li_buf_free(&b);
    }
}

static void a_refused_import_names_the_earlier_job(void **state) {
    (void)state;
    li_import_result res;
    memset(&res, 0, sizeof res);
    res.refused = 1;
    res.previous.id = 7;
    li_error err;
    li_error_set(&err, LI_EREFUSED, LI_MSG_FILE_ALREADY_IMPORTED, 7LL, "2026-12-01", "a.csv");
    li_buf b;
    li_buf_init(&b, 0);
    assert_int_equal(li_jobjson_import(&b, &res, NULL, LI_EREFUSED, &err), LI_OK);
    assert_non_null(strstr(b.data, "{\"status\":\"refused\",\"previous_job_id\":7,"
                                   "\"error\":{\"code\":\"file_already_imported\","));
    assert_non_null(strstr(b.data, "\"warnings_text\":[]}"));
    li_buf_free(&b);
}

static void a_full_buffer_is_an_error_not_a_cut_object_taken_for_whole(void **state) {
    (void)state;
    li_job_rec j = a_job(LI_JOB_COMPLETED, 0);
    li_buf b;
    li_buf_init(&b, 64); /* far too small for a job */
    assert_int_not_equal(li_jobjson_job(&b, &j), LI_OK);
    li_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(interrupted_means_running_without_a_live_worker),
        cmocka_unit_test(a_resumed_job_goes_on_after_its_checkpoint),
        cmocka_unit_test(job_object_keeps_its_names_order_and_nulls),
        cmocka_unit_test(a_waiting_job_has_no_rhythm_a_moving_one_has),
        cmocka_unit_test(duration_is_the_work_not_the_wait),
        cmocka_unit_test(a_refused_import_names_the_earlier_job),
        cmocka_unit_test(a_full_buffer_is_an_error_not_a_cut_object_taken_for_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
