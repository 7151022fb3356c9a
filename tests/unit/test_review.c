/*
 * test_review.c — the review step through the library, stage by stage:
 * created (uploaded), mapping changed while uploaded and refused after,
 * analysed (ready, nothing in leads, predictions), rows, predictions for
 * other keys, commit with the counts predicted.
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
#include <jansson.h>

#include "leadimport/import.h"
#include "leadimport/review.h"
#include "leadimport/store.h"

#include "race_test_util.h"

static char dir[256], dbpath[300], url[320], csv[300];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/li_test_review_%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(dbpath, sizeof dbpath, "%s/t.db", dir);
    snprintf(url, sizeof url, "sqlite:%s", dbpath);
    snprintf(csv, sizeof csv, "%s/f.csv", dir);
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("Prénom,Nom,Courriel,Tél,Société\r\n"
          "Jean,Dupont,jean@example.fr,06 12 34 56 78,A\r\n"
          "Marie,Curie,marie@example.fr,,B\r\n"
          "M.,Curie,MARIE@example.fr,06 33 33 33 33,B\r\n"
          "Rien,Personne,,,\r\n"
          "Paul,Martin,,06 33 33 33 33,C\r\n",
          f);
    fclose(f);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static uint64_t count_leads(li_store *s) {
    int64_t max = 0;
    li_error err;
    assert_int_equal(li_store_leads_max_id(s, &max, &err), LI_OK);
    return (uint64_t)max;
}

static void stages_in_order(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    li_import_opts o;
    li_import_result res;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_import_opts_init(&o);
    o.path = csv;

    /* 1. created: uploaded, no work queued, nothing in leads */
    assert_int_equal(li_review_create(s, &o, &res, &err), LI_OK);
    int64_t id = res.job.id;
    assert_true(id > 0);
    assert_int_equal(res.job.state, LI_JOB_UPLOADED);
    uint64_t pending = 9;
    assert_int_equal(li_store_work_pending(s, id, &pending, &err), LI_OK);
    assert_int_equal(pending, 0);
    /* created again: the same job */
    li_import_result again;
    assert_int_equal(li_review_create(s, &o, &again, &err), LI_OK);
    assert_int_equal(again.job.id, id);
    assert_int_equal(again.resumed, 1);

    /* the mapping changes while uploaded: "Tél" becomes the phone */
    li_map_override ov[] = {{"phone", "Tél"}, {"email", "Courriel"}};
    li_review_mapping m = {.map = ov, .nmap = 2};
    assert_int_equal(li_review_set_mapping(s, id, &m, &err), LI_OK);

    /* 2. analysed: ready, nothing written to leads */
    li_review_run run = {0};
    assert_int_equal(li_review_analyse(s, id, &run, &res, &err), LI_OK);
    assert_int_equal(res.job.state, LI_JOB_READY);
    assert_int_equal(count_leads(s), 0);
    assert_int_equal(li_review_set_mapping(s, id, &m, &err), LI_EREFUSED);
    assert_string_equal(li_msg_code(err.msg), "review_not_uploaded");

    /* 3. the review: 5 rows, 1 refused; row 4 (Marie's twin by e-mail) a duplicate;
     *    Paul shares the phone the twin brings */
    li_review r;
    assert_int_equal(li_review_get(s, id, &r, &err), LI_OK);
    assert_true(r.analysed);
    assert_int_equal(r.rows, 5);
    assert_int_equal(r.valid, 4);
    assert_int_equal(r.invalid, 1);
    assert_int_equal(r.predictions[LI_DUP_SKIP].created, 3);
    assert_int_equal(r.predictions[LI_DUP_SKIP].skipped, 1);
    /* update: Marie gets the twin's phone, so Paul (no e-mail) then matches her */
    assert_int_equal(r.predictions[LI_DUP_UPDATE].created, 2);
    assert_int_equal(r.predictions[LI_DUP_UPDATE].updated, 1);
    assert_int_equal(r.predictions[LI_DUP_CREATE].created, 4);
    assert_int_equal(r.predictions[LI_DUP_CREATE].flagged, 2);
    li_buf b;
    li_buf_init(&b, 0);
    assert_int_equal(li_review_json(&r, &b), LI_OK);
    json_t *j = json_loads(b.data, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "job_id")), id);
    assert_int_equal(json_integer_value(
                         json_object_get(json_object_get(json_object_get(j, "predictions"),
                                                         "update"),
                                         "updated")),
                     1);
    json_decref(j);
    li_review_free(&r);

    /* rows: the duplicate, with its raw cell as the file has it */
    li_buf_reset(&b);
    assert_int_equal(li_review_rows(s, id, LI_ROWS_DUPLICATE, 1, &b, &err), LI_OK);
    j = json_loads(b.data, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    json_t *row = json_array_get(json_object_get(j, "rows"), 0);
    assert_int_equal(json_integer_value(json_object_get(row, "row")), 4);
    assert_int_equal(json_integer_value(json_object_get(row, "duplicate_of_row")), 3);
    assert_string_equal(json_string_value(json_object_get(json_object_get(row, "values"),
                                                          "Courriel")),
                        "MARIE@example.fr");
    json_decref(j);
    li_buf_free(&b);

    /* predictions with the phone alone as key */
    li_review_choice c = {.match = {LI_FIELD_PHONE}, .nmatch = 1};
    li_review_counts by_phone[3];
    assert_int_equal(li_review_predict(s, id, &c, by_phone, &err), LI_OK);
    assert_int_equal(by_phone[LI_DUP_SKIP].skipped, 1); /* Paul, on the twin's phone */
    assert_int_equal(count_leads(s), 0);

    /* 4. commit with update: the counts predicted */
    li_import_opts choice;
    li_import_opts_init(&choice);
    choice.on_duplicate = LI_DUP_UPDATE;
    assert_int_equal(li_review_commit(s, id, &choice, &run, &res, &err), LI_OK);
    assert_int_equal(res.job.state, LI_JOB_COMPLETED);
    assert_int_equal(res.job.created, 2);
    assert_int_equal(res.job.updated, 1);
    assert_int_equal(res.job.skipped, 1);
    /* committed: not again */
    assert_int_equal(li_review_commit(s, id, &choice, &run, &res, &err), LI_EREFUSED);
    li_store_close(s);
}

/* The review of csv created and analysed (ready): its job id. */
static int64_t analysed(li_store *s) {
    li_import_opts o;
    li_import_result res;
    li_error err;
    li_import_opts_init(&o);
    o.path = csv;
    assert_int_equal(li_review_create(s, &o, &res, &err), LI_OK);
    li_review_run run = {0};
    assert_int_equal(li_review_analyse(s, res.job.id, &run, &res, &err), LI_OK);
    return res.job.id;
}

typedef struct show_arg {
    int64_t id;
    li_status st;
} show_arg;

static void *show_review(void *arg) {
    show_arg *a = arg;
    li_store *s = NULL;
    li_error err;
    li_review r;
    a->st = li_store_open(url, &s, &err);
    if (a->st == LI_OK)
        a->st = li_review_get(s, a->id, &r, &err);
    if (a->st == LI_OK)
        li_review_free(&r);
    li_store_close(s);
    return NULL;
}

/*
 * The review read after the leads changed predicts again (seconds on a big
 * file, without the lock). A commit that lands meanwhile wins: the new
 * predictions are dropped. They used to be stored over the committed
 * review (marked not committed, its duplicate marks rewritten). The
 * commit's first transaction is written by hand here, under a lock held
 * while the review is read, so that it lands in the middle every time.
 */
static void a_commit_during_a_new_prediction_wins(void **state) {
    (void)state;
    li_store *s = NULL, *other = NULL;
    li_error err;
    li_import_result res;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    int64_t id = analysed(s);
    /* The leads change: the next reading predicts again. */
    char other_csv[320];
    snprintf(other_csv, sizeof other_csv, "%s/g.csv", dir);
    FILE *f = fopen(other_csv, "w");
    assert_non_null(f);
    fputs("Prénom,Nom,Courriel\r\nAnne,Roux,anne@example.fr\r\n", f);
    fclose(f);
    li_import_opts g;
    li_import_opts_init(&g);
    g.path = other_csv;
    assert_int_equal(li_import_run(s, &g, &res, &err), LI_OK);

    assert_int_equal(li_store_open(url, &other, &err), LI_OK);
    assert_int_equal(li_store_begin(other, &err), LI_OK);
    char *text = NULL;
    assert_int_equal(li_store_review_get(other, id, &text, &err), LI_OK);
    json_t *j = json_loads(text, 0, NULL);
    free(text);
    json_object_set_new(j, "committed", json_true());
    text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    assert_int_equal(li_store_review_set(other, id, text, &err), LI_OK);
    free(text);
    li_job_rec job;
    assert_int_equal(li_store_job_get(other, id, &job, &err), LI_OK);
    job.state = LI_JOB_QUEUED;
    assert_int_equal(li_store_job_update(other, &job, &err), LI_OK);
    show_arg a = {.id = id, .st = LI_OK};
    /* the review is read as ready; predicting waits for the lock */
    race_commit_after(other, show_review, &a, 500);
    li_store_close(other);
    assert_int_equal(a.st, LI_OK);

    assert_int_equal(li_store_review_get(s, id, &text, &err), LI_OK);
    j = json_loads(text, 0, NULL);
    free(text);
    assert_true(json_is_true(json_object_get(j, "committed")));
    json_decref(j);
    assert_int_equal(li_store_job_get(s, id, &job, &err), LI_OK);
    assert_int_equal(job.state, LI_JOB_QUEUED);
    li_store_close(s);
}

typedef struct cleanup_arg {
    li_status st;
    li_cleanup_result res;
} cleanup_arg;

static void *clean_up(void *arg) {
    cleanup_arg *a = arg;
    li_store *s = NULL;
    li_error err;
    li_cleanup_opts o = {.older_than_s = 1e9, .review_older_than_s = 0.5};
    a->st = li_store_open(url, &s, &err);
    if (a->st == LI_OK)
        a->st = li_cleanup(s, &o, &a->res, &err);
    li_store_close(s);
    return NULL;
}

/*
 * The cleanup cancels reviews left waiting; one that leaves review while
 * the cleanup runs (committed, retried) is left alone. The cleanup used to
 * pick it, then cancel it whatever it had become and drop its rows.
 */
static void a_review_that_leaves_review_during_the_cleanup_is_kept(void **state) {
    (void)state;
    li_store *s = NULL, *other = NULL;
    li_error err;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    int64_t id = analysed(s);
    usleep(1100 * 1000); /* older than the cleanup's half second */
    assert_int_equal(li_store_open(url, &other, &err), LI_OK);
    assert_int_equal(li_store_begin(other, &err), LI_OK);
    li_job_rec job;
    assert_int_equal(li_store_job_get(other, id, &job, &err), LI_OK);
    job.state = LI_JOB_QUEUED; /* what a commit writes */
    assert_int_equal(li_store_job_update(other, &job, &err), LI_OK);
    cleanup_arg a = {.st = LI_OK};
    /* the cleanup picks the review, then waits for the lock */
    race_commit_after(other, clean_up, &a, 300);
    li_store_close(other);
    assert_int_equal(a.st, LI_OK);
    assert_int_equal(a.res.reviews_cancelled, 0);
    assert_int_equal(li_store_job_get(s, id, &job, &err), LI_OK);
    assert_int_equal(job.state, LI_JOB_QUEUED);
    li_buf b;
    li_buf_init(&b, 0);
    assert_int_equal(li_review_rows(s, id, LI_ROWS_ALL, 1, &b, &err), LI_OK);
    json_t *j = json_loads(b.data, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 5); /* its rows kept */
    json_decref(j);
    li_buf_free(&b);
    li_store_close(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(stages_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(a_commit_during_a_new_prediction_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(a_review_that_leaves_review_during_the_cleanup_is_kept,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
