/*
 * msg.h — the one catalogue of messages a user reads.
 *
 * Every entry has a stable code (English snake_case, used by tests, JSON and
 * the docs), a severity, and French text that is a printf format. The list
 * itself lives in messages.def so that the enum and the table cannot drift.
 */
#ifndef LEADIMPORT_MSG_H
#define LEADIMPORT_MSG_H

#include <stdarg.h>
#include <stddef.h>

#include "leadimport/msgfmt.h" /* generated from messages.def at configure time */

typedef enum li_severity {
    LI_SEV_INFO = 0,
    LI_SEV_WARNING = 1, /* the row is imported, the user is told */
    LI_SEV_ERROR = 2,   /* the row (or the file) is rejected */
} li_severity;

typedef enum li_msg {
#define LI_MSG_X(id, code, sev, text) LI_MSG_##id,
#include "leadimport/messages.def"
#undef LI_MSG_X
    LI_MSG__COUNT
} li_msg;

/* Stable code, e.g. "email_invalid". Never NULL. */
const char *li_msg_code(li_msg m);
/* French printf format of the entry. Never NULL. */
const char *li_msg_text(li_msg m);
li_severity li_msg_severity(li_msg m);
/* Looks a message up by its stable code; returns LI_MSG_NONE if unknown. */
li_msg li_msg_by_code(const char *code);

/*
 * Formats entry m with its arguments into out (always NUL-terminated when
 * cap > 0, truncated if needed on a UTF-8 boundary). Returns the length
 * written.
 *
 * A macro, checked by the compiler against m's format like li_error_set()
 * (error.h): m must be the name of an entry. li_msg_format_unchecked() takes
 * a message chosen at run time, unchecked.
 */
#define li_msg_format(out, cap, m, ...) \
    li__msg_format_fmt((out), (cap), LI_MSG_FMT_##m, ##__VA_ARGS__)
size_t li__msg_format_fmt(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
size_t li_msg_format_unchecked(char *out, size_t cap, li_msg m, ...);
/* vsnprintf of fmt into out, cut on a UTF-8 boundary (li_msg_format's rules). */
size_t li__msg_vformat(char *out, size_t cap, const char *fmt, va_list ap);

/*
 * The French cause of a system error (an errno value), to quote inside a
 * message instead of strerror()'s English text: "fichier ou dossier
 * introuvable". Unknown values give "erreur système n° N". Returns a
 * static string, or one in thread-local storage valid until the next call
 * of this thread.
 */
const char *li_msg_errno(int errnum);

/*
 * The French cause of an SQLite result code (primary or extended: the
 * primary part decides), for the same use: SQLite's own messages are
 * English. Unknown codes give "erreur SQLite n° N". Same lifetime rules.
 */
const char *li_msg_sqlite(int code);
size_t li_msg_formatv(char *out, size_t cap, li_msg m, va_list ap);

#endif
