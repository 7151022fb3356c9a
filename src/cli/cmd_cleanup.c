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
    "  --older-than DURÉE       un nombre et son unité : 90d (jours), 12h, 30m, 45s ;\n"
    "                           0d (tous les imports finis) demande --yes\n"
    "  --rows-older-than DURÉE  par défaut 30d ; 0 pour garder les lignes\n"
    "  --review-older-than DURÉE\n"
    "                           annule les imports restés en revue (« déposé » ou « prêt\n"
    "                           à importer ») depuis plus de DURÉE, et supprime leurs\n"
    "                           lignes analysées et leur fichier conservé ; par défaut 7d ;\n"
    "                           0 pour n'en annuler aucun\n"
    "  --yes                    confirme --older-than 0d\n"
    "  --dry-run                compte sans rien supprimer\n"
    "  --json                   résultat en JSON\n"
    "  --db URL                 base de données (elle doit exister)\n"
    "\n"
    "Codes de sortie : 0 fait, 2 erreur d'utilisation (durée invalide, 0 sans --yes,\n"
    "base inexistante), 1 erreur interne.\n";

int li_cli_cleanup(int argc, char **argv) {
    static const char *const with_value[] = {"--db", "--older-than", "--rows-older-than",
                                             "--review-older-than", NULL};
    const char *db = NULL, *value, *older = NULL;
    int json = 0, yes = 0;
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
            if (li_cli_parse_duration(value, &o.older_than_s) != 0)
                return li_cli_usage_error(LI_MSG_CLEANUP_DURATION_INVALID, "--older-than", value);
            older = value;
        } else if (strcmp(opt, "--rows-older-than") == 0) {
            /* "0" alone keeps the rows: it removes nothing, no unit needed. */
            if (strcmp(value, "0") == 0)
                o.rows_older_than_s = 0;
            else if (li_cli_parse_duration(value, &o.rows_older_than_s) != 0)
                return li_cli_usage_error(LI_MSG_CLEANUP_DURATION_INVALID, "--rows-older-than",
                                          value);
        } else if (strcmp(opt, "--review-older-than") == 0) {
            if (strcmp(value, "0") == 0)
                o.review_older_than_s = -1; /* never */
            else if (li_cli_parse_duration(value, &o.review_older_than_s) != 0 ||
                     o.review_older_than_s <= 0)
                return li_cli_usage_error(LI_MSG_CLEANUP_DURATION_INVALID, "--review-older-than",
                                          value);
        } else if (strcmp(opt, "--yes") == 0) {
            yes = 1;
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
    /* 0 means every finished import: a typo must not wipe the history. */
    if (o.older_than_s == 0 && !yes && !o.dry_run)
        return li_cli_usage_error(LI_MSG_CLEANUP_ZERO_NEEDS_YES, older);
    li_store *s = NULL;
    li_error err;
    li_error_clear(&err);
    li_cleanup_result res;
    memset(&res, 0, sizeof res);
    li_status st = li_store_open_existing(li_cli_db_url(db), &s, &err);
    if (st == LI_OK)
        st = li_cleanup(s, &o, &res, &err);
    li_store_close(s);
    if (st != LI_OK) {
        li_cli_print_error(&err);
        return li_cli_exit_code(st);
    }
    if (json)
        printf("{\"dry_run\":%s,\"jobs_deleted\":%llu,\"rows_jobs\":%llu,\"rows_dropped\":%llu,"
               "\"reviews_cancelled\":%llu}\n",
               o.dry_run ? "true" : "false", (unsigned long long)res.jobs_deleted,
               (unsigned long long)res.rows_jobs, (unsigned long long)res.rows_dropped,
               (unsigned long long)res.reviews_cancelled);
    else
        printf("%s%llu import%s supprimé%s ; lignes analysées retirées de %llu import%s "
               "terminé%s (%llu lignes)\n",
               o.dry_run ? "Simulation : " : "", (unsigned long long)res.jobs_deleted,
               res.jobs_deleted > 1 ? "s" : "", res.jobs_deleted > 1 ? "s" : "",
               (unsigned long long)res.rows_jobs, res.rows_jobs > 1 ? "s" : "",
               res.rows_jobs > 1 ? "s" : "", (unsigned long long)res.rows_dropped);
    if (!json && res.reviews_cancelled)
        printf("%s%llu import%s resté%s en revue annulé%s\n", o.dry_run ? "Simulation : " : "",
               (unsigned long long)res.reviews_cancelled, res.reviews_cancelled > 1 ? "s" : "",
               res.reviews_cancelled > 1 ? "s" : "", res.reviews_cancelled > 1 ? "s" : "");
    return LI_EXIT_OK;
}
