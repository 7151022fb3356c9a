/*
 * read_dump.c — a test driver, not part of the product: reads a file with
 * the library's row reader and prints what it read as one JSON document on
 * stdout, for the integration tests that compare the reader with another
 * one (test_csv_differential.py compares it with Python's csv module).
 *
 *   read_dump FILE [--delimiter C] [--header -1|0|1] [--encoding E]
 *             [--max-field N] [--max-row N]
 *
 * Output: {"encoding": "...", "delimiter": "...", "bom": 0|1,
 *          "header": [..] or null,
 *          "rows": [{"n": NUMBER, "problem": "code" or null, "fields": [..]}, ..]}
 * Strings are the reader's UTF-8 bytes, escaped for JSON (\u00XX for
 * control characters). Exit status 0, or 1 when the file is refused
 * (the French message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadimport/msg.h"
#include "leadimport/reader.h"

static void put_string(const char *p, size_t n) {
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20 || ch == 0x7F)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static void put_fields(const li_slice *f, size_t n) {
    putchar('[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            putchar(',');
        put_string(f[i].ptr, f[i].len);
    }
    putchar(']');
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [--delimiter C] [--header H] [--encoding E] "
                        "[--max-field N] [--max-row N]\n",
                argv[0]);
        return 2;
    }
    li_reader_opts o;
    li_reader_opts_init(&o);
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--delimiter") == 0)
            o.delimiter = strcmp(v, "tab") == 0 ? '\t' : (unsigned char)v[0];
        else if (strcmp(k, "--header") == 0)
            o.header = atoi(v);
        else if (strcmp(k, "--encoding") == 0)
            o.encoding = v;
        else if (strcmp(k, "--max-field") == 0)
            o.max_field = strtoull(v, NULL, 10);
        else if (strcmp(k, "--max-row") == 0)
            o.max_row = strtoull(v, NULL, 10);
        else {
            fprintf(stderr, "unknown option %s\n", k);
            return 2;
        }
    }
    li_reader *r = NULL;
    li_error err;
    if (li_reader_open(argv[1], &o, &r, &err) != LI_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    const li_reader_info *info = li_reader_get_info(r);
    char d = (char)info->delimiter;
    printf("{\"encoding\":\"%s\",\"delimiter\":", info->encoding);
    put_string(&d, 1);
    printf(",\"bom\":%d,\"header\":", info->bom);
    size_t nh;
    const li_slice *h = li_reader_header(r, &nh);
    if (h)
        put_fields(h, nh);
    else
        fputs("null", stdout);
    fputs(",\"rows\":[", stdout);
    const li_row *row;
    li_status st;
    int first = 1;
    while ((st = li_reader_next(r, &row, &err)) == LI_OK) {
        printf("%s{\"n\":%llu,\"problem\":", first ? "" : ",\n", (unsigned long long)row->number);
        first = 0;
        if (row->problem != LI_MSG_NONE)
            printf("\"%s\"", li_msg_code(row->problem));
        else
            fputs("null", stdout);
        fputs(",\"fields\":", stdout);
        put_fields(row->fields, row->nfields);
        putchar('}');
    }
    fputs("]}\n", stdout);
    li_reader_free(r);
    if (st != LI_EOF) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    return 0;
}
