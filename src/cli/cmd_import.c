/*
 * cmd_import.c — `leadimport import FILE`: options -> li_import_run() ->
 * error report -> French summary (or one JSON object with --json).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "leadimport/review.h"
#include "leadimport/text.h"
#include "leadimport/buf.h"
#include "leadimport/import.h"
#include "leadimport/jobjson.h"

static const char import_help[] =
    "Utilisation : leadimport import FICHIER [options]\n"
    "\n"
    "Importe un fichier de leads, CSV ou classeur Excel (.xlsx, .xlsm) : détection de\n"
    "l'encodage, du séparateur et de l'en-tête (ou de la feuille), correspondance\n"
    "automatique des colonnes (en-têtes français ou anglais, exports des CRM courants),\n"
    "validation de chaque ligne, puis création des leads en ignorant ceux dont l'e-mail\n"
    "ou le téléphone existe déjà. Les lignes invalides sont listées dans un rapport.\n"
    "\n"
    "Options :\n"
    "  --db URL              base de données (sqlite:CHEMIN ou postgresql://…)\n"
    "  --map CHAMP=EN-TÊTE   associe une colonne à un champ (répétable), par exemple\n"
    "                        --map email=\"Adresse électronique\" ou --map phone=#3\n"
    "                        champs : first_name last_name email phone company job_title\n"
    "                        address postal_code city country source notes external_id owner\n"
    "                        full_name (nom complet, partagé en prénom et nom)\n"
    "                        assignee (l'utilisateur à qui attribuer le lead : e-mail ou nom)\n"
    "  --mapping NOM|auto    applique une correspondance enregistrée (leadimport mappings) ;\n"
    "                        auto : ignore celle mémorisée pour ces en-têtes\n"
    "  --no-remember         ne mémorise pas la correspondance de cet import\n"
    "  --delimiter C         séparateur : , ; tab |   (détecté par défaut)\n"
    "  --encoding E          utf-8, windows-1252, utf-16le, utf-16be   (détecté par défaut)\n"
    "  --header oui|non      le fichier a-t-il une ligne d'en-tête ?   (détecté par défaut,\n"
    "                        sous un éventuel titre ; non : toutes les lignes sont des données)\n"
    "  --sheet NOM|N         la feuille d'un classeur .xlsx (par défaut la première visible)\n"
    "  --region PAYS         pays des numéros sans indicatif (par défaut : déduit du\n"
    "                        fichier — domaines des e-mails, codes postaux… —, sinon FR)\n"
    "\n"
    "Doublons (une ligne dont une clé égale celle d'un lead existant ou d'une ligne\n"
    "précédente du fichier) :\n"
    "  --match CLÉS          clés comparées, dans l'ordre : email, phone, external_id\n"
    "                        (par défaut email,phone)\n"
    "  --on-duplicate S      skip (par défaut) : le lead existant est gardé tel quel ;\n"
    "                        update : il reçoit les valeurs non vides de la ligne qui lui\n"
    "                        manquent (toutes avec --overwrite) ; create : un nouveau lead\n"
    "                        est créé et signalé comme doublon possible\n"
    "  --overwrite           avec update, remplace aussi les valeurs déjà renseignées\n"
    "\n"
    "Attribution des leads créés :\n"
    "  --assign MODE         none, single:E-MAIL, round-robin:E-MAIL,E-MAIL...\n"
    "                        (à tour de rôle, dans l'ordre du fichier) ou column:EN-TÊTE\n"
    "                        (la colonne qui nomme le commercial, par e-mail ou par nom) ;\n"
    "                        sans --assign, la colonne « Assigné à » du fichier (celle\n"
    "                        qu'écrit export), s'il en a une, attribue chaque lead\n"
    "  --reassign            avec update, attribue aussi les leads existants mis à jour\n"
    "  --as E-MAIL           l'administrateur qui importe (noté avec l'import ; un\n"
    "                        commercial ou un compte désactivé est refusé)\n"
    "\n"
    "  --force               importe même si ce fichier a déjà été importé\n"
    "  --review              s'arrête à « prêt à importer » après l'analyse, sans rien\n"
    "                        écrire dans les leads, et affiche la revue : lignes valides,\n"
    "                        invalides, doublons, et ce que ferait chaque stratégie de\n"
    "                        doublons (avec --match, --overwrite, --assign, --reassign\n"
    "                        donnés ici) ; ensuite leadimport jobs rows N pour voir les\n"
    "                        lignes, leadimport jobs commit N pour importer\n"
    "  --queue               met l'import en file sans l'exécuter : un worker s'en charge\n"
    "                        (leadimport worker) ; le rapport est alors conservé avec\n"
    "                        l'import (leadimport report N)\n"
    "  --max-invalid N|P%    n'importe rien si plus de N lignes (ou P %) sont invalides\n"
    "  --max-size TAILLE     refuse les fichiers plus gros (par défaut 4G ; ex. 500M)\n"
    "  --report CHEMIN       rapport d'erreurs (par défaut NOM.erreurs.csv dans le\n"
    "                        dossier courant, écrit seulement s'il y a des lignes invalides)\n"
    "  --json                affiche le résultat en JSON sur la sortie standard\n"
    "  --quiet               n'affiche rien (sauf les erreurs)\n"
    "\n"
    "Ctrl+C (ou SIGTERM) arrête l'import au lot suivant : ce qui est enregistré reste,\n"
    "et relancer la même commande le reprend là où il s'est arrêté.\n"
    "\n"
    "Codes de sortie : 0 terminé (lignes invalides comprises), 2 erreur d'utilisation,\n"
    "3 refusé (fichier déjà importé, ou trop de lignes invalides), 4 fichier illisible,\n"
    "vide ou sans données (un en-tête seul), 5 annulé (leadimport jobs cancel),\n"
    "6 interrompu (Ctrl+C, SIGTERM : relancez la même commande), 7 base occupée ou import\n"
    "déjà en cours, 8 disque plein ou base en lecture seule, 1 erreur interne.\n";

typedef struct progress_state {
    int active;
    double last_len;
} progress_state;

static void on_progress(const li_progress *p, void *ctx) {
    progress_state *ps = ctx;
    ps->active = 1;
    double frac = p->rows_total ? (double)p->rows / (double)p->rows_total : 0.0;
    if (p->phase == LI_PHASE_PARSE && p->bytes_total)
        frac = (double)p->bytes / (double)p->bytes_total;
    if (frac > 1.0)
        frac = 1.0;
    char bar[21 * 3 + 1];
    size_t filled = (size_t)(frac * 20.0 + 0.5), k = 0;
    for (size_t i = 0; i < 20; i++) {
        const char *cell = i < filled ? "█" : "░";
        memcpy(bar + k, cell, 3);
        k += 3;
    }
    bar[k] = '\0';
    char eta[32] = "";
    if (p->eta_s >= 0 && frac < 1.0)
        li_msg_format(eta, sizeof eta, LI_MSG_PROGRESS_ETA, p->eta_s);
    char rows[96];
    li_msg_format(rows, sizeof rows, LI_MSG_PROGRESS_ROWS, (unsigned long long)p->rows,
                  p->rows_per_s);
    fprintf(stderr, "\r\033[K%-14s %s %3.0f %% %s%s", li_job_phase_title(p->phase), bar,
            frac * 100.0, rows, eta);
    fflush(stderr);
}

/* The result as one JSON object (jobjson.h), then a line break. */
static void print_json(const li_import_result *res, const char *report, li_status st,
                       const li_error *err) {
    li_buf b;
    li_buf_init(&b, 0);
    if (li_jobjson_import(&b, res, report, st, err) == LI_OK)
        printf("%s\n", b.data);
    else
        li_cli_say(LI_MSG_NO_MEMORY);
    li_buf_free(&b);
}

static void print_summary(const li_import_result *res, const char *report) {
    const li_job_rec *j = &res->job;
    char a[32], b[32];
    char head[1024];
    if (strcmp(j->format, "xlsx") == 0) /* a workbook has no encoding nor delimiter to speak of */
        li_msg_format(head, sizeof head, LI_MSG_IMPORT_DONE_BOOK, (long long)j->id, j->file_name);
    else
        li_msg_format(head, sizeof head, LI_MSG_IMPORT_DONE_CSV, (long long)j->id, j->file_name,
                      j->format, j->encoding,
                      strcmp(j->delimiter, "tab") == 0 ? li_msg_text(LI_MSG_DELIMITER_TAB)
                                                       : j->delimiter);
    printf("%s%s%s\n", li_cli_t(head), res->resumed ? " — " : "",
           res->resumed ? li_msg_text(LI_MSG_IMPORT_RESUMED) : "");
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
    li_cli_print_label(LI_MSG_SUMMARY_ROWS);
    printf("%s\n", li_text_fr_count(a, sizeof a, j->rows));
    li_cli_print_label(LI_MSG_SUMMARY_VALID);
    fputs(li_text_fr_count(a, sizeof a, j->valid), stdout);
    if (j->warnings)
        li_cli_print(LI_MSG_SUMMARY_WITH_WARNINGS, li_text_fr_count(b, sizeof b, j->warnings));
    putchar('\n');
    li_cli_print_label(LI_MSG_SUMMARY_INVALID);
    printf("%s\n", li_text_fr_count(a, sizeof a, j->invalid));
    li_cli_print_label(LI_MSG_SUMMARY_CREATED);
    fputs(li_text_fr_count(a, sizeof a, j->created), stdout);
    if (j->flagged)
        li_cli_print(LI_MSG_SUMMARY_FLAGGED, li_text_fr_count(b, sizeof b, j->flagged));
    putchar('\n');
    if (j->updated) {
        li_cli_print_label(LI_MSG_SUMMARY_UPDATED);
        printf("%s\n", li_text_fr_count(a, sizeof a, j->updated));
    }
    li_cli_print_label(LI_MSG_SUMMARY_SKIPPED);
    printf("%s\n", li_text_fr_count(a, sizeof a, j->skipped));
    if (j->assigned) {
        li_cli_print_label(LI_MSG_SUMMARY_ASSIGNED);
        printf("%s\n", li_text_fr_count(a, sizeof a, j->assigned));
    }
    if (report) {
        li_cli_print_label(LI_MSG_SUMMARY_REPORT);
        li_cli_say(LI_MSG_SUMMARY_REPORT_VALUE, report);
    }
    double secs = (double)res->duration_ms / 1000.0;
    char dur[32];
    snprintf(dur, sizeof dur, "%.1f", secs);
    char *dot = strchr(dur, '.');
    if (dot)
        *dot = ','; /* French decimal comma */
    li_cli_print_label(LI_MSG_SUMMARY_DURATION);
    li_cli_say(LI_MSG_SUMMARY_DURATION_VALUE, dur,
               li_text_fr_count(b, sizeof b, secs > 0 ? (unsigned long long)((double)j->rows / secs) : j->rows));
}

/* "email,external_id" -> the match keys in order. Returns 0 on success. */
static int parse_match(const char *v, li_import_opts *o) {
    o->nmatch = 0;
    const char *p = v;
    while (*p) {
        size_t n = strcspn(p, ",");
        li_field f = LI_FIELD_NONE;
        if (n == 5 && strncmp(p, "email", 5) == 0)
            f = LI_FIELD_EMAIL;
        else if (n == 5 && strncmp(p, "phone", 5) == 0)
            f = LI_FIELD_PHONE;
        else if (n == 11 && strncmp(p, "external_id", 11) == 0)
            f = LI_FIELD_EXTERNAL_ID;
        if (f == LI_FIELD_NONE || o->nmatch == 3)
            return -1;
        for (size_t k = 0; k < o->nmatch; k++)
            if (o->match[k] == f)
                return -1; /* twice the same key */
        o->match[o->nmatch++] = f;
        p += n;
        if (*p == ',' && *++p == '\0')
            return -1; /* "email," */
    }
    return o->nmatch ? 0 : -1;
}

/*
 * "none", "single:a@x.fr", "round-robin:a@x.fr,b@x.fr", "column:Commercial".
 * The users' list is split in *copy (owned by the caller). Returns 0 on success.
 */
static int parse_assign(const char *v, li_import_opts *o, char **copy) {
    o->nassignees = 0;
    o->assign_column = NULL;
    if (strcmp(v, "none") == 0) {
        o->assign = LI_ASSIGN_NONE;
        return 0;
    }
    const char *colon = strchr(v, ':');
    if (!colon || !colon[1])
        return -1;
    size_t kind = (size_t)(colon - v);
    if (kind == 6 && strncmp(v, "column", 6) == 0) {
        o->assign = LI_ASSIGN_COLUMN;
        o->assign_column = colon + 1;
        return 0;
    }
    if (kind == 6 && strncmp(v, "single", 6) == 0)
        o->assign = LI_ASSIGN_SINGLE;
    else if (kind == 11 && strncmp(v, "round-robin", 11) == 0)
        o->assign = LI_ASSIGN_ROUND_ROBIN;
    else
        return -1;
    if (!(*copy = strdup(colon + 1)))
        return -1;
    for (char *p = *copy, *next; p; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = '\0';
        while (*p == ' ')
            p++;
        if (!*p || o->nassignees == LI_IMPORT_MAX_ASSIGNEES)
            return -1;
        o->assignees[o->nassignees++] = p;
    }
    return o->assign == LI_ASSIGN_SINGLE && o->nassignees != 1 ? -1 : 0;
}

/* "10%", "2,5 %", "500" -> a share or a count of rows. Returns 0 on success. */
static int parse_reject_limit(const char *v, li_reject_limit *out) {
    char num[32];
    size_t n = 0;
    for (const char *p = v; *p; p++) {
        if (*p == ' ')
            continue;
        if (n + 1 == sizeof num) /* longer than any limit: refused, never cut */
            return -1;
        num[n++] = *p;
    }
    num[n] = '\0';
    int percent = n > 0 && num[n - 1] == '%';
    if (percent)
        num[--n] = '\0';
    double d = 0;
    uint64_t rows = 0;
    /* A share may have decimals ("2,5 %"); a count of rows may not. */
    if (percent ? li_cli_parse_decimal(num, &d) != 0 || d > 100
                : li_cli_parse_uint(num, UINT64_MAX, &rows) != 0)
        return -1;
    if (!percent)
        d = (double)rows;
    out->set = 1;
    out->percent = percent;
    out->value = d;
    return 0;
}

/* "500M", "2G", "1024" (bytes), "64K" -> bytes. Returns 0 on success. */
static int parse_size(const char *v, uint64_t *out) {
    char digits[24];
    size_t nd = strspn(v, "0123456789");
    uint64_t n = 0;
    if (nd == 0 || nd >= sizeof digits)
        return -1;
    memcpy(digits, v, nd);
    digits[nd] = '\0';
    if (li_cli_parse_uint(digits, UINT64_MAX, &n) != 0 || n == 0)
        return -1;
    const char *end = v + nd;
    unsigned shift = 0;
    switch (*end) {
    case '\0':
        break;
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    default:
        return -1;
    }
    if (*end == 'o' || *end == 'B') /* "500Mo", "2GB" */
        end++;
    if (*end || n > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)n << shift;
    return 0;
}

/* "dir/leads.csv" -> "leads.erreurs.csv" in the current folder. */
static char *default_report_path(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *out = malloc(n + sizeof ".erreurs.csv");
    if (out) {
        memcpy(out, base, n);
        memcpy(out + n, ".erreurs.csv", sizeof ".erreurs.csv");
    }
    return out;
}

int li_cli_commit_option(const char *opt, const char *value, li_import_opts *o,
                         char **assign_copy, int *rc) {
    *rc = 0;
    if (strcmp(opt, "--match") == 0) {
        if (parse_match(value, o) != 0)
            *rc = li_cli_usage_error(LI_MSG_MATCH_SYNTAX, value);
    } else if (strcmp(opt, "--on-duplicate") == 0) {
        if (strcmp(value, "skip") == 0)
            o->on_duplicate = LI_DUP_SKIP;
        else if (strcmp(value, "update") == 0)
            o->on_duplicate = LI_DUP_UPDATE;
        else if (strcmp(value, "create") == 0)
            o->on_duplicate = LI_DUP_CREATE;
        else
            *rc = li_cli_usage_error(LI_MSG_DUPLICATE_SYNTAX, value);
    } else if (strcmp(opt, "--overwrite") == 0) {
        o->overwrite = 1;
    } else if (strcmp(opt, "--reassign") == 0) {
        o->reassign = 1;
    } else if (strcmp(opt, "--assign") == 0) {
        free(*assign_copy);
        *assign_copy = NULL;
        if (parse_assign(value, o, assign_copy) != 0)
            *rc = li_cli_usage_error(LI_MSG_ASSIGN_SYNTAX, value);
    } else {
        return 0;
    }
    return 1;
}

char *li_cli_default_report(const char *file) {
    return default_report_path(file);
}

void li_cli_import_result(const li_import_result *res, const char *report, li_status st,
                          const li_error *err, int json) {
    if (json)
        print_json(res, report, st, err);
    else if (st == LI_OK)
        print_summary(res, report);
}

/* --review: the job stops at « prêt à importer » and its review is printed. */
static li_status review_path(li_store *s, const li_import_opts *o, int queue, int json, int quiet,
                             li_import_result *res, li_error *err) {
    li_import_result analysed;
    li_review rv;
    memset(&rv, 0, sizeof rv);
    li_status st = li_review_create(s, o, res, err);
    if (st != LI_OK)
        return st;
    li_review_run run = {.queue = queue, .progress = o->progress,
                         .progress_ctx = o->progress_ctx, .stop = o->stop};
    st = li_review_analyse(s, res->job.id, &run, &analysed, err);
    if (analysed.job.id)
        res->job = analysed.job;
    if (st == LI_OK && !queue)
        st = li_review_get(s, res->job.id, &rv, err);
    if (st == LI_OK && !quiet) {
        if (queue && json)
            print_json(res, NULL, st, err);
        else if (queue)
            printf("Import n° %lld déposé et mis en file pour son analyse : « %s » (leadimport "
                   "worker l'exécutera ; leadimport jobs review %lld pour le voir ensuite)\n",
                   (long long)res->job.id, li_cli_t(res->job.file_name), (long long)res->job.id);
        else
            li_cli_print_review(&rv, res, json);
    }
    li_review_free(&rv);
    return st;
}

int li_cli_import(int argc, char **argv) {
    static const char *const with_value[] = {"--db",       "--map",      "--delimiter",
                                             "--encoding", "--header",   "--report",
                                             "--region",   "--max-size", "--max-invalid",
                                             "--mapping",  "--match",    "--on-duplicate",
                                             "--assign",   "--sheet",    "--as",       NULL};
    li_import_opts o;
    li_import_opts_init(&o);
    li_cli_maps maps = {0};
    const char *db = NULL, *file = NULL, *report_opt = NULL, *value;
    int json = 0, quiet = 0, queue = 0, review = 0, rc = LI_EXIT_OK;
    char *report = NULL, *assign_copy = NULL;
    li_store *s = NULL;
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
            if (file) {
                rc = li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, value);
                goto out;
            }
            file = value;
        } else if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs(import_help, stdout);
            goto out;
        } else if (li_cli_reader_option(opt, value, &o.reader, &maps, &rc)) {
            if (rc)
                goto out;
        } else if (strcmp(opt, "--db") == 0) {
            db = value;
        } else if (strcmp(opt, "--max-invalid") == 0) {
            if (parse_reject_limit(value, &o.max_invalid) != 0) {
                rc = li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, "--max-invalid", value);
                goto out;
            }
        } else if (strcmp(opt, "--max-size") == 0) {
            if (parse_size(value, &o.max_size) != 0) {
                rc = li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, "--max-size", value);
                goto out;
            }
        } else if (strcmp(opt, "--region") == 0) {
            o.region = value;
        } else if (strcmp(opt, "--report") == 0) {
            report_opt = value;
        } else if (strcmp(opt, "--force") == 0) {
            o.force = 1;
        } else if (strcmp(opt, "--queue") == 0) {
            queue = 1;
        } else if (strcmp(opt, "--review") == 0) {
            review = 1;
        } else if (strcmp(opt, "--mapping") == 0) {
            o.mapping_name = value;
        } else if (strcmp(opt, "--no-remember") == 0) {
            o.no_remember = 1;
        } else if (strcmp(opt, "--match") == 0) {
            if (parse_match(value, &o) != 0) {
                rc = li_cli_usage_error(LI_MSG_MATCH_SYNTAX, value);
                goto out;
            }
        } else if (strcmp(opt, "--on-duplicate") == 0) {
            if (strcmp(value, "skip") == 0) {
                o.on_duplicate = LI_DUP_SKIP;
            } else if (strcmp(value, "update") == 0) {
                o.on_duplicate = LI_DUP_UPDATE;
            } else if (strcmp(value, "create") == 0) {
                o.on_duplicate = LI_DUP_CREATE;
            } else {
                rc = li_cli_usage_error(LI_MSG_DUPLICATE_SYNTAX, value);
                goto out;
            }
        } else if (strcmp(opt, "--overwrite") == 0) {
            o.overwrite = 1;
        } else if (strcmp(opt, "--reassign") == 0) {
            o.reassign = 1;
        } else if (strcmp(opt, "--as") == 0) {
            o.as_user = value;
        } else if (strcmp(opt, "--assign") == 0) {
            free(assign_copy);
            assign_copy = NULL;
            if (parse_assign(value, &o, &assign_copy) != 0) {
                rc = li_cli_usage_error(LI_MSG_ASSIGN_SYNTAX, value);
                goto out;
            }
        } else if (strcmp(opt, "--json") == 0) {
            json = 1;
        } else if (strcmp(opt, "--quiet") == 0 || strcmp(opt, "-q") == 0) {
            quiet = 1;
        } else {
            rc = li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, "import");
            goto out;
        }
    }
    if (!file) {
        rc = li_cli_usage_error(LI_MSG_USAGE_MISSING_FILE);
        goto out;
    }
    o.path = file;
    if (!queue && !review) { /* refused before anything is done if it would replace a file that matters */
        if (!(report = report_opt ? strdup(report_opt) : default_report_path(file))) {
            li_error_set(&err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            li_cli_print_error(&err);
            rc = LI_EXIT_INTERNAL;
            goto out;
        }
        o.report_path = report;
    }
    o.map = maps.ov;
    o.nmap = maps.n;
    progress_state ps = {0};
    if (!quiet && !json && isatty(STDERR_FILENO)) {
        o.progress = on_progress;
        o.progress_ctx = &ps;
    }

    li_import_result res;
    memset(&res, 0, sizeof res);
    li_status st = li_store_open(li_cli_db_url(db), &s, &err);
    if (st == LI_OK && review) {
        o.stop = li_cli_catch_stop();
        st = review_path(s, &o, queue, json, quiet, &res, &err);
        if (ps.active)
            fputs("\r\033[K", stderr);
        if (st != LI_OK) {
            if (json)
                print_json(&res, NULL, st, &err);
            li_cli_print_error(&err);
            rc = li_cli_exit_code(st);
        }
        goto out;
    }
    if (st == LI_OK && queue) {
        /* Queued: the worker writes the report; here only the job's number. */
        st = li_import_enqueue(s, &o, &res, &err);
        if (json)
            print_json(&res, NULL, st, &err);
        if (st != LI_OK) {
            li_cli_print_error(&err);
            rc = li_cli_exit_code(st);
        } else if (!quiet && !json) {
            if (res.resumed)
                li_cli_say(LI_MSG_JOB_QUEUED_RESUMED, (long long)res.job.id, res.job.file_name,
                           (long long)res.job.id);
            else
                li_cli_say(LI_MSG_JOB_QUEUED, (long long)res.job.id, res.job.file_name,
                           (long long)res.job.id);
            if (res.region_note[0])
                printf("  %s\n", li_cli_t(res.region_note));
        }
        goto out;
    }
    if (st == LI_OK) {
        o.stop = li_cli_catch_stop();
        st = li_import_run(s, &o, &res, &err);
    }
    if (ps.active)
        fputs("\r\033[K", stderr);
    int rejected = st == LI_EREFUSED && !res.refused && res.job.id;
    if (!((st == LI_OK || rejected) && li_report_due(&res.job))) {
        free(report); /* none written */
        report = NULL;
    } else if (report) {
        if (rejected) {
            li_error ignored; /* the rejection is what the user must read */
            if (li_report_write(s, res.job.id, report, NULL, &ignored) != LI_OK) {
                free(report);
                report = NULL;
            }
        } else if ((st = li_report_write(s, res.job.id, report, NULL, &err)) != LI_OK) {
            /* The import itself is done: say so, and how to get the report. */
            char why[LI_ERROR_MAX];
            snprintf(why, sizeof why, "%s", err.message);
            st = li_error_set(&err, st, LI_MSG_REPORT_NOT_WRITTEN, (long long)res.job.id, why,
                              (long long)res.job.id);
        }
    }
    if (json)
        print_json(&res, report, st, &err);
    if (st != LI_OK) {
        li_cli_print_error(&err);
        if (rejected && report) {
            li_error note;
            li_error_set(&note, LI_OK, LI_MSG_REJECTED_ROWS_REPORT, report);
            li_cli_print_error(&note);
        }
        rc = li_cli_exit_code(st);
        goto out;
    }
    if (!quiet && !json)
        print_summary(&res, report);
out:
    li_cli_maps_free(&maps);
    free(assign_copy);
    free(report);
    li_store_close(s);
    if (getenv("LEADIMPORT_TRACE"))
        fprintf(stderr, "closed\n");
    return rc;
}
