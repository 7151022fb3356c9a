/*
 * test_optjson.c — the option set of an import as JSON (jobjson.h): what a
 * server would receive and what the queue saves. Emit then parse gives the
 * same options; the JSON of a job queued by the previous version is still
 * read; every mistake is refused with its own French message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "jobs/jobsInt.h"
#include "leadimport/jobjson.h"

/* A full option set: every field away from its default. */
static void full_opts(li_import_opts *o) {
    static const li_map_override map[] = {{"email", "Adresse électronique"}, {"phone", "#3"}};
    li_import_opts_init(o);
    o->file_name = "leads été.csv";
    o->reader.format = "csv";
    o->reader.encoding = "windows-1252";
    o->reader.delimiter = '\t';
    o->reader.header = 0;
    o->reader.sheet = "Feuil2";
    o->reader.max_field = 1000;
    o->reader.max_row = 5000;
    o->reader.max_columns = 40;
    o->reader.max_inflated = 1ULL << 33;
    o->map = map;
    o->nmap = 2;
    o->mapping_name = "Salon";
    o->no_remember = 1;
    o->region = "BE";
    o->match[0] = LI_FIELD_EXTERNAL_ID;
    o->match[1] = LI_FIELD_EMAIL;
    o->nmatch = 2;
    o->on_duplicate = LI_DUP_UPDATE;
    o->overwrite = 1;
    o->reassign = 1;
    o->assign = LI_ASSIGN_ROUND_ROBIN;
    o->assignees[0] = "a@exemple.fr";
    o->assignees[1] = "Bruno Dupont";
    o->nassignees = 2;
    o->force = 1;
    o->max_size = 500ULL << 20;
    o->max_invalid = (li_reject_limit){.set = 1, .percent = 1, .value = 2.5};
}

static void assert_str_eq(const char *a, const char *b) {
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void assert_same_opts(const li_import_opts *a, const li_import_opts *b) {
    assert_str_eq(a->file_name, b->file_name);
    assert_str_eq(a->reader.format, b->reader.format);
    assert_str_eq(a->reader.encoding, b->reader.encoding);
    assert_int_equal(a->reader.delimiter, b->reader.delimiter);
    assert_int_equal(a->reader.header, b->reader.header);
    assert_str_eq(a->reader.sheet, b->reader.sheet);
    assert_int_equal(a->reader.max_field, b->reader.max_field);
    assert_int_equal(a->reader.max_row, b->reader.max_row);
    assert_int_equal(a->reader.max_columns, b->reader.max_columns);
    assert_int_equal(a->reader.max_inflated, b->reader.max_inflated);
    assert_int_equal(a->nmap, b->nmap);
    for (size_t i = 0; i < a->nmap; i++) {
        assert_string_equal(a->map[i].field, b->map[i].field);
        assert_string_equal(a->map[i].column, b->map[i].column);
    }
    assert_str_eq(a->mapping_name, b->mapping_name);
    assert_int_equal(a->no_remember, b->no_remember);
    assert_str_eq(a->region, b->region);
    assert_int_equal(a->nmatch, b->nmatch);
    for (size_t i = 0; i < a->nmatch; i++)
        assert_int_equal(a->match[i], b->match[i]);
    assert_int_equal(a->on_duplicate, b->on_duplicate);
    assert_int_equal(a->overwrite, b->overwrite);
    assert_int_equal(a->reassign, b->reassign);
    assert_int_equal(a->assign, b->assign);
    assert_int_equal(a->nassignees, b->nassignees);
    for (size_t i = 0; i < a->nassignees; i++)
        assert_string_equal(a->assignees[i], b->assignees[i]);
    assert_str_eq(a->assign_column, b->assign_column);
    assert_int_equal(a->force, b->force);
    assert_int_equal(a->max_size, b->max_size);
    assert_int_equal(a->max_invalid.set, b->max_invalid.set);
    assert_int_equal(a->max_invalid.percent, b->max_invalid.percent);
    assert_true(a->max_invalid.value == b->max_invalid.value);
}

/* emit(o) parses back to o, and emitting that gives the same bytes. */
static void round_trip(const li_import_opts *o) {
    li_buf b1, b2;
    li_buf_init(&b1, 0);
    li_buf_init(&b2, 0);
    li_error err;
    li_import_opts back;
    li_jobjson_opts *hold = NULL;
    assert_int_equal(li_jobjson_opts_emit(&b1, o, &err), LI_OK);
    assert_int_equal(li_jobjson_opts_parse(b1.data, b1.len, &back, &hold, &err), LI_OK);
    assert_same_opts(o, &back);
    assert_int_equal(li_jobjson_opts_emit(&b2, &back, &err), LI_OK);
    assert_string_equal(b1.data, b2.data);
    li_jobjson_opts_free(hold);
    li_buf_free(&b1);
    li_buf_free(&b2);
}

static void full_option_set_round_trips(void **state) {
    (void)state;
    li_import_opts o;
    full_opts(&o);
    round_trip(&o);
    li_import_opts_init(&o); /* the defaults too: nulls and empty lists */
    round_trip(&o);
    full_opts(&o);
    o.assign = LI_ASSIGN_COLUMN;
    o.nassignees = 0;
    o.assign_column = "Commercial";
    o.reader.delimiter = ';';
    o.reader.header = -1;
    o.max_invalid = (li_reject_limit){.set = 1, .percent = 0, .value = 500};
    round_trip(&o);
}

static void emit_uses_the_api_names(void **state) {
    (void)state;
    li_import_opts o;
    full_opts(&o);
    li_buf b;
    li_buf_init(&b, 0);
    assert_int_equal(li_jobjson_opts_emit(&b, &o, NULL), LI_OK);
    assert_non_null(strstr(b.data, "\"on_duplicate\":\"update\""));
    assert_non_null(strstr(b.data, "\"match\":[\"external_id\",\"email\"]"));
    assert_non_null(strstr(b.data, "\"assign\":\"round_robin\""));
    assert_non_null(strstr(b.data, "\"delimiter\":\"tab\""));
    assert_non_null(strstr(b.data, "\"header\":false"));
    assert_non_null(strstr(b.data, "\"force\":true"));
    li_buf_free(&b);
}

/* The JSON the previous version saved with a queued job (version 1). */
static void options_of_a_job_queued_by_the_previous_version_load(void **state) {
    (void)state;
    const char *v1 =
        "{\"version\":1,\"file_name\":\"leads.csv\",\"source_path\":\"/tmp/leads.csv\","
        "\"reader\":{\"delimiter\":59,\"header\":1,\"max_field\":0,\"max_row\":0,"
        "\"max_columns\":0,\"max_inflated\":0},\"map\":[[\"email\",\"Mail\"]],"
        "\"no_remember\":false,\"region\":\"BE\",\"region_source\":\"inferred\","
        "\"region_reason\":\"domaines .be\",\"match\":[\"email\"],\"on_duplicate\":\"create\","
        "\"overwrite\":false,\"reassign\":false,\"assign\":\"round-robin\","
        "\"assignees\":[\"a@x.fr\",\"b@x.fr\"],\"max_size\":0,"
        "\"max_invalid\":{\"percent\":false,\"value\":10.0}}";
    li_import_opts o;
    li__opts_hold hold;
    assert_int_equal(li__opts_from_json(v1, &o, &hold), LI_OK);
    assert_int_equal(o.reader.delimiter, ';');
    assert_int_equal(o.reader.header, 1);
    assert_string_equal(hold.source_path, "/tmp/leads.csv");
    assert_int_equal(o.nmap, 1);
    assert_string_equal(o.map[0].column, "Mail");
    assert_string_equal(o.region, "BE");
    assert_int_equal(o.on_duplicate, LI_DUP_CREATE);
    assert_int_equal(o.assign, LI_ASSIGN_ROUND_ROBIN);
    assert_int_equal(o.nassignees, 2);
    assert_int_equal(o.max_invalid.set, 1);
    assert_true(o.max_invalid.value == 10.0);
    li__opts_hold_free(&hold);
    /* The saved form is the public one plus the queue's keys: it loads too. */
    li_import_opts full;
    full_opts(&full);
    char *saved = li__opts_to_json(&full, "/srv/in.csv", NULL);
    assert_non_null(saved);
    assert_int_equal(li__opts_from_json(saved, &o, &hold), LI_OK);
    assert_same_opts(&full, &o);
    assert_string_equal(hold.source_path, "/srv/in.csv");
    li__opts_hold_free(&hold);
    free(saved);
}

/* The public parser refuses json with the message code and a French text that names what. */
static void refused(const char *json, const char *code, const char *quoted) {
    li_import_opts o;
    li_jobjson_opts *hold = (li_jobjson_opts *)1;
    li_error err;
    li_error_clear(&err);
    li_status st = li_jobjson_opts_parse(json, strlen(json), &o, &hold, &err);
    if (st != LI_EUSAGE)
        fail_msg("%s: status %d, not refused", json, (int)st);
    assert_null(hold);
    assert_string_equal(li_msg_code(err.msg), code);
    if (quoted && !strstr(err.message, quoted))
        fail_msg("%s: « %s » not in « %s »", json, quoted, err.message);
    assert_int_equal(o.nmap, 0); /* nothing left pointing into freed text */
    assert_null(o.file_name);
}

static void each_mistake_has_its_french_message(void **state) {
    (void)state;
    refused("{\"on_duplicate\": \"skip\",}", "options_json_invalid", "ligne 1");
    refused("{\"region\": \"B\xff\"}", "options_not_utf8", "UTF-8");
    refused("[1, 2]", "options_root_not_object", "objet JSON");
    refused("{\"on_duplicat\": \"skip\"}", "options_key_unknown", "« on_duplicat »");
    refused("{\"source_path\": \"/etc/passwd\"}", "options_key_unknown", "« source_path »");
    refused("{\"reader\": {\"separator\": \";\"}}", "options_key_unknown", "« reader.separator »");
    refused("{\"region\": 32}", "options_not_string", "« region »");
    refused("{\"overwrite\": \"yes\"}", "options_not_bool", "« overwrite »");
    refused("{\"max_size\": -1}", "options_not_uint", "« max_size »");
    refused("{\"match\": \"email\"}", "options_not_list", "« match »");
    refused("{\"reader\": [\";\"]}", "options_not_object", "« reader »");
    refused("{\"map\": [[\"email\"]]}", "options_map_pair", "paire");
    refused("{\"reader\": {\"delimiter\": \"::\"}}", "delimiter_invalid", "« :: »");
    refused("{\"on_duplicate\": \"merge\"}", "options_strategy_unknown", "« merge »");
    refused("{\"match\": [\"email\", \"siret\"]}", "options_match_unknown", "« siret »");
    refused("{\"match\": [\"phone\", \"phone\"]}", "options_match_repeated", "« phone »");
    refused("{\"assign\": \"round-robin\", \"assignees\": [\"a@x.fr\"]}", "options_assign_unknown",
            "« round-robin »"); /* the old spelling is only read from saved jobs */
    refused("{\"assign\": \"single\", \"assignees\": [\"a@x.fr\", \"b@x.fr\"]}",
            "options_assign_single", "2");
    refused("{\"assign\": \"round_robin\"}", "options_assignees_missing", "round_robin");
    refused("{\"assign\": \"column\"}", "options_assign_column_missing", "assign_column");
    refused("{\"max_invalid\": {\"percent\": true, \"value\": 120}}", "options_max_invalid",
            "100");
    refused("{\"max_invalid\": 2.5}", "options_max_invalid", NULL);
    refused("{\"map\": {\"email\": \"A\", \"email\": \"B\"}}", "options_json_invalid", NULL);

    char big[8192];
    size_t n = (size_t)snprintf(big, sizeof big, "{\"assign\":\"round_robin\",\"assignees\":[");
    for (int i = 0; i <= LI_IMPORT_MAX_ASSIGNEES; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s\"u%d@x.fr\"", i ? "," : "", i);
    snprintf(big + n, sizeof big - n, "]}");
    refused(big, "options_too_many_assignees", "65");
    n = (size_t)snprintf(big, sizeof big, "{\"map\":[");
    for (int i = 0; i <= LI_MAP_MAX_OVERRIDES; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s[\"notes\",\"c%d\"]", i ? "," : "", i);
    snprintf(big + n, sizeof big - n, "]}");
    refused(big, "map_too_many", "65");
}

/* What the library checks where a job is created, whatever the front end. */
static void option_check_refuses_what_a_job_could_not_load(void **state) {
    (void)state;
    li_import_opts o;
    li_error err;
    li_import_opts_init(&o);
    assert_int_equal(li_import_opts_check(&o, &err), LI_OK);
    o.nmap = LI_MAP_MAX_OVERRIDES + 1;
    assert_int_equal(li_import_opts_check(&o, &err), LI_EUSAGE);
    assert_string_equal(li_msg_code(err.msg), "map_too_many");
    li_import_opts_init(&o);
    o.assign = LI_ASSIGN_SINGLE;
    assert_int_equal(li_import_opts_check(&o, &err), LI_EUSAGE);
    assert_string_equal(li_msg_code(err.msg), "options_assign_single");
    li_import_opts_init(&o);
    o.match[0] = LI_FIELD_CITY;
    o.nmatch = 1;
    assert_int_equal(li_import_opts_check(&o, &err), LI_EUSAGE);
    assert_string_equal(li_msg_code(err.msg), "options_match_unknown");
}

static void a_partial_set_keeps_the_defaults(void **state) {
    (void)state;
    const char *json = "{\"on_duplicate\":\"update\",\"match\":[\"phone\"],\"assign\":\"auto\"}";
    li_import_opts o, def;
    li_jobjson_opts *hold = NULL;
    li_error err;
    li_import_opts_init(&def);
    assert_int_equal(li_jobjson_opts_parse(json, strlen(json), &o, &hold, &err), LI_OK);
    assert_int_equal(o.on_duplicate, LI_DUP_UPDATE);
    assert_int_equal(o.nmatch, 1);
    assert_int_equal(o.match[0], LI_FIELD_PHONE);
    assert_int_equal(o.assign, LI_ASSIGN_AUTO);
    assert_int_equal(o.reader.header, def.reader.header);
    assert_int_equal(o.overwrite, 0);
    li_jobjson_opts_free(hold);
}

static li_status count_job(const li_job_rec *job, void *arg) {
    (void)job;
    ++*(int *)arg;
    return LI_OK;
}

/* Through the library, not only the command line: a job that could not be
 * loaded again is never stored (65 --map overrides used to be stored, then
 * refused as corrupt by the worker). */
static void the_library_refuses_bad_options_before_creating_a_job(void **state) {
    (void)state;
    char dir[] = "/tmp/li_optjson_XXXXXX", csv[128], url[160];
    assert_non_null(mkdtemp(dir));
    snprintf(csv, sizeof csv, "%s/leads.csv", dir);
    snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
    FILE *f = fopen(csv, "w");
    fputs("Nom;Email\nDupont;jean@exemple.fr\n", f);
    fclose(f);
    static li_map_override many[LI_MAP_MAX_OVERRIDES + 1];
    for (size_t i = 0; i < LI_MAP_MAX_OVERRIDES + 1; i++)
        many[i] = (li_map_override){"notes", "Nom"};
    li_store *s = NULL;
    li_error err;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    for (int round = 0; round < 2; round++) {
        li_import_opts o;
        li_import_result res;
        li_import_opts_init(&o);
        o.path = csv;
        if (round == 0) {
            o.map = many;
            o.nmap = LI_MAP_MAX_OVERRIDES + 1;
        } else {
            o.assign = LI_ASSIGN_SINGLE; /* and nobody named */
        }
        memset(&res, 0, sizeof res);
        assert_int_equal(li_import_enqueue(s, &o, &res, &err), LI_EUSAGE);
        assert_string_equal(li_msg_code(err.msg),
                            round == 0 ? "map_too_many" : "options_assign_single");
    }
    int jobs = 0;
    assert_int_equal(li_store_jobs_each(s, NULL, count_job, &jobs, &err), LI_OK);
    assert_int_equal(jobs, 0);
    li_store_close(s);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* The HTTP API's "assign": {"mode", "users", "column"} means the flat keys. */
static void assign_as_one_object_means_the_flat_keys(void **state) {
    (void)state;
    li_import_opts o;
    li_jobjson_opts *hold = NULL;
    li_error err;
    const char *rr = "{\"on_duplicate\":\"update\",\"match\":[\"phone\"],"
                     "\"assign\":{\"mode\":\"round_robin\",\"users\":[\"a@x.fr\",\"b@x.fr\"]}}";
    assert_int_equal(li_jobjson_opts_parse(rr, strlen(rr), &o, &hold, &err), LI_OK);
    assert_int_equal(o.assign, LI_ASSIGN_ROUND_ROBIN);
    assert_int_equal(o.nassignees, 2);
    assert_string_equal(o.assignees[1], "b@x.fr");
    assert_int_equal(o.on_duplicate, LI_DUP_UPDATE);
    li_jobjson_opts_free(hold);
    const char *col = "{\"assign\":{\"mode\":\"column\",\"column\":\"Commercial\"}}";
    assert_int_equal(li_jobjson_opts_parse(col, strlen(col), &o, &hold, &err), LI_OK);
    assert_int_equal(o.assign, LI_ASSIGN_COLUMN);
    assert_string_equal(o.assign_column, "Commercial");
    li_jobjson_opts_free(hold);
    refused("{\"assign\":{\"mode\":\"everyone\"}}", "options_assign_unknown", "everyone");
    refused("{\"assign\":{\"users\":[\"a@x.fr\"]}}", "options_not_string", "assign.mode");
    refused("{\"assign\":{\"mode\":\"single\",\"user\":\"a@x.fr\"}}", "options_key_unknown",
            "assign.user");
    refused("{\"assign\":{\"mode\":\"single\",\"users\":[]}}", "options_assign_single", NULL);
    refused("{\"assign\":{\"mode\":\"column\"}}", "options_assign_column_missing", NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_option_set_round_trips),
        cmocka_unit_test(emit_uses_the_api_names),
        cmocka_unit_test(options_of_a_job_queued_by_the_previous_version_load),
        cmocka_unit_test(each_mistake_has_its_french_message),
        cmocka_unit_test(option_check_refuses_what_a_job_could_not_load),
        cmocka_unit_test(a_partial_set_keeps_the_defaults),
        cmocka_unit_test(the_library_refuses_bad_options_before_creating_a_job),
        cmocka_unit_test(assign_as_one_object_means_the_flat_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
