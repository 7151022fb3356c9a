/*
 * test_blob.c — the blob store's local folder backend (blob.h): a blob is
 * hashed while written, has its key only once complete, is private to the
 * user, reads back as written, and a key never leaves the folder; a file
 * stored by an older version in the legacy folder is still found, and
 * never deleted from there.
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

#include "leadimport/blob.h"

typedef struct fixture {
    char root[64], dir[96], legacy[96];
    li_blob_store *bs;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->root, sizeof f->root, "/tmp/li_blob_XXXXXX");
    if (!mkdtemp(f->root))
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s/files", f->root);
    snprintf(f->legacy, sizeof f->legacy, "%s/legacy", f->root);
    mkdir(f->legacy, 0700);
    if (li_blob_store_dir(f->dir, f->legacy, &f->bs, NULL) != LI_OK)
        return -1;
    *state = f;
    return 0;
}

static void rm_rf(const char *path) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
}

static int teardown(void **state) {
    fixture *f = *state;
    li_blob_store_free(f->bs);
    rm_rf(f->root);
    free(f);
    return 0;
}

/* Everything a reader gets for key, NUL-terminated (malloc'ed). */
static char *read_all(li_blob_store *bs, const char *key) {
    li_blob_reader *r = NULL;
    li_error err;
    assert_int_equal(li_blob_open(bs, key, &r, &err), LI_OK);
    size_t len = 0, got = 0;
    char *out = malloc(1 << 20);
    do {
        assert_int_equal(li_blob_read(r, out + len, 7, &got, &err), LI_OK); /* small reads */
        len += got;
    } while (got > 0);
    out[len] = '\0';
    li_blob_reader_close(r);
    return out;
}

/* Names in dir (not . and ..), joined by spaces. */
static void list_dir(const char *dir, char *out, size_t cap) {
    out[0] = '\0';
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            snprintf(out + strlen(out), cap - strlen(out), "%s ", e->d_name);
    if (d)
        closedir(d);
}

static void written_in_pieces_published_under_its_sha256(void **state) {
    fixture *f = *state;
    const char *text = "prénom;nom\nJeanne;Martin\n";
    li_blob_writer *w = NULL;
    li_error err;
    char sha[LI_SHA256_HEX], want[LI_SHA256_HEX];
    li_sha256_hex(text, strlen(text), want);
    assert_int_equal(li_blob_writer_open(f->bs, &w, &err), LI_OK);
    for (size_t i = 0; i < strlen(text); i += 5)
        assert_int_equal(li_blob_write(w, text + i, strlen(text + i) < 5 ? strlen(text + i) : 5, &err),
                         LI_OK);
    assert_int_equal(li_blob_writer_commit(w, NULL, sha, &err), LI_OK);
    assert_string_equal(sha, want);
    uint64_t size = 0;
    assert_int_equal(li_blob_size(f->bs, sha, &size, &err), LI_OK);
    assert_int_equal(size, strlen(text));
    char *back = read_all(f->bs, sha);
    assert_string_equal(back, text);
    free(back);
    /* Private: leads are personal data. */
    char path[256];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", f->dir, sha);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(stat(f->dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    char *local = li_blob_local_path(f->bs, sha);
    assert_string_equal(local, path);
    free(local);
}

static void a_blob_cut_short_never_has_its_key(void **state) {
    fixture *f = *state;
    li_blob_writer *w = NULL;
    li_error err;
    uint64_t size;
    assert_int_equal(li_blob_writer_open(f->bs, &w, &err), LI_OK);
    assert_int_equal(li_blob_write(w, "moitié", 7, &err), LI_OK);
    li_blob_writer_abort(w);
    char names[512];
    list_dir(f->dir, names, sizeof names);
    assert_string_equal(names, ""); /* no temporary left behind */
    assert_int_equal(li_blob_size(f->bs, "reports/1.erreurs.csv", &size, &err), LI_ENOTFOUND);
    assert_string_equal(li_msg_code(err.msg), "blob_not_found");
    li_blob_reader *r = NULL;
    assert_int_equal(li_blob_open(f->bs, "reports/1.erreurs.csv", &r, &err), LI_ENOTFOUND);
    assert_null(r);
}

static void a_stream_writes_a_report_under_its_key_and_replaces_the_old_one(void **state) {
    fixture *f = *state;
    li_error err;
    for (int round = 1; round <= 2; round++) {
        li_blob_writer *w = NULL;
        assert_int_equal(li_blob_writer_open(f->bs, &w, &err), LI_OK);
        FILE *out = li_blob_writer_stream(w);
        assert_non_null(out);
        for (int i = 0; i < 10000; i++) /* more than the stream's buffer */
            fprintf(out, "%d;ligne %d\r\n", round, i);
        assert_int_equal(li_blob_writer_commit(w, "reports/12.erreurs.csv", NULL, &err), LI_OK);
    }
    char *back = read_all(f->bs, "reports/12.erreurs.csv");
    assert_true(strncmp(back, "2;ligne 0\r\n", 11) == 0);
    assert_non_null(strstr(back, "2;ligne 9999\r\n"));
    assert_null(strstr(back, "1;ligne"));
    free(back);
    char sub[256], names[512];
    struct stat sb;
    snprintf(sub, sizeof sub, "%s/reports", f->dir);
    assert_int_equal(stat(sub, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    list_dir(f->dir, names, sizeof names);
    assert_string_equal(names, "reports ");
    assert_int_equal(li_blob_delete(f->bs, "reports/12.erreurs.csv", &err), LI_OK);
    assert_int_equal(li_blob_delete(f->bs, "reports/12.erreurs.csv", &err), LI_OK); /* gone: fine */
    uint64_t size;
    assert_int_equal(li_blob_size(f->bs, "reports/12.erreurs.csv", &size, &err), LI_ENOTFOUND);
}

static void keys_never_leave_the_folder(void **state) {
    fixture *f = *state;
    static const char *const bad[] = {"", "../x", "a/../../x", "/etc/passwd", "a//b", "a/",
                                      ".part-1-0", "reports/.x", "a b", "é"};
    li_error err;
    uint64_t size;
    li_blob_reader *r = NULL;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(li_blob_key_valid(bad[i]));
        assert_int_equal(li_blob_open(f->bs, bad[i], &r, &err), LI_EUSAGE);
        assert_string_equal(li_msg_code(err.msg), "blob_key_invalid");
        assert_int_equal(li_blob_size(f->bs, bad[i], &size, &err), LI_EUSAGE);
        assert_int_equal(li_blob_delete(f->bs, bad[i], &err), LI_EUSAGE);
        assert_null(li_blob_local_path(f->bs, bad[i]));
        li_blob_writer *w = NULL;
        assert_int_equal(li_blob_writer_open(f->bs, &w, &err), LI_OK);
        assert_int_equal(li_blob_writer_commit(w, bad[i], NULL, &err), LI_EUSAGE);
    }
    char names[512];
    list_dir(f->dir, names, sizeof names);
    assert_string_equal(names, ""); /* the refused writes left nothing */
    assert_true(li_blob_key_valid("reports/3.erreurs.csv"));
    assert_true(li_blob_key_valid("0a1b2c"));
}

static void a_file_of_the_legacy_folder_is_read_and_never_deleted_there(void **state) {
    fixture *f = *state;
    /* Named by its SHA-256, as the older versions stored uploads. */
    char key[LI_SHA256_HEX], old[256], own[256];
    li_sha256_hex("ancien", 6, key);
    snprintf(old, sizeof old, "%s/%s", f->legacy, key);
    snprintf(own, sizeof own, "%s/%s", f->dir, key);
    FILE *o = fopen(old, "w");
    fputs("ancien", o);
    fclose(o);
    uint64_t size = 0;
    li_error err;
    assert_int_equal(li_blob_size(f->bs, key, &size, &err), LI_OK);
    assert_int_equal(size, 6);
    char *back = read_all(f->bs, key);
    assert_string_equal(back, "ancien");
    free(back);
    struct stat sb;
    assert_int_equal(stat(own, &sb), 0); /* linked (or copied) into the store's own folder */
    assert_int_equal(li_blob_delete(f->bs, key, &err), LI_OK);
    assert_int_not_equal(stat(own, &sb), 0);
    assert_int_equal(stat(old, &sb), 0); /* another database may need it */
    /* A report is named by a job number, not its content: another
     * database's report of the same number is never taken. */
    char sub[256];
    snprintf(sub, sizeof sub, "%s/reports", f->legacy);
    mkdir(sub, 0700);
    snprintf(old, sizeof old, "%s/reports/1.erreurs.csv", f->legacy);
    o = fopen(old, "w");
    fputs("autre base", o);
    fclose(o);
    assert_int_equal(li_blob_size(f->bs, "reports/1.erreurs.csv", &size, &err), LI_ENOTFOUND);
    li_blob_reader *r = NULL;
    assert_int_equal(li_blob_open(f->bs, "reports/1.erreurs.csv", &r, &err), LI_ENOTFOUND);
}

static void the_hash_is_known_before_anything_is_published(void **state) {
    fixture *f = *state;
    li_blob_writer *w = NULL;
    li_error err;
    char sha[LI_SHA256_HEX], want[LI_SHA256_HEX], again[LI_SHA256_HEX];
    li_sha256_hex("abc", 3, want);
    assert_int_equal(li_blob_writer_open(f->bs, &w, &err), LI_OK);
    assert_int_equal(li_blob_write(w, "abc", 3, &err), LI_OK);
    assert_int_equal(li_blob_writer_digest(w, sha, &err), LI_OK);
    assert_string_equal(sha, want);
    assert_int_not_equal(li_blob_write(w, "d", 1, &err), LI_OK); /* the hash would lie */
    li_blob_writer_abort(w); /* not the expected hash: dropped */
    char names[512];
    list_dir(f->dir, names, sizeof names);
    assert_string_equal(names, "");
    assert_int_equal(li_blob_writer_open(f->bs, &w, &err), LI_OK);
    assert_int_equal(li_blob_write(w, "abc", 3, &err), LI_OK);
    assert_int_equal(li_blob_writer_digest(w, sha, &err), LI_OK);
    assert_int_equal(li_blob_writer_commit(w, sha, again, &err), LI_OK);
    assert_string_equal(again, want);
    uint64_t size = 0;
    assert_int_equal(li_blob_size(f->bs, want, &size, &err), LI_OK);
    assert_int_equal(size, 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(written_in_pieces_published_under_its_sha256, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_blob_cut_short_never_has_its_key, setup, teardown),
        cmocka_unit_test_setup_teardown(the_hash_is_known_before_anything_is_published, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_stream_writes_a_report_under_its_key_and_replaces_the_old_one, setup, teardown),
        cmocka_unit_test_setup_teardown(keys_never_leave_the_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(a_file_of_the_legacy_folder_is_read_and_never_deleted_there,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
