/*
 * db_test_util.h — the temporary database of a store test (test_store.c,
 * test_state.c, test_queue.c, test_users.c, test_store_faults.c): a file
 * named after the test and the process, its URL, and its removal with the
 * WAL files beside it.
 *
 * Included once per test program: the path and URL are the program's.
 */
#ifndef LEADIMPORT_DB_TEST_UTIL_H
#define LEADIMPORT_DB_TEST_UTIL_H

#include <stdio.h>
#include <unistd.h>

static char dbpath[256], url[300];

/* Names the database "/tmp/li_test_<name>_<pid>.db" (none there yet) and its url. */
static inline void test_db_name(const char *name) {
    snprintf(dbpath, sizeof dbpath, "/tmp/li_test_%s_%d.db", name, (int)getpid());
    unlink(dbpath);
    snprintf(url, sizeof url, "sqlite:%s", dbpath);
}

/* Removes the database and its -wal and -shm files. */
static inline void test_db_remove(void) {
    char p[300];
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
}

#endif
