/*
 * cmd_jobs.c — `leadimport jobs ...`: what was imported or is queued, and
 * what a person does to it: list, show, cancel, retry, delete, revert.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "leadimport/buf.h"
#include "leadimport/import.h"
#include "leadimport/jobjson.h"
#include "leadimport/store.h"

static const char jobs_help[] =
    "Utilisation : leadimport jobs COMMANDE [options]\n"
    "\n"
    "  list [--status S] [--json]\n"
    "                       les imports, du plus récent au plus ancien ; --status n'en\n"
    "                       garde qu'un état : depose, en-attente, analyse, pret, import,\n"
    "                       terminé, refusé, echec, annulé, défait\n"
    "  show N [--json]      un import : état, étape, compteurs, lignes/s, temps restant,\n"
    "                       tentatives, erreurs, horaires et étapes de travail\n"
    "  cancel N             annule un import en attente ou en cours : le worker s'arrête\n"
    "                       sans enregistrer le lot en cours ; les lignes déjà analysées\n"
    "                       restent consultables et les leads déjà créés restent\n"
    "  retry N              remet en file un import en échec ou annulé : il reprend à son\n"
    "                       dernier point de reprise\n"
    "  review N [--json]    la revue d'un import déposé avec import --review : comptes et\n"
    "                       ce que ferait chaque stratégie de doublons\n"
    "  rows N [--status invalid|warning|duplicate|valid] [--page P] [--json]\n"
    "                       ses lignes analysées, 20 par page, avec leurs erreurs et\n"
    "                       leurs valeurs d'origine\n"
    "  commit N [--on-duplicate S] [--match CLÉS] [--assign MODE] [--overwrite]\n"
    "           [--reassign] [--queue] [--json]\n"
    "                       importe un import « prêt à importer » avec ces options\n"
    "  delete N             supprime un import, ses lignes analysées, son fichier conservé\n"
    "                       et son rapport ; ses leads restent\n"
    "  revert N [--json]    annule l'import n° N : supprime les leads qu'il a créés et\n"
    "                       rend leurs valeurs précédentes aux leads qu'il a mis à jour ;\n"
    "                       un lead modifié depuis (par un autre import ou à la main)\n"
    "                       n'est pas touché et il est listé\n"
    "  --db URL             base de données\n";

typedef struct list_ctx {
    int json, n;
    li_buf out;
} list_ctx;

static li_status list_one(const li_job_rec *j, void *arg) {
    list_ctx *c = arg;
    if (c->json) {
        if (c->n)
            li_buf_putc(&c->out, ',');
        if (li_jobjson_job(&c->out, j) != LI_OK)
            return LI_ENOMEM;
    } else {
        if (c->n == 0) {
            printf("    N°  ");
            li_cli_print_padded(li_msg_text(LI_MSG_JOB_LABEL_STATE), 16);
            printf("  ");
            li_cli_print_padded(li_msg_text(LI_MSG_JOB_LABEL_PHASE), 14);
            printf("  ");
            li_cli_print_right(li_msg_text(LI_MSG_JOB_LABEL_ROWS), 10);
            printf("  ");
            li_cli_print_right(li_msg_text(LI_MSG_JOB_LABEL_CREATED), 10);
            printf("  ");
            li_cli_print_padded(li_msg_text(LI_MSG_JOB_LABEL_CREATED_AT), 19);
            printf("  %s\n", li_msg_text(LI_MSG_JOB_LABEL_FILE));
        }
        printf("%6lld  ", (long long)j->id);
        li_cli_print_padded(li_job_interrupted(j) ? li_msg_text(LI_MSG_JOB_STATE_INTERRUPTED)
                                                  : li_job_state_label(j->state),
                            16);
        printf("  ");
        li_cli_print_padded(li_job_phase_label(j->phase), 14);
        printf("  %10llu  %10llu  %-19.19s  %s\n", (unsigned long long)j->rows,
               (unsigned long long)j->created, j->created_at, li_cli_t(j->file_name));
    }
    c->n++;
    return LI_OK;
}

static int fail(const li_error *err, li_status st) {
    li_cli_print_error(err);
    return st == LI_ENOTFOUND ? LI_EXIT_USAGE : li_cli_exit_code(st);
}

static int list(li_store *s, const li_job_state *state, int json) {
    li_error err;
    list_ctx c = {.json = json};
    li_buf_init(&c.out, 0);
    li_buf_putc(&c.out, '[');
    li_status st = li_store_jobs_each(s, state, list_one, &c, &err);
    if (st == LI_ENOMEM) /* from list_one: err not set */
        li_error_set(&err, st, LI_MSG_NO_MEMORY);
    if (st != LI_OK) {
        li_buf_free(&c.out);
        return fail(&err, st);
    }
    li_buf_puts(&c.out, "]\n");
    if (json)
        fputs(c.out.data, stdout);
    else if (c.n == 0)
        li_cli_say(LI_MSG_JOBS_NONE);
    li_buf_free(&c.out);
    return LI_EXIT_OK;
}

/* A work item's state as the user reads it. */
static li_status item_text(const li_work_item *it, void *arg) {
    (void)arg;
    printf("  %s ", li_msg_text(LI_MSG_JOB_LABEL_PHASE));
    li_cli_print_padded(li_work_kind_label(it->kind), 15);
    li_cli_print_padded(li_work_state_label(it->state), 11);
    li_cli_print(LI_MSG_WORK_ITEM_ATTEMPT, it->attempts, it->max_attempts);
    if (it->owner[0])
        li_cli_print(LI_MSG_WORK_ITEM_OWNER, it->owner);
    printf("%s%s\n", it->last_error[0] ? " — " : "", li_cli_t(it->last_error));
    return LI_OK;
}

static int show(li_store *s, long long id, int json) {
    li_error err;
    li_job_rec j;
    uint64_t report_rows = 0;
    li_status st = li_store_job_get(s, id, &j, &err);
    if (st == LI_OK)
        st = li_report_count(s, id, &report_rows, &err);
    if (st != LI_OK)
        return fail(&err, st);
    if (json) {
        li_buf b;
        li_buf_init(&b, 0);
        st = li_jobjson_job_detail(&b, s, &j, report_rows, &err);
        if (st == LI_OK) {
            fputs(b.data, stdout);
            putchar('\n');
        }
        li_buf_free(&b);
        return st == LI_OK ? LI_EXIT_OK : fail(&err, st);
    }
    int over = li_job_state_final(j.state); /* no phase, rate nor time left to show */
    li_cli_say(LI_MSG_JOB_SHOW_TITLE, (long long)j.id, j.file_name);
    li_cli_print_label(LI_MSG_JOB_LABEL_STATE);
    fputs(li_job_state_label(j.state), stdout);
    if (j.phase != LI_PHASE_NONE && !over)
        li_cli_print(LI_MSG_JOB_SHOW_PHASE, li_job_phase_label(j.phase));
    putchar('\n');
    if (li_job_interrupted(&j)) {
        li_cli_print_label(LI_MSG_JOB_STATE_INTERRUPTED);
        li_cli_say(LI_MSG_JOB_INTERRUPTED_NOTE);
    }
    li_cli_print_label(LI_MSG_JOB_LABEL_ROWS_READ);
    li_cli_say(LI_MSG_JOB_SHOW_ROWS, (unsigned long long)j.rows, (unsigned long long)j.valid,
               (unsigned long long)j.invalid);
    li_cli_print_label(LI_MSG_JOB_LABEL_LEADS_CREATED);
    printf("%llu", (unsigned long long)j.created);
    if (j.flagged)
        li_cli_print(LI_MSG_JOB_SHOW_FLAGGED, (unsigned long long)j.flagged);
    li_cli_say(LI_MSG_JOB_SHOW_UPDATED, (unsigned long long)j.updated,
               (unsigned long long)j.skipped);
    if (report_rows) {
        li_cli_print_label(LI_MSG_JOB_LABEL_REPORT);
        li_cli_say(LI_MSG_JOB_SHOW_REPORT, (unsigned long long)report_rows,
                   report_rows > 1 ? "s" : "", (long long)j.id);
    }
    double secs = over ? li_job_duration_s(&j) : -1;
    if (over && secs >= 0) {
        char d[32];
        snprintf(d, sizeof d, "%.1f", secs);
        char *dot = strchr(d, '.');
        if (dot)
            *dot = ','; /* French decimal comma */
        li_cli_print_label(LI_MSG_JOB_LABEL_DURATION);
        li_cli_print(LI_MSG_JOB_SHOW_DURATION, d);
        if (secs > 0.001 && j.rows > 0)
            li_cli_print(LI_MSG_JOB_SHOW_RATE, (double)j.rows / secs);
        putchar('\n');
    } else if (!over) {
        li_cli_print_label(LI_MSG_JOB_LABEL_PROGRESS);
        li_cli_print(LI_MSG_JOB_SHOW_PROGRESS,
                     j.bytes_total ? 100.0 * (double)j.bytes_done / (double)j.bytes_total : 0.0,
                     j.rows_per_s);
        if (j.eta_s >= 0)
            li_cli_print(LI_MSG_JOB_SHOW_ETA, (long long)j.eta_s);
        putchar('\n');
    }
    li_cli_print_label(LI_MSG_JOB_LABEL_CREATED_AT);
    printf("%s\n", j.created_at);
    if (j.started_at[0]) {
        li_cli_print_label(LI_MSG_JOB_LABEL_STARTED_AT);
        printf("%s\n", j.started_at);
    }
    if (j.finished_at[0]) {
        li_cli_print_label(LI_MSG_JOB_LABEL_FINISHED_AT);
        printf("%s\n", j.finished_at);
    }
    if (j.worker[0]) {
        li_cli_print_label(LI_MSG_JOB_LABEL_WORKER);
        li_cli_say(LI_MSG_JOB_SHOW_WORKER, j.worker, (unsigned long long)j.attempts,
                   j.heartbeat_at);
    }
    if (j.error[0]) {
        li_cli_print_label(LI_MSG_JOB_LABEL_ERROR);
        li_cli_puts(j.error);
    }
    st = li_store_work_each(s, id, item_text, NULL, &err);
    return st == LI_OK ? LI_EXIT_OK : fail(&err, st);
}

static int cancel(li_store *s, long long id) {
    li_error err;
    li_job_rec j;
    li_status st = li_job_cancel(s, id, &j, &err);
    if (st != LI_OK)
        return fail(&err, st);
    li_cli_puts(j.error);
    return LI_EXIT_OK;
}

static int retry(li_store *s, long long id) {
    li_error err;
    li_job_rec j;
    li_status st = li_job_retry(s, id, &j, &err);
    if (st != LI_OK)
        return fail(&err, st);
    li_cli_say(LI_MSG_JOB_REQUEUED, id, (unsigned long long)li_job_resume_row(&j));
    return LI_EXIT_OK;
}

static int delete_job(li_store *s, long long id) {
    li_error err;
    li_status st = li_job_delete(s, id, &err);
    if (st != LI_OK)
        return fail(&err, st);
    li_cli_say(LI_MSG_JOB_DELETED, id);
    return LI_EXIT_OK;
}

/* "12" -> 12; -1 if not a positive number. */
static long long job_number(const char *v) {
    long long n = 0;
    return li_cli_parse_id(v, &n) == 0 ? n : -1;
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
        li_buf b;
        li_buf_init(&b, 0);
        st = li_jobjson_revert(&b, id, &res);
        if (st == LI_OK)
            printf("%s\n", b.data);
        li_buf_free(&b);
        if (st != LI_OK) {
            li_error_set(&err, st, LI_MSG_NO_MEMORY);
            return fail(&err, st);
        }
        return LI_EXIT_OK;
    }
    li_cli_say(LI_MSG_JOB_REVERTED, id, (unsigned long long)res.deleted,
               (unsigned long long)res.restored);
    if (res.nkept) {
        char text[256];
        li_msg_format(text, sizeof text, LI_MSG_JOB_REVERT_KEPT, res.nkept);
        printf("  %s", text);
        for (size_t i = 0; i < res.nkept && i < LI_REVERT_KEPT_MAX; i++)
            printf(" %lld", (long long)res.kept[i]);
        printf("%s\n", res.nkept > LI_REVERT_KEPT_MAX ? " …" : "");
    }
    return LI_EXIT_OK;
}

int li_cli_jobs(int argc, char **argv) {
    static const char *const with_value[] = {"--db", "--status", NULL};
    /* The review's commands have options of their own (cmd_review.c). */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 || strcmp(argv[i], "--status") == 0) {
            i++;
            continue;
        }
        if (argv[i][0] == '-')
            continue;
        if (strcmp(argv[i], "review") == 0 || strcmp(argv[i], "rows") == 0 ||
            strcmp(argv[i], "commit") == 0)
            return li_cli_jobs_review(argc, argv, argv[i]);
        break;
    }
    li_job_state state = LI_JOB_QUEUED;
    int has_state = 0; /* --status given */
    const char *db = NULL, *words[2] = {NULL, NULL}, *value;
    size_t nwords = 0;
    int json = 0, rc = LI_EXIT_OK;
    li_store *s = NULL;
    li_cli_args a;
    li_cli_args_init(&a, argc, argv);
    for (;;) {
        int st;
        const char *opt = li_cli_next(&a, with_value, &value, &st);
        if (st)
            return st;
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
        } else if (strcmp(opt, "--status") == 0) {
            if (!li_job_state_from_word(value, &state))
                return li_cli_usage_error(LI_MSG_JOB_STATUS_UNKNOWN, value, li_job_state_labels());
            has_state = 1;
        } else if (strcmp(opt, "--json") == 0) {
            json = 1;
        } else {
            return li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, "jobs");
        }
    }
    static const char *const verbs[] = {"list", "show", "cancel", "retry", "delete", "revert"};
    size_t verb = 0;
    while (nwords && verb < 6 && strcmp(words[0], verbs[verb]) != 0)
        verb++;
    if (nwords == 0 || verb == 6) {
        fputs(jobs_help, stderr);
        return LI_EXIT_USAGE;
    }
    long long id = 0;
    if (verb != 0) {
        char cmd[32];
        snprintf(cmd, sizeof cmd, "jobs %s", verbs[verb]);
        if (nwords < 2)
            return li_cli_usage_error(LI_MSG_USAGE_MISSING_VALUE, cmd);
        if ((id = job_number(words[1])) < 0)
            return li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, cmd, words[1]);
    } else if (nwords > 1) {
        return li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, words[1]);
    }
    li_error err;
    li_error_clear(&err);
    li_status st = li_store_open_existing(li_cli_db_url(db), &s, &err);
    if (st != LI_OK) {
        li_cli_print_error(&err);
        return li_cli_exit_code(st);
    }
    switch (verb) {
    case 0: rc = list(s, has_state ? &state : NULL, json); break;
    case 1: rc = show(s, id, json); break;
    case 2: rc = cancel(s, id); break;
    case 3: rc = retry(s, id); break;
    case 4: rc = delete_job(s, id); break;
    default: rc = revert(s, words[1], json); break;
    }
    li_store_close(s);
    return rc;
}
