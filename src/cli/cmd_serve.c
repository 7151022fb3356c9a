/*
 * cmd_serve.c — `leadimport serve`: reads the settings (options, else
 * LEADIMPORT_* environment variables, else the defaults of http.h) and
 * runs the HTTP server until SIGTERM or Ctrl+C. `--print-routes` prints
 * the route table as JSON lines and exits.
 *
 * Each setting is one line of the table below: its option, its variable
 * and its kind, so that option and variable cannot drift apart. A wrong
 * value is a usage error naming what was wrong (the option, or the
 * variable it came from).
 */
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http/http.h"

static const char serve_help[] =
    "Utilisation : leadimport serve [options]\n"
    "\n"
    "Démarre le serveur HTTP : l'API JSON de l'interface web (connexion, dépôt de\n"
    "fichiers, revue, suivi en direct, rapports), avec des workers qui exécutent les\n"
    "imports dans le même processus, et le ménage quotidien des anciens imports. La\n"
    "première ligne écrite donne l'adresse du serveur ; ensuite, une ligne par requête\n"
    "(méthode, chemin, statut, durée, utilisateur) et par événement d'un import.\n"
    "SIGTERM ou Ctrl+C arrête proprement : plus de nouvelle connexion, les requêtes en\n"
    "cours se terminent, les workers rendent leur lot (l'import reprendra).\n"
    "\n"
    "Options (entre parenthèses, la variable d'environnement qui la remplace) :\n"
    "  --db URL                  base de données (LEADIMPORT_DB) ; elle doit exister\n"
    "                            (leadimport migrate), sauf avec --first-admin\n"
    "  --listen HOTE:PORT        adresse d'écoute, 127.0.0.1:8080 par défaut ; le port 0\n"
    "                            prend un port libre (LEADIMPORT_LISTEN)\n"
    "  --workers N               workers d'import dans ce processus, 2 par défaut ; 0 si\n"
    "                            des « leadimport worker » tournent à part (LEADIMPORT_WORKERS)\n"
    "  --data-dir DOSSIER        fichiers du serveur (secret des liens signés), par défaut\n"
    "                            le dossier des fichiers de la base (LEADIMPORT_DATA_DIR)\n"
    "  --cleanup-after DURÉE     le ménage quotidien supprime les imports plus anciens,\n"
    "                            90d par défaut (LEADIMPORT_CLEANUP_AFTER)\n"
    "  --secure-cookies          cookie de session « Secure » même sans TLS vu du serveur\n"
    "                            (LEADIMPORT_SECURE_COOKIES=1)\n"
    "  --trust-proxy             derrière un proxy (nginx) : l'adresse du client est la\n"
    "                            dernière de X-Forwarded-For, pour les limites de connexion\n"
    "                            par adresse (LEADIMPORT_TRUST_PROXY=1)\n"
    "  --first-admin EMAIL       crée la base si besoin et, si elle n'a aucun utilisateur,\n"
    "                            un administrateur au mot de passe aléatoire affiché une\n"
    "                            fois (LEADIMPORT_FIRST_ADMIN)\n"
    "  --quiet                   pas de ligne par requête\n"
    "  --print-routes            écrit la table des routes (JSON, une ligne par route)\n"
    "\n"
    "Limites (tailles : 512K, 100M, 1G ; durées : 30s, 10m, 2h) :\n"
    "  --max-upload TAILLE       fichier déposé, 200M par défaut (LEADIMPORT_MAX_UPLOAD)\n"
    "  --max-header TAILLE       en-têtes d'une requête, 16K (LEADIMPORT_MAX_HEADER)\n"
    "  --max-body TAILLE         corps JSON d'une requête, 1M (LEADIMPORT_MAX_BODY)\n"
    "  --request-timeout DURÉE   durée d'une requête, envoi compris, 10m\n"
    "                            (LEADIMPORT_REQUEST_TIMEOUT)\n"
    "  --idle-timeout DURÉE      connexion inactive fermée après, 30s (LEADIMPORT_IDLE_TIMEOUT)\n"
    "  --max-connections N       connexions ouvertes en tout, 256 (LEADIMPORT_MAX_CONNECTIONS)\n"
    "  --max-connections-per-ip N  par adresse de client, 64\n"
    "                            (LEADIMPORT_MAX_CONNECTIONS_PER_IP)\n"
    "  --max-sse-per-job N       suivis en direct d'un même import, 32\n"
    "                            (LEADIMPORT_MAX_SSE_PER_JOB)\n"
    "  --max-reads-per-second N  lectures (GET) par seconde et par compte, 20 ; au-delà\n"
    "                            d'une rafale du double, elles attendent leur tour ;\n"
    "                            0 sans limite (LEADIMPORT_MAX_READS_PER_SECOND)\n"
    "  --session-idle DURÉE      session fermée après cette inactivité, 2h\n"
    "                            (LEADIMPORT_SESSION_IDLE)\n"
    "  --session-max DURÉE       durée de vie d'une session, 12h (LEADIMPORT_SESSION_MAX)\n"
    "  --login-max-per-account N échecs de connexion permis par compte, 5\n"
    "                            (LEADIMPORT_LOGIN_MAX_PER_ACCOUNT)\n"
    "  --login-max-per-ip N      par adresse de client, 20 (LEADIMPORT_LOGIN_MAX_PER_IP)\n"
    "  --login-window DURÉE      fenêtre de ces échecs, 15m (LEADIMPORT_LOGIN_WINDOW)\n"
    "  --stop-grace DURÉE        à l'arrêt, temps laissé aux requêtes en cours, 30s\n"
    "                            (LEADIMPORT_STOP_GRACE)\n"
    "\n"
    "Codes de sortie : 0 arrêté proprement, 2 option ou valeur invalide, base\n"
    "inexistante, adresse d'écoute invalide ou occupée ; 1 erreur interne.\n";

typedef enum kind { K_TEXT, K_UINT, K_SIZE, K_DURATION, K_FLAG } kind;

/* One setting: its option, its variable, its kind and where it goes in li_http_opts. */
typedef struct setting {
    const char *opt;
    const char *env;
    kind k;
    size_t at;       /* offsetof into li_http_opts */
    uint64_t min, max; /* K_UINT, K_SIZE: bounds; K_DURATION: seconds */
} setting;

#define AT(f) offsetof(li_http_opts, f)
static const setting settings[] = {
    {"--listen", "LEADIMPORT_LISTEN", K_TEXT, AT(listen), 0, 0},
    {"--data-dir", "LEADIMPORT_DATA_DIR", K_TEXT, AT(data_dir), 0, 0},
    {"--first-admin", "LEADIMPORT_FIRST_ADMIN", K_TEXT, AT(first_admin), 0, 0},
    {"--workers", "LEADIMPORT_WORKERS", K_UINT, AT(workers), 0, 64},
    {"--cleanup-after", "LEADIMPORT_CLEANUP_AFTER", K_DURATION, AT(cleanup_after_s), 1, 100000ull * 86400},
    {"--secure-cookies", "LEADIMPORT_SECURE_COOKIES", K_FLAG, AT(secure_cookies), 0, 1},
    {"--trust-proxy", "LEADIMPORT_TRUST_PROXY", K_FLAG, AT(trust_proxy), 0, 1},
    {"--max-upload", "LEADIMPORT_MAX_UPLOAD", K_SIZE, AT(max_upload), 1, 1ull << 40},
    {"--max-header", "LEADIMPORT_MAX_HEADER", K_SIZE, AT(max_header), 256, 1ull << 20},
    {"--max-body", "LEADIMPORT_MAX_BODY", K_SIZE, AT(max_body), 16, 256ull << 20},
    {"--request-timeout", "LEADIMPORT_REQUEST_TIMEOUT", K_DURATION, AT(request_timeout_s), 1, 7 * 86400},
    {"--idle-timeout", "LEADIMPORT_IDLE_TIMEOUT", K_DURATION, AT(idle_timeout_s), 1, 86400},
    {"--max-connections", "LEADIMPORT_MAX_CONNECTIONS", K_UINT, AT(max_connections), 1, 100000},
    {"--max-connections-per-ip", "LEADIMPORT_MAX_CONNECTIONS_PER_IP", K_UINT, AT(max_per_address), 1, 100000},
    {"--max-sse-per-job", "LEADIMPORT_MAX_SSE_PER_JOB", K_UINT, AT(max_sse_per_job), 1, 100000},
    {"--max-reads-per-second", "LEADIMPORT_MAX_READS_PER_SECOND", K_UINT, AT(max_reads_per_s), 0, 100000},
    {"--session-idle", "LEADIMPORT_SESSION_IDLE", K_DURATION, AT(session.idle_s), 60, 365ull * 86400},
    {"--session-max", "LEADIMPORT_SESSION_MAX", K_DURATION, AT(session.absolute_s), 60, 365ull * 86400},
    {"--login-max-per-account", "LEADIMPORT_LOGIN_MAX_PER_ACCOUNT", K_UINT, AT(session.max_failures_account), 1, 100000},
    {"--login-max-per-ip", "LEADIMPORT_LOGIN_MAX_PER_IP", K_UINT, AT(session.max_failures_address), 1, 100000},
    {"--login-window", "LEADIMPORT_LOGIN_WINDOW", K_DURATION, AT(session.window_s), 1, 86400},
    {"--stop-grace", "LEADIMPORT_STOP_GRACE", K_DURATION, AT(stop_grace_s), 1, 3600},
};
#undef AT

static atomic_int stop_requested;

static void on_signal(int sig) {
    (void)sig;
    atomic_store(&stop_requested, 1);
}

/*
 * Stores value into the setting's field. `who` names the option or the
 * variable in the usage error. Returns 0, or the exit code of the error
 * already printed.
 */
static int apply(const setting *st, const char *value, const char *who, li_http_opts *o) {
    char *field = (char *)o + st->at;
    uint64_t n = 0;
    double d = 0;
    switch (st->k) {
    case K_TEXT:
        if (!*value)
            return li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, who, value);
        memcpy(field, &value, sizeof value);
        return 0;
    case K_FLAG:
        if (strcmp(value, "1") != 0 && strcmp(value, "0") != 0)
            return li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, who, value);
        {
            int on = value[0] == '1';
            memcpy(field, &on, sizeof on);
        }
        return 0;
    case K_UINT:
        if (li_cli_parse_uint(value, st->max, &n) != 0 || n < st->min)
            return li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, who, value);
        if (st->at == offsetof(li_http_opts, workers)) {
            int w = (int)n;
            memcpy(field, &w, sizeof w);
        } else {
            unsigned u = (unsigned)n;
            memcpy(field, &u, sizeof u);
        }
        return 0;
    case K_SIZE:
        if (li_cli_parse_size(value, &n) != 0 || n < st->min || n > st->max)
            return li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, who, value);
        memcpy(field, &n, sizeof n);
        return 0;
    case K_DURATION:
        if (li_cli_parse_duration(value, &d) != 0 || d < (double)st->min || d > (double)st->max)
            return li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, who, value);
        memcpy(field, &d, sizeof d);
        return 0;
    }
    return 0;
}

static const setting *find(const char *opt) {
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (strcmp(settings[i].opt, opt) == 0)
            return &settings[i];
    return NULL;
}

int li_cli_serve(int argc, char **argv) {
    /* Every setting that takes a value, then --db. */
    const char *with_value[sizeof settings / sizeof settings[0] + 2];
    size_t nv = 0;
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (settings[i].k != K_FLAG)
            with_value[nv++] = settings[i].opt;
    with_value[nv++] = "--db";
    with_value[nv] = NULL;

    li_http_opts o;
    li_http_opts_init(&o);
    const char *db = NULL, *value;
    int rc = 0, print_routes = 0;

    /* The environment first: an option given on the command line wins. */
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        const char *env = getenv(settings[i].env);
        if (env && *env && (rc = apply(&settings[i], env, settings[i].env, &o)) != 0)
            return rc;
    }

    li_cli_args a;
    li_cli_args_init(&a, argc, argv);
    for (;;) {
        int status;
        const char *opt = li_cli_next(&a, with_value, &value, &status);
        if (status)
            return status;
        if (opt && !*opt)
            break;
        const setting *st = opt ? find(opt) : NULL;
        if (!opt) {
            return li_cli_usage_error(LI_MSG_USAGE_EXTRA_ARGUMENT, value);
        } else if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            fputs(serve_help, stdout);
            return LI_EXIT_OK;
        } else if (strcmp(opt, "--db") == 0) {
            db = value;
        } else if (strcmp(opt, "--print-routes") == 0) {
            print_routes = 1;
        } else if (strcmp(opt, "--quiet") == 0 || strcmp(opt, "-q") == 0) {
            o.quiet = 1;
        } else if (st && st->k == K_FLAG) {
            int on = 1;
            memcpy((char *)&o + st->at, &on, sizeof on);
        } else if (st) {
            if ((rc = apply(st, value, opt, &o)) != 0)
                return rc;
        } else {
            return li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, opt, "serve");
        }
    }
    if (print_routes) {
        li_http_print_routes(stdout);
        return LI_EXIT_OK;
    }
    o.db_url = li_cli_db_url(db);
    o.stop = &stop_requested;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* A second signal kills at once: the checkpoints make that safe too. */
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a client gone mid-answer is an error of that write, not a death */

    li_error err;
    li_error_clear(&err);
    li_status st = li_http_serve(&o, &err);
    if (st != LI_OK) {
        li_cli_print_error(&err);
        return li_cli_exit_code(st);
    }
    return LI_EXIT_OK;
}
