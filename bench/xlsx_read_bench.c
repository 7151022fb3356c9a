/*
 * xlsx_read_bench.c — the row reader alone on one file (parse only: no
 * mapping, no validation, no database), for bench/xlsx_bench.py: prints one
 * line of JSON with rows, fields, bytes, seconds and peak RSS, and checks
 * on the way that li_reader_position() only grows and ends at the size.
 * "digest" (FNV-1a of every row's number, offsets, fields and problem)
 * tells two builds of the reader apart on the same file.
 *
 *   build/xlsx_read_bench FILE.xlsx [SHEET]
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "leadimport/reader.h"

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(1099511628211);
    return h;
}

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
    struct timespec t_open;
    clock_gettime(CLOCK_MONOTONIC, &t_open);
    double open_s = (double)(t_open.tv_sec - t0.tv_sec) + (double)(t_open.tv_nsec - t0.tv_nsec) / 1e9;
    const li_row *row;
    li_status st;
    unsigned long long rows = 0, fields = 0, bytes = 0, problems = 0;
    uint64_t pos = 0;
    int monotone = 1;
    uint64_t digest = UINT64_C(14695981039346656037);
    while ((st = li_reader_next(r, &row, &err)) == LI_OK) {
        rows++;
        fields += row->nfields;
        for (size_t i = 0; i < row->nfields; i++)
            bytes += row->fields[i].len;
        problems += row->problem != LI_MSG_NONE;
        uint64_t head[4] = {row->number, row->offset, row->next_offset, row->nfields};
        digest = fnv(digest, head, sizeof head);
        for (size_t i = 0; i < row->nfields; i++) {
            uint64_t len = row->fields[i].len;
            digest = fnv(digest, &len, sizeof len);
            digest = fnv(digest, row->fields[i].ptr, row->fields[i].len);
        }
        digest = fnv(digest, row->problem_text, strlen(row->problem_text));
        uint64_t p = li_reader_position(r);
        monotone &= p >= pos;
        pos = p;
    }
    int at_end = li_reader_position(r) == li_reader_get_info(r)->size;
    li_reader_free(r);
    if (st != LI_EOF) {
        fprintf(stderr, "%s\n", err.message);
        printf("{\"rows\":%llu,\"digest\":\"%016llx\",\"error\":true}\n", rows,
               (unsigned long long)digest);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("{\"rows\":%llu,\"fields\":%llu,\"bytes\":%llu,\"problems\":%llu,\"seconds\":%.3f,\"open_seconds\":%.3f,"
           "\"peak_rss_kib\":%ld,\"position_monotone\":%s,\"position_at_end\":%s,\"digest\":\"%016llx\"}\n",
           rows, fields, bytes, problems, s, open_s, ru.ru_maxrss, monotone ? "true" : "false",
           at_end ? "true" : "false", (unsigned long long)digest);
    return 0;
}
