/*
 * cmd_report.c — `leadimport report JOB [-o PATH]`: (re)writes the error
 * report of a job, from its staged rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leadimport/import.h"

static const char report_help[] =
    "Utilisation : leadimport report N [-o FICHIER] [--db URL]\n"
    "\n"
    "Écrit (de nouveau) le rapport de l'import n° N : une ligne par ligne du fichier\n"
    "à regarder, avec son statut (refusée, doublon ignoré, lead mis à jour, créée mais\n"
    "signalée comme doublon possible, importée avec avertissement : le lead et la clé\n"
    "qui a trouvé le doublon), ses erreurs et avertissements en français et ses valeurs\n"
    "(d'origine pour une ligne refusée, normalisées sinon ; CSV pour Excel : UTF-8\n"
    "avec BOM, séparateur « ; »). Sans -o, le rapport est conservé\n"
    "avec l'import, dans le dossier BASE.files à côté de la base (leadimport.db.files\n"
    "pour leadimport.db), et son chemin est affiché. Les lignes analysées doivent être encore\n"
    "là (leadimport cleanup les supprime pour les imports anciens). Pour un import en cours,\n"
    "le rapport est partiel (les lignes lues jusqu'ici) et la commande le dit.\n";

int li_cli_report(int argc, char **argv) {
    static const char *const with_value[] = {"--db", "-o", "--output", NULL};
    const char *db = NULL, *out = NULL, *job = NULL, *value;
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
            if (job)
                return li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, value);
            job = value;
        } else if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs(report_help, stdout);
            return LI_EXIT_OK;
        } else if (strcmp(opt, "--db") == 0) {
            db = value;
        } else if (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0) {
            out = value;
        } else {
            return li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, "report");
        }
    }
    if (!job)
        return li_cli_usage_error(LI_MSG_USAGE_MISSING_VALUE, "report");
    long long id = 0;
    if (li_cli_parse_id(job, &id) != 0)
        return li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, "report", job);
    li_store *s = NULL;
    li_error err;
    li_error_clear(&err);
    char *stored = NULL;
    uint64_t n = 0;
    li_status st = li_store_open_existing(li_cli_db_url(db), &s, &err);
    li_job_rec rec;
    if (st == LI_OK)
        st = li_store_job_get(s, id, &rec, &err);
    if (st == LI_OK)
        st = out ? li_report_write(s, id, out, &n, &err) : li_report_store(s, id, &stored, &n, &err);
    if (st == LI_OK) {
        printf("Rapport de l'import n° %lld : %llu ligne%s (refusées, doublons, avertissements)"
               " dans « %s »\n",
               id, (unsigned long long)n, n > 1 ? "s" : "", li_cli_t(out ? out : stored));
        /* A job in review waits, analysed: its report is whole until the commit. */
        if (!li_job_state_final(rec.state) && rec.state != LI_JOB_READY) {
            /* Still running (or waiting to resume): only the rows read so far. */
            char note[LI_ERROR_MAX];
            li_msg_format(note, sizeof note, LI_MSG_REPORT_PARTIAL, id,
                          (unsigned long long)rec.rows, id);
            printf("%s\n", note);
        }
    } else
        li_cli_print_error(&err);
    free(stored);
    li_store_close(s);
    return st == LI_OK ? LI_EXIT_OK : st == LI_ENOTFOUND ? LI_EXIT_USAGE : li_cli_exit_code(st);
}
