/*
 * cmd_jobs.c — `leadimport jobs ...`: what was imported, and undoing it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leadimport/import.h"
#include "leadimport/store.h"

static const char jobs_help[] =
    "Utilisation : leadimport jobs COMMANDE [options]\n"
    "\n"
    "  revert N [--json]    annule l'import n° N : supprime les leads qu'il a créés et\n"
    "                       rend leurs valeurs précédentes aux leads qu'il a mis à jour ;\n"
    "                       un lead modifié depuis (par un autre import ou à la main)\n"
    "                       n'est pas touché et il est listé\n"
    "  --db URL             base de données\n";

/* "12" -> 12; -1 if not a positive number. */
static long long job_number(const char *v) {
    char *end = NULL;
    long long n = strtoll(v, &end, 10);
    return end && end != v && !*end && n > 0 ? n : -1;
}

static int revert(li_store *s, const char *arg, int json) {
    li_error err;
    li_error_clear(&err);
    long long id = job_number(arg);
    if (id < 0)
        return li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, "jobs revert", arg);
    li_revert_result res;
    li_status st = li_import_revert(s, id, &res, &err);
    if (st != LI_OK) {
        li_cli_print_error(&err);
        return st == LI_ENOTFOUND ? LI_EXIT_USAGE : li_cli_exit_code(st);
    }
    if (json) {
        printf("{\"job_id\":%lld,\"status\":\"reverted\",\"deleted\":%llu,\"restored\":%llu,"
               "\"kept\":[",
               id, (unsigned long long)res.deleted, (unsigned long long)res.restored);
        for (size_t i = 0; i < res.nkept && i < LI_REVERT_KEPT_MAX; i++)
            printf("%s%lld", i ? "," : "", (long long)res.kept[i]);
        printf("],\"kept_count\":%zu}\n", res.nkept);
        return LI_EXIT_OK;
    }
    printf("Import n° %lld annulé : %llu leads supprimés, %llu modifications annulées\n", id,
           (unsigned long long)res.deleted, (unsigned long long)res.restored);
    if (res.nkept) {
        printf("  %zu leads modifiés depuis l'import n'ont pas été touchés :", res.nkept);
        for (size_t i = 0; i < res.nkept && i < LI_REVERT_KEPT_MAX; i++)
            printf(" %lld", (long long)res.kept[i]);
        printf("%s\n", res.nkept > LI_REVERT_KEPT_MAX ? " …" : "");
    }
    return LI_EXIT_OK;
}

int li_cli_jobs(int argc, char **argv) {
    static const char *const with_value[] = {"--db", NULL};
    const char *db = NULL, *words[2] = {NULL, NULL}, *value;
    size_t nwords = 0;
    int json = 0, rc = LI_EXIT_OK;
    li_store *s = NULL;
    li_cli_args a;
    li_cli_args_init(&a, argc, argv);
    for (;;) {
        int status;
        const char *opt = li_cli_next(&a, with_value, &value, &status);
        if (status)
            return status;
        if (opt && !*opt)
            break;
        if (!opt) {
            if (nwords == 2)
                return li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, value);
            words[nwords++] = value;
        } else if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs(jobs_help, stdout);
            return LI_EXIT_OK;
        } else if (strcmp(opt, "--db") == 0) {
            db = value;
        } else if (strcmp(opt, "--json") == 0) {
            json = 1;
        } else {
            return li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, "jobs");
        }
    }
    if (nwords == 0 || strcmp(words[0], "revert") != 0) {
        fputs(jobs_help, stderr);
        return LI_EXIT_USAGE;
    }
    if (nwords < 2)
        return li_cli_usage_error(LI_MSG_USAGE_MISSING_VALUE, "jobs revert");
    li_error err;
    li_error_clear(&err);
    li_status st = li_store_open(li_cli_db_url(db), &s, &err);
    if (st != LI_OK) {
        li_cli_print_error(&err);
        return li_cli_exit_code(st);
    }
    rc = revert(s, words[1], json);
    li_store_close(s);
    return rc;
}
