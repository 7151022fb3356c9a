/*
 * msgfmt_right.c — built by the test build/msgfmt_right: messages given
 * the arguments their formats ask for compile (the control of the test
 * that wrong ones do not, tests/build/msgfmt_wrong*.c).
 */
#include "leadimport/error.h"
#include "leadimport/msg.h"

li_status msgfmt_right(li_error *err, long long id, const char *why);

li_status msgfmt_right(li_error *err, long long id, const char *why) {
    char text[128];
    li_msg_format(text, sizeof text, LI_MSG_JOB_NOT_FOUND, id);
    if (!text[0])
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    return li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, text, why);
}
