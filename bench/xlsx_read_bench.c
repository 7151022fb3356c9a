/*
 * xlsx_read_bench.c — the row reader alone on one file (parse only: no
 * mapping, no validation, no database), for bench/xlsx_bench.py: prints one
 * line of JSON with rows, fields, bytes, seconds and peak RSS, and checks
 * on the way that li_reader_position() only grows and ends at the size.
 *
 *   build/xlsx_read_bench FILE.xlsx [SHEET]
 */
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "leadimport/reader.h"

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s FILE [SHEET]\n", argv[0]);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    li_reader_opts o;
    li_reader_opts_init(&o);
    o.sheet = argc == 3 ? argv[2] : NULL;
    li_reader *r = NULL;
    li_error err;
    if (li_reader_open(argv[1], &o, &r, &err) != LI_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    const li_row *row;
    li_status st;
    unsigned long long rows = 0, fields = 0, bytes = 0, problems = 0;
    uint64_t pos = 0;
    int monotone = 1;
    while ((st = li_reader_next(r, &row, &err)) == LI_OK) {
        rows++;
        fields += row->nfields;
        for (size_t i = 0; i < row->nfields; i++)
            bytes += row->fields[i].len;
        problems += row->problem != LI_MSG_NONE;
        uint64_t p = li_reader_position(r);
        monotone &= p >= pos;
        pos = p;
    }
    int at_end = li_reader_position(r) == li_reader_get_info(r)->size;
    li_reader_free(r);
    if (st != LI_EOF) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("{\"rows\":%llu,\"fields\":%llu,\"bytes\":%llu,\"problems\":%llu,\"seconds\":%.3f,"
           "\"peak_rss_kib\":%ld,\"position_monotone\":%s,\"position_at_end\":%s}\n",
           rows, fields, bytes, problems, s, ru.ru_maxrss, monotone ? "true" : "false",
           at_end ? "true" : "false");
    return 0;
}
