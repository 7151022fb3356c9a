/*
 * cmd_worker.c — `leadimport worker`: runs the queued imports.
 *
 * SIGTERM and SIGINT ask the workers to stop: each rolls back its current
 * batch and gives its item back, so the next worker resumes from the last
 * checkpoint; the command then exits 0. A second signal is not needed and
 * not handled differently: stopping takes at most one batch.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "leadimport/import.h"

static const char worker_help[] =
    "Utilisation : leadimport worker [options]\n"
    "\n"
    "Exécute les imports mis en file (leadimport import --queue, jobs retry) : analyse,\n"
    "enregistrement des leads, rapport d'erreurs. Plusieurs workers, dans un ou plusieurs\n"
    "processus, se partagent la file ; un import dont le worker a disparu est repris à\n"
    "son dernier point de reprise. SIGTERM ou Ctrl+C arrête proprement : le lot en cours\n"
    "est rendu et l'import reprendra au prochain lancement.\n"
    "\n"
    "Options :\n"
    "  --db URL           base de données (sqlite:CHEMIN ou postgresql://…)\n"
    "  --concurrency N    nombre de workers dans ce processus (par défaut 1)\n"
    "  --until-idle       s'arrête quand la file est vide\n"
    "  --retry-delay S    délai avant la première nouvelle tentative après une erreur\n"
    "                     passagère, doublé à chaque fois (par défaut 2 s)\n"
    "  --quiet            n'écrit rien sur la sortie d'erreur\n"
    "\n"
    "Avec --until-idle, le worker s'arrête aussi s'il ne peut plus écrire dans la file\n"
    "(5 essais) : code de sortie 8 (disque plein, base en lecture seule) ou 7 (base\n"
    "verrouillée par un autre processus).\n";

static atomic_int stop_requested;

static void on_signal(int sig) {
    (void)sig;
    atomic_store(&stop_requested, 1);
}

static void log_line(const char *line, void *ctx) {
    (void)ctx;
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(now, sizeof now, "%H:%M:%S", &tm);
    fprintf(stderr, "[%s] %s\n", now, li_cli_t(line)); /* quotes file names */
}

int li_cli_worker(int argc, char **argv) {
    static const char *const with_value[] = {"--db", "--concurrency", "--retry-delay", NULL};
    const char *db = NULL, *value;
    li_worker_opts o = {.concurrency = 1, .stop = &stop_requested, .log = log_line};
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
            fputs(worker_help, stdout);
            return LI_EXIT_OK;
        } else if (strcmp(opt, "--db") == 0) {
            db = value;
        } else if (strcmp(opt, "--concurrency") == 0) {
            uint64_t n = 0;
            if (li_cli_parse_uint(value, 64, &n) != 0 || n < 1)
                return li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, "--concurrency", value);
            o.concurrency = (int)n;
        } else if (strcmp(opt, "--retry-delay") == 0) {
            double d = 0;
            if (li_cli_parse_decimal(value, &d) != 0 || !(d > 0) || d > 3600)
                return li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, "--retry-delay", value);
            o.retry_base_s = d;
        } else if (strcmp(opt, "--until-idle") == 0) {
            o.until_idle = 1;
        } else if (strcmp(opt, "--quiet") == 0 || strcmp(opt, "-q") == 0) {
            o.log = NULL;
        } else {
            return li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, "worker");
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    li_error err;
    li_error_clear(&err);
    li_status st = li_worker_run(li_cli_db_url(db), &o, &err);
    if (st != LI_OK) {
        li_cli_print_error(&err);
        return li_cli_exit_code(st);
    }
    return LI_EXIT_OK;
}
