/*
 * health.c — GET /healthz (is the database reachable?) and GET /metrics
 * (Prometheus text format 0.0.4): jobs by state, rows by outcome, import
 * durations, the queue, and the HTTP answers of this process by route and
 * status. The figures of the database are the store's
 * (li_store_stats_get); this file only writes them out.
 */
#include <stdio.h>
#include <string.h>

#include "reqInt.h"

int li__http_healthz(li_http_req *r) {
    li_error err;
    li_error_clear(&err);
    li_store_stats stats;
    li_store *s = li_http_store(r, &err);
    /* A real read, not just an open connection: a locked or broken database says so. */
    if (!s || li_store_stats_get(s, &stats, &err) != LI_OK) {
        li_buf b;
        li_buf_init(&b, 0);
        li_status st = li_buf_printf(&b, "{\"status\":\"error\",\"database\":\"error\","
                                         "\"error\":{\"code\":\"%s\",\"message\":",
                                     li_msg_code(err.msg == LI_MSG_NONE ? LI_MSG_INTERNAL : err.msg));
        if (st == LI_OK)
            st = li_buf_json_str(&b, err.message, strlen(err.message));
        if (st == LI_OK)
            st = li_buf_puts(&b, "}}");
        int rc = st == LI_OK ? li_http_answer_buf(r, 503, &b) : -1;
        li_buf_free(&b);
        return rc;
    }
    return li_http_answer_json(r, 200, "{\"status\":\"ok\",\"database\":\"ok\"}");
}

int li__http_metrics(li_http_req *r) {
    static const double bounds[LI_STORE_DURATION_BUCKETS] = LI_STORE_DURATION_BOUNDS;
    li_error err;
    li_error_clear(&err);
    li_store_stats m;
    li_store *s = li_http_store(r, &err);
    if (!s || li_store_stats_get(s, &m, &err) != LI_OK)
        return li_http_answer_error(r, &err);
    li_buf b;
    li_buf_init(&b, 0);
    li_status st = li_buf_puts(&b, "# HELP leadimport_jobs Imports by state.\n"
                                   "# TYPE leadimport_jobs gauge\n");
    for (int i = 0; st == LI_OK && i < LI_JOB_STATE_COUNT; i++)
        st = li_buf_printf(&b, "leadimport_jobs{state=\"%s\"} %llu\n",
                           li_job_state_name((li_job_state)i), (unsigned long long)m.jobs[i]);
    if (st == LI_OK)
        st = li_buf_printf(
            &b,
            "# HELP leadimport_rows_processed_total Rows of every import by outcome.\n"
            "# TYPE leadimport_rows_processed_total counter\n"
            "leadimport_rows_processed_total{outcome=\"created\"} %llu\n"
            "leadimport_rows_processed_total{outcome=\"updated\"} %llu\n"
            "leadimport_rows_processed_total{outcome=\"skipped\"} %llu\n"
            "leadimport_rows_processed_total{outcome=\"invalid\"} %llu\n"
            "leadimport_rows_processed_total{outcome=\"warned\"} %llu\n"
            "# HELP leadimport_queue_depth Work items waiting for a worker.\n"
            "# TYPE leadimport_queue_depth gauge\n"
            "leadimport_queue_depth %llu\n"
            "# HELP leadimport_work_items_running Work items a worker holds now.\n"
            "# TYPE leadimport_work_items_running gauge\n"
            "leadimport_work_items_running %llu\n"
            "# HELP leadimport_work_items_dead Work items given up after their last attempt.\n"
            "# TYPE leadimport_work_items_dead gauge\n"
            "leadimport_work_items_dead %llu\n"
            "# HELP leadimport_work_items_lease_expired Work items whose worker's lease has expired (a worker died or lost the database).\n"
            "# TYPE leadimport_work_items_lease_expired gauge\n"
            "leadimport_work_items_lease_expired %llu\n"
            "# HELP leadimport_import_duration_seconds Run time of the completed imports.\n"
            "# TYPE leadimport_import_duration_seconds histogram\n",
            (unsigned long long)m.rows_created, (unsigned long long)m.rows_updated,
            (unsigned long long)m.rows_skipped, (unsigned long long)m.rows_invalid,
            (unsigned long long)m.rows_warned, (unsigned long long)m.work_queued,
            (unsigned long long)m.work_running, (unsigned long long)m.work_dead,
            (unsigned long long)m.work_expired);
    for (int i = 0; st == LI_OK && i < LI_STORE_DURATION_BUCKETS; i++)
        st = li_buf_printf(&b, "leadimport_import_duration_seconds_bucket{le=\"%g\"} %llu\n",
                           bounds[i], (unsigned long long)m.duration_le[i]);
    if (st == LI_OK)
        st = li_buf_printf(&b,
                           "leadimport_import_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
                           "leadimport_import_duration_seconds_sum %.3f\n"
                           "leadimport_import_duration_seconds_count %llu\n",
                           (unsigned long long)m.duration_count, m.duration_sum,
                           (unsigned long long)m.duration_count);
    if (st == LI_OK)
        st = li__http_counters(r->srv, &b);
    int rc = -1;
    if (st == LI_OK) {
        /* Not li_http_answer_buf: that one says JSON. */
        rc = li_http_answer(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
    }
    li_buf_free(&b);
    return rc;
}
