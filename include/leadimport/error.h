/*
 * error.h — status codes and the error struct every fallible function fills.
 *
 * A function that can fail returns an li_status and, when it fails, writes a
 * French, user-readable sentence into the li_error it was given (which may be
 * NULL when the caller does not care). Codes are for programs, messages are
 * for people; the messages come from the catalogue in messages.def.
 */
#ifndef LEADIMPORT_ERROR_H
#define LEADIMPORT_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#include "leadimport/msg.h"

typedef enum li_status {
    LI_OK = 0,
    LI_EOF = 1,          /* not a failure: the input has no more rows */
    LI_ENOMEM = -1,      /* allocation failed */
    LI_EIO = -2,         /* a file could not be read or written */
    LI_EFORMAT = -3,     /* the input is not in a format we can read */
    LI_ELIMIT = -4,      /* an explicit limit was exceeded */
    LI_EDB = -5,         /* the database failed */
    LI_EUSAGE = -6,      /* wrong options or arguments */
    LI_EREFUSED = -7,    /* refused on purpose (same file already imported) */
    LI_ENOTFOUND = -8,   /* no such job, user, mapping... */
    LI_EINTERNAL = -9,   /* a bug: an invariant did not hold */
    LI_ECANCELLED = -10, /* stopped on request */
    /* Faults of the machine, told apart so that the queue knows what a
     * retry can cure and the user reads what happened. */
    LI_ENOSPACE = -11,   /* the disk is full, or the user's quota is exceeded */
    LI_EREADONLY = -12,  /* the database (or its folder) cannot be written */
    LI_EBUSY = -13,      /* another process holds the database, or runs the same import */
    LI_EINTERRUPTED = -14, /* stopped by a signal (SIGINT, SIGTERM); running it again resumes */
} li_status;

#define LI_ERROR_MAX 512

typedef struct li_error {
    li_status status;
    li_msg msg;                 /* catalogue entry the message came from */
    char message[LI_ERROR_MAX]; /* French, NUL-terminated */
} li_error;

/* English name of a status, for logs ("EIO"). Never NULL. */
const char *li_status_name(li_status st);

/*
 * Fills err (if not NULL) with status st and the catalogue message m
 * formatted with the following arguments. Returns st, so that
 * `return li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, why);`
 * reads naturally.
 *
 * A macro: m must be the name of an entry (LI_MSG_...), whose format
 * (msgfmt.h, generated from messages.def) is handed as a literal to a
 * function the compiler checks like printf: a wrong argument for the
 * message does not build. A message chosen at run time goes through
 * li_error_set_unchecked(), whose arguments nobody checks: keep those few.
 */
#define li_error_set(err, st, m, ...) \
    li__error_set_fmt((err), (st), (m), LI_MSG_FMT_##m, ##__VA_ARGS__)
li_status li__error_set_fmt(li_error *err, li_status st, li_msg m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
li_status li_error_set_unchecked(li_error *err, li_status st, li_msg m, ...);
li_status li_error_setv(li_error *err, li_status st, li_msg m, va_list ap);

/*
 * The status of a failed system call by its errno: LI_ENOSPACE for a full
 * disk or quota (ENOSPC, EDQUOT), LI_EREADONLY for a read-only file system
 * (EROFS), otherwise `otherwise` (LI_EIO, usually). The queue retries the
 * first two, and the command line exits 8 for them.
 */
li_status li_status_from_errno(int errnum, li_status otherwise);

/* Resets err to LI_OK with an empty message. Accepts NULL. */
void li_error_clear(li_error *err);

#endif
