/*
 * test_store_faults.c — what a failed SQLite call becomes in the store: a
 * full disk, a read-only database and a lock are told apart (their status
 * decides retries and exit codes) and said in French; a lock held past the
 * busy timeout names the process that holds it.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "leadimport/store.h"
#include "store/storeInt.h"

#include "db_test_util.h"

static void classifies(int code, int sys, li_status want, li_msg msg) {
    li_error e;
    li_error_clear(&e);
    assert_int_equal(li__sqlite_fault(NULL, "/x/t.db", code, sys, &e), want);
    assert_int_equal(e.status, want);
    assert_int_equal(e.msg, msg);
    /* No English text of SQLite's reaches the user. */
    assert_null(strstr(e.message, "disk I/O error"));
    assert_null(strstr(e.message, "database"));
}

static void a_full_disk_is_said_as_such(void **state) {
    (void)state;
    classifies(SQLITE_FULL, 0, LI_ENOSPACE, LI_MSG_DB_FULL);
    classifies(SQLITE_IOERR_WRITE, ENOSPC, LI_ENOSPACE, LI_MSG_DB_FULL);
    classifies(SQLITE_IOERR_FSYNC, EDQUOT, LI_ENOSPACE, LI_MSG_DB_FULL);
    classifies(SQLITE_CANTOPEN, ENOSPC, LI_ENOSPACE, LI_MSG_DB_FULL);
    li_error e;
    li__sqlite_fault(NULL, "/x/t.db", SQLITE_IOERR_WRITE, ENOSPC, &e);
    assert_non_null(strstr(e.message, "Disque plein"));
    assert_non_null(strstr(e.message, "/x/t.db"));
    li__sqlite_fault(NULL, "/x/t.db", SQLITE_IOERR_WRITE, EDQUOT, &e);
    assert_non_null(strstr(e.message, "quota"));
}

static void a_read_only_database_is_said_as_such(void **state) {
    (void)state;
    classifies(SQLITE_READONLY, 0, LI_EREADONLY, LI_MSG_DB_READONLY);
    classifies(SQLITE_READONLY_DBMOVED, 0, LI_EREADONLY, LI_MSG_DB_READONLY);
    classifies(SQLITE_IOERR_WRITE, EROFS, LI_EREADONLY, LI_MSG_DB_READONLY);
    classifies(SQLITE_CANTOPEN, EACCES, LI_EREADONLY, LI_MSG_DB_READONLY);
    li_error e;
    li__sqlite_fault(NULL, "/x/t.db", SQLITE_IOERR_WRITE, EROFS, &e);
    assert_non_null(strstr(e.message, "lecture seule"));
}

static void other_failures_stay_database_errors(void **state) {
    (void)state;
    classifies(SQLITE_IOERR_READ, EIO, LI_EDB, LI_MSG_DB_ERROR);
    classifies(SQLITE_ERROR, 0, LI_EDB, LI_MSG_DB_ERROR);
}

/* "Busy" said without any wait (a transaction that read, then wanted to
 * write beside another writer) must not claim a wait of the timeout. */
static void a_busy_answer_without_a_wait_says_what_happened(void **state) {
    (void)state;
    classifies(SQLITE_BUSY_SNAPSHOT, 0, LI_EBUSY, LI_MSG_DB_BUSY_CHANGED);
    classifies(SQLITE_BUSY, 0, LI_EBUSY, LI_MSG_DB_BUSY_CHANGED);
    li_error e;
    li__sqlite_fault(NULL, "/x/t.db", SQLITE_BUSY_SNAPSHOT, 0, &e);
    assert_null(strstr(e.message, "depuis plus de"));
    assert_non_null(strstr(e.message, "/x/t.db"));
}

/* A file that is no database, or a damaged one: the file's fault (exit 4), never retried. */
static void a_damaged_database_is_a_file_problem(void **state) {
    (void)state;
    classifies(SQLITE_CORRUPT, 0, LI_EFORMAT, LI_MSG_DB_ERROR);
    classifies(SQLITE_NOTADB, 0, LI_EFORMAT, LI_MSG_DB_ERROR);
}


static int setup(void **state) {
    (void)state;
    test_db_name("faults");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    test_db_remove();
    return 0;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A child process that holds BEGIN EXCLUSIVE on the database until killed,
 * or for hold_ms milliseconds when hold_ms > 0 (then commits and exits). */
static pid_t hold_lock_for(int hold_ms) {
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *db = NULL;
        char ok = 0;
        if (sqlite3_open(dbpath, &db) == SQLITE_OK &&
            sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) == SQLITE_OK)
            ok = 1;
        if (write(ready[1], &ok, 1) != 1)
            _exit(1);
        if (hold_ms <= 0)
            pause();
        struct timespec ts = {hold_ms / 1000, (long)(hold_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        _exit(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : 1);
    }
    char ok = 0;
    close(ready[1]);
    assert_int_equal(read(ready[0], &ok, 1), 1);
    close(ready[0]);
    assert_int_equal(ok, 1);
    return pid;
}

static void a_lock_held_past_the_timeout_names_its_process(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error e;
    assert_int_equal(li_store_open(url, &s, &e), LI_OK);
    pid_t holder = hold_lock_for(0);
    double t0 = now_s();
    li_status st = li_store_begin(s, &e);
    double waited = now_s() - t0;
    kill(holder, SIGKILL);
    waitpid(holder, NULL, 0);
    assert_int_equal(st, LI_EBUSY);
    assert_int_equal(e.msg, LI_MSG_DB_BUSY);
    /* LEADIMPORT_BUSY_TIMEOUT=1 (main): waited for it, not for the default 10 s. */
    assert_true(waited >= 0.95);
    assert_true(waited < 5.0);
    char who[64];
    snprintf(who, sizeof who, "le processus %ld (", (long)holder);
    if (!strstr(e.message, who))
        fail_msg("holder not named: %s", e.message);
    /* The lock gone, the same connection writes again. */
    assert_int_equal(li_store_begin(s, &e), LI_OK);
    li_store_rollback(s);
    li_store_close(s);
}

/*
 * Saving a mapping reads (the creation date it keeps), then writes. Beside
 * a writer (a worker of the server) it waits for its turn: it once read
 * first and was refused at once, since a transaction that has read cannot
 * wait for the lock (CI: `mappings save` beside `leadimport serve`).
 */
static void saving_a_mapping_waits_for_a_writer(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error e;
    assert_int_equal(li_store_open(url, &s, &e), LI_OK);
    assert_int_equal(li_store_mapping_save(s, "salon", "sig", "[\"Ville\"]",
                                           "{\"Ville\":\"notes\"}", &e),
                     LI_OK);
    pid_t holder = hold_lock_for(100);
    double t0 = now_s();
    li_status st = li_store_mapping_save(s, "salon", "sig", "[\"Ville\"]",
                                         "{\"Ville\":\"city\"}", &e);
    double waited = now_s() - t0;
    int status = 0;
    waitpid(holder, &status, 0);
    if (st != LI_OK)
        fail_msg("refused beside a writer: %s", e.message);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(waited >= 0.05); /* it did wait for the writer's commit */
    li_mapping_rec m;
    int found = 0;
    assert_int_equal(li_store_mapping_get(s, "salon", NULL, &m, &found, &e), LI_OK);
    assert_int_equal(found, 1);
    assert_non_null(strstr(m.mapping_json, "city"));
    li_mapping_rec_free(&m);
    li_store_close(s);
}

int main(void) {
    /* Long enough that the writer of saving_a_mapping_waits_for_a_writer
     * (100 ms) never outlasts it on a loaded machine. */
    setenv("LEADIMPORT_BUSY_TIMEOUT", "1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_full_disk_is_said_as_such),
        cmocka_unit_test(a_read_only_database_is_said_as_such),
        cmocka_unit_test(other_failures_stay_database_errors),
        cmocka_unit_test(a_damaged_database_is_a_file_problem),
        cmocka_unit_test(a_busy_answer_without_a_wait_says_what_happened),
        cmocka_unit_test_setup_teardown(a_lock_held_past_the_timeout_names_its_process, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(saving_a_mapping_waits_for_a_writer, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
