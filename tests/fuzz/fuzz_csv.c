/*
 * fuzz_csv.c — the CSV reader with its detection: encoding, delimiter,
 * escape style, preamble and header row, then every row
 * (fuzz_reader_common.h says what is checked).
 *
 * Input: two option bytes, then the file.
 *   byte 0: bits 0-1 header (detect, none, forced, detect), bits 2-4 the
 *           delimiter (detect unless 3..6: ',' ';' '\t' '|'), bits 5-7 the
 *           encoding (detect unless 4..7: utf-8, windows-1252, utf-16le,
 *           utf-16be);
 *   byte 1: bit 0 small limits (a field of 64 bytes, a record of 256, 8
 *           columns), bits 1-7: 0 = no resume check, else resume after the
 *           row this picks and compare.
 * tools/fuzz_seeds.py writes seeds with both bytes 0: detect everything.
 */
#include "fuzz_reader_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const int delimiters[] = {0, 0, 0, ',', ';', '\t', '|', 0};
    static const char *const encodings[] = {NULL, NULL, NULL, NULL,
                                            "utf-8", "windows-1252", "utf-16le", "utf-16be"};
    static const int headers[] = {-1, 0, 1, -1};
    if (size < 2)
        return 0;
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.format = "csv";
    o.header = headers[data[0] & 3];
    o.delimiter = delimiters[(data[0] >> 2) & 7];
    o.encoding = encodings[data[0] >> 5];
    if (data[1] & 1) {
        o.max_field = 64;
        o.max_row = 256;
        o.max_columns = 8;
    }
    const char *path = fz_write_file("in.csv", data + 2, size - 2);
    fz_read_file(path, &o, 1, data[1] >> 1);
    return 0;
}
