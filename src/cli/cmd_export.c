/*
 * cmd_export.c — `leadimport export`, `template` and `migrate`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "leadimport/import.h"
#include "leadimport/store.h"

static const char export_help[] =
    "Utilisation : leadimport export [--db URL] [-o FICHIER|-]\n"
    "\n"
    "Écrit tous les leads en CSV (UTF-8 avec BOM, séparateur « ; ») avec les en-têtes\n"
    "français que « leadimport import » reconnaît seul : un export se réimporte tel quel.\n"
    "  -o, --output FICHIER   fichier de sortie (« - » ou absent : sortie standard)\n"
    "  --db URL               base de données\n";

int li_cli_export(int argc, char **argv) {
    static const char *const with_value[] = {"--db", "-o", "--output", NULL};
    const char *db = NULL, *outpath = "-", *value;
    li_cli_args a;
    li_cli_args_init(&a, argc, argv);
    for (;;) {
        int status;
        const char *opt = li_cli_next(&a, with_value, &value, &status);
        if (status)
            return status;
        if (opt && !*opt)
            break;
        if (!opt)
            return li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, value);
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs(export_help, stdout);
            return LI_EXIT_OK;
        } else if (strcmp(opt, "--db") == 0) {
            db = value;
        } else if (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0) {
            outpath = value;
        } else {
            return li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, "export");
        }
    }
    li_error err;
    li_error_clear(&err);
    li_store *s = NULL;
    int rc = LI_EXIT_OK;
    uint64_t n = 0;
    int to_stdout = strcmp(outpath, "-") == 0;
    li_status st = li_store_open_existing(li_cli_db_url(db), &s, &err);
    if (st != LI_OK)
        goto fail;
    st = to_stdout ? li_export_csv(s, stdout, &n, &err) : li_export_write(s, outpath, &n, &err);
    if (st == LI_OK && to_stdout && fflush(stdout) != 0)
        st = li_error_set(&err, LI_EIO, LI_MSG_FILE_UNWRITABLE, "-", li_msg_errno(errno));
    if (st != LI_OK)
        goto fail;
    if (strcmp(outpath, "-") != 0)
        fprintf(stderr, "%llu leads exportés dans « %s »\n", (unsigned long long)n,
                li_cli_t(outpath));
    goto out;
fail:
    li_cli_print_error(&err);
    rc = li_cli_exit_code(st);
out:
    li_store_close(s);
    return rc;
}

static const char template_help[] =
    "Utilisation : leadimport template [-o FICHIER|-]\n"
    "\n"
    "Écrit le modèle de fichier à remplir : les en-têtes français de tous les champs\n"
    "(séparateur « ; », UTF-8 avec BOM, s'ouvre tel quel dans Excel) et deux lignes\n"
    "d'exemple. Un fichier rempli sur ce modèle s'importe sans aucun réglage.\n"
    "  -o, --output FICHIER   fichier de sortie (« - » ou absent : sortie standard)\n";

int li_cli_template(int argc, char **argv) {
    static const char *const with_value[] = {"-o", "--output", NULL};
    const char *outpath = "-", *value;
    li_cli_args a;
    li_cli_args_init(&a, argc, argv);
    for (;;) {
        int status;
        const char *opt = li_cli_next(&a, with_value, &value, &status);
        if (status)
            return status;
        if (opt && !*opt)
            break;
        if (!opt)
            return li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, value);
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs(template_help, stdout);
            return LI_EXIT_OK;
        }
        if (strcmp(opt, "-o") != 0 && strcmp(opt, "--output") != 0)
            return li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, "template");
        outpath = value;
    }
    li_error err;
    li_error_clear(&err);
    /* The database this command would use is protected too: `template -o
     * leadimport.db` must not replace it. */
    li_status st = strcmp(outpath, "-") == 0 ? li_template_csv(stdout, &err)
                                             : li_template_write(outpath, li_cli_db_url(NULL), &err);
    if (st != LI_OK) {
        li_cli_print_error(&err);
        return li_cli_exit_code(st);
    }
    if (strcmp(outpath, "-") != 0)
        fprintf(stderr, "Modèle écrit dans « %s »\n", li_cli_t(outpath));
    return LI_EXIT_OK;
}

int li_cli_migrate(int argc, char **argv) {
    static const char *const with_value[] = {"--db", NULL};
    const char *db = NULL, *value;
    li_cli_args a;
    li_cli_args_init(&a, argc, argv);
    for (;;) {
        int status;
        const char *opt = li_cli_next(&a, with_value, &value, &status);
        if (status)
            return status;
        if (opt && !*opt)
            break;
        if (!opt)
            return li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, value);
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs("Utilisation : leadimport migrate [--db URL]\n"
                  "Crée les tables ou applique les migrations en attente (sans effet si la base\n"
                  "est déjà à jour).\n",
                  stdout);
            return LI_EXIT_OK;
        }
        if (strcmp(opt, "--db") != 0)
            return li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, "migrate");
        db = value;
    }
    li_error err;
    li_error_clear(&err);
    li_store *s = NULL;
    int version = 0;
    li_status st = li_store_open(li_cli_db_url(db), &s, &err);
    if (st == LI_OK) /* also repairs what an interrupted bulk import left */
        st = li_store_migrate(s, &version, &err);
    li_store_close(s);
    if (st != LI_OK) {
        li_cli_print_error(&err);
        return li_cli_exit_code(st);
    }
    printf("Base à jour (schéma version %d)\n", version);
    return LI_EXIT_OK;
}
