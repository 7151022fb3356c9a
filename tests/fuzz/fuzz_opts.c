/*
 * fuzz_opts.c — the options of an import as stored with its job and read
 * back when the job is resumed or run by the worker (li__opts_from_json),
 * then written again (li__opts_to_json), then used: the reader options
 * open a small CSV file, as the resumed import would.
 *
 * Input: the JSON text (the database column may hold anything: a damaged
 * or hand-edited database). Checked: options read back are written as
 * JSON that reads back to the same options; the reader refuses or reads
 * with them, within its limits.
 */
#include "fuzz_reader_common.h"
#include "jobs/jobsInt.h"

static const char sample_csv[] =
    "Nom;Prénom;E-mail;Téléphone\r\nDupont;Jean;jean@example.fr;06 12 34 56 78\r\n"
    "Martin;Léa;lea@example.fr;+33 1 23 45 67 89\r\n";

static int same_str(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_same(const li_import_opts *a, const li_import_opts *b) {
    const li_reader_opts *x = &a->reader, *y = &b->reader;
    FZ_CHECK(same_str(x->format, y->format) && same_str(x->encoding, y->encoding) &&
                 x->delimiter == y->delimiter && x->header == y->header &&
                 x->max_field == y->max_field && x->max_row == y->max_row &&
                 x->max_columns == y->max_columns && same_str(x->sheet, y->sheet) &&
                 x->max_inflated == y->max_inflated,
             "reader options changed on the way back");
    FZ_CHECK(a->nmap == b->nmap && a->nmatch == b->nmatch && a->nassignees == b->nassignees,
             "counts changed: map %zu/%zu match %zu/%zu assignees %zu/%zu", a->nmap, b->nmap,
             a->nmatch, b->nmatch, a->nassignees, b->nassignees);
    for (size_t i = 0; i < a->nmap; i++)
        FZ_CHECK(same_str(a->map[i].field, b->map[i].field) &&
                     same_str(a->map[i].column, b->map[i].column),
                 "map %zu changed", i);
    for (size_t i = 0; i < a->nmatch; i++)
        FZ_CHECK(a->match[i] == b->match[i], "match %zu changed", i);
    for (size_t i = 0; i < a->nassignees; i++)
        FZ_CHECK(same_str(a->assignees[i], b->assignees[i]), "assignee %zu changed", i);
    FZ_CHECK(same_str(a->file_name, b->file_name) && same_str(a->mapping_name, b->mapping_name) &&
                 same_str(a->region, b->region) && same_str(a->assign_column, b->assign_column) &&
                 a->no_remember == b->no_remember && a->on_duplicate == b->on_duplicate &&
                 a->assign == b->assign && a->overwrite == b->overwrite &&
                 a->reassign == b->reassign && a->max_size == b->max_size &&
                 a->max_invalid.set == b->max_invalid.set &&
                 a->max_invalid.percent == b->max_invalid.percent &&
                 (a->max_invalid.value == b->max_invalid.value ||
                  (a->max_invalid.value != a->max_invalid.value &&
                   b->max_invalid.value != b->max_invalid.value)),
             "options changed on the way back");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fz_strndup(data, size);
    li_import_opts o, back;
    li__opts_hold hold, hold2;
    char *json = NULL;
    if (li__opts_from_json(text, &o, &hold) != LI_OK)
        goto out;
    json = li__opts_to_json(&o, hold.source_path, NULL);
    FZ_CHECK(json != NULL, "options read back cannot be written");
    FZ_CHECK(li__opts_from_json(json, &back, &hold2) == LI_OK, "own JSON refused: %s", json);
    check_same(&o, &back);
    li__opts_hold_free(&hold2);

    /* the limits a damaged database may hold must not make the reader misbehave */
    li_reader_opts ro = o.reader;
    if (ro.max_field > 1u << 20 || ro.max_row > 1u << 22 || ro.max_columns > 1u << 16)
        goto out; /* a reader's memory is bounded by these: huge ones are the caller's choice */
    ro.resume_offset = 0;
    ro.resume_row = 0;
    const char *path = fz_write_file("in.csv", (const uint8_t *)sample_csv, sizeof sample_csv - 1);
    fz_read_file(path, &ro, 1, 0);
out:
    li__opts_hold_free(&hold);
    free(json);
    free(text);
    return 0;
}
