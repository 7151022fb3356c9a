/*
 * args.c — option scanning and error printing shared by the commands.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void li_cli_args_init(li_cli_args *a, int argc, char **argv) {
    a->argc = argc;
    a->argv = argv;
    a->i = 1;
    a->cmd = argv[0];
}

const char *li_cli_next(li_cli_args *a, const char *const *takes_value, const char **value,
                        int *status) {
    static char name[64];
    *value = NULL;
    *status = 0;
    if (a->i >= a->argc)
        return "";
    const char *arg = a->argv[a->i++];
    if (arg[0] != '-' || arg[1] == '\0' || strcmp(arg, "--") == 0) {
        *value = arg; /* positional ("-" alone is one too: stdout / stdin) */
        return NULL;
    }
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    if (n >= sizeof name)
        n = sizeof name - 1;
    memcpy(name, arg, n);
    name[n] = '\0';
    int wants = 0;
    for (const char *const *t = takes_value; t && *t; t++)
        wants |= strcmp(*t, name) == 0;
    if (wants) {
        if (eq) {
            *value = eq + 1;
        } else if (a->i < a->argc) {
            *value = a->argv[a->i++];
        } else {
            *status = li_cli_usage_error(LI_MSG_USAGE_MISSING_VALUE, name);
        }
    } else if (eq) {
        *status = li_cli_usage_error(LI_MSG_USAGE_UNKNOWN_OPTION, arg, a->cmd);
    }
    return name;
}

const char *li_cli_db_url(const char *opt) {
    if (opt && *opt)
        return opt;
    const char *env = getenv("LEADIMPORT_DB");
    return env && *env ? env : "sqlite:leadimport.db";
}

void li_cli_print_error(const li_error *err) {
    fprintf(stderr, "leadimport : %s\n", err && err->message[0] ? err->message : "erreur inconnue");
}

int li_cli_usage_error(li_msg m, ...) {
    char text[LI_ERROR_MAX];
    va_list ap;
    va_start(ap, m);
    li_msg_formatv(text, sizeof text, m, ap);
    va_end(ap);
    fprintf(stderr, "leadimport : %s\n", text);
    return LI_EXIT_USAGE;
}

int li_cli_exit_code(li_status st) {
    switch (st) {
    case LI_OK:
    case LI_EOF:
        return LI_EXIT_OK;
    case LI_EUSAGE:
        return LI_EXIT_USAGE;
    case LI_EREFUSED:
        return LI_EXIT_REFUSED;
    case LI_EIO:
    case LI_EFORMAT:
    case LI_ELIMIT:
        return LI_EXIT_UNREADABLE;
    default:
        return LI_EXIT_INTERNAL;
    }
}
