/*
 * test_fuzz_found.c — what the fuzz targets (tests/fuzz) found, each bug
 * as the promise it broke, in words a reader of the test can check. The
 * inputs themselves are kept in tests/fuzz/regress/ and replayed by
 * ctest's fuzz/replay_<target>; these tests say what the right answer is.
 */
#include "xlsx_test_util.h"

#define ISTR(ref, text) "<c r=\"" ref "\" t=\"inlineStr\"><is><t>" text "</t></is></c>"

static int teardown(void **state) {
    (void)state;
    t_tmp_cleanup();
    return 0;
}

/*
 * fuzz_xlsx: a sheet whose XML breaks inside a cell of row 2, in a file
 * without header. Opening reads the first rows to find the header, then
 * parses the sheet again from its start: that second parse began inside
 * the broken cell of the first, so row 1 was lost and a row 2 mixing both
 * rows' values was handed out. Now: row 1 as written, then the error.
 */
static void test_xlsx_broken_inside_a_cell_keeps_row_1_whole(void **state) {
    (void)state;
    const char *rows =
        "<row r=\"1\">" ISTR("A1", "Éloïse") ISTR("B1", "Marin") ISTR("C1", "eloise@example.fr")
        "</row><row r=\"2\">" ISTR("A2", "Yann") ISTR("B2", "Le Bris") "<c r=\"C2\" t=\"inlineStr\">"
        "<is><t>yann@example.fr</t></i\xff\xff\r r=\"D2\"/></row>";
    li_reader_opts o;
    li_reader_opts_init(&o);
    t_read t;
    read_book(rows, 0, &o, &t);
    assert_int_equal(t.status, LI_OK);
    assert_int_equal(t.info.has_header, 0);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.rows[0].number, 1);
    assert_string_equal(t.rows[0].joined, "Éloïse|Marin|eloise@example.fr");
    assert_true(t.rows[0].next_offset > t.rows[0].offset);
    assert_int_equal(t.end, LI_EFORMAT);
    t_read_free(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlsx_broken_inside_a_cell_keeps_row_1_whole),
    };
    return cmocka_run_group_tests_name("fuzz_found", tests, NULL, teardown);
}
