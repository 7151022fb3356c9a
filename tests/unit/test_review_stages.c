/*
 * test_review_stages.c — the review step driven through the library, stage
 * by stage, as a server would call it (review.h): create (« déposé »), a
 * change of mapping while it waits, analyse (« prêt à importer », counts and
 * predictions, no lead written), the rows by page, the commit with a
 * strategy chosen then (its counts equal the prediction), and the refusals
 * of a stage called in the wrong state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "leadimport/import.h"
#include "leadimport/review.h"
#include "leadimport/store.h"
#include "leadimport/users.h"

static char dir[256];
static char url[320];
static char base_csv[320];
static char in_csv[320];

#define HEADER "Prénom,Nom,Email,Téléphone,Société,Ville,Notes\r\n"

/* Three leads already in the database. */
static const char BASE[] = HEADER
    "Anne,Roux,anne.roux@exemple.fr,06 11 11 11 11,Roux SA,Lyon,\r\n"
    "Luc,Blanc,luc.blanc@exemple.fr,06 22 22 22 22,,,\r\n"
    "Paul,Vert,paul.vert@exemple.fr,06 44 44 44 44,Vert SARL,,\r\n";

/* The file reviewed: r2..r9. */
static const char INCOMING[] = HEADER
    "Anne,Roux,ANNE.ROUX@exemple.fr,07 99 99 99 91,,Marseille,\r\n" /* r2: e-mail of a lead */
    "Lucien,Blanc,,0622222222,Blanc Conseil,Nantes,\r\n"             /* r3: phone of a lead */
    "Marc,Noir,marc.noir@exemple.fr,06 33 33 33 31,Noir,Brest,\r\n"  /* r4: new */
    "Marc,Noir,marc.noir@exemple.fr,,,Rennes,relance\r\n"            /* r5: dup of r4 */
    "Sans,Contact,,,Nulle Part,,\r\n"                                /* r6: invalid */
    "Alice,Bleu,alice.bleu@exemple.fr,06 12,Bleu SARL,,\r\n"         /* r7: warning */
    "Nina,Rose,nina.rose@exemple.fr,06 77 77 77 71,Rose,Paris,\r\n"  /* r8: new */
    "Hugo,Brun,hugo.brun@exemple.fr,06 88 88 88 81,Brun,Lille,\r\n"; /* r9: new */

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/li_test_review_%d", (int)getpid());
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return -1;
    if (mkdir(dir, 0700) != 0)
        return -1;
    snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
    snprintf(base_csv, sizeof base_csv, "%s/base.csv", dir);
    snprintf(in_csv, sizeof in_csv, "%s/in.csv", dir);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A new database holding BASE; the store is open. */
static li_store *fresh_store(void) {
    teardown(NULL);
    assert_int_equal(setup(NULL), 0);
    write_file(base_csv, BASE);
    write_file(in_csv, INCOMING);
    li_store *s = NULL;
    li_error err;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_import_opts o;
    li_import_opts_init(&o);
    o.path = base_csv;
    o.no_remember = 1;
    li_import_result res;
    assert_int_equal(li_import_run(s, &o, &res, &err), LI_OK);
    assert_int_equal(res.job.created, 3);
    return s;
}

static uint64_t lead_count(li_store *s) {
    FILE *null = fopen("/dev/null", "w");
    assert_non_null(null);
    uint64_t n = 0;
    li_error err;
    assert_int_equal(li_export_csv(s, null, &n, &err), LI_OK);
    fclose(null);
    return n;
}

/* The integer after "key": in a JSON text (compact or not); -1 if absent. */
static long long json_int(const char *json, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(json, pat);
    if (!p)
        return -1;
    p += strlen(pat);
    while (*p == ' ' || *p == ':')
        p++;
    return strtoll(p, NULL, 10);
}

static int64_t create_uploaded(li_store *s) {
    li_import_opts o;
    li_import_opts_init(&o);
    o.path = in_csv;
    o.no_remember = 1;
    li_import_result res;
    li_error err;
    assert_int_equal(li_review_create(s, &o, &res, &err), LI_OK);
    assert_int_equal(res.job.state, LI_JOB_UPLOADED);
    return res.job.id;
}

static void analyse(li_store *s, int64_t id) {
    li_review_run run;
    memset(&run, 0, sizeof run);
    li_import_result res;
    li_error err;
    assert_int_equal(li_review_analyse(s, id, &run, &res, &err), LI_OK);
    assert_int_equal(res.job.state, LI_JOB_READY);
}

static void stages_in_order_and_the_commit_equals_the_prediction(void **state) {
    (void)state;
    for (int strategy = LI_DUP_SKIP; strategy <= LI_DUP_CREATE; strategy++) {
        li_store *s = fresh_store();
        li_error err;
        int64_t id = create_uploaded(s);
        li_review r;
        assert_int_equal(li_review_get(s, id, &r, &err), LI_OK);
        assert_int_equal(r.analysed, 0);
        assert_int_equal(r.job.state, LI_JOB_UPLOADED);
        li_review_free(&r);

        analyse(s, id);
        assert_int_equal(lead_count(s), 3); /* nothing written to leads */
        assert_int_equal(li_review_get(s, id, &r, &err), LI_OK);
        assert_int_equal(r.analysed, 1);
        assert_int_equal(r.rows, 8);
        assert_int_equal(r.invalid, 1);
        assert_int_equal(r.valid, 7);
        assert_int_equal(r.warnings, 1);
        /* r2 and r3 match leads, r5 an earlier row. */
        assert_int_equal(r.predictions[LI_DUP_SKIP].created, 4);
        assert_int_equal(r.predictions[LI_DUP_SKIP].skipped, 3);
        assert_int_equal(r.predictions[LI_DUP_CREATE].created, 7);
        assert_int_equal(r.predictions[LI_DUP_CREATE].flagged, 3);
        li_review_counts want = r.predictions[strategy];
        li_review_free(&r);

        li_import_opts o;
        li_import_opts_init(&o);
        o.on_duplicate = (li_dup_strategy)strategy;
        li_review_run run;
        memset(&run, 0, sizeof run);
        li_import_result res;
        assert_int_equal(li_review_commit(s, id, &o, &run, &res, &err), LI_OK);
        assert_int_equal(res.job.state, LI_JOB_COMPLETED);
        assert_int_equal(res.job.created, want.created);
        assert_int_equal(res.job.updated, want.updated);
        assert_int_equal(res.job.skipped, want.skipped);
        assert_int_equal(res.job.flagged, want.flagged);
        assert_int_equal(lead_count(s), 3 + want.created);

        /* A second commit is refused and changes nothing. */
        assert_int_equal(li_review_commit(s, id, &o, &run, &res, &err), LI_EREFUSED);
        assert_true(err.message[0] != '\0');
        assert_int_equal(lead_count(s), 3 + want.created);
        li_store_close(s);
    }
}

/*
 * The analysis predicts from what its parse saw of each row (key
 * fingerprints); predicting again later reads the staged rows back. Both
 * must say the same, for every strategy.
 */
static void predictions_of_the_parse_equal_those_read_back(void **state) {
    (void)state;
    li_store *s = fresh_store();
    li_error err;
    int64_t id = create_uploaded(s);
    analyse(s, id);
    li_review r;
    assert_int_equal(li_review_get(s, id, &r, &err), LI_OK);
    li_review_counts again[3];
    assert_int_equal(li_review_predict(s, id, &r.choice, again, &err), LI_OK);
    for (int d = LI_DUP_SKIP; d <= LI_DUP_CREATE; d++) {
        assert_int_equal(again[d].created, r.predictions[d].created);
        assert_int_equal(again[d].updated, r.predictions[d].updated);
        assert_int_equal(again[d].skipped, r.predictions[d].skipped);
        assert_int_equal(again[d].flagged, r.predictions[d].flagged);
    }
    assert_int_equal(r.predictions[LI_DUP_SKIP].skipped, 3); /* rows that meet something were seen */
    li_review_free(&r);
    li_store_close(s);
}

/* Every lead as `export` writes it (malloc'ed): the same file, byte for byte, means the same leads. */
static char *export_text(li_store *s) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    uint64_t n = 0;
    li_error err;
    assert_int_equal(li_export_csv(s, f, &n, &err), LI_OK);
    fclose(f);
    return text;
}

/* A fresh database with two sales reps, and the assignment of mode to them in o. */
static li_store *store_with_reps(li_import_opts *o, li_assign_mode mode) {
    li_store *s = fresh_store();
    li_error err;
    li_user u;
    assert_int_equal(li_users_add(s, "rep.a@exemple.fr", "Rep A", "commercial", NULL, &u, &err),
                     LI_OK);
    assert_int_equal(li_users_add(s, "rep.b@exemple.fr", "Rep B", "commercial", NULL, &u, &err),
                     LI_OK);
    li_import_opts_init(o);
    o->path = in_csv;
    o->no_remember = 1;
    o->assign = mode;
    o->assignees[0] = "rep.a@exemple.fr";
    o->assignees[1] = "rep.b@exemple.fr";
    o->nassignees = mode == LI_ASSIGN_SINGLE ? 1 : mode == LI_ASSIGN_ROUND_ROBIN ? 2 : 0;
    return s;
}

/*
 * For each strategy and each assignment mode that needs no column of the
 * file: the review's prediction equals the commit's counts, and the leads
 * the commit leaves are those of the one-shot import of the same file with
 * the same options (column mode is run by test_review.py on a file with a
 * users' column).
 */
static void each_strategy_and_assignment_equals_the_one_shot_import(void **state) {
    (void)state;
    static const li_assign_mode modes[] = {LI_ASSIGN_NONE, LI_ASSIGN_SINGLE,
                                           LI_ASSIGN_ROUND_ROBIN};
    for (int strategy = LI_DUP_SKIP; strategy <= LI_DUP_CREATE; strategy++) {
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
            li_import_opts o;
            li_store *s = store_with_reps(&o, modes[m]);
            o.on_duplicate = (li_dup_strategy)strategy;
            li_error err;
            int64_t id = create_uploaded(s);
            analyse(s, id);
            li_review r;
            assert_int_equal(li_review_get(s, id, &r, &err), LI_OK);
            li_review_counts want = r.predictions[strategy];
            li_review_free(&r);
            li_review_run run;
            memset(&run, 0, sizeof run);
            li_import_result res;
            assert_int_equal(li_review_commit(s, id, &o, &run, &res, &err), LI_OK);
            assert_int_equal(res.job.created, want.created);
            assert_int_equal(res.job.updated, want.updated);
            assert_int_equal(res.job.skipped, want.skipped);
            assert_int_equal(res.job.flagged, want.flagged);
            uint64_t assigned = res.job.assigned;
            assert_true(modes[m] == LI_ASSIGN_NONE ? assigned == 0 : assigned == want.created);
            char *reviewed = export_text(s);
            li_store_close(s);

            s = store_with_reps(&o, modes[m]);
            o.on_duplicate = (li_dup_strategy)strategy;
            assert_int_equal(li_import_run(s, &o, &res, &err), LI_OK);
            assert_int_equal(res.job.created, want.created);
            assert_int_equal(res.job.assigned, assigned);
            char *one_shot = export_text(s);
            assert_string_equal(reviewed, one_shot);
            free(reviewed);
            free(one_shot);
            li_store_close(s);
        }
    }
}

static void the_mapping_changes_only_while_uploaded(void **state) {
    (void)state;
    li_store *s = fresh_store();
    li_error err;
    int64_t id = create_uploaded(s);
    /* Ville read as notes, Notes as the city. */
    li_map_override map[2] = {{"notes", "Ville"}, {"city", "Notes"}};
    li_review_mapping m;
    memset(&m, 0, sizeof m);
    m.map = map;
    m.nmap = 2;
    assert_int_equal(li_review_set_mapping(s, id, &m, &err), LI_OK);
    /* A wrong override is refused and the job keeps its mapping. */
    li_map_override bad[1] = {{"email", "Colonne absente"}};
    li_review_mapping mb;
    memset(&mb, 0, sizeof mb);
    mb.map = bad;
    mb.nmap = 1;
    assert_int_equal(li_review_set_mapping(s, id, &mb, &err), LI_EUSAGE);
    analyse(s, id);
    assert_int_equal(li_review_set_mapping(s, id, &m, &err), LI_EREFUSED);
    assert_true(err.message[0] != '\0');

    li_buf out;
    memset(&out, 0, sizeof out);
    assert_int_equal(li_review_rows(s, id, LI_ROWS_ALL, 1, &out, &err), LI_OK);
    li_buf_putc(&out, '\0');
    /* r4's city cell is now read as its notes: the raw values keep the file's headers. */
    assert_non_null(strstr(out.data, "Brest"));
    assert_int_equal(json_int(out.data, "total"), 8);
    li_buf_free(&out);

    li_import_opts o;
    li_import_opts_init(&o);
    li_review_run run;
    memset(&run, 0, sizeof run);
    li_import_result res;
    assert_int_equal(li_review_commit(s, id, &o, &run, &res, &err), LI_OK);
    li_store_close(s);
}

static void rows_by_page_and_filter(void **state) {
    (void)state;
    li_store *s = fresh_store();
    li_error err;
    int64_t id = create_uploaded(s);
    analyse(s, id);
    static const struct {
        const char *word;
        long long total;
    } want[] = {{"all", 8}, {"invalid", 1}, {"warning", 1}, {"valid", 7}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        li_row_filter f;
        assert_int_equal(li_row_filter_parse(want[i].word, &f), 1);
        li_buf out;
        memset(&out, 0, sizeof out);
        assert_int_equal(li_review_rows(s, id, f, 1, &out, &err), LI_OK);
        li_buf_putc(&out, '\0');
        assert_int_equal(json_int(out.data, "total"), want[i].total);
        assert_int_equal(json_int(out.data, "page"), 1);
        assert_int_equal(json_int(out.data, "pages"), 1);
        li_buf_free(&out);
    }
    li_row_filter f;
    assert_int_equal(li_row_filter_parse("refused", &f), 0);
    assert_int_equal(li_row_filter_parse(NULL, &f), 0);
    /* The invalid row is r6, with its French error. */
    li_buf out;
    memset(&out, 0, sizeof out);
    assert_int_equal(li_review_rows(s, id, LI_ROWS_INVALID, 1, &out, &err), LI_OK);
    li_buf_putc(&out, '\0');
    assert_int_equal(json_int(out.data, "row"), 6);
    assert_non_null(strstr(out.data, "Ni e-mail ni téléphone"));
    li_buf_free(&out);
    li_store_close(s);
}

static void a_stage_in_the_wrong_state_is_refused(void **state) {
    (void)state;
    li_store *s = fresh_store();
    li_error err;
    li_review r;
    memset(&r, 0, sizeof r);
    /* Job 1 was imported without review. */
    assert_int_equal(li_review_get(s, 1, &r, &err), LI_EREFUSED);
    li_review_free(&r);
    int64_t id = create_uploaded(s);
    li_import_opts o;
    li_import_opts_init(&o);
    li_review_run run;
    memset(&run, 0, sizeof run);
    li_import_result res;
    /* Not analysed yet: no commit. */
    assert_int_equal(li_review_commit(s, id, &o, &run, &res, &err), LI_EREFUSED);
    assert_non_null(strstr(err.message, "prêt à importer"));
    assert_int_equal(lead_count(s), 3);
    /* The same file again: the job in review is found, not a second one. */
    li_import_opts o2;
    li_import_opts_init(&o2);
    o2.path = in_csv;
    o2.no_remember = 1;
    assert_int_equal(li_review_create(s, &o2, &res, &err), LI_OK);
    assert_int_equal(res.job.id, id);
    assert_int_equal(res.resumed, 1);
    li_store_close(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stages_in_order_and_the_commit_equals_the_prediction),
        cmocka_unit_test(predictions_of_the_parse_equal_those_read_back),
        cmocka_unit_test(each_strategy_and_assignment_equals_the_one_shot_import),
        cmocka_unit_test(the_mapping_changes_only_while_uploaded),
        cmocka_unit_test(rows_by_page_and_filter),
        cmocka_unit_test(a_stage_in_the_wrong_state_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
