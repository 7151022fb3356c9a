/*
 * test_jobapi.c — what a server reads of jobs (api.c): the history in pages
 * newest first and by state, the snapshots of an event stream (a snapshot
 * when the job changed, nothing when not, the end once, resumption after an
 * id), the report as a download (written when missing) and its name.
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

#include "leadimport/blob.h"
#include "leadimport/jobjson.h"
#include "leadimport/review.h"
#include "leadimport/store.h"

static char dir[256], dbpath[300], url[320];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/li_test_jobapi_%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(dbpath, sizeof dbpath, "%s/t.db", dir);
    snprintf(url, sizeof url, "sqlite:%s", dbpath);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int64_t add_job(li_store *s, const char *name, li_job_state state) {
    li_job_rec j;
    li_error err;
    memset(&j, 0, sizeof j);
    snprintf(j.file_name, sizeof j.file_name, "%s", name);
    snprintf(j.file_sha256, sizeof j.file_sha256, "%064d", 0);
    j.state = state;
    j.eta_s = -1;
    assert_int_equal(li_store_job_insert(s, &j, &err), LI_OK);
    return j.id;
}

static json_t *parse(li_buf *b) {
    json_t *j = json_loads(b->data, 0, NULL);
    assert_non_null(j);
    li_buf_reset(b);
    return j;
}

static void history_in_pages_newest_first(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    li_buf b;
    li_buf_init(&b, 0);
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    int64_t ids[45];
    for (int i = 0; i < 45; i++)
        ids[i] = add_job(s, "f.csv", i % 3 == 0 ? LI_JOB_COMPLETED : LI_JOB_FAILED);

    assert_int_equal(li_jobjson_history(&b, s, NULL, 1, &err), LI_OK);
    json_t *j = parse(&b);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 45);
    assert_int_equal(json_integer_value(json_object_get(j, "pages")), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "per_page")), LI_JOBJSON_PAGE);
    json_t *list = json_object_get(j, "imports");
    assert_int_equal(json_array_size(list), 20);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "job_id")),
                     ids[44]);
    json_decref(j);

    assert_int_equal(li_jobjson_history(&b, s, NULL, 3, &err), LI_OK);
    j = parse(&b);
    list = json_object_get(j, "imports");
    assert_int_equal(json_array_size(list), 5);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 4), "job_id")),
                     ids[0]);
    json_decref(j);

    assert_int_equal(li_jobjson_history(&b, s, NULL, 4, &err), LI_OK); /* past the last */
    j = parse(&b);
    assert_int_equal(json_array_size(json_object_get(j, "imports")), 0);
    json_decref(j);

    li_job_state done = LI_JOB_COMPLETED;
    assert_int_equal(li_jobjson_history(&b, s, &done, 1, &err), LI_OK);
    j = parse(&b);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 15);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "imports"), i, v)
        assert_string_equal(json_string_value(json_object_get(v, "status")), "completed");
    json_decref(j);
    li_buf_free(&b);
    li_store_close(s);
}

static void watch_gives_changes_then_the_end(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    li_buf b;
    li_buf_init(&b, 0);
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    int64_t id = add_job(s, "w.csv", LI_JOB_QUEUED);
    li_job_watch w;
    li_watch_event ev;
    char eid[24];
    assert_int_equal(li_job_watch_init(&w, NULL), 0);
    assert_int_equal(li_job_watch_poll(&w, s, id, &b, &ev, eid, &err), LI_OK);
    assert_int_equal(ev, LI_WATCH_PROGRESS);
    assert_string_equal(eid, "1");
    json_t *j = parse(&b);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "queued");
    json_decref(j);
    /* unchanged: nothing to send */
    assert_int_equal(li_job_watch_poll(&w, s, id, &b, &ev, eid, &err), LI_OK);
    assert_int_equal(ev, LI_WATCH_NONE);
    assert_int_equal(b.len, 0);
    /* the worker moves it: a snapshot with its counters */
    li_job_rec job;
    assert_int_equal(li_store_job_get(s, id, &job, &err), LI_OK);
    job.state = LI_JOB_IMPORTING;
    job.rows = 1500;
    job.rows_per_s = 750;
    job.eta_s = 3;
    assert_int_equal(li_store_job_update(s, &job, &err), LI_OK);
    assert_int_equal(li_job_watch_poll(&w, s, id, &b, &ev, eid, &err), LI_OK);
    assert_int_equal(ev, LI_WATCH_PROGRESS);
    assert_string_equal(eid, "2");
    j = parse(&b);
    assert_int_equal(json_integer_value(json_object_get(j, "rows")), 1500);
    assert_int_equal(json_integer_value(json_object_get(j, "eta_s")), 3);
    json_decref(j);
    /* it ends: the end, once */
    job.state = LI_JOB_COMPLETED;
    assert_int_equal(li_store_job_update(s, &job, &err), LI_OK);
    assert_int_equal(li_job_watch_poll(&w, s, id, &b, &ev, eid, &err), LI_OK);
    assert_int_equal(ev, LI_WATCH_END);
    assert_string_equal(eid, "end");
    j = parse(&b);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "completed");
    json_decref(j);
    assert_int_equal(li_job_watch_poll(&w, s, id, &b, &ev, eid, &err), LI_OK);
    assert_int_equal(ev, LI_WATCH_NONE);

    /* resumed after event 7: the current state first, numbered 8; after the end: nothing */
    assert_int_equal(li_job_watch_init(&w, "7"), 0);
    assert_int_equal(li_job_watch_poll(&w, s, id, &b, &ev, eid, &err), LI_OK);
    assert_int_equal(ev, LI_WATCH_END); /* it has ended: the end is what it missed */
    li_buf_reset(&b);
    int64_t other = add_job(s, "x.csv", LI_JOB_PARSING);
    assert_int_equal(li_job_watch_init(&w, "7"), 0);
    assert_int_equal(li_job_watch_poll(&w, s, other, &b, &ev, eid, &err), LI_OK);
    assert_int_equal(ev, LI_WATCH_PROGRESS);
    assert_string_equal(eid, "8");
    li_buf_reset(&b);
    assert_int_equal(li_job_watch_init(&w, "end"), 1);
    assert_int_equal(li_job_watch_poll(&w, s, other, &b, &ev, eid, &err), LI_OK);
    assert_int_equal(ev, LI_WATCH_NONE);

    /* a job waiting for its user in review has ended its moves */
    int64_t up = add_job(s, "u.csv", LI_JOB_UPLOADED);
    li_job_watch_init(&w, NULL);
    assert_int_equal(li_job_watch_poll(&w, s, up, &b, &ev, eid, &err), LI_OK);
    assert_int_equal(ev, LI_WATCH_END);
    li_buf_reset(&b);
    /* gone */
    li_job_watch_init(&w, NULL);
    assert_int_equal(li_job_watch_poll(&w, s, 999999, &b, &ev, eid, &err), LI_ENOTFOUND);
    li_buf_free(&b);
    li_store_close(s);
}

static void report_download_written_when_missing(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    char csv[320];
    snprintf(csv, sizeof csv, "%s/leads mars.csv", dir);
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("Nom,Courriel\r\nDupont,jean@example.fr\r\nPersonne,\r\n", f);
    fclose(f);
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_import_opts o;
    li_import_result res;
    li_import_opts_init(&o);
    o.path = csv;
    assert_int_equal(li_review_create(s, &o, &res, &err), LI_OK);
    int64_t id = res.job.id;
    li_review_run run = {0};
    assert_int_equal(li_review_analyse(s, id, &run, &res, &err), LI_OK);
    /* ready: no report stored yet, written on demand */
    li_blob_reader *r = NULL;
    uint64_t size = 0;
    assert_int_equal(li_report_open(s, id, &r, &size, &err), LI_OK);
    char buf[4096];
    size_t got = 0, all = 0;
    do {
        assert_int_equal(li_blob_read(r, buf + all, sizeof buf - 1 - all, &got, &err), LI_OK);
        all += got;
    } while (got > 0);
    buf[all] = '\0';
    li_blob_reader_close(r);
    assert_int_equal(all, size);
    assert_non_null(strstr(buf, "refusée"));
    assert_non_null(strstr(buf, "Personne"));
    assert_null(strstr(buf, "Dupont"));

    char name[300];
    assert_int_equal(li_store_job_get(s, id, &res.job, &err), LI_OK);
    li_report_file_name(&res.job, name, sizeof name);
    assert_string_equal(name, "leads mars.erreurs.csv");
    res.job.file_name[0] = '\0';
    li_report_file_name(&res.job, name, sizeof name);
    char want[64];
    snprintf(want, sizeof want, "import-%lld.erreurs.csv", (long long)id);
    assert_string_equal(name, want);
    assert_int_equal(li_report_open(s, 424242, &r, &size, &err), LI_ENOTFOUND);
    assert_null(r);
    li_store_close(s);
}

/* A change of mapping as the HTTP API sends it. */
static void mapping_change_read_from_json(void **state) {
    (void)state;
    li_review_mapping m;
    li_review_mapping_hold *h = NULL;
    li_error err;
    const char *obj = "{\"map\":{\"email\":\"Courriel\",\"phone\":\"Tél\"},\"sheet\":\"Feuil2\"}";
    assert_int_equal(li_review_mapping_parse(obj, strlen(obj), &m, &h, &err), LI_OK);
    assert_int_equal(m.nmap, 2);
    assert_string_equal(m.map[1].field, "phone");
    assert_string_equal(m.map[1].column, "Tél");
    assert_string_equal(m.sheet, "Feuil2");
    assert_null(m.mapping_name);
    li_review_mapping_hold_free(h);
    const char *pairs = "{\"map\":[[\"email\",\"Courriel\"]],\"mapping_name\":\"crm\"}";
    assert_int_equal(li_review_mapping_parse(pairs, strlen(pairs), &m, &h, &err), LI_OK);
    assert_int_equal(m.nmap, 1);
    assert_string_equal(m.mapping_name, "crm");
    li_review_mapping_hold_free(h);
    static const struct {
        const char *json, *code;
    } bad[] = {
        {"{\"map\":{\"email\":3}}", "options_map_pair"},
        {"{\"map\":[[\"email\"]]}", "options_map_pair"},
        {"{\"map\":\"email\"}", "options_not_list"},
        {"{\"sheets\":\"x\"}", "options_key_unknown"},
        {"{\"sheet\":2}", "options_not_string"},
        {"[1]", "options_root_not_object"},
        {"{\"map\":", "options_json_invalid"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h = (li_review_mapping_hold *)1;
        assert_int_equal(li_review_mapping_parse(bad[i].json, strlen(bad[i].json), &m, &h, &err),
                         LI_EUSAGE);
        assert_null(h);
        assert_string_equal(li_msg_code(err.msg), bad[i].code);
    }
}

/* The field and reason the sniff of job id gives the column header. */
static void column_is(li_store *s, int64_t id, const char *header, const char *field,
                      const char *reason) {
    li_buf b;
    li_error err;
    li_buf_init(&b, 0);
    assert_int_equal(li_review_sniff_json(s, id, 20, &b, &err), LI_OK);
    json_t *j = json_loads(b.data, 0, NULL);
    size_t i;
    json_t *c;
    int seen = 0;
    json_array_foreach(json_object_get(j, "mapping"), i, c) {
        if (strcmp(json_string_value(json_object_get(c, "header")), header) == 0) {
            assert_string_equal(json_string_value(json_object_get(c, "field")), field);
            assert_string_equal(json_string_value(json_object_get(c, "reason")), reason);
            seen = 1;
        }
    }
    assert_true(seen);
    json_decref(j);
    li_buf_free(&b);
}

/* A PUT of the mapping replaces the whole choice: what it leaves out is automatic again. */
static void mapping_put_replaces_the_choice(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    char csv[320];
    snprintf(csv, sizeof csv, "%s/villes.csv", dir);
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("Nom;Courriel;Ville\r\nDupont;jean@example.fr;Lyon\r\n", f);
    fclose(f);
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_import_opts o;
    li_import_result res;
    li_import_opts_init(&o);
    o.path = csv;
    assert_int_equal(li_review_create(s, &o, &res, &err), LI_OK);
    int64_t id = res.job.id;
    column_is(s, id, "Ville", "city", "header");
    li_review_mapping m;
    li_review_mapping_hold *h = NULL;
    const char *notes = "{\"map\":{\"notes\":\"Ville\"}}";
    assert_int_equal(li_review_mapping_parse(notes, strlen(notes), &m, &h, &err), LI_OK);
    assert_int_equal(li_review_set_mapping(s, id, &m, &err), LI_OK);
    li_review_mapping_hold_free(h);
    column_is(s, id, "Ville", "notes", "override");
    const char *undo[] = {"{\"map\":{}}", "{}", "{\"mapping_name\":\"auto\"}"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(li_review_mapping_parse(notes, strlen(notes), &m, &h, &err), LI_OK);
        assert_int_equal(li_review_set_mapping(s, id, &m, &err), LI_OK);
        li_review_mapping_hold_free(h);
        assert_int_equal(li_review_mapping_parse(undo[i], strlen(undo[i]), &m, &h, &err), LI_OK);
        assert_int_equal(li_review_set_mapping(s, id, &m, &err), LI_OK);
        li_review_mapping_hold_free(h);
        column_is(s, id, "Ville", "city", "header");
    }
    /* the command line's change (replace 0) keeps what it does not name */
    li_map_override ov = {"notes", "Ville"};
    li_review_mapping cli = {.map = &ov, .nmap = 1};
    assert_int_equal(li_review_set_mapping(s, id, &cli, &err), LI_OK);
    li_review_mapping sheet_only = {.sheet = NULL};
    assert_int_equal(li_review_set_mapping(s, id, &sheet_only, &err), LI_OK);
    column_is(s, id, "Ville", "notes", "override");
    li_store_close(s);
}

/* A server's report count: none while the job moves, counted once it stops. */
static void report_rows_only_when_the_job_stops(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    char csv[320];
    snprintf(csv, sizeof csv, "%s/r.csv", dir);
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("Nom,Courriel\r\nDupont,jean@example.fr\r\nPersonne,\r\nRien,\r\n", f);
    fclose(f);
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_import_opts o;
    li_import_result res;
    li_import_opts_init(&o);
    o.path = csv;
    assert_int_equal(li_review_create(s, &o, &res, &err), LI_OK);
    li_review_run run = {0};
    assert_int_equal(li_review_analyse(s, res.job.id, &run, &res, &err), LI_OK);
    li_job_rec job;
    assert_int_equal(li_store_job_get(s, res.job.id, &job, &err), LI_OK);
    uint64_t n = 0;
    assert_int_equal(li_job_report_rows(s, &job, &n, &err), LI_OK);
    assert_int_equal(n, 2); /* ready: the two refused rows */
    li_job_rec moving = job;
    moving.state = LI_JOB_IMPORTING;
    assert_int_equal(li_job_report_rows(s, &moving, &n, &err), LI_OK);
    assert_true(n == LI_JOBJSON_ROWS_UNKNOWN);
    li_buf b;
    li_buf_init(&b, 0);
    assert_int_equal(li_jobjson_job_detail(&b, s, &moving, n, &err), LI_OK);
    assert_non_null(strstr(b.data, "\"report_rows\":null"));
    li_buf_free(&b);
    /* the same job in the same state: the count kept, not made again (the store is not read) */
    li_store_close(s);
    assert_int_equal(li_job_report_rows(NULL, &job, &n, &err), LI_OK);
    assert_int_equal(n, 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(history_in_pages_newest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(watch_gives_changes_then_the_end, setup, teardown),
        cmocka_unit_test_setup_teardown(report_download_written_when_missing, setup, teardown),
        cmocka_unit_test(mapping_change_read_from_json),
        cmocka_unit_test_setup_teardown(mapping_put_replaces_the_choice, setup, teardown),
        cmocka_unit_test_setup_teardown(report_rows_only_when_the_job_stops, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
