/*
 * cmd_sniff.c — `leadimport sniff FILE`: what an import would see, printed
 * in French (or as the core's JSON with --json), so that a user can check
 * the detection and the mapping before importing.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "leadimport/buf.h"
#include "leadimport/import.h"

#define PREVIEW_ROWS 20

static const char sniff_help[] =
    "Utilisation : leadimport sniff FICHIER [options]\n"
    "\n"
    "Montre ce que l'import verrait, sans rien importer : format, encodage, séparateur,\n"
    "ligne d'en-tête, champ associé à chaque colonne (et pourquoi), et les 20 premières\n"
    "lignes. Accepte les mêmes réglages que « import » pour les essayer :\n"
    "  --map CHAMP=EN-TÊTE   --delimiter C   --encoding E   --header oui|non\n"
    "  --sheet NOM|N         la feuille d'un classeur .xlsx (par défaut la première visible)\n"
    "  --region PAYS         pays des numéros sans indicatif (par défaut : déduit du\n"
    "                        fichier, sinon FR)\n"
    "  --mapping NOM|auto    --db URL (la base où sont enregistrées les correspondances ;\n"
    "                        sans elle, seule la détection automatique est montrée)\n"
    "  --json                le résultat en JSON\n";

static const char *reason_fr(const char *reason) {
    static const char *const names[][2] = {
        {"header", "en-tête reconnu"},
        {"fuzzy", "en-tête reconnu malgré une faute de frappe"},
        {"values", "d'après les valeurs"},
        {"names", "nom ambigu, tranché d'après les valeurs"},
        {"export", "colonne de l'export reconnu"},
        {"report", "colonne du rapport d'erreurs, ignorée"},
        {"override", "choisi avec --map"},
        {"template", "correspondance enregistrée"},
        {"remembered", "repris du dernier import de ce modèle"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(reason, names[i][0]) == 0)
            return names[i][1];
    return "non reconnue : gardée comme champ personnalisé";
}


static void print_text(json_t *doc) {
    const char *delim = json_string_value(json_object_get(doc, "delimiter"));
    /* Every string of doc comes from the file (or its name): escaped (li_cli_t). */
    printf("Fichier    : %s (%lld octets)\n",
           li_cli_t(json_string_value(json_object_get(doc, "file"))),
           (long long)json_integer_value(json_object_get(doc, "size")));
    const char *sheet = json_string_value(json_object_get(doc, "sheet"));
    if (sheet) { /* a workbook: no encoding nor delimiter to speak of */
        printf("Format     : %s\n", json_string_value(json_object_get(doc, "format")));
        printf("Feuille    : %s\n", li_cli_t(sheet));
        size_t k;
        json_t *sh;
        json_array_foreach(json_object_get(doc, "sheets"), k, sh) {
            printf("  %2lld  %-28s %8lld lignes%s%s\n",
                   (long long)json_integer_value(json_object_get(sh, "number")),
                   li_cli_t(json_string_value(json_object_get(sh, "name"))),
                   (long long)json_integer_value(json_object_get(sh, "rows")),
                   json_is_true(json_object_get(sh, "hidden")) ? " (masquée)" : "",
                   json_is_true(json_object_get(sh, "current")) ? "  <- lue" : "");
        }
    } else {
        printf("Format     : %s, encodage %s%s\n", json_string_value(json_object_get(doc, "format")),
               json_string_value(json_object_get(doc, "encoding")),
               json_is_true(json_object_get(doc, "bom")) ? " (avec BOM)" : "");
        printf("Séparateur : %s\n", delim && delim[0] == '\t' ? "tabulation" : li_cli_t(delim));
    }
    if (json_is_true(json_object_get(doc, "has_header")))
        printf("En-tête    : oui (ligne %lld)\n",
               (long long)json_integer_value(json_object_get(doc, "header_row")));
    else
        printf("En-tête    : non\n");
    long long skipped = (long long)json_integer_value(json_object_get(doc, "skipped_rows"));
    if (skipped > 0) {
        char note[256];
        li_msg_format(note, sizeof note, LI_MSG_READ_PREAMBLE_SKIPPED, (unsigned long long)skipped,
                      skipped > 1 ? "s" : "", skipped > 1 ? "s" : "",
                      (unsigned long long)json_integer_value(json_object_get(doc, "header_row")));
        printf("             %s\n", note);
    }
    if (json_object_get(doc, "escape"))
        printf("Guillemets : échappés par une barre oblique inverse (\\\"), comme dans les exports "
               "MySQL et PHP\n");
    const char *export_name = json_string_value(json_object_get(doc, "export"));
    if (export_name) {
        char line[128];
        li_msg_format(line, sizeof line, LI_MSG_MAP_EXPORT, export_name);
        printf("Modèle     : %s\n", li_cli_t(line));
    }
    printf("\nColonnes :\n");
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "mapping"), i, c) {
        const char *label = json_string_value(json_object_get(c, "label"));
        printf("  %3lld  ", (long long)json_integer_value(json_object_get(c, "column")));
        li_cli_print_padded(json_string_value(json_object_get(c, "header")), 28);
        printf(" -> ");
        li_cli_print_padded(label ? label : "-", 14);
        printf(" %s", reason_fr(json_string_value(json_object_get(c, "reason"))));
        const char *detail = json_string_value(json_object_get(c, "detail"));
        if (detail)
            printf(" (%s)", li_cli_t(detail));
        const char *dates = json_string_value(json_object_get(c, "dates"));
        if (dates)
            printf(" ; dates lues %s, importées AAAA-MM-JJ", li_cli_t(dates));
        putchar('\n');
    }
    json_t *saved = json_object_get(doc, "saved_mapping");
    if (json_is_object(saved)) {
        const char *name = json_string_value(json_object_get(saved, "name"));
        if (name && *name)
            printf("  Correspondance appliquée : « %s »\n", li_cli_t(name));
        else
            printf("  Correspondance reprise du dernier import de ce modèle (%.19s)\n",
                   json_string_value(json_object_get(saved, "saved_at")));
    }
    json_t *w;
    json_array_foreach(json_object_get(doc, "warnings"), i, w) {
        printf("  Attention : %s\n", li_cli_t(json_string_value(w)));
    }
    json_t *region = json_object_get(doc, "region");
    if (json_is_object(region)) {
        const char *iso = json_string_value(json_object_get(region, "iso"));
        const char *name = json_string_value(json_object_get(region, "name"));
        const char *source = json_string_value(json_object_get(region, "source"));
        const char *reason = json_string_value(json_object_get(region, "reason"));
        printf("\nNuméros sans indicatif : %s (%s), ", name ? name : iso, iso);
        if (source && strcmp(source, "option") == 0)
            printf("choisi avec --region\n");
        else if (source && strcmp(source, "inferred") == 0)
            printf("déduit du fichier : %s\n", li_cli_t(reason));
        else if (reason && *reason)
            /* the reason says why: no majority, too few */
            printf("par défaut ; %s\n", li_cli_t(reason));
        else
            printf("par défaut\n");
    }
    printf("\nAperçu :\n");
    json_t *row;
    json_array_foreach(json_object_get(doc, "preview"), i, row) {
        printf("  ligne %lld :", (long long)json_integer_value(json_object_get(row, "row")));
        size_t k;
        json_t *f;
        json_array_foreach(json_object_get(row, "fields"), k, f) {
            printf("%s%s", k ? " | " : " ", li_cli_t(json_string_value(f)));
        }
        const char *msg = json_string_value(json_object_get(row, "message"));
        if (msg)
            printf("\n      -> %s", li_cli_t(msg));
        putchar('\n');
    }
}

int li_cli_sniff(int argc, char **argv) {
    static const char *const with_value[] = {"--map",    "--delimiter", "--encoding", "--header",
                                             "--db",     "--mapping",   "--sheet",    "--region",
                                             NULL};
    li_reader_opts ro;
    li_reader_opts_init(&ro);
    li_cli_maps maps = {0};
    const char *file = NULL, *value, *db = NULL, *mapping_name = NULL, *region = NULL;
    li_store *s = NULL;
    int json = 0, rc = LI_EXIT_OK;
    li_buf out;
    li_buf_init(&out, 0);
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
            if (file) {
                rc = li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, value);
                goto out;
            }
            file = value;
        } else if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs(sniff_help, stdout);
            goto out;
        } else if (li_cli_reader_option(opt, value, &ro, &maps, &rc)) {
            if (rc)
                goto out;
        } else if (strcmp(opt, "--json") == 0) {
            json = 1;
        } else if (strcmp(opt, "--db") == 0) {
            db = value;
        } else if (strcmp(opt, "--mapping") == 0) {
            mapping_name = value;
        } else if (strcmp(opt, "--region") == 0) {
            region = value;
        } else {
            rc = li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, "sniff");
            goto out;
        }
    }
    if (!file) {
        rc = li_cli_usage_error(LI_MSG_USAGE_MISSING_FILE);
        goto out;
    }
    li_error err;
    li_error_clear(&err);
    li_status st = LI_OK;
    /* Saved mappings live in the database: use it when it was named, or
     * when the default one exists, never create one just to look. */
    int named = db || getenv("LEADIMPORT_DB");
    st = li_store_open_existing(li_cli_db_url(db), &s, &err);
    if (st != LI_OK && !named && err.msg == LI_MSG_DB_MISSING) {
        st = LI_OK; /* no default database here: sniff without saved mappings */
        li_error_clear(&err);
    }
    li_mapping_request req = {.path = file,
                              .reader = &ro,
                              .map = maps.ov,
                              .nmap = maps.n,
                              .mapping_name = mapping_name,
                              .region = region};
    if (st == LI_OK)
        st = li_sniff_json(s, &req, PREVIEW_ROWS, &out, &err);
    if (st != LI_OK) {
        li_cli_print_error(&err);
        rc = li_cli_exit_code(st);
        goto out;
    }
    if (json) {
        fputs(out.data, stdout);
        putchar('\n');
    } else {
        json_t *doc = json_loads(out.data, 0, NULL);
        if (!doc) {
            rc = LI_EXIT_INTERNAL;
            goto out;
        }
        print_text(doc);
        json_decref(doc);
    }
out:
    li_store_close(s);
    li_buf_free(&out);
    li_cli_maps_free(&maps);
    return rc;
}
