/*
 * meter.c — how fast a stage goes and where its time is spent: the clock,
 * rows per second over a sliding window (and so the time left), the
 * progress callback of li_import_opts, and LEADIMPORT_TRACE.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline.h"

double li__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void li__meter_start(li__meter *m) {
    memset(m, 0, sizeof *m);
    m->t_start = li__now();
}

double li__meter_add(li__meter *m, uint64_t done) {
    double now = li__now();
    /* One sample every 0.5 s at most: the window covers the last ~4 s. */
    int last = (m->head + 7) % 8;
    if (m->count == 0 || now - m->t[last] >= 0.5) {
        m->t[m->head] = now;
        m->n[m->head] = done;
        m->head = (m->head + 1) % 8;
        if (m->count < 8)
            m->count++;
        last = (m->head + 7) % 8;
    } else {
        m->n[last] = done;
        m->t[last] = now;
    }
    int first = (m->head + 8 - m->count) % 8;
    double dt = m->t[last] - m->t[first];
    if (m->count < 2 || dt <= 0.05) {
        double all = now - m->t_start;
        return all > 0.05 ? (double)done / all : 0.0;
    }
    return (double)(m->n[last] - m->n[first]) / dt;
}

int li__meter_due(li__meter *m) {
    double now = li__now();
    if (now - m->t_last_emit < 0.25)
        return 0;
    m->t_last_emit = now;
    return 1;
}

void li__trace(const char *fmt, ...) {
    static int enabled = -1;
    static double t0;
    if (enabled < 0) {
        enabled = getenv("LEADIMPORT_TRACE") != NULL;
        t0 = li__now();
    }
    if (!enabled)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[%8.3f s] ", li__now() - t0);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void li__progress_emit(const li_import_opts *o, const li_job_rec *job, uint64_t rows,
                       uint64_t rows_total, double rate) {
    if (!o->progress)
        return;
    li_progress p = {
        .phase = job->phase,
        .rows = rows,
        .rows_total = rows_total,
        .bytes = job->bytes_done,
        .bytes_total = job->bytes_total,
        .rows_per_s = rate,
        .eta_s = (rate > 0 && rows_total >= rows) ? (double)(rows_total - rows) / rate : -1.0,
    };
    o->progress(&p, o->progress_ctx);
}
