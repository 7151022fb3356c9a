/*
 * read_bench.c — throughput and memory of the row reader alone (no mapping,
 * no validation, no database): reads every row of a file and prints rows,
 * fields, bytes, time, MB/s and peak RSS.
 *
 * Build and run (from the project root; SRC is the read module's sources):
 *   SRC="src/util/error.c src/util/msg.c $(ls src/read/[a-z]*.c)"
 *   cc -std=c11 -D_GNU_SOURCE -O2 -Iinclude -Isrc $SRC bench/read_bench.c -o /tmp/read_bench
 *   python3 ../shared/bench/gen_leads.py --rows 1000000 --out /tmp/l1m.csv
 *   /tmp/read_bench /tmp/l1m.csv
 */
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "leadimport/reader.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.csv\n", argv[0]);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    li_reader *r = NULL;
    li_error err;
    if (li_reader_open(argv[1], NULL, &r, &err) != LI_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    const li_row *row;
    li_status st;
    unsigned long long rows = 0, fields = 0, bytes = 0, problems = 0;
    while ((st = li_reader_next(r, &row, &err)) == LI_OK) {
        rows++;
        fields += row->nfields;
        for (size_t i = 0; i < row->nfields; i++)
            bytes += row->fields[i].len;
        problems += row->problem != LI_MSG_NONE;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (st != LI_EOF) {
        fprintf(stderr, "%s\n", err.message);
        li_reader_free(r);
        return 1;
    }
    const li_reader_info *info = li_reader_get_info(r);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%s: %s, delimiter '%s', %llu rows, %llu fields, %llu bytes of values, %llu with a "
           "problem\n",
           argv[1], info->encoding,
           info->delimiter == '\t' ? "\\t" : (char[2]){(char)info->delimiter, 0}, rows, fields,
           bytes, problems);
    printf("%.3f s, %.0f MB/s of file, peak RSS %ld KiB\n", s,
           (double)info->size / 1e6 / (s > 0 ? s : 1e-9), ru.ru_maxrss);
    li_reader_free(r);
    return 0;
}
