/*
 * cmd_mappings.c — `leadimport mappings list|show|save|delete`: the named
 * column mappings (templates) an import applies with --mapping NAME, and,
 * with `list --all`, the mappings remembered for each file layout.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "leadimport/import.h"
#include "leadimport/store.h"

static const char mappings_help[] =
    "Utilisation : leadimport mappings COMMANDE [options]\n"
    "\n"
    "Les correspondances enregistrées (colonne du fichier -> champ du lead) :\n"
    "  list [--all] [--json]          les correspondances nommées ; --all montre aussi\n"
    "                                 celles mémorisées à chaque import\n"
    "  show NOM [--json]              le champ de chaque colonne\n"
    "  save NOM FICHIER [options]     enregistre la correspondance que l'import de\n"
    "                                 FICHIER utiliserait (--map, --mapping, --delimiter,\n"
    "                                 --encoding, --header comme pour « import »)\n"
    "  delete NOM                     supprime une correspondance\n"
    "\n"
    "Un import l'applique avec --mapping NOM. Sans --mapping, un fichier qui a les\n"
    "mêmes en-têtes qu'un fichier déjà importé reprend la correspondance de cet import\n"
    "(--mapping auto pour l'ignorer).\n"
    "  --db URL     base de données\n";

typedef struct list_ctx {
    int json;
    size_t n;
    json_t *array;
} list_ctx;

static li_status list_one(const li_mapping_rec *m, void *ctx) {
    list_ctx *lc = ctx;
    json_t *headers = json_loads(m->headers_json, 0, NULL);
    size_t ncols = json_array_size(headers);
    if (lc->json) {
        json_t *o = json_pack("{s:s?,s:b,s:I,s:O,s:s,s:s,s:s?}", "name", m->name[0] ? m->name : NULL,
                              "remembered", !m->name[0], "columns", (json_int_t)ncols, "headers",
                              headers ? headers : json_array(), "created_at", m->created_at,
                              "updated_at", m->updated_at, "used_at",
                              m->used_at[0] ? m->used_at : NULL);
        json_array_append_new(lc->array, o);
    } else {
        if (lc->n == 0)
            printf("%-24s %8s  %-20s %-20s\n", "Nom", "Colonnes", "Modifiée le", "Utilisée le");
        char name[80];
        if (m->name[0]) {
            snprintf(name, sizeof name, "%s", li_cli_t(m->name));
        } else { /* a remembered one: show the start of its headers */
            const char *first = json_string_value(json_array_get(headers, 0));
            snprintf(name, sizeof name, "(mémorisée) %.40s…", li_cli_t(first));
        }
        printf("%-24s %8zu  %-20.19s %-20.19s\n", name, ncols, m->updated_at,
               m->used_at[0] ? m->used_at : "jamais");
    }
    json_decref(headers);
    lc->n++;
    return LI_OK;
}

static int show(li_store *s, const char *name, int json, li_error *err) {
    li_mapping_rec m = {0};
    int found = 0;
    li_status st = li_store_mapping_get(s, name, NULL, &m, &found, err);
    if (st != LI_OK) {
        li_cli_print_error(err);
        return li_cli_exit_code(st);
    }
    if (!found)
        return li_cli_usage_error(LI_MSG_MAPPING_NOT_FOUND, name);
    json_t *map = json_loads(m.mapping_json, 0, NULL);
    if (json) {
        json_t *o = json_pack("{s:s,s:O,s:s,s:s}", "name", m.name, "mapping",
                              map ? map : json_object(), "created_at", m.created_at, "updated_at",
                              m.updated_at);
        char *text = json_dumps(o, JSON_PRESERVE_ORDER);
        if (text)
            puts(text); /* JSON: jansson escapes control characters */
        free(text);
        json_decref(o);
    } else {
        printf("Correspondance « %s » (modifiée le %.19s) :\n", li_cli_t(m.name), m.updated_at);
        const char *header;
        json_t *v;
        json_object_foreach(map, header, v) {
            const char *key = json_string_value(v);
            li_field f = key ? li_field_by_key(key) : LI_FIELD_NONE;
            printf("  %-32s -> %s\n", li_cli_t(header),
                   f == LI_FIELD_NONE ? "(champ personnalisé)" : li_field_label(f));
        }
    }
    json_decref(map);
    li_mapping_rec_free(&m);
    return LI_EXIT_OK;
}

int li_cli_mappings(int argc, char **argv) {
    static const char *const with_value[] = {"--db",     "--map",    "--delimiter",
                                             "--encoding", "--header", "--mapping", "--sheet",
                                             NULL};
    const char *db = NULL, *words[3] = {NULL, NULL, NULL}, *value, *mapping_name = NULL;
    size_t nwords = 0;
    int json = 0, all = 0, rc = LI_EXIT_OK;
    li_reader_opts ro;
    li_reader_opts_init(&ro);
    li_cli_maps maps = {0};
    li_store *s = NULL;
    li_mapping *m = NULL;
    li_error err;
    li_error_clear(&err);
    li_cli_args a;
    li_cli_args_init(&a, argc, argv);
    for (;;) {
        int status;
        const char *opt = li_cli_next(&a, with_value, &value, &status);
        if (status) {
            rc = status;
            goto out;
        }
        if (opt && !*opt)
            break;
        if (!opt) {
            if (nwords == 3) {
                rc = li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, value);
                goto out;
            }
            words[nwords++] = value;
        } else if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs(mappings_help, stdout);
            goto out;
        } else if (li_cli_reader_option(opt, value, &ro, &maps, &rc)) {
            if (rc)
                goto out;
        } else if (strcmp(opt, "--db") == 0) {
            db = value;
        } else if (strcmp(opt, "--mapping") == 0) {
            mapping_name = value;
        } else if (strcmp(opt, "--json") == 0) {
            json = 1;
        } else if (strcmp(opt, "--all") == 0) {
            all = 1;
        } else {
            rc = li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, "mappings");
            goto out;
        }
    }
    const char *cmd = words[0] ? words[0] : "";
    size_t want = strcmp(cmd, "list") == 0                                     ? 1
                  : strcmp(cmd, "show") == 0 || strcmp(cmd, "delete") == 0 ? 2
                  : strcmp(cmd, "save") == 0                                   ? 3
                                                                               : 0;
    if (want == 0) {
        fputs(mappings_help, stderr);
        rc = LI_EXIT_USAGE;
        goto out;
    }
    if (nwords != want) {
        rc = nwords > want ? li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, words[want])
                           : li_cli_usage_error(LI_MSG_USAGE_MISSING_VALUE, cmd);
        goto out;
    }
    /* Only save adds something: the others never create an empty database. */
    li_status st = strcmp(cmd, "save") == 0 ? li_store_open(li_cli_db_url(db), &s, &err)
                                            : li_store_open_existing(li_cli_db_url(db), &s, &err);
    if (st != LI_OK)
        goto fail;
    if (strcmp(cmd, "list") == 0) {
        list_ctx lc = {json, 0, json ? json_array() : NULL};
        if ((st = li_store_mappings_each(s, all, list_one, &lc, &err)) != LI_OK) {
            json_decref(lc.array);
            goto fail;
        }
        if (json) {
            char *text = json_dumps(lc.array, JSON_PRESERVE_ORDER);
            if (text)
                puts(text); /* JSON: jansson escapes control characters */
            free(text);
            json_decref(lc.array);
        } else if (lc.n == 0) {
            char text[256];
            li_msg_format(text, sizeof text, LI_MSG_MAPPING_NONE);
            li_cli_puts(text);
        }
    } else if (strcmp(cmd, "show") == 0) {
        rc = show(s, words[1], json, &err);
    } else if (strcmp(cmd, "delete") == 0) {
        int found = 0;
        if ((st = li_store_mapping_delete(s, words[1], &found, &err)) != LI_OK)
            goto fail;
        if (!found) {
            rc = li_cli_usage_error(LI_MSG_MAPPING_NOT_FOUND, words[1]);
            goto out;
        }
        char text[256];
        li_msg_format(text, sizeof text, LI_MSG_MAPPING_DELETED, words[1]);
        li_cli_puts(text);
    } else { /* save NAME FILE */
        if (!li_mapping_name_valid(words[1])) {
            rc = li_cli_usage_error(LI_MSG_MAPPING_NAME_INVALID, words[1]);
            goto out;
        }
        li_mapping_request req = {.path = words[2],
                                  .reader = &ro,
                                  .map = maps.ov,
                                  .nmap = maps.n,
                                  .mapping_name = mapping_name ? mapping_name : "auto"};
        li_mapping_source src;
        if ((st = li_import_mapping(s, &req, &m, &src, &err)) != LI_OK ||
            (st = li_mapping_save_as(s, words[1], m, &err)) != LI_OK)
            goto fail;
        char text[256];
        li_msg_format(text, sizeof text, LI_MSG_MAPPING_SAVED, words[1], m->ncols, words[1]);
        li_cli_puts(text);
    }
    goto out;
fail:
    li_cli_print_error(&err);
    rc = li_cli_exit_code(st);
out:
    li_mapping_free(m);
    li_cli_maps_free(&maps);
    li_store_close(s);
    return rc;
}
