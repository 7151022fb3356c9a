/*
 * test_outfile.c — output files written aside and renamed (outfile.h), the
 * targets they refuse, and the reader's view of a file that changes while
 * it is read (li_reader_opts.expect, li_reader_changed, li_sha256_file_id).
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

#include "leadimport/hash.h"
#include "leadimport/outfile.h"
#include "leadimport/reader.h"

static char dir[256];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/li_outfile_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_in(char *out, size_t cap, const char *name) {
    snprintf(out, cap, "%s/%s", dir, name);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *path) {
    static char buf[4096];
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Files of dir whose name starts with a dot: temporaries left behind. */
static int leftovers(void) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -c '^\\.' >/dev/null", dir);
    return system(cmd) == 0;
}

static void commit_replaces_the_target_only_when_complete(void **state) {
    (void)state;
    char target[300];
    path_in(target, sizeof target, "rapport.csv");
    write_file(target, "ancien");
    li_outfile *o = NULL;
    li_error err;
    assert_int_equal(li_outfile_open(target, NULL, &o, &err), LI_OK);
    fputs("nouveau", li_outfile_stream(o));
    fflush(li_outfile_stream(o));
    /* Written, not committed: the previous file is still whole. */
    assert_string_equal(read_file(target), "ancien");
    assert_true(leftovers());
    assert_int_equal(li_outfile_commit(o, &err), LI_OK);
    assert_string_equal(read_file(target), "nouveau");
    assert_false(leftovers());
    struct stat sb;
    assert_int_equal(stat(target, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
}

static void abort_leaves_the_previous_file(void **state) {
    (void)state;
    char target[300];
    path_in(target, sizeof target, "export.csv");
    write_file(target, "ancien");
    li_outfile *o = NULL;
    li_error err;
    assert_int_equal(li_outfile_open(target, NULL, &o, &err), LI_OK);
    fputs("à moitié", li_outfile_stream(o));
    li_outfile_abort(o);
    assert_string_equal(read_file(target), "ancien");
    assert_false(leftovers());
}

static void the_database_and_its_files_are_refused(void **state) {
    (void)state;
    char db[300], wal[300], link_name[300], other[300];
    path_in(db, sizeof db, "base.db");
    path_in(wal, sizeof wal, "base.db-wal");
    path_in(link_name, sizeof link_name, "lien-dur.csv");
    write_file(db, "SQLite format 3");
    assert_int_equal(link(db, link_name), 0);
    li_outfile_guard g = {.db = db};
    li_error err;
    assert_int_equal(li_outfile_check(db, &g, &err), LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_OUTPUT_PROTECTED);
    /* A -wal that does not exist yet, named through another spelling. */
    snprintf(other, sizeof other, "%s/./base.db-journal", dir);
    assert_int_equal(li_outfile_check(wal, &g, &err), LI_EUSAGE);
    assert_int_equal(li_outfile_check(other, &g, &err), LI_EUSAGE);
    /* The same file under another name (device and inode). */
    assert_int_equal(li_outfile_check(link_name, &g, &err), LI_EUSAGE);
    li_outfile *o = NULL;
    assert_int_equal(li_outfile_open(db, &g, &o, &err), LI_EUSAGE);
    assert_null(o);
    assert_string_equal(read_file(db), "SQLite format 3");
    path_in(other, sizeof other, "base.db.csv");
    assert_int_equal(li_outfile_check(other, &g, &err), LI_OK);
}

static void the_input_and_stored_files_are_refused(void **state) {
    (void)state;
    char input[300], stored_dir[300], stored[300], beside[300];
    path_in(input, sizeof input, "leads.csv");
    path_in(stored_dir, sizeof stored_dir, "base.db.files");
    path_in(stored, sizeof stored, "base.db.files/reports/1.erreurs.csv");
    path_in(beside, sizeof beside, "base.db.files.csv");
    write_file(input, "Nom;Email\n");
    assert_int_equal(mkdir(stored_dir, 0700), 0);
    li_outfile_guard g = {.input = input, .dirs = {stored_dir}};
    li_error err;
    assert_int_equal(li_outfile_check(input, &g, &err), LI_EUSAGE);
    /* Inside the folder, even where nothing exists yet (reports/ is missing). */
    char reports[300];
    path_in(reports, sizeof reports, "base.db.files/reports");
    assert_int_equal(mkdir(reports, 0700), 0);
    assert_int_equal(li_outfile_check(stored, &g, &err), LI_EUSAGE);
    assert_int_equal(li_outfile_check(beside, &g, &err), LI_OK);
}

static void symlinks_and_folders_are_refused(void **state) {
    (void)state;
    char target[300], link_name[300], dangling[300];
    path_in(target, sizeof target, "vrai.csv");
    path_in(link_name, sizeof link_name, "lien.csv");
    path_in(dangling, sizeof dangling, "pendant.csv");
    write_file(target, "garde");
    assert_int_equal(symlink(target, link_name), 0);
    assert_int_equal(symlink("/tmp/nulle-part-li", dangling), 0);
    li_error err;
    li_outfile *o = NULL;
    assert_int_equal(li_outfile_open(link_name, NULL, &o, &err), LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_OUTPUT_SYMLINK);
    assert_int_equal(li_outfile_open(dangling, NULL, &o, &err), LI_EUSAGE);
    assert_string_equal(read_file(target), "garde");
    assert_int_equal(access("/tmp/nulle-part-li", F_OK), -1);
    assert_int_equal(li_outfile_open(dir, NULL, &o, &err), LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_OUTPUT_IS_DIR);
}

static void private_folders_whatever_the_umask(void **state) {
    (void)state;
    char sub[300];
    path_in(sub, sizeof sub, "prive");
    mode_t old = umask(0);
    assert_int_equal(li_outfile_mkdir_private(sub), 0);
    assert_int_equal(li_outfile_mkdir_private(sub), 0); /* existing: fine */
    umask(old);
    struct stat sb;
    assert_int_equal(stat(sub, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
}

static void append(const char *path, const char *text) {
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The import's order: identity and hash, then a reader that must read those bytes. */
static void a_file_appended_after_its_hash_is_read_as_hashed(void **state) {
    (void)state;
    char path[300];
    path_in(path, sizeof path, "grandit.csv");
    write_file(path, "Nom,Email\nDupont,a@exemple.fr\nMartin,b@exemple.fr\n");
    char hex[LI_SHA256_HEX];
    li_file_id id;
    li_error err;
    assert_int_equal(li_sha256_file_id(path, hex, &id, &err), LI_OK);
    assert_int_equal(id.size, 50);
    li_reader_opts ro;
    li_reader_opts_init(&ro);
    ro.expect = id;
    li_reader *r = NULL;
    assert_int_equal(li_reader_open(path, &ro, &r, &err), LI_OK);
    char why[128];
    assert_false(li_reader_changed(r, why, sizeof why));
    append(path, "Ajout,c@exemple.fr\n");
    assert_true(li_reader_changed(r, why, sizeof why));
    assert_non_null(strstr(why, "de 50 à 69 octets"));
    /* Whatever was appended, the reader stops at the hashed size. */
    const li_row *row;
    int rows = 0;
    while (li_reader_next(r, &row, &err) == LI_OK) {
        rows++;
        assert_null(memmem(row->fields[0].ptr, row->fields[0].len, "Ajout", 5));
    }
    assert_int_equal(rows, 2);
    li_reader_free(r);
    /* Opened again, the file is no longer the one hashed. */
    assert_int_equal(li_reader_open(path, &ro, &r, &err), LI_EIO);
    assert_int_equal(err.msg, LI_MSG_FILE_CHANGED);
    assert_null(r);
}

static void a_replaced_file_is_refused_at_open(void **state) {
    (void)state;
    char path[300], other[300];
    path_in(path, sizeof path, "remplace.csv");
    path_in(other, sizeof other, "autre.csv");
    write_file(path, "Nom,Email\nDupont,a@exemple.fr\n");
    write_file(other, "Nom,Email\nDurand,z@exemple.fr\n"); /* same size, other bytes */
    char hex[LI_SHA256_HEX];
    li_file_id id;
    li_error err;
    assert_int_equal(li_sha256_file_id(path, hex, &id, &err), LI_OK);
    assert_int_equal(rename(other, path), 0);
    li_reader_opts ro;
    li_reader_opts_init(&ro);
    ro.expect = id;
    li_reader *r = NULL;
    assert_int_equal(li_reader_open(path, &ro, &r, &err), LI_EIO);
    assert_int_equal(err.msg, LI_MSG_FILE_CHANGED);
    assert_non_null(strstr(err.message, "remplacé"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(commit_replaces_the_target_only_when_complete, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(abort_leaves_the_previous_file, setup, teardown),
        cmocka_unit_test_setup_teardown(the_database_and_its_files_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(the_input_and_stored_files_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(symlinks_and_folders_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(private_folders_whatever_the_umask, setup, teardown),
        cmocka_unit_test_setup_teardown(a_file_appended_after_its_hash_is_read_as_hashed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_replaced_file_is_refused_at_open, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
