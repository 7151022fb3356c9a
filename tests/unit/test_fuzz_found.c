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

/*
 * fuzz_xlsx: row numbers went backwards (r="23" then r="12"), so two rows
 * had one number, and the import, which stages rows by number, kept only
 * the later one. Numbers now always go up: a row whose r is not above the
 * last row's, or is past any spreadsheet's size, follows the last row.
 */
static void test_xlsx_row_numbers_always_go_up(void **state) {
    (void)state;
    const char *rows = "<row r=\"1\">" ISTR("A1", "Nom") ISTR("B1", "E-mail") "</row>"
                       "<row r=\"5\">" ISTR("A5", "Dupont") ISTR("B5", "d@example.fr") "</row>"
                       "<row r=\"3\">" ISTR("A3", "Durand") ISTR("B3", "u@example.fr") "</row>"
                       "<row r=\"5\">" ISTR("A5", "Martin") ISTR("B5", "m@example.fr") "</row>"
                       "<row>" ISTR("A8", "Petit") ISTR("B8", "p@example.fr") "</row>"
                       "<row r=\"99999999999999999\">" ISTR("A9", "Roux") "</row>"
                       "<row r=\"10\">" ISTR("A10", "Blanc") "</row>";
    li_reader_opts o;
    li_reader_opts_init(&o);
    t_read t;
    read_book(rows, 0, &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 6);
    static const uint64_t want[] = {5, 6, 7, 8, 9, 10};
    static const char *const names[] = {"Dupont", "Durand", "Martin", "Petit", "Roux", "Blanc"};
    for (size_t i = 0; i < t.n; i++) {
        assert_int_equal(t.rows[i].number, want[i]);
        assert_string_equal(t.rows[i].fields[0], names[i]);
    }
    t_read_free(&t);
}

/*
 * fuzz_xlsx (UBSan): a shared-string table whose first strings are empty
 * (<si/>) was read, and its cells handed out, from a null pointer (the
 * table had no buffer before its first character). Empty shared strings
 * are empty cells, and the strings after them are read as written.
 */
static void test_xlsx_empty_shared_strings_are_empty_cells(void **state) {
    (void)state;
    static const char sst_empty[] =
        "<sst xmlns=\"" NS_MAIN "\" count=\"4\" uniqueCount=\"4\"><si/><si><t/></si>"
        "<si><t>Nom</t></si><si><t>Dupont</t></si></sst>";
    static const char sheet[] =
        "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
        "<row r=\"1\"><c t=\"s\"><v>2</v></c><c t=\"s\"><v>0</v></c></row>"
        "<row r=\"2\"><c t=\"s\"><v>3</v></c><c t=\"s\"><v>1</v></c></row>"
        "<row r=\"3\"><c t=\"s\"><v>0</v></c><c t=\"s\"><v>3</v></c></row>"
        "</sheetData></worksheet>";
    part parts[] = {
        {"[Content_Types].xml", content_types, 0}, {"_rels/.rels", root_rels, 0},
        {"xl/workbook.xml", wb_1900, 0},           {"xl/_rels/workbook.xml.rels", wb_rels, 0},
        {"xl/styles.xml", styles, 0},              {"xl/sharedStrings.xml", sst_empty, 0},
        {"xl/worksheets/sheet1.xml", sheet, 0},
    };
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.header = 0;
    t_read t;
    t_read_file(zip_write("empty-sst.xlsx", parts, sizeof parts / sizeof parts[0]), &o, &t);
    t_assert_ok(&t);
    assert_int_equal(t.n, 3);
    /* an empty cell last in a row may be a field or none: the value is what counts */
    static const char *const want[3][2] = {{"Nom", ""}, {"Dupont", ""}, {"", "Dupont"}};
    for (size_t i = 0; i < 3; i++)
        for (size_t f = 0; f < 2; f++)
            assert_string_equal(f < t.rows[i].nfields ? t.rows[i].fields[f] : "", want[i][f]);
    t_read_free(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xlsx_broken_inside_a_cell_keeps_row_1_whole),
        cmocka_unit_test(test_xlsx_row_numbers_always_go_up),
        cmocka_unit_test(test_xlsx_empty_shared_strings_are_empty_cells),
    };
    return cmocka_run_group_tests_name("fuzz_found", tests, NULL, teardown);
}
