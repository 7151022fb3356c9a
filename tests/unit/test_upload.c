/*
 * test_upload.c — a file received in pieces (upload.h) becomes a job for
 * review as li_review_create() makes one: stored under its SHA-256 (0600),
 * the same job for the same file, refused once imported (the earlier
 * import named) unless forced, the size limit, the name given kept and
 * used in messages, nothing left behind by a refusal.
 */
#include <dirent.h>
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
#include <jansson.h>

#include "leadimport/hash.h"
#include "leadimport/review.h"
#include "leadimport/store.h"
#include "leadimport/upload.h"

static char dir[256], dbpath[300], url[320], files[320];

static const char csv[] = "Prénom;Nom;Courriel;Tél\r\n"
                          "Jean;Dupont;jean@example.fr;06 12 34 56 78\r\n"
                          "Marie;Curie;marie@example.fr;\r\n"
                          "Rien;Personne;;\r\n";

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/li_test_upload_%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(dbpath, sizeof dbpath, "%s/t.db", dir);
    snprintf(url, sizeof url, "sqlite:%s", dbpath);
    snprintf(files, sizeof files, "%s/t.db.files", dir);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Entries of the folder of stored files (temporaries included), "." and ".." not. */
static int stored_count(void) {
    DIR *d = opendir(files);
    int n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* Sends data in pieces of `piece` bytes as a server would, then finishes. */
static li_status send(li_store *s, const li_import_opts *o, const void *data, size_t n,
                      size_t piece, li_import_result *res, li_error *err) {
    li_upload *u = NULL;
    li_status st = li_upload_begin(s, o, -1, &u, err);
    if (st != LI_OK)
        return st;
    for (size_t at = 0; at < n; at += piece) {
        size_t len = n - at < piece ? n - at : piece;
        if ((st = li_upload_write(u, (const char *)data + at, len, err)) != LI_OK) {
            li_upload_abort(u);
            return st;
        }
    }
    assert_int_equal(li_upload_size(u), n);
    return li_upload_finish(u, res, err);
}

static void upload_makes_a_job_for_review(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    li_import_opts o;
    li_import_result res;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_import_opts_init(&o);
    o.file_name = "C:\\Users\\jean\\leads-mars.csv"; /* a browser's Windows path */
    assert_int_equal(send(s, &o, csv, sizeof csv - 1, 7, &res, &err), LI_OK);
    int64_t id = res.job.id;
    assert_true(id > 0);
    assert_int_equal(res.job.state, LI_JOB_UPLOADED);
    assert_string_equal(res.job.file_name, "leads-mars.csv");
    char sha[LI_SHA256_HEX];
    li_sha256_hex(csv, sizeof csv - 1, sha);
    assert_string_equal(res.job.file_sha256, sha);
    assert_int_equal(res.job.file_size, sizeof csv - 1);

    /* kept under its hash, private, byte for byte */
    char kept[512];
    snprintf(kept, sizeof kept, "%s/%s", files, sha);
    struct stat sb;
    assert_int_equal(stat(kept, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, sizeof csv - 1);
    assert_int_equal(stored_count(), 1); /* no temporary left */

    /* nothing queued: it waits in review */
    uint64_t pending = 9;
    assert_int_equal(li_store_work_pending(s, id, &pending, &err), LI_OK);
    assert_int_equal(pending, 0);

    /* the sniff of the job: the name given, the preview, the mapping and its reasons */
    li_buf b;
    li_buf_init(&b, 0);
    assert_int_equal(li_review_sniff_json(s, id, 20, &b, &err), LI_OK);
    json_t *j = json_loads(b.data, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "file")), "leads-mars.csv");
    assert_string_equal(json_string_value(json_object_get(j, "delimiter")), ";");
    assert_int_equal(json_array_size(json_object_get(j, "preview")), 3);
    json_t *col = json_array_get(json_object_get(j, "mapping"), 2);
    assert_string_equal(json_string_value(json_object_get(col, "field")), "email");
    assert_non_null(json_string_value(json_object_get(col, "reason")));
    json_decref(j);
    li_buf_free(&b);

    /* the same file again while in review: the same job */
    li_import_result again;
    assert_int_equal(send(s, &o, csv, sizeof csv - 1, 4096, &again, &err), LI_OK);
    assert_int_equal(again.job.id, id);
    assert_int_equal(again.resumed, 1);
    assert_int_equal(stored_count(), 1);

    /* analysed and committed here, then sent again: refused, the earlier import named */
    li_review_run run = {0};
    assert_int_equal(li_review_analyse(s, id, &run, &res, &err), LI_OK);
    li_import_opts commit;
    li_import_opts_init(&commit);
    assert_int_equal(li_review_commit(s, id, &commit, &run, &res, &err), LI_OK);
    assert_int_equal(res.job.state, LI_JOB_COMPLETED);
    li_error_clear(&err);
    assert_int_equal(send(s, &o, csv, sizeof csv - 1, 100, &again, &err), LI_EREFUSED);
    assert_int_equal(again.refused, 1);
    assert_int_equal(again.previous.id, id);
    assert_string_equal(li_msg_code(err.msg), "upload_already_imported");
    assert_non_null(strstr(err.message, "force=1"));
    assert_int_equal(stored_count(), 1); /* the job's copy only */

    /* forced: a new job of the same bytes, sharing the stored copy */
    o.force = 1;
    assert_int_equal(send(s, &o, csv, sizeof csv - 1, 100, &again, &err), LI_OK);
    assert_true(again.job.id > id);
    assert_int_equal(again.job.state, LI_JOB_UPLOADED);
    li_store_close(s);
}

static void size_limit_and_names(void **state) {
    (void)state;
    li_store *s = NULL;
    li_upload *u = NULL;
    li_error err;
    li_import_opts o;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_import_opts_init(&o);
    o.file_name = "gros.csv";
    o.max_size = 40;
    /* announced too big: refused before anything is stored */
    assert_int_equal(li_upload_begin(s, &o, 41, &u, &err), LI_ELIMIT);
    assert_null(u);
    assert_string_equal(li_msg_code(err.msg), "upload_too_large");
    assert_non_null(strstr(err.message, "gros.csv"));
    /* not announced: refused when the bytes pass the limit, nothing kept */
    assert_int_equal(li_upload_begin(s, &o, -1, &u, &err), LI_OK);
    assert_int_equal(li_upload_write(u, csv, 40, &err), LI_OK);
    assert_int_equal(li_upload_write(u, csv + 40, 1, &err), LI_ELIMIT);
    assert_string_equal(li_msg_code(err.msg), "upload_too_large");
    li_upload_abort(u);
    assert_int_equal(stored_count(), 0);

    /* names that cannot be kept */
    const char *bad[] = {NULL, "", "dossier/", "a\x01" "b.csv", "\xe9t\xe9.csv", ".."};
    o.max_size = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.file_name = bad[i];
        u = NULL;
        assert_int_equal(li_upload_begin(s, &o, -1, &u, &err), LI_EUSAGE);
        assert_null(u);
        assert_string_equal(li_msg_code(err.msg), "upload_name_invalid");
    }
    li_store_close(s);
}

static void refused_files_named_as_given_and_not_kept(void **state) {
    (void)state;
    li_store *s = NULL;
    li_error err;
    li_import_opts o;
    li_import_result res;
    assert_int_equal(li_store_open(url, &s, &err), LI_OK);
    li_import_opts_init(&o);
    /* binary bytes: the message names the file as the user sent it, never the stored copy */
    static const unsigned char bin[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0};
    o.file_name = "binaire.csv";
    assert_int_equal(send(s, &o, bin, sizeof bin, 16, &res, &err), LI_EFORMAT);
    assert_string_equal(li_msg_code(err.msg), "file_binary");
    assert_non_null(strstr(err.message, "« binaire.csv »"));
    assert_null(strstr(err.message, files));
    assert_int_equal(stored_count(), 0);
    /* a CSV named as a workbook is refused as on the command line */
    o.file_name = "classeur.xlsx";
    assert_int_equal(send(s, &o, csv, sizeof csv - 1, 16, &res, &err), LI_EFORMAT);
    assert_string_equal(li_msg_code(err.msg), "xlsx_not_workbook");
    assert_non_null(strstr(err.message, "classeur.xlsx"));
    assert_int_equal(stored_count(), 0);
    /* a header alone */
    o.file_name = "vide.csv";
    static const char head[] = "Nom;Courriel\r\n";
    assert_int_equal(send(s, &o, head, sizeof head - 1, 16, &res, &err), LI_EFORMAT);
    assert_string_equal(li_msg_code(err.msg), "file_no_data");
    assert_int_equal(stored_count(), 0);
    li_store_close(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(upload_makes_a_job_for_review, setup, teardown),
        cmocka_unit_test_setup_teardown(size_limit_and_names, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_files_named_as_given_and_not_kept, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
