/*
 * main.c — the leadimport command: one table of subcommands, dispatched by
 * name. Each command lives in its own file (cmd_*.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const li_cli_cmd commands[] = {
    {"import", li_cli_import, "importe un fichier de leads (CSV ou Excel)"},
    {"sniff", li_cli_sniff, "montre ce que l'import verrait, sans importer"},
    {"export", li_cli_export, "exporte les leads en CSV"},
    {"template", li_cli_template, "écrit le modèle de fichier à remplir"},
    {"mappings", li_cli_mappings, "correspondances de colonnes enregistrées"},
    {"jobs", li_cli_jobs, "imports : liste, détail, annulation, relance, suppression"},
    {"worker", li_cli_worker, "exécute les imports mis en file"},
    {"serve", li_cli_serve, "serveur HTTP : l'API JSON de l'interface web"},
    {"report", li_cli_report, "écrit de nouveau le rapport d'erreurs d'un import"},
    {"cleanup", li_cli_cleanup, "supprime les imports anciens et leurs fichiers"},
    {"users", li_cli_users, "comptes des administrateurs et des commerciaux"},
    {"migrate", li_cli_migrate, "crée ou met à jour le schéma de la base"},
};

static void print_help(FILE *out) {
    fputs("leadimport — import de fichiers de leads (CSV ou Excel) dans la base du CRM\n"
          "\n"
          "Utilisation :\n"
          "  leadimport import FICHIER [options]   importe un fichier de leads\n"
          "  leadimport sniff FICHIER [--json]     montre ce que l'import verrait\n"
          "  leadimport export [-o FICHIER|-]      exporte les leads en CSV\n"
          "  leadimport template [-o FICHIER|-]    écrit le modèle de fichier à remplir\n"
          "  leadimport jobs list|show|cancel|retry|delete|revert\n"
          "                                        imports : liste, détail, annulation...\n"
          "  leadimport worker [--until-idle]      exécute les imports mis en file\n"
          "  leadimport serve [--listen H:P]       serveur HTTP (API JSON, workers, ménage)\n"
          "  leadimport report N [-o FICHIER]      écrit le rapport d'erreurs d'un import\n"
          "  leadimport cleanup --older-than 90d   supprime les imports anciens\n"
          "  leadimport mappings list|show|save|delete\n"
          "                                        correspondances de colonnes enregistrées\n"
          "  leadimport users add|list|disable|enable|passwd\n"
          "                                        comptes des administrateurs et commerciaux\n"
          "  leadimport migrate                    crée ou met à jour le schéma de la base\n"
          "  leadimport COMMANDE --help            aide d'une commande\n"
          "  leadimport --version                  version du programme\n"
          "\n"
          "Options communes :\n"
          "  --db URL     base de données (par défaut $LEADIMPORT_DB,\n"
          "               sinon sqlite:leadimport.db dans le dossier courant)\n"
          "\n"
          "Codes de sortie :\n"
          "  0 import terminé (lignes invalides comprises)   2 erreur d'utilisation\n"
          "  3 refusé (fichier déjà importé, trop de lignes invalides)\n"
          "  4 fichier illisible ou impossible à écrire, vide ou sans données\n"
          "  5 annulé (jobs cancel)\n"
          "  6 interrompu (Ctrl+C, SIGTERM) : relancez la même commande pour reprendre\n"
          "  7 base occupée par un autre processus, ou import déjà en cours\n"
          "  8 disque plein, ou base en lecture seule\n"
          "  1 erreur interne\n",
          out);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_help(stderr);
        return LI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_help(stdout);
        return LI_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("leadimport %s\n", LI_VERSION);
        return LI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    return li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_COMMAND, name);
}
