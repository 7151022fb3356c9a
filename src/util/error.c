/*
 * error.c — status names and the error struct (see error.h).
 */
#include "leadimport/error.h"

#include <errno.h>

const char *li_status_name(li_status st) {
    switch (st) {
    case LI_OK: return "OK";
    case LI_EOF: return "EOF";
    case LI_ENOMEM: return "ENOMEM";
    case LI_EIO: return "EIO";
    case LI_EFORMAT: return "EFORMAT";
    case LI_ELIMIT: return "ELIMIT";
    case LI_EDB: return "EDB";
    case LI_EUSAGE: return "EUSAGE";
    case LI_EREFUSED: return "EREFUSED";
    case LI_ENOTFOUND: return "ENOTFOUND";
    case LI_EINTERNAL: return "EINTERNAL";
    case LI_ECANCELLED: return "ECANCELLED";
    case LI_ENOSPACE: return "ENOSPACE";
    case LI_EREADONLY: return "EREADONLY";
    case LI_EBUSY: return "EBUSY";
    case LI_EINTERRUPTED: return "EINTERRUPTED";
    }
    return "EUNKNOWN";
}

li_status li_status_from_errno(int errnum, li_status otherwise) {
    switch (errnum) {
    case ENOSPC:
    case EDQUOT:
        return LI_ENOSPACE;
    case EROFS:
        return LI_EREADONLY;
    default:
        return otherwise;
    }
}

li_status li_error_setv(li_error *err, li_status st, li_msg m, va_list ap) {
    if (err) {
        err->status = st;
        err->msg = m;
        li_msg_formatv(err->message, sizeof err->message, m, ap);
    }
    return st;
}

li_status li__error_set_fmt(li_error *err, li_status st, li_msg m, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->status = st;
        err->msg = m;
        li__msg_vformat(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return st;
}

li_status li_error_set_unchecked(li_error *err, li_status st, li_msg m, ...) {
    va_list ap;
    va_start(ap, m);
    li_error_setv(err, st, m, ap);
    va_end(ap);
    return st;
}

void li_error_clear(li_error *err) {
    if (err) {
        err->status = LI_OK;
        err->msg = LI_MSG_NONE;
        err->message[0] = '\0';
    }
}
