/*
 * args.c — option scanning and error printing shared by the commands.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "leadimport/text.h"

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
    /* "-" alone is a positional (stdout / stdin); so is "-5", which is no
     * option but a negative number: the command refuses it by name. */
    if (arg[0] != '-' || arg[1] == '\0' || (arg[1] >= '0' && arg[1] <= '9') ||
        strcmp(arg, "--") == 0) {
        *value = arg;
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

int li_cli_parse_uint(const char *v, uint64_t max, uint64_t *out) {
    uint64_t n = 0;
    if (!v || !*v)
        return -1;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        unsigned d = (unsigned)(*p - '0');
        if (n > (max - d) / 10) /* n * 10 + d > max */
            return -1;
        n = n * 10 + d;
    }
    *out = n;
    return 0;
}

int li_cli_parse_id(const char *v, long long *out) {
    uint64_t n = 0;
    if (li_cli_parse_uint(v, INT64_MAX, &n) != 0 || n == 0)
        return -1;
    *out = (long long)n;
    return 0;
}

int li_cli_parse_decimal(const char *v, double *out) {
    /* Digits, then at most one separator followed by digits. The value is
     * read by hand: strtod would take "nan", "1e9" and the locale's point. */
    double n = 0, scale = 1;
    int digits = 0, after = 0;
    const char *p = v;
    if (!p)
        return -1;
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        n = n * 10 + (*p - '0');
    if (*p == '.' || *p == ',') {
        for (p++; *p >= '0' && *p <= '9'; p++, after++)
            n += (*p - '0') * (scale /= 10);
        if (after == 0)
            return -1;
    }
    if (*p || digits == 0 || digits > 15)
        return -1;
    *out = n;
    return 0;
}

int li_cli_parse_duration(const char *v, double *seconds) {
    static const struct {
        char unit;
        double s;
    } units[] = {{'d', 86400}, {'j', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
    size_t len = v ? strlen(v) : 0;
    if (len < 2 || len > 12)
        return -1;
    char num[16];
    memcpy(num, v, len - 1);
    num[len - 1] = '\0';
    uint64_t n = 0;
    if (li_cli_parse_uint(num, 100000000ULL, &n) != 0) /* 10^8 days: well past any date */
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (v[len - 1] == units[i].unit) {
            *seconds = (double)n * units[i].s;
            return 0;
        }
    return -1;
}

const char *li_cli_db_url(const char *opt) {
    if (opt && *opt)
        return opt;
    const char *env = getenv("LEADIMPORT_DB");
    return env && *env ? env : "sqlite:leadimport.db";
}

const char *li_cli_t(const char *s) {
    static _Thread_local char bufs[8][4096];
    static _Thread_local unsigned next;
    char *out = bufs[next++ % 8];
    li_text_for_terminal(s ? s : "", s ? strlen(s) : 0, out, sizeof bufs[0]);
    return out;
}

void li_cli_puts(const char *text) {
    puts(li_cli_t(text));
}

/* "leadimport : <text>" on stderr, text escaped (its quoted values came from outside). */
static void print_message(const char *text) {
    char safe[4 * LI_ERROR_MAX + 4];
    li_text_for_terminal(text, strlen(text), safe, sizeof safe);
    fprintf(stderr, "leadimport : %s\n", safe);
}

void li_cli_print_error(const li_error *err) {
    print_message(err && err->message[0] ? err->message : "erreur inconnue");
}

void li__cli_say_fmt(const char *fmt, ...) {
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    li__msg_vformat(text, sizeof text, fmt, ap);
    va_end(ap);
    li_cli_puts(text);
}

void li__cli_print_fmt(const char *fmt, ...) {
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    li__msg_vformat(text, sizeof text, fmt, ap);
    va_end(ap);
    fputs(li_cli_t(text), stdout);
}

void li_cli_print_label(li_msg label) {
    fputs("  ", stdout);
    li_cli_print_padded(li_msg_text(label), 21);
    fputs(": ", stdout);
}

void li_cli_say_unchecked(li_msg m, ...) {
    char text[4096];
    va_list ap;
    va_start(ap, m);
    li_msg_formatv(text, sizeof text, m, ap);
    va_end(ap);
    li_cli_puts(text);
}

int li__cli_usage_error_fmt(const char *fmt, ...) {
    char text[LI_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    li__msg_vformat(text, sizeof text, fmt, ap);
    va_end(ap);
    print_message(text);
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
        free((char *)m->ov[i].field);
    free(m->ov);
    memset(m, 0, sizeof *m);
}

int li_cli_reader_option(const char *opt, const char *value, li_reader_opts *ro, li_cli_maps *maps,
                         int *rc) {
    *rc = 0;
    if (strcmp(opt, "--map") == 0) {
        const char *eq = strchr(value, '=');
        if (!eq || eq == value) {
            *rc = li_cli_usage_error(LI_MSG_MAP_SYNTAX, value);
            return 1;
        }
        if (maps->n == maps->cap) {
            size_t cap = maps->cap ? 2 * maps->cap : 8;
            li_map_override *ov = realloc(maps->ov, cap * sizeof *ov);
            if (!ov) {
                *rc = LI_EXIT_INTERNAL;
                return 1;
            }
            maps->ov = ov;
            maps->cap = cap;
        }
        char *field = strndup(value, (size_t)(eq - value));
        if (!field) {
            *rc = LI_EXIT_INTERNAL;
            return 1;
        }
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

/* Prints s (escaped) padded with spaces to width characters (not bytes: UTF-8). */
void li_cli_print_padded(const char *s, int width) {
    int chars = 0;
    s = li_cli_t(s);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        chars += (*p & 0xC0) != 0x80;
    fputs(s, stdout);
    for (; chars < width; chars++)
        putchar(' ');
}

void li_cli_print_right(const char *s, int width) {
    int chars = 0;
    s = li_cli_t(s);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        chars += (*p & 0xC0) != 0x80;
    for (; chars < width; chars++)
        putchar(' ');
    fputs(s, stdout);
}

/*
 * Ctrl+C and SIGTERM: the handler only records the signal; an import stops
 * at its next batch, keeps what was committed and says how to resume.
 * SA_RESETHAND: a second Ctrl+C kills at once (the import still resumes
 * from its last checkpoint).
 */
static atomic_int stop_signal;

static void on_stop_signal(int sig) {
    atomic_store(&stop_signal, sig);
}

const atomic_int *li_cli_catch_stop(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESETHAND | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return &stop_signal;
}

int li_cli_parse_size(const char *v, uint64_t *bytes) {
    size_t len = v ? strlen(v) : 0;
    if (len == 0 || len > 16)
        return -1;
    unsigned shift = 0;
    char num[17];
    memcpy(num, v, len + 1);
    switch (num[len - 1]) {
    case 'K': case 'k': shift = 10; break;
    case 'M': case 'm': shift = 20; break;
    case 'G': case 'g': shift = 30; break;
    default: break;
    }
    if (shift)
        num[len - 1] = '\0';
    uint64_t n = 0;
    if (li_cli_parse_uint(num, UINT64_MAX >> 31, &n) != 0) /* room for the shift */
        return -1;
    *bytes = n << shift;
    return 0;
}
