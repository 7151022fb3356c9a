/*
 * cmd_review.c — the review step on the command line: `jobs review N`,
 * `jobs rows N`, `jobs commit N`, and the review `import --review` prints.
 * Every rule is in the library (review.h); this file reads options and prints.
 */
#include <jansson.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "leadimport/import.h"
#include "leadimport/review.h"
#include "leadimport/text.h"

static const char rows_help[] =
    "Utilisation : leadimport jobs rows N [--status invalid|warning|duplicate|valid]\n"
    "                                     [--page P] [--json]\n"
    "\n"
    "Les lignes analysées de l'import n° N, 20 par page : numéro de ligne du fichier,\n"
    "statut, erreurs et avertissements, valeurs d'origine (en-tête du fichier -> cellule).\n"
    "  --status S   invalid (refusées), warning (avec avertissement), duplicate (doublons\n"
    "               d'un lead ou d'une ligne précédente), valid (importables) ; toutes\n"
    "               par défaut\n"
    "  --page P     la page (à partir de 1)\n"
    "  --json       {\"rows\": [...], \"page\", \"pages\", \"total\"}\n";

static const char commit_help[] =
    "Utilisation : leadimport jobs commit N [options]\n"
    "\n"
    "Importe l'import n° N « prêt à importer » (déposé avec import --review), avec les\n"
    "options choisies maintenant (même syntaxe que import) :\n"
    "  --on-duplicate skip|update|create   --match CLÉS   --overwrite\n"
    "  --assign MODE   --reassign\n"
    "  --queue        laisse l'import à un worker (leadimport worker)\n"
    "  --report CHEMIN  rapport d'erreurs (par défaut NOM.erreurs.csv)\n"
    "  --json         le même résultat que import --json\n"
    "  --quiet        n'affiche rien (sauf les erreurs)\n"
    "Un enregistrement interrompu reprend avec les options de sa première demande.\n";

static const char review_help[] =
    "Utilisation : leadimport jobs review N [--json]\n"
    "\n"
    "La revue de l'import n° N (déposé avec import --review) : lignes valides, invalides,\n"
    "doublons, et ce que ferait chaque stratégie de doublons contre les leads actuels.\n";

static const char *key_label(li_field f) {
    switch (f) {
    case LI_FIELD_EMAIL: return li_msg_text(LI_MSG_MATCH_KEY_EMAIL);
    case LI_FIELD_PHONE: return li_msg_text(LI_MSG_MATCH_KEY_PHONE);
    default: return li_msg_text(LI_MSG_MATCH_KEY_EXTERNAL_ID);
    }
}

void li_cli_print_review(const li_review *r, const li_import_result *res, int json) {
    char a[32], b[32];
    if (json) {
        li_buf out;
        li_buf_init(&out, 0);
        if (li_review_json(r, &out) == LI_OK && out.data)
            printf("%s\n", out.data);
        li_buf_free(&out);
        return;
    }
    const li_job_rec *j = &r->job;
    li_cli_print(LI_MSG_REVIEW_HEAD, (long long)j->id, li_job_state_label(j->state), j->file_name);
    if (res && res->resumed)
        printf(" — %s", li_msg_text(LI_MSG_IMPORT_RESUMED));
    putchar('\n');
    if (res) {
        /* The notes and warnings quote sheet names, headers and values. */
        if (res->mapping_note[0])
            printf("  %s\n", li_cli_t(res->mapping_note));
        if (res->region_note[0])
            printf("  %s\n", li_cli_t(res->region_note));
        if (res->header_note[0])
            printf("  %s\n", li_cli_t(res->header_note));
        for (size_t i = 0; i < res->nwarnings; i++) {
            fputs("  ", stdout);
            li_cli_say(LI_MSG_IMPORT_WARNING_LINE, res->warnings[i]);
        }
    }
    if (!r->analysed) {
        fputs("  ", stdout);
        li_cli_say(LI_MSG_REVIEW_NOT_ANALYSED);
        return;
    }
    li_cli_print_label(LI_MSG_SUMMARY_ROWS);
    printf("%s\n", li_text_fr_count(a, sizeof a, r->rows));
    li_cli_print_label(LI_MSG_SUMMARY_VALID);
    fputs(li_text_fr_count(a, sizeof a, r->valid), stdout);
    if (r->warnings)
        li_cli_print(LI_MSG_SUMMARY_WITH_WARNINGS, li_text_fr_count(b, sizeof b, r->warnings));
    putchar('\n');
    li_cli_print_label(LI_MSG_SUMMARY_INVALID);
    printf("%s\n", li_text_fr_count(a, sizeof a, r->invalid));
    li_cli_print_label(LI_MSG_REVIEW_DUPLICATES);
    li_cli_say(LI_MSG_REVIEW_DUPLICATES_VALUE, li_text_fr_count(a, sizeof a, r->duplicates),
               li_text_fr_count(b, sizeof b, r->duplicates_in_file));
    li_cli_print_label(LI_MSG_REVIEW_KEYS);
    for (size_t i = 0; i < r->choice.nmatch; i++)
        printf("%s%s", i ? ", " : "", key_label(r->choice.match[i]));
    if (r->choice.overwrite)
        li_cli_print(LI_MSG_REVIEW_KEYS_OVERWRITE);
    putchar('\n');
    fputs("  ", stdout);
    li_cli_say(LI_MSG_REVIEW_PREDICTIONS);
    static const li_msg cols[4] = {LI_MSG_REVIEW_COL_CREATED, LI_MSG_REVIEW_COL_UPDATED,
                                   LI_MSG_REVIEW_COL_SKIPPED, LI_MSG_REVIEW_COL_FLAGGED};
    static const li_msg names[3] = {LI_MSG_REVIEW_STRATEGY_SKIP, LI_MSG_REVIEW_STRATEGY_UPDATE,
                                    LI_MSG_REVIEW_STRATEGY_CREATE};
    printf("    %-26s", "");
    for (int c = 0; c < 4; c++) {
        putchar(' ');
        li_cli_print_right(li_msg_text(cols[c]), 10);
    }
    putchar('\n');
    for (int k = 0; k < 3; k++) {
        const li_review_counts *p = &r->predictions[k];
        const unsigned long long v[4] = {p->created, p->updated, p->skipped, p->flagged};
        fputs("    ", stdout);
        li_cli_print_padded(li_msg_text(names[k]), 26);
        for (int c = 0; c < 4; c++) {
            putchar(' ');
            li_cli_print_right(li_text_fr_count(a, sizeof a, v[c]), 10);
        }
        putchar('\n');
    }
    if (j->state == LI_JOB_READY)
    {
        li_cli_say(LI_MSG_REVIEW_NEXT_ROWS, (long long)j->id);
        li_cli_say(LI_MSG_REVIEW_NEXT_COMMIT, (long long)j->id);
    }
}

/* The rows of a page in French, one block per row. */
static void print_rows(long long id, const char *text) {
    json_t *j = json_loads(text, 0, NULL);
    char a[32], b[32];
    json_int_t page = json_integer_value(json_object_get(j, "page"));
    json_int_t pages = json_integer_value(json_object_get(j, "pages"));
    json_int_t total = json_integer_value(json_object_get(j, "total"));
    const char *note = json_string_value(json_object_get(j, "note"));
    if (note)
        fprintf(stderr, "leadimport : %s\n", li_cli_t(note));
    if (total == 0) {
        li_cli_print(LI_MSG_REVIEW_ROWS_NONE, id);
        putchar('\n');
        json_decref(j);
        return;
    }
    li_cli_say(LI_MSG_REVIEW_ROWS_HEAD, id,
           li_text_fr_count(a, sizeof a, (unsigned long long)total), total > 1 ? "s" : "", (long long)page,
           (long long)pages);
    size_t i, k;
    json_t *row, *v;
    json_array_foreach(json_object_get(j, "rows"), i, row) {
        const char *dup = json_string_value(json_object_get(row, "duplicate"));
        li_cli_say(LI_MSG_REVIEW_ROW_LINE,
               li_text_fr_count(b, sizeof b, (unsigned long long)json_integer_value(json_object_get(row, "row"))),
               li_review_status_label(json_string_value(json_object_get(row, "status"))), dup ? " : " : "",
               dup ? dup : "");
        json_array_foreach(json_object_get(row, "errors"), k, v) {
            printf("    - %s\n", li_cli_t(json_string_value(v)));
        }
        const char *key;
        int first = 1;
        json_object_foreach(json_object_get(row, "values"), key, v) {
            const char *cell = json_string_value(v);
            if (!cell || !*cell)
                continue;
            /* A line break inside a cell, shown as such rather than as an escape. */
            char shown[512];
            size_t n = 0;
            for (const char *c = cell; *c && n + 4 < sizeof shown; c++) {
                if (*c == '\n') {
                    memcpy(shown + n, " \xe2\x8f\x8e ", 5); /* " ⏎ " */
                    n += 5;
                } else if (*c != '\r') {
                    shown[n++] = *c;
                }
            }
            shown[n] = '\0';
            printf("%s%s : « %s »", first ? "    " : " · ", li_cli_t(key), li_cli_t(shown));
            first = 0;
        }
        if (!first)
            printf("\n");
    }
    json_decref(j);
}

static int rows_text(li_store *s, long long id, li_row_filter f, uint64_t page, int json);

static int job_number(const char *w, long long *id) {
    return li_cli_parse_id(w, id);
}

/* An unknown job number is a mistake of the command line (exit 2), as for the other jobs commands. */
static int exit_code(li_status st) {
    return st == LI_ENOTFOUND ? LI_EXIT_USAGE : li_cli_exit_code(st);
}

int li_cli_jobs_review(int argc, char **argv, const char *verb) {
    static const char *const with_value[] = {"--db",     "--status", "--page",
                                             "--match",  "--on-duplicate", "--assign",
                                             "--report", NULL};
    const char *db = NULL, *value, *number = NULL, *report_opt = NULL;
    int json = 0, queue = 0, quiet = 0, rc = LI_EXIT_OK;
    li_row_filter filter = LI_ROWS_ALL;
    uint64_t page = 1;
    li_import_opts o;
    char *assign_copy = NULL, *report = NULL;
    li_store *s = NULL;
    li_error err;
    li_error_clear(&err);
    li_import_opts_init(&o);
    int commit = strcmp(verb, "commit") == 0, rows = strcmp(verb, "rows") == 0;
    li_cli_args a;
    li_cli_args_init(&a, argc, argv);
    for (;;) {
        int st;
        const char *opt = li_cli_next(&a, with_value, &value, &st);
        if (st) {
            rc = st;
            goto out;
        }
        if (opt && !*opt)
            break;
        if (!opt) {
            if (strcmp(value, verb) == 0 && !number)
                continue;
            if (number) {
                rc = li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, value);
                goto out;
            }
            number = value;
        } else if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs(commit ? commit_help : rows ? rows_help : review_help, stdout);
            goto out;
        } else if (strcmp(opt, "--db") == 0) {
            db = value;
        } else if (strcmp(opt, "--json") == 0) {
            json = 1;
        } else if (commit && (strcmp(opt, "--quiet") == 0 || strcmp(opt, "-q") == 0)) {
            quiet = 1;
        } else if (rows && strcmp(opt, "--status") == 0) {
            if (!li_row_filter_parse(value, &filter)) {
                rc = li_cli_usage_error(LI_MSG_REVIEW_ROWS_FILTER, value);
                goto out;
            }
        } else if (rows && strcmp(opt, "--page") == 0) {
            if (li_cli_parse_uint(value, UINT32_MAX, &page) != 0 || page == 0) {
                rc = li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, "--page", value);
                goto out;
            }
        } else if (commit && strcmp(opt, "--queue") == 0) {
            queue = 1;
        } else if (commit && strcmp(opt, "--report") == 0) {
            report_opt = value;
        } else if (commit && li_cli_commit_option(opt, value, &o, &assign_copy, &rc)) {
            if (rc)
                goto out;
        } else {
            char cmd[32];
            snprintf(cmd, sizeof cmd, "jobs %s", verb);
            rc = li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, cmd);
            goto out;
        }
    }
    long long id = 0;
    char cmd[32];
    snprintf(cmd, sizeof cmd, "jobs %s", verb);
    if (!number) {
        rc = li_cli_usage_error(LI_MSG_USAGE_MISSING_VALUE, cmd);
        goto out;
    }
    if (job_number(number, &id) != 0) {
        rc = li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, cmd, number);
        goto out;
    }
    li_status st = li_store_open_existing(li_cli_db_url(db), &s, &err);
    if (st != LI_OK) {
        li_cli_print_error(&err);
        rc = exit_code(st);
        goto out;
    }
    if (rows) {
        rc = rows_text(s, id, filter, page, json);
        goto out;
    }
    if (!commit) {
        li_review rv;
        if ((st = li_review_get(s, id, &rv, &err)) == LI_OK)
            li_cli_print_review(&rv, NULL, json);
        li_review_free(&rv);
        if (st != LI_OK) {
            li_cli_print_error(&err);
            rc = exit_code(st);
        }
        goto out;
    }
    li_import_result res;
    memset(&res, 0, sizeof res);
    li_review_run run = {.queue = queue, .stop = li_cli_catch_stop()};
    st = li_review_commit(s, id, &o, &run, &res, &err);
    if (st == LI_OK && queue) {
        if (quiet)
            goto out;
        if (json)
            li_cli_import_result(&res, NULL, st, &err, 1);
        else
            printf("Import n° %lld mis en file pour son enregistrement (leadimport worker "
                   "l'exécutera ; leadimport jobs show %lld pour le suivre)\n",
                   (long long)id, (long long)id);
        goto out;
    }
    if (st == LI_OK && li_report_due(&res.job)) {
        report = report_opt ? strdup(report_opt) : li_cli_default_report(res.job.file_name);
        if (report && (st = li_report_write(s, id, report, NULL, &err)) != LI_OK) {
            char why[LI_ERROR_MAX];
            snprintf(why, sizeof why, "%s", err.message);
            st = li_error_set(&err, st, LI_MSG_REPORT_NOT_WRITTEN, id, why, id);
        }
    }
    if (!quiet || st != LI_OK)
        li_cli_import_result(&res, report, st, &err, json && !quiet);
    if (st != LI_OK) {
        li_cli_print_error(&err);
        rc = exit_code(st);
    }
out:
    free(assign_copy);
    free(report);
    li_store_close(s);
    return rc;
}

static int rows_text(li_store *s, long long id, li_row_filter f, uint64_t page, int json) {
    li_buf out;
    li_error err;
    li_error_clear(&err);
    li_buf_init(&out, 0);
    li_status st = li_review_rows(s, id, f, page, &out, &err);
    if (st != LI_OK) {
        li_buf_free(&out);
        li_cli_print_error(&err);
        return exit_code(st);
    }
    if (json)
        printf("%s\n", out.data ? out.data : "{}");
    else
        print_rows(id, out.data ? out.data : "{}");
    li_buf_free(&out);
    return LI_EXIT_OK;
}
