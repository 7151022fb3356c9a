/*
 * test_queue.c — the work queue of the SQLite store (claims, leases, dead
 * owners, exclusivity, retries, releases) and the options saved with a
 * queued job.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "jobs/jobsInt.h"
#include "leadimport/store.h"

#include "db_test_util.h"
#include "race_test_util.h"

static char host[96];

static int setup(void **state) {
    (void)state;
    test_db_name("queue");
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "localhost");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    test_db_remove();
    return 0;
}

/* A fresh store with n jobs (ids 1..n). */
static li_store *store_with_jobs(int n) {
    li_store *s = NULL;
    li_error err;
    teardown(NULL);
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    for (int i = 0; i < n; i++) {
        li_job_rec job;
        memset(&job, 0, sizeof job);
        snprintf(job.file_name, sizeof job.file_name, "f%d.csv", i);
        snprintf(job.file_sha256, sizeof job.file_sha256, "%064d", i);
        job.state = LI_JOB_QUEUED;
        assert_int_equal(li_store_job_insert(s, &job, &err), LI_OK);
    }
    return s;
}

/* An owner name on this host for a process that no longer exists. */
static void dead_owner(char out[128]) {
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    assert_true(pid > 0);
    waitpid(pid, NULL, 0);
    snprintf(out, 128, "%s:%ld:1", host, (long)pid);
}

static void claim(li_store *s, const char *owner, int64_t job, double lease, li_work_item *it,
                  int want_found) {
    li_error err;
    int found = -1;
    assert_int_equal(li_store_work_claim(s, owner, job, lease, it, &found, &err), LI_OK);
    assert_int_equal(found, want_found);
}

static void an_empty_queue_has_nothing_to_claim(void **state) {
    (void)state;
    li_store *s = store_with_jobs(1);
    li_work_item it;
    uint64_t n = 9;
    li_error err;
    claim(s, "me:1:1", 0, 30, &it, 0);
    assert_int_equal(li_store_work_pending(s, 0, &n, &err), LI_OK);
    assert_int_equal(n, 0);
    li_store_close(s);
}

static void a_claim_leases_the_item_to_one_owner(void **state) {
    (void)state;
    li_store *s = store_with_jobs(1);
    li_error err;
    li_work_item it;
    char me[128];
    snprintf(me, sizeof me, "%s:%ld:1", host, (long)getpid());
    assert_int_equal(li_store_work_add(s, 1, LI_WORK_PARSE, 1, 5, 0, &err), LI_OK);
    claim(s, me, 0, 30, &it, 1);
    assert_int_equal(it.kind, LI_WORK_PARSE);
    assert_int_equal(it.state, LI_ITEM_RUNNING);
    assert_string_equal(it.owner, me);
    assert_int_equal(it.attempts, 1);
    assert_int_equal(it.job_id, 1);
    /* Held by a live process: nobody else gets it. */
    claim(s, "other:2:2", 0, 30, &it, 0);
    li_job_rec job;
    assert_int_equal(li_store_job_get(s, 1, &job, &err), LI_OK);
    assert_string_equal(job.worker, me);
    assert_int_equal(job.attempts, 1);
    li_store_close(s);
}

static void an_expired_lease_is_claimed_again(void **state) {
    (void)state;
    li_store *s = store_with_jobs(1);
    li_error err;
    li_work_item it;
    assert_int_equal(li_store_work_add(s, 1, LI_WORK_PARSE, 0, 5, 0, &err), LI_OK);
    claim(s, "elsewhere:1:1", 0, -1, &it, 1); /* a lease that already ran out */
    claim(s, "me:1:2", 0, 30, &it, 1);
    assert_int_equal(it.attempts, 2);
    assert_string_equal(it.owner, "me:1:2");
    li_store_close(s);
}

static void a_dead_owner_on_this_host_loses_its_item_at_once(void **state) {
    (void)state;
    li_store *s = store_with_jobs(1);
    li_error err;
    li_work_item it;
    char dead[128];
    dead_owner(dead);
    assert_int_equal(li_store_work_add(s, 1, LI_WORK_COMMIT, 1, 5, 0, &err), LI_OK);
    claim(s, dead, 0, 3600, &it, 1);
    claim(s, "next:1:1", 0, 30, &it, 1);
    assert_string_equal(it.owner, "next:1:1");
    li_store_close(s);
}

static void an_owner_on_another_host_keeps_its_lease(void **state) {
    (void)state;
    li_store *s = store_with_jobs(1);
    li_error err;
    li_work_item it;
    char dead[128], remote[160];
    dead_owner(dead); /* a pid that is dead here may be alive there */
    snprintf(remote, sizeof remote, "not-%s", dead);
    assert_int_equal(li_store_work_add(s, 1, LI_WORK_PARSE, 0, 5, 0, &err), LI_OK);
    claim(s, remote, 0, 3600, &it, 1);
    claim(s, "me:1:1", 0, 30, &it, 0);
    li_store_close(s);
}

static li_status first_item(const li_work_item *it, void *ctx) {
    *(li_work_item *)ctx = *it;
    return LI_OK;
}

/*
 * Liveness is the lease, seen by every reader without a claim: an item of
 * a dead process of this host is not live at once (jobs show says
 * "interrupted" after a SIGKILL), one of another host is until its lease
 * expires, and neither needs the database to ask the kernel.
 */
static void a_dead_owner_is_not_live_before_any_claim(void **state) {
    (void)state;
    li_store *s = store_with_jobs(2);
    li_error err;
    li_work_item it, seen;
    li_job_rec job;
    char dead[128], remote[160];
    dead_owner(dead);
    snprintf(remote, sizeof remote, "not-%s", dead);
    assert_int_equal(li_store_work_add(s, 1, LI_WORK_PARSE, 0, 5, 0, &err), LI_OK);
    assert_int_equal(li_store_work_add(s, 2, LI_WORK_PARSE, 0, 5, 0, &err), LI_OK);
    claim(s, dead, 1, 3600, &it, 1);
    claim(s, remote, 2, 3600, &it, 1);
    assert_int_equal(li_store_job_get(s, 1, &job, &err), LI_OK);
    assert_int_equal(job.live, 0);
    assert_int_equal(li_store_work_each(s, 1, first_item, &seen, &err), LI_OK);
    assert_int_equal(seen.state, LI_ITEM_RUNNING);
    assert_int_equal(seen.live, 0);
    assert_int_equal(li_store_job_get(s, 2, &job, &err), LI_OK);
    assert_int_equal(job.live, 1);
    assert_int_equal(li_store_work_each(s, 2, first_item, &seen, &err), LI_OK);
    assert_int_equal(seen.live, 1);
    li_store_close(s);
}

/* A dead owner's exclusive item does not hold back the next one. */
static void a_dead_committer_does_not_block_the_next(void **state) {
    (void)state;
    li_store *s = store_with_jobs(2);
    li_error err;
    li_work_item it;
    char dead[128];
    dead_owner(dead);
    assert_int_equal(li_store_work_add(s, 1, LI_WORK_COMMIT, 1, 5, 0, &err), LI_OK);
    claim(s, dead, 1, 3600, &it, 1);
    assert_int_equal(li_store_work_add(s, 2, LI_WORK_COMMIT, 1, 5, 0, &err), LI_OK);
    claim(s, "next:1:1", 2, 30, &it, 1);
    assert_int_equal(it.job_id, 2);
    li_store_close(s);
}

static void one_exclusive_item_runs_at_a_time(void **state) {
    (void)state;
    li_store *s = store_with_jobs(3);
    li_error err;
    li_work_item it;
    char me[128];
    snprintf(me, sizeof me, "%s:%ld:1", host, (long)getpid());
    assert_int_equal(li_store_work_add(s, 1, LI_WORK_COMMIT, 1, 5, 0, &err), LI_OK);
    assert_int_equal(li_store_work_add(s, 2, LI_WORK_PARSE, 1, 5, 0, &err), LI_OK);
    assert_int_equal(li_store_work_add(s, 3, LI_WORK_PARSE, 0, 5, 0, &err), LI_OK);
    claim(s, me, 0, 30, &it, 1);
    assert_int_equal(it.job_id, 1);
    claim(s, me, 0, 30, &it, 1);
    assert_int_equal(it.job_id, 3); /* job 2 writes leads too: it waits */
    claim(s, me, 0, 30, &it, 0);
    li_store_close(s);
}

static void a_claim_can_be_limited_to_one_job(void **state) {
    (void)state;
    li_store *s = store_with_jobs(2);
    li_error err;
    li_work_item it;
    assert_int_equal(li_store_work_add(s, 1, LI_WORK_PARSE, 0, 5, 0, &err), LI_OK);
    assert_int_equal(li_store_work_add(s, 2, LI_WORK_PARSE, 0, 5, 0, &err), LI_OK);
    claim(s, "me:1:1", 2, 30, &it, 1);
    assert_int_equal(it.job_id, 2);
    claim(s, "me:1:1", 2, 30, &it, 0);
    li_store_close(s);
}

static void renewing_keeps_the_lease_and_forgives_attempts(void **state) {
    (void)state;
    li_store *s = store_with_jobs(1);
    li_error err;
    li_work_item it;
    int held = -1;
    assert_int_equal(li_store_work_add(s, 1, LI_WORK_PARSE, 0, 5, 0, &err), LI_OK);
    claim(s, "a:1:1", 0, -1, &it, 1);
    claim(s, "b:1:1", 0, -1, &it, 1);
    assert_int_equal(it.attempts, 2);
    assert_int_equal(li_store_work_renew(s, it.id, "a:1:1", 30, &held, &err), LI_OK);
    assert_int_equal(held, 0); /* taken back by b */
    assert_int_equal(li_store_work_renew(s, it.id, "b:1:1", 30, &held, &err), LI_OK);
    assert_int_equal(held, 1);
    claim(s, "c:1:1", 0, 30, &it, 0);
    li_job_rec job;
    assert_int_equal(li_store_job_get(s, 1, &job, &err), LI_OK);
    assert_int_equal(job.attempts, 1); /* progress was made */
    li_store_close(s);
}

static void a_retry_waits_and_a_release_does_not_count(void **state) {
    (void)state;
    li_store *s = store_with_jobs(1);
    li_error err;
    li_work_item it;
    uint64_t n = 0;
    assert_int_equal(li_store_work_add(s, 1, LI_WORK_PARSE, 0, 5, 0, &err), LI_OK);
    claim(s, "a:1:1", 0, 30, &it, 1);
    assert_int_equal(li_store_work_retry(s, it.id, "a:1:1", "disque plein", 3600, &err), LI_OK);
    claim(s, "a:1:1", 0, 30, &it, 0); /* not due yet */
    assert_int_equal(li_store_work_pending(s, 1, &n, &err), LI_OK);
    assert_int_equal(n, 1);
    assert_int_equal(li_store_work_add(s, 1, LI_WORK_COMMIT, 0, 5, 0, &err), LI_OK);
    claim(s, "a:1:1", 0, 30, &it, 1);
    assert_int_equal(it.kind, LI_WORK_COMMIT);
    assert_int_equal(li_store_work_release(s, it.id, "a:1:1", &err), LI_OK);
    claim(s, "b:1:1", 0, 30, &it, 1);
    assert_int_equal(it.kind, LI_WORK_COMMIT);
    assert_int_equal(it.attempts, 1); /* the released attempt was not counted */
    assert_int_equal(li_store_work_finish(s, it.id, "b:1:1", LI_ITEM_DONE, NULL, &err), LI_OK);
    assert_int_equal(li_store_work_cancel_job(s, 1, &err), LI_OK);
    assert_int_equal(li_store_work_pending(s, 0, &n, &err), LI_OK);
    assert_int_equal(n, 0);
    li_store_close(s);
}

typedef struct delete_arg {
    li_store *s;
    li_status st;
} delete_arg;

static void *delete_job_1(void *arg) {
    delete_arg *a = arg;
    li_error err;
    a->st = li_job_delete(a->s, 1, &err);
    return NULL;
}

/*
 * A failed job retried while its delete is under way: the retry wins (the
 * job stays, queued), the delete is refused. The delete used to check the
 * state before taking the lock, then delete the job the retry had queued.
 */
static void a_retry_during_a_delete_keeps_the_job(void **state) {
    (void)state;
    li_store *s = store_with_jobs(1), *other = NULL;
    li_job_rec job;
    li_error err;
    assert_int_equal(li_store_job_get(s, 1, &job, &err), LI_OK);
    job.state = LI_JOB_FAILED;
    assert_int_equal(li_store_job_update(s, &job, &err), LI_OK);
    assert_int_equal(li_store_open(url, &other, &err), LI_OK);
    /* What a retry writes, under its lock, not yet committed. */
    assert_int_equal(li_store_begin(other, &err), LI_OK);
    job.state = LI_JOB_QUEUED;
    assert_int_equal(li_store_job_update(other, &job, &err), LI_OK);
    delete_arg a = {.s = s, .st = LI_OK};
    race_commit_after(other, delete_job_1, &a, 300); /* the delete reads the job, or waits */
    li_store_close(other);
    assert_int_equal(a.st, LI_EREFUSED);
    assert_int_equal(li_store_job_get(s, 1, &job, &err), LI_OK);
    assert_int_equal(job.state, LI_JOB_QUEUED);
    li_store_close(s);
}

static void options_survive_the_round_trip(void **state) {
    (void)state;
    li_import_opts o, back;
    li__opts_hold hold;
    li_import_opts_init(&o);
    li_map_override map[2] = {{"email", "Courriel"}, {"phone", "#3"}};
    o.reader.delimiter = ';';
    o.reader.encoding = "windows-1252";
    o.reader.header = 1;
    o.map = map;
    o.nmap = 2;
    o.mapping_name = "salon";
    o.region = "BE";
    o.match[0] = LI_FIELD_PHONE;
    o.match[1] = LI_FIELD_EXTERNAL_ID;
    o.nmatch = 2;
    o.on_duplicate = LI_DUP_UPDATE;
    o.overwrite = 1;
    o.assign = LI_ASSIGN_ROUND_ROBIN;
    o.assignees[0] = "anne@exemple.fr";
    o.assignees[1] = "luc@exemple.fr";
    o.nassignees = 2;
    o.max_invalid = (li_reject_limit){1, 1, 12.5};
    li_region_guess inferred = {"CH", LI_REGION_INFERRED, "87 % des e-mails en .ch"};
    char *json = li__opts_to_json(&o, "/data/salon.csv", &inferred); /* --region wins */
    assert_non_null(json);
    assert_int_equal(li__opts_from_json(json, &back, &hold), LI_OK);
    assert_int_equal(back.reader.delimiter, ';');
    assert_string_equal(back.reader.encoding, "windows-1252");
    assert_int_equal(back.reader.header, 1);
    assert_int_equal(back.nmap, 2);
    assert_string_equal(back.map[1].field, "phone");
    assert_string_equal(back.map[1].column, "#3");
    assert_string_equal(back.mapping_name, "salon");
    assert_string_equal(back.region, "BE");
    assert_string_equal(hold.source_path, "/data/salon.csv");
    assert_int_equal(back.nmatch, 2);
    assert_int_equal(back.match[1], LI_FIELD_EXTERNAL_ID);
    assert_int_equal(back.on_duplicate, LI_DUP_UPDATE);
    assert_int_equal(back.overwrite, 1);
    assert_int_equal(back.assign, LI_ASSIGN_ROUND_ROBIN);
    assert_int_equal(back.nassignees, 2);
    assert_string_equal(back.assignees[1], "luc@exemple.fr");
    assert_int_equal(back.max_invalid.set, 1);
    assert_int_equal(back.max_invalid.percent, 1);
    assert_true(back.max_invalid.value == 12.5);
    li__opts_hold_free(&hold);
    free(json);
    assert_int_equal(li__opts_from_json("{\"on_duplicate\":\"maybe\"}", &back, &hold), LI_EFORMAT);
    li__opts_hold_free(&hold);
    assert_int_equal(li__opts_from_json("not json", &back, &hold), LI_EFORMAT);
    li__opts_hold_free(&hold);
}

/* A region inferred from the file is the job's region: a resumed or queued job reuses it. */
static void an_inferred_region_is_saved_with_the_job(void **state) {
    (void)state;
    li_import_opts o, back;
    li__opts_hold hold;
    li_import_opts_init(&o);
    li_region_guess inferred = {"CH", LI_REGION_INFERRED, "87 % des e-mails en .ch"};
    char *json = li__opts_to_json(&o, "/data/suisse.csv", &inferred);
    assert_non_null(json);
    assert_int_equal(li__opts_from_json(json, &back, &hold), LI_OK);
    assert_string_equal(back.region, "CH");
    assert_non_null(strstr(json, "\"region_source\":\"inferred\""));
    li__opts_hold_free(&hold);
    free(json);
    /* the default (France, nothing inferred) is not written as a choice */
    li_region_guess fr = {"FR", LI_REGION_DEFAULT, ""};
    json = li__opts_to_json(&o, "/data/a.csv", &fr);
    assert_int_equal(li__opts_from_json(json, &back, &hold), LI_OK);
    assert_null(back.region);
    li__opts_hold_free(&hold);
    free(json);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_inferred_region_is_saved_with_the_job),
        cmocka_unit_test_setup_teardown(an_empty_queue_has_nothing_to_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(a_claim_leases_the_item_to_one_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(an_expired_lease_is_claimed_again, setup, teardown),
        cmocka_unit_test_setup_teardown(a_dead_owner_on_this_host_loses_its_item_at_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_owner_on_another_host_keeps_its_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(a_dead_owner_is_not_live_before_any_claim, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_dead_committer_does_not_block_the_next, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(one_exclusive_item_runs_at_a_time, setup, teardown),
        cmocka_unit_test_setup_teardown(a_claim_can_be_limited_to_one_job, setup, teardown),
        cmocka_unit_test_setup_teardown(renewing_keeps_the_lease_and_forgives_attempts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_retry_waits_and_a_release_does_not_count, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_retry_during_a_delete_keeps_the_job, setup, teardown),
        cmocka_unit_test(options_survive_the_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
