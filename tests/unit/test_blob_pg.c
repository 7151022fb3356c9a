/*
 * test_blob_pg.c — the blob store kept in PostgreSQL (blob_pg.c), on a
 * real server: the throw-away cluster of CTest's fixture pgcluster
 * (scripts/pg-test-cluster.sh; LI_PG_STATE names the file that holds its
 * folder). Without it the program skips visibly (exit 77).
 *
 * Promises: a blob of several chunks reads back byte for byte, with its
 * size and hash; it has its key only once published (a writer aborted or
 * cut off leaves no row); a key replaced reads the new bytes and leaves no
 * chunk of the old; a removed blob is not found, removing it again is
 * fine; another machine (another cache folder) gets a local copy of the
 * same bytes from the database; chunks are compressed with lz4, also in a
 * table made before that rule. And, on the same cluster, the store's
 * look-up of the leads of a key (store_key_test.h), as on SQLite.
 */
#include <libpq-fe.h>
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
#include "leadimport/hash.h"
#include "leadimport/store.h"
#include "store_key_test.h"

static char pg_dir[512];
static char db_name[64];

typedef struct fixture {
    char url[700], root[64], cache_a[96], cache_b[96];
    li_blob_store *bs;
    PGconn *check; /* to look at the tables */
} fixture;

static void admin(const char *sql) {
    char url[700];
    snprintf(url, sizeof url, "postgresql://postgres@/postgres?host=%s", pg_dir);
    PGconn *c = PQconnectdb(url);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static long long count(fixture *f, const char *sql) {
    PGresult *r = PQexec(f->check, sql);
    long long n = PQresultStatus(r) == PGRES_TUPLES_OK ? strtoll(PQgetvalue(r, 0, 0), NULL, 10)
                                                      : -1;
    PQclear(r);
    return n;
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db_name);
    admin(sql);
    snprintf(f->url, sizeof f->url, "postgresql://postgres@/%s?host=%s", db_name, pg_dir);
    snprintf(f->root, sizeof f->root, "/tmp/li_blobpg_XXXXXX");
    if (!mkdtemp(f->root))
        return -1;
    snprintf(f->cache_a, sizeof f->cache_a, "%s/a", f->root);
    snprintf(f->cache_b, sizeof f->cache_b, "%s/b", f->root);
    if (li_blob_store_pg(f->url, f->cache_a, &f->bs, NULL) != LI_OK)
        return -1;
    f->check = PQconnectdb(f->url);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    char cmd[160], sql[128];
    li_blob_store_free(f->bs);
    PQfinish(f->check);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->root);
    snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", db_name);
    admin(sql);
    free(f);
    return 0;
}

/* n bytes of a repeatable pseudo-random sequence (incompressible). */
static unsigned char *noise(size_t n, unsigned seed) {
    unsigned char *b = malloc(n);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (unsigned char)x;
    }
    return b;
}

/* Writes data in pieces of 100 000 bytes; commits under key (NULL: its hash). */
static void put(li_blob_store *bs, const char *key, const unsigned char *data, size_t n,
                char sha[LI_SHA256_HEX]) {
    li_blob_writer *w = NULL;
    li_error err;
    assert_int_equal(li_blob_writer_open(bs, &w, &err), LI_OK);
    for (size_t i = 0; i < n; i += 100000)
        assert_int_equal(li_blob_write(w, data + i, n - i < 100000 ? n - i : 100000, &err),
                         LI_OK);
    assert_int_equal(li_blob_writer_commit(w, key, sha, &err), LI_OK);
}

/* Reads key whole (in 4 KiB pieces); *len gets its size. */
static unsigned char *get(li_blob_store *bs, const char *key, size_t *len) {
    li_blob_reader *r = NULL;
    li_error err;
    assert_int_equal(li_blob_open(bs, key, &r, &err), LI_OK);
    size_t cap = 1 << 20, got = 0;
    unsigned char *out = malloc(cap);
    *len = 0;
    do {
        if (cap - *len < 4096)
            out = realloc(out, cap *= 2);
        assert_int_equal(li_blob_read(r, out + *len, 4096, &got, &err), LI_OK);
        *len += got;
    } while (got > 0);
    li_blob_reader_close(r);
    return out;
}

static void a_blob_of_several_chunks_reads_back_byte_for_byte(void **state) {
    fixture *f = *state;
    size_t n = 1300007, len = 0; /* 5 chunks and a piece */
    unsigned char *data = noise(n, 1), *back;
    char sha[LI_SHA256_HEX], want[LI_SHA256_HEX];
    li_sha256_hex(data, n, want);
    put(f->bs, NULL, data, n, sha);
    assert_string_equal(sha, want);
    uint64_t size = 0;
    li_error err;
    assert_int_equal(li_blob_size(f->bs, sha, &size, &err), LI_OK);
    assert_int_equal(size, n);
    back = get(f->bs, sha, &len);
    assert_int_equal(len, n);
    assert_memory_equal(back, data, n);
    assert_int_equal(count(f, "SELECT count(*) FROM blob_chunks"), 5);
    free(back);
    free(data);
}

/* The chunks are compressed with lz4 (faster than pglz both ways), also in a table made before. */
static void chunks_are_compressed_with_lz4(void **state) {
    static const char line[] = "Dupont;jean.dupont@exemple.fr;06 12 34 56 78;Paris\r\n";
    fixture *f = *state;
    size_t n = 600000; /* 3 chunks */
    unsigned char *data = malloc(n);
    char sha[LI_SHA256_HEX];
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)line[i % (sizeof line - 1)];
    put(f->bs, NULL, data, n, sha);
    const char *lz4 = "SELECT count(*) FROM blob_chunks WHERE pg_column_compression(data)='lz4'";
    assert_int_equal(count(f, lz4), 3);
    /* a table from before: pglz; the next process's blob store changes it */
    PGresult *r = PQexec(f->check, "ALTER TABLE blob_chunks ALTER COLUMN data SET COMPRESSION pglz;"
                                   "DELETE FROM blobs; DELETE FROM blob_chunks");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    li_blob_store *again = NULL;
    assert_int_equal(li_blob_store_pg(f->url, f->cache_b, &again, NULL), LI_OK);
    put(again, NULL, data, n, sha);
    assert_int_equal(count(f, lz4), 3);
    li_blob_store_free(again);
    free(data);
}

static void a_blob_never_published_leaves_nothing(void **state) {
    fixture *f = *state;
    li_blob_writer *w = NULL;
    li_error err;
    unsigned char *data = noise(600000, 2);
    uint64_t size;
    assert_int_equal(li_blob_writer_open(f->bs, &w, &err), LI_OK);
    assert_int_equal(li_blob_write(w, data, 600000, &err), LI_OK); /* 2 chunks sent */
    li_blob_writer_abort(w); /* as a writer killed or cut off: its transaction goes */
    assert_int_equal(count(f, "SELECT count(*) FROM blob_chunks"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM blobs"), 0);
    assert_int_equal(li_blob_size(f->bs, "reports/1.erreurs.csv", &size, &err), LI_ENOTFOUND);
    assert_string_equal(li_msg_code(err.msg), "blob_not_found");
    li_blob_reader *r = NULL;
    assert_int_equal(li_blob_open(f->bs, "reports/1.erreurs.csv", &r, &err), LI_ENOTFOUND);
    assert_null(r);
    free(data);
}

static void a_key_replaced_reads_the_new_bytes_and_keeps_no_old_chunk(void **state) {
    fixture *f = *state;
    unsigned char *one = noise(700000, 3), *two = noise(300000, 4), *back;
    size_t len;
    put(f->bs, "reports/7.erreurs.csv", one, 700000, NULL);
    put(f->bs, "reports/7.erreurs.csv", two, 300000, NULL);
    back = get(f->bs, "reports/7.erreurs.csv", &len);
    assert_int_equal(len, 300000);
    assert_memory_equal(back, two, 300000);
    assert_int_equal(count(f, "SELECT count(*) FROM blob_chunks"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM blobs"), 1);
    free(back);
    free(one);
    free(two);
}

static void a_removed_blob_is_gone_and_removing_again_is_fine(void **state) {
    fixture *f = *state;
    unsigned char *data = noise(1000, 5);
    li_error err;
    uint64_t size;
    put(f->bs, "reports/8.erreurs.csv", data, 1000, NULL);
    char *local = li_blob_local_path(f->bs, "reports/8.erreurs.csv");
    assert_non_null(local);
    assert_int_equal(li_blob_delete(f->bs, "reports/8.erreurs.csv", &err), LI_OK);
    assert_int_equal(li_blob_delete(f->bs, "reports/8.erreurs.csv", &err), LI_OK);
    assert_int_equal(li_blob_size(f->bs, "reports/8.erreurs.csv", &size, &err), LI_ENOTFOUND);
    assert_int_equal(count(f, "SELECT count(*) FROM blob_chunks"), 0);
    assert_int_equal(access(local, F_OK), -1); /* this machine's copy too */
    free(local);
    free(data);
}

static void another_machine_gets_a_local_copy_from_the_database(void **state) {
    fixture *f = *state;
    size_t n = 400000;
    unsigned char *data = noise(n, 6);
    char sha[LI_SHA256_HEX], got[LI_SHA256_HEX];
    li_blob_store *other = NULL;
    li_error err;
    put(f->bs, NULL, data, n, sha);
    /* Another machine: the same database, a cache folder of its own. */
    assert_int_equal(li_blob_store_pg(f->url, f->cache_b, &other, &err), LI_OK);
    char *path = li_blob_local_path(other, sha);
    assert_non_null(path);
    assert_int_equal(strncmp(path, f->cache_b, strlen(f->cache_b)), 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, (off_t)n);
    assert_int_equal(sb.st_mode & 0777, 0600); /* leads are personal data */
    assert_int_equal(li_sha256_file(path, got, NULL, NULL), LI_OK);
    assert_string_equal(got, sha);
    free(path);
    li_blob_store_free(other);
    free(data);
}

static void an_unreachable_server_is_a_french_temporary_error(void **state) {
    fixture *f = *state;
    char url[700];
    li_blob_store *bs = NULL;
    li_blob_writer *w = NULL;
    li_error err;
    snprintf(url, sizeof url, "postgresql://postgres:secret@/%s?host=%s/absent", db_name,
             pg_dir);
    assert_int_equal(li_blob_store_pg(url, f->cache_a, &bs, &err), LI_OK);
    assert_int_equal(li_blob_writer_open(bs, &w, &err), LI_EDB);
    assert_string_equal(li_msg_code(err.msg), "blob_db_failed");
    assert_non_null(strstr(err.message, "connexion"));
    assert_null(strstr(err.message, "secret")); /* no password in a message */
    li_blob_store_free(bs);
}

static void the_store_gives_every_lead_of_a_key_value(void **state) {
    fixture *f = *state;
    li_store *s = NULL;
    li_error err;
    assert_int_equal(li_store_open(f->url, &s, &err), LI_OK);
    store_leads_with_key_gives_every_lead_of_a_value(s);
    li_store_close(s);
}

int main(void) {
    const char *state = getenv("LI_PG_STATE");
    FILE *fp = state ? fopen(state, "r") : NULL;
    if (!fp || !fgets(pg_dir, sizeof pg_dir, fp)) {
        fprintf(stderr, "SKIP: no PostgreSQL test cluster (LI_PG_STATE, scripts/pg-test-cluster.sh)\n");
        if (fp)
            fclose(fp);
        return 77;
    }
    fclose(fp);
    pg_dir[strcspn(pg_dir, "\n")] = '\0';
    snprintf(db_name, sizeof db_name, "li_blob_%ld", (long)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_blob_of_several_chunks_reads_back_byte_for_byte, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(chunks_are_compressed_with_lz4, setup, teardown),
        cmocka_unit_test_setup_teardown(a_blob_never_published_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_key_replaced_reads_the_new_bytes_and_keeps_no_old_chunk, setup, teardown),
        cmocka_unit_test_setup_teardown(a_removed_blob_is_gone_and_removing_again_is_fine, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(another_machine_gets_a_local_copy_from_the_database,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(an_unreachable_server_is_a_french_temporary_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_store_gives_every_lead_of_a_key_value, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
