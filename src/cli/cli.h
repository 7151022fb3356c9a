/*
 * cli.h — what the command-line files share: the command table entry, the
 * option scanner and the exit codes. The commands only parse arguments, call
 * the core through its public headers and print; no business rule lives here.
 */
#ifndef LEADIMPORT_CLI_H
#define LEADIMPORT_CLI_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "leadimport/error.h"
#include "leadimport/mapping.h"
#include "leadimport/reader.h"

/* Exit codes, as documented in --help. */
enum {
    LI_EXIT_OK = 0,
    LI_EXIT_INTERNAL = 1,
    LI_EXIT_USAGE = 2,
    LI_EXIT_REFUSED = 3,
    LI_EXIT_UNREADABLE = 4,
    LI_EXIT_CANCELLED = 5,   /* the import was cancelled (jobs cancel) */
    LI_EXIT_INTERRUPTED = 6, /* stopped by Ctrl+C or SIGTERM: running it again resumes */
    LI_EXIT_BUSY = 7,        /* the database is locked, or the same import runs elsewhere */
    LI_EXIT_STORAGE = 8,     /* disk full, or the database cannot be written */
};

typedef struct li_cli_cmd {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    const char *summary;               /* French, one line */
} li_cli_cmd;

int li_cli_import(int argc, char **argv);
int li_cli_export(int argc, char **argv);
int li_cli_migrate(int argc, char **argv);
int li_cli_template(int argc, char **argv);
int li_cli_sniff(int argc, char **argv);
int li_cli_mappings(int argc, char **argv);
int li_cli_jobs(int argc, char **argv);
int li_cli_users(int argc, char **argv);
int li_cli_worker(int argc, char **argv);
int li_cli_report(int argc, char **argv);
int li_cli_cleanup(int argc, char **argv);
int li_cli_serve(int argc, char **argv);
/* jobs review|rows|commit N (cmd_review.c); argv as li_cli_jobs gets it. */
int li_cli_jobs_review(int argc, char **argv, const char *verb);

/*
 * Option scanner over argv[1..]: li_cli_opt() returns the next option name
 * ("--db") with its value in *value when it takes one (from "--db=X" or the
 * next argument), or NULL at a positional argument (then *value is that
 * argument), and stops with the empty string "" at the end.
 */
typedef struct li_cli_args {
    int argc;
    char **argv;
    int i;
    const char *cmd;
} li_cli_args;

void li_cli_args_init(li_cli_args *a, int argc, char **argv);
/* takes_value: the list of options that take a value, NULL-terminated. */
const char *li_cli_next(li_cli_args *a, const char *const *takes_value, const char **value,
                        int *status);

/* The --map overrides of a command (owned, field names copied); the library checks their number. */
typedef struct li_cli_maps {
    li_map_override *ov;
    size_t n, cap;
} li_cli_maps;
void li_cli_maps_free(li_cli_maps *m);

/*
 * The options that say how to read a file, shared by import and sniff:
 * --delimiter, --encoding, --header, --map. Returns 1 if opt is one of them
 * (then *rc is 0, or the exit code of a usage error already printed), 0 if
 * it is not.
 */
int li_cli_reader_option(const char *opt, const char *value, li_reader_opts *ro,
                         li_cli_maps *maps, int *rc);

/*
 * Strict number parsing for option values: ASCII digits only. No sign, no
 * space, no exponent, no "nan" or "inf", no hexadecimal, no overflow (what
 * strtod and strtoull would quietly accept). Each returns 0 on success, -1
 * for anything else (the caller prints usage_bad_value).
 */
/* "0".."max" -> *out. */
int li_cli_parse_uint(const char *v, uint64_t max, uint64_t *out);
/*
 * Catches Ctrl+C and SIGTERM for a command that imports: the flag returned
 * becomes the signal's number, for li_import_opts.stop (the import stops at
 * its next batch); a second signal kills at once.
 */
const atomic_int *li_cli_catch_stop(void);
/* An id: "1".."INT64_MAX" -> *out (0 and negatives refused). */
int li_cli_parse_id(const char *v, long long *out);
/* "12", "2.5", "2,5" (French comma) -> *out, finite and >= 0. */
int li_cli_parse_decimal(const char *v, double *out);
/* A duration: digits then one unit, d (or j), h, m, s: "90d", "12h" -> seconds. */
int li_cli_parse_duration(const char *v, double *seconds);

/* A size: digits, then optionally K, M or G (Kio, Mio, Gio): "100M" -> bytes. */
int li_cli_parse_size(const char *v, uint64_t *bytes);

/* The database URL: --db, else $LEADIMPORT_DB, else sqlite:leadimport.db. */
const char *li_cli_db_url(const char *opt);


/*
 * Prints "leadimport : <message>" on stderr. The message is escaped for
 * the terminal (li_text_for_terminal): the values it quotes (file, sheet,
 * column, user names) come from outside.
 */
void li_cli_print_error(const li_error *err);

/*
 * s escaped for the terminal (li_text_for_terminal): control characters,
 * C1 and invalid bytes shown as "\x1b", "\u009b". Every text that came
 * from outside (file names, sheet names, headers, cell values, user names
 * and e-mails, stored errors) is printed through this. The result lives
 * in one of 8 buffers of the calling thread, reused in turn: valid until
 * 8 more calls. A NULL s gives "". Long texts are cut with "…".
 */
const char *li_cli_t(const char *s);

/* puts() of a text that quotes values from outside: escaped, then a line break. */
void li_cli_puts(const char *text);

/* Prints s, escaped, then spaces up to width characters (UTF-8 aware: "é" is one). */
void li_cli_print_padded(const char *s, int width);
/*
 * Prints catalogue entry m formatted with its arguments on stdout, then a
 * line break; the whole line is escaped for the terminal, so values from
 * outside are passed as they are (not through li_cli_t).
 */
#define li_cli_say(m, ...) li__cli_say_fmt(LI_MSG_FMT_##m, ##__VA_ARGS__)
void li__cli_say_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* li_cli_say() without the line break. */
#define li_cli_print(m, ...) li__cli_print_fmt(LI_MSG_FMT_##m, ##__VA_ARGS__)
void li__cli_print_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "  ", the catalogue's label padded to 21 characters, then ": ": how a line of jobs show or of the import summary starts. */
void li_cli_print_label(li_msg label);
/* Prints s, escaped, after spaces up to width characters (right-aligned, UTF-8 aware). */
void li_cli_print_right(const char *s, int width);
/* li_cli_say() of a message chosen at run time: unchecked. */
void li_cli_say_unchecked(li_msg m, ...);
/* Prints a usage error built from the catalogue and returns LI_EXIT_USAGE (checked like li_error_set()). */
#define li_cli_usage_error(m, ...) li__cli_usage_error_fmt(LI_MSG_FMT_##m, ##__VA_ARGS__)
int li__cli_usage_error_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Exit code for a failed core call. */
int li_cli_exit_code(li_status st);

/*
 * What `import` and `jobs commit` share (cmd_import.c): the commit options
 * (--match --on-duplicate --overwrite --reassign --assign; returns 1 if opt
 * is one, *rc non-zero for a wrong value), the report's default path (malloc'ed),
 * and the result (JSON object or French summary).
 */
struct li_import_opts;
struct li_import_result;
int li_cli_commit_option(const char *opt, const char *value, struct li_import_opts *o,
                         char **assign_copy, int *rc);
char *li_cli_default_report(const char *file);
void li_cli_import_result(const struct li_import_result *res, const char *report, li_status st,
                          const li_error *err, int json);
/* The review of a job, in French or (json) as li_review_json() writes it (cmd_review.c). */
struct li_review;
void li_cli_print_review(const struct li_review *r, const struct li_import_result *res, int json);

#endif
