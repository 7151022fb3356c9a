/*
 * race_test_util.h — one interleaving made to happen every time: another
 * connection holds the write lock with its writes not yet committed, the
 * code under test runs in a thread (it reads the state as it was, then
 * waits for the lock, or not: that is what the test looks at), and the
 * holder commits after a pause long enough for the thread to get there.
 */
#ifndef LEADIMPORT_RACE_TEST_UTIL_H
#define LEADIMPORT_RACE_TEST_UTIL_H

#include <pthread.h>
#include <unistd.h>

#include "leadimport/store.h"

/* Runs fn(arg) in a thread, commits held (inside its transaction) after ms, waits for fn. */
static void race_commit_after(li_store *held, void *(*fn)(void *), void *arg, unsigned ms) {
    pthread_t t;
    li_error err;
    assert_int_equal(pthread_create(&t, NULL, fn, arg), 0);
    usleep(ms * 1000);
    assert_int_equal(li_store_commit(held, &err), LI_OK);
    pthread_join(t, NULL);
}

#endif
