/*
 * handoff.c — batches passed between a reading thread and the writing one.
 *
 * Both stages that write rows (parse.c, commit.c) read on one core while
 * they write on the other: a fixed set of batches circulates, the reader
 * filling free ones, the writer emptying full ones, in order. Memory is the
 * set of batches, whatever the size of the job.
 */
#include <string.h>

#include "pipeline.h"

void li__handoff_init(li__handoff *h) {
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
}

void li__handoff_destroy(li__handoff *h) {
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
}

static void *take(li__handoff *h, void **q, int *n) {
    pthread_mutex_lock(&h->mu);
    while (*n == 0 && !h->stop)
        pthread_cond_wait(&h->cv, &h->mu);
    void *b = NULL;
    if (*n > 0) {
        b = q[0];
        memmove(q, q + 1, (size_t)(*n - 1) * sizeof *q);
        (*n)--;
    }
    pthread_mutex_unlock(&h->mu);
    return b;
}

static void give(li__handoff *h, void **q, int *n, void *b) {
    pthread_mutex_lock(&h->mu);
    q[(*n)++] = b;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

void *li__handoff_take_free(li__handoff *h) {
    return take(h, h->free_q, &h->nfree);
}

void *li__handoff_take_full(li__handoff *h) {
    return take(h, h->full_q, &h->nfull);
}

void li__handoff_give_free(li__handoff *h, void *b) {
    give(h, h->free_q, &h->nfree, b);
}

void li__handoff_give_full(li__handoff *h, void *b) {
    give(h, h->full_q, &h->nfull, b);
}

void li__handoff_stop(li__handoff *h) {
    pthread_mutex_lock(&h->mu);
    h->stop = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}
