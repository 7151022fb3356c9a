/*
 * args.c — option scanning and error printing shared by the commands.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
    case LI_ECANCELLED:
        return LI_EXIT_CANCELLED;
    case LI_EINTERRUPTED:
        return LI_EXIT_INTERRUPTED;
    case LI_EBUSY:
        return LI_EXIT_BUSY;
    case LI_ENOSPACE:
    case LI_EREADONLY:
        return LI_EXIT_STORAGE;
    default:
        return LI_EXIT_INTERNAL;
    }
}

static int parse_delimiter(const char *v) {
    if (strcmp(v, ",") == 0 || strcmp(v, ";") == 0 || strcmp(v, "|") == 0)
        return v[0];
    if (strcmp(v, "tab") == 0 || strcmp(v, "\t") == 0 || strcmp(v, "\\t") == 0 ||
        strcmp(v, "TAB") == 0 || strcmp(v, "tabulation") == 0)
        return '\t';
    return -1;
}

static const char *parse_encoding(const char *v) {
    static const struct {
        const char *alias, *name;
    } names[] = {
        {"utf-8", "utf-8"},
        {"utf8", "utf-8"},
        {"windows-1252", "windows-1252"},
        {"cp1252", "windows-1252"},
        {"win1252", "windows-1252"},
        {"latin1", "windows-1252"},
        {"latin-1", "windows-1252"},
        {"iso-8859-1", "windows-1252"},
        {"iso-8859-15", "windows-1252"},
        {"utf-16le", "utf-16le"},
        {"utf-16be", "utf-16be"},
        {"utf16le", "utf-16le"},
        {"utf16be", "utf-16be"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(v, names[i].alias) == 0)
            return names[i].name;
    return NULL;
}

void li_cli_maps_free(li_cli_maps *m) {
    for (size_t i = 0; i < m->n; i++)
        free(m->field_copy[i]);
    m->n = 0;
}

int li_cli_reader_option(const char *opt, const char *value, li_reader_opts *ro, li_cli_maps *maps,
                         int *rc) {
    *rc = 0;
    if (strcmp(opt, "--map") == 0) {
        const char *eq = strchr(value, '=');
        if (!eq || eq == value || maps->n == LI_CLI_MAX_MAPS) {
            *rc = li_cli_usage_error(LI_MSG_MAP_SYNTAX, value);
            return 1;
        }
        char *field = strndup(value, (size_t)(eq - value));
        if (!field) {
            *rc = LI_EXIT_INTERNAL;
            return 1;
        }
        maps->field_copy[maps->n] = field;
        maps->ov[maps->n].field = field;
        maps->ov[maps->n].column = eq + 1;
        maps->n++;
    } else if (strcmp(opt, "--delimiter") == 0) {
        if ((ro->delimiter = parse_delimiter(value)) < 0)
            *rc = li_cli_usage_error(LI_MSG_DELIMITER_INVALID, value);
    } else if (strcmp(opt, "--encoding") == 0) {
        if (!(ro->encoding = parse_encoding(value)))
            *rc = li_cli_usage_error(LI_MSG_ENCODING_UNKNOWN, value);
    } else if (strcmp(opt, "--sheet") == 0) {
        ro->sheet = value; /* checked against the workbook when it is opened */
    } else if (strcmp(opt, "--header") == 0) {
        if (!strcmp(value, "oui") || !strcmp(value, "yes") || !strcmp(value, "1"))
            ro->header = 1;
        else if (!strcmp(value, "non") || !strcmp(value, "no") || !strcmp(value, "0"))
            ro->header = 0;
        else
            *rc = li_cli_usage_error(LI_MSG_USAGE_BAD_VALUE, "--header", value);
    } else {
        return 0;
    }
    return 1;
}

FILE *li_cli_output_open(const char *path, li_error *err) {
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *out = fopen(path, "wb");
    if (!out)
        li_error_set(err, LI_EIO, LI_MSG_FILE_UNWRITABLE, path, li_msg_errno(errno));
    return out;
}

li_status li_cli_output_close(FILE *out, const char *path, li_status st, li_error *err) {
    if (!out || out == stdout)
        return st;
    if (fclose(out) != 0 && st == LI_OK)
        st = li_error_set(err, LI_EIO, LI_MSG_FILE_UNWRITABLE, path, li_msg_errno(errno));
    return st;
}

/* Prints s padded with spaces to width characters (not bytes: UTF-8). */
void li_cli_print_padded(const char *s, int width) {
    int chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        chars += (*p & 0xC0) != 0x80;
    fputs(s, stdout);
    for (; chars < width; chars++)
        putchar(' ');
}
