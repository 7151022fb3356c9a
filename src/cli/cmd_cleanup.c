/*
 * cmd_cleanup.c — `leadimport cleanup --older-than 90d`: deletes old jobs
 * with their staged rows, stored files and reports, and drops the staged
 * rows of completed jobs past a second threshold. The server runs it daily.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leadimport/import.h"

static const char cleanup_help[] =
    "Utilisation : leadimport cleanup --older-than DURÉE [options]\n"
    "\n"
    "Supprime les imports plus anciens que DURÉE (avec leurs lignes analysées, leur\n"
    "fichier conservé et leur rapport ; leurs leads restent), et les lignes analysées des\n"
    "imports terminés plus anciens que --rows-older-than. Un import en attente ou en\n"
    "cours n'est jamais touché.\n"
    "\n"
    "  --older-than DURÉE       par exemple 90d (jours), 12h, 30m, 45s\n"
    "  --rows-older-than DURÉE  par défaut 30d ; 0 pour garder les lignes\n"
    "  --dry-run                compte sans rien supprimer\n"
    "  --json                   résultat en JSON\n"
    "  --db URL                 base de données\n";

/* "90d", "12h", "30m", "45s", "0" -> seconds; < 0 if malformed. */
static double parse_duration(const char *v) {
    char *end = NULL;
    double n = strtod(v, &end);
    if (!end || end == v || n < 0)
        return -1;
    double unit = 86400;
    if (*end == 'd' || *end == 'j')
        end++;
    else if (*end == 'h')
        unit = 3600, end++;
    else if (*end == 'm')
        unit = 60, end++;
    else if (*end == 's')
        unit = 1, end++;
    return *end ? -1 : n * unit;
}

int li_cli_cleanup(int argc, char **argv) {
    static const char *const with_value[] = {"--db", "--older-than", "--rows-older-than", NULL};
    const char *db = NULL, *value;
    int json = 0;
    li_cleanup_opts o = {.older_than_s = -1, .rows_older_than_s = 30 * 86400.0};
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
            return li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, value);
        } else if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs(cleanup_help, stdout);
            return LI_EXIT_OK;
        } else if (strcmp(opt, "--db") == 0) {
            db = value;
        } else if (strcmp(opt, "--older-than") == 0) {
            if ((o.older_than_s = parse_duration(value)) < 0)
                return li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, "--older-than", value);
        } else if (strcmp(opt, "--rows-older-than") == 0) {
            if ((o.rows_older_than_s = parse_duration(value)) < 0)
                return li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, "--rows-older-than", value);
        } else if (strcmp(opt, "--dry-run") == 0) {
            o.dry_run = 1;
        } else if (strcmp(opt, "--json") == 0) {
            json = 1;
        } else {
            return li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, "cleanup");
        }
    }
    if (o.older_than_s < 0)
        return li_cli_usage_error(LI_MSG_USAGE_MISSING_VALUE, "--older-than");
    li_store *s = NULL;
    li_error err;
    li_error_clear(&err);
    li_cleanup_result res;
    memset(&res, 0, sizeof res);
    li_status st = li_store_open(li_cli_db_url(db), &s, &err);
    if (st == LI_OK)
        st = li_cleanup(s, &o, &res, &err);
    li_store_close(s);
    if (st != LI_OK) {
        li_cli_print_error(&err);
        return li_cli_exit_code(st);
    }
    if (json)
        printf("{\"dry_run\":%s,\"jobs_deleted\":%llu,\"rows_jobs\":%llu,\"rows_dropped\":%llu}\n",
               o.dry_run ? "true" : "false", (unsigned long long)res.jobs_deleted,
               (unsigned long long)res.rows_jobs, (unsigned long long)res.rows_dropped);
    else
        printf("%s%llu import%s supprimé%s ; lignes analysées retirées de %llu import%s "
               "terminé%s (%llu lignes)\n",
               o.dry_run ? "Simulation : " : "", (unsigned long long)res.jobs_deleted,
               res.jobs_deleted > 1 ? "s" : "", res.jobs_deleted > 1 ? "s" : "",
               (unsigned long long)res.rows_jobs, res.rows_jobs > 1 ? "s" : "",
               res.rows_jobs > 1 ? "s" : "", (unsigned long long)res.rows_dropped);
    return LI_EXIT_OK;
}
