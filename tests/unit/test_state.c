/*
 * test_state.c — job states, phases and work items: their stored names
 * (the database's and the JSON's words, a contract), their French labels
 * from the catalogue, and the conversion at the store's boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "leadimport/msg.h"
#include "leadimport/state.h"
#include "leadimport/store.h"
#include "store/storeInt.h"

#include "db_test_util.h"

/* A label is French text of the catalogue: not empty, not the English name, and the
 * very text of the entry whose code is prefix + name (+ suffix). */
static void assert_catalogue_label(const char *label, const char *prefix, const char *name,
                                   const char *suffix) {
    char code[64];
    snprintf(code, sizeof code, "%s%s%s", prefix, name, suffix);
    li_msg m = li_msg_by_code(code);
    if (m == LI_MSG_NONE)
        fail_msg("no catalogue entry %s", code);
    assert_string_equal(label, li_msg_text(m));
    assert_true(label[0] != '\0');
    assert_true(strcmp(label, name) != 0 || strcmp(name, "import") == 0); /* "import" is French too */
}

static void job_state_names_are_the_stored_contract_and_round_trip(void **state) {
    (void)state;
    static const char *const names[LI_JOB_STATE_COUNT] = {
        "uploaded", "queued",   "parsing", "ready",     "importing",
        "completed", "rejected", "failed",  "cancelled", "reverted"};
    for (int i = 0; i < LI_JOB_STATE_COUNT; i++) {
        li_job_state s = (li_job_state)i, back = LI_JOB_STATE_COUNT;
        assert_string_equal(li_job_state_name(s), names[i]);
        assert_true(li_job_state_parse(names[i], &back));
        assert_int_equal(back, s);
        assert_catalogue_label(li_job_state_label(s), "job_state_", names[i], "");
        /* What a user types: the label, the name, in any case. */
        back = LI_JOB_STATE_COUNT;
        assert_true(li_job_state_from_word(li_job_state_label(s), &back));
        assert_int_equal(back, s);
        assert_true(li_job_state_from_word(names[i], &back));
        assert_int_equal(back, s);
        /* A job either still moves (may be cancelled) or is over, never both. */
        assert_int_equal(li_job_state_final(s), !li_job_state_open(s));
    }
    assert_true(li_job_state_final(LI_JOB_COMPLETED));
    assert_true(li_job_state_open(LI_JOB_READY));
}

static void job_state_words_and_labels_list(void **state) {
    (void)state;
    li_job_state s = LI_JOB_QUEUED;
    assert_true(li_job_state_from_word("echec", &s));
    assert_int_equal(s, LI_JOB_FAILED);
    assert_true(li_job_state_from_word("EN-ATTENTE", &s));
    assert_int_equal(s, LI_JOB_QUEUED);
    assert_true(li_job_state_from_word("Terminé", &s));
    assert_int_equal(s, LI_JOB_COMPLETED);
    s = LI_JOB_READY;
    assert_false(li_job_state_from_word("fini?", &s));
    assert_false(li_job_state_parse("terminé", &s)); /* a label is not a stored name */
    assert_false(li_job_state_parse(NULL, &s));
    assert_int_equal(s, LI_JOB_READY); /* untouched */
    /* The list the unknown-status message quotes: every label, in order. */
    assert_string_equal(li_job_state_labels(),
                        "déposé, en attente, analyse, prêt à importer, import en cours, terminé, refusé, "
                        "en échec, annulé, défait");
    assert_string_equal(li_job_state_name((li_job_state)99), "?");
    assert_string_equal(li_job_state_label((li_job_state)-1), "?");
}

static void job_phases_round_trip_with_none_as_empty(void **state) {
    (void)state;
    static const char *const names[LI_PHASE_COUNT] = {"",       "hash",   "parse", "import",
                                                      "commit", "report", "index", "done"};
    for (int i = 0; i < LI_PHASE_COUNT; i++) {
        li_job_phase p = (li_job_phase)i, back = LI_PHASE_COUNT;
        assert_string_equal(li_job_phase_name(p), names[i]);
        assert_true(li_job_phase_parse(names[i], &back));
        assert_int_equal(back, p);
        if (p == LI_PHASE_NONE) {
            assert_string_equal(li_job_phase_label(p), ""); /* nothing shown while queued */
            continue;
        }
        assert_catalogue_label(li_job_phase_label(p), "job_phase_", names[i], "");
        assert_catalogue_label(li_job_phase_title(p), "job_phase_", names[i], "_title");
    }
    li_job_phase p = LI_PHASE_DONE;
    assert_true(li_job_phase_parse(NULL, &p)); /* a NULL column: not started */
    assert_int_equal(p, LI_PHASE_NONE);
    assert_false(li_job_phase_parse("analyse", &p));
    assert_string_equal(li_job_phase_label(LI_PHASE_COMMIT), "enregistrement");
    assert_string_equal(li_job_phase_title(LI_PHASE_PARSE), "Analyse");
}

static void work_kinds_and_states_round_trip(void **state) {
    (void)state;
    static const char *const kinds[LI_WORK_KIND_COUNT] = {"parse", "commit", "report"};
    for (int i = 0; i < LI_WORK_KIND_COUNT; i++) {
        li_work_kind k = (li_work_kind)i, back = LI_WORK_KIND_COUNT;
        assert_string_equal(li_work_kind_name(k), kinds[i]);
        assert_true(li_work_kind_parse(kinds[i], &back));
        assert_int_equal(back, k);
        assert_catalogue_label(li_work_kind_label(k), "work_kind_", kinds[i], "");
    }
    static const char *const states[LI_ITEM_STATE_COUNT] = {"queued", "running", "done", "dead",
                                                            "cancelled"};
    for (int i = 0; i < LI_ITEM_STATE_COUNT; i++) {
        li_work_state s = (li_work_state)i, back = LI_ITEM_STATE_COUNT;
        assert_string_equal(li_work_state_name(s), states[i]);
        assert_true(li_work_state_parse(states[i], &back));
        assert_int_equal(back, s);
        assert_catalogue_label(li_work_state_label(s), "work_state_", states[i], "");
    }
    li_work_kind k = LI_WORK_REPORT;
    assert_false(li_work_kind_parse("hash", &k));
    assert_int_equal(k, LI_WORK_REPORT);
    assert_string_equal(li_work_state_label(LI_ITEM_DEAD), "abandonné");
}

/* --- the store's boundary --------------------------------------------------------- */


static int setup(void **state) {
    (void)state;
    test_db_name("state");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    test_db_remove();
    return 0;
}

static void store_keeps_every_state_and_phase_by_name(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    for (int i = 0; i < LI_JOB_STATE_COUNT; i++) {
        li_job_rec j, g;
        memset(&j, 0, sizeof j);
        snprintf(j.file_name, sizeof j.file_name, "f%d.csv", i);
        snprintf(j.file_sha256, sizeof j.file_sha256, "%064d", i);
        j.state = (li_job_state)i;
        j.phase = (li_job_phase)(i % LI_PHASE_COUNT);
        assert_int_equal(li_store_job_insert(s, &j, &err), LI_OK);
        assert_int_equal(li_store_job_get(s, j.id, &g, &err), LI_OK);
        assert_int_equal(g.state, j.state);
        assert_int_equal(g.phase, j.phase);
        li_job_state only = LI_JOB_QUEUED;
        assert_int_equal(li_store_job_state(s, j.id, &only, &err), LI_OK);
        assert_int_equal(only, j.state);
        /* What another program reads in the database: the name. */
        char sql[96], *stored = NULL;
        snprintf(sql, sizeof sql, "SELECT status FROM import_jobs WHERE id=%lld", (long long)j.id);
        sqlite3_stmt *q;
        assert_int_equal(sqlite3_prepare_v2(li__sqlite_db(s), sql, -1, &q, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        stored = (char *)sqlite3_column_text(q, 0);
        assert_string_equal(stored, li_job_state_name(j.state));
        sqlite3_finalize(q);
    }
    li_store_close(s);
}

static void store_refuses_a_state_it_does_not_know(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_job_rec j, g;
    memset(&j, 0, sizeof j);
    snprintf(j.file_name, sizeof j.file_name, "f.csv");
    snprintf(j.file_sha256, sizeof j.file_sha256, "%064d", 7);
    j.state = LI_JOB_QUEUED;
    assert_int_equal(li_store_job_insert(s, &j, &err), LI_OK);
    assert_int_equal(sqlite3_exec(li__sqlite_db(s), "UPDATE import_jobs SET status='paused'", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(li_store_job_get(s, j.id, &g, &err), LI_EFORMAT);
    assert_string_equal(li_msg_code(err.msg), "job_state_corrupt");
    assert_non_null(strstr(err.message, "« paused »"));
    li_job_state only;
    assert_int_equal(li_store_job_state(s, j.id, &only, &err), LI_EFORMAT);
    li_store_close(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(job_state_names_are_the_stored_contract_and_round_trip),
        cmocka_unit_test(job_state_words_and_labels_list),
        cmocka_unit_test(job_phases_round_trip_with_none_as_empty),
        cmocka_unit_test(work_kinds_and_states_round_trip),
        cmocka_unit_test_setup_teardown(store_keeps_every_state_and_phase_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(store_refuses_a_state_it_does_not_know, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
