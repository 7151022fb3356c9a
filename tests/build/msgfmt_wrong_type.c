/*
 * msgfmt_wrong_type.c — must NOT build (test build/msgfmt_wrong_type):
 * job_not_found's format is "Import n° %lld introuvable"; an int is not a
 * long long, and the compiler must say so.
 */
#include "leadimport/error.h"

li_status msgfmt_wrong(li_error *err, int id);

li_status msgfmt_wrong(li_error *err, int id) {
    return li_error_set(err, LI_ENOTFOUND, LI_MSG_JOB_NOT_FOUND, id);
}
