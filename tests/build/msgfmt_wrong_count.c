/*
 * msgfmt_wrong_count.c — must NOT build (test build/msgfmt_wrong_count):
 * file_unreadable's format quotes a path and a cause ("%s ... %s"); one
 * argument is missing.
 */
#include "leadimport/msg.h"

void msgfmt_wrong(char *out, unsigned long cap, const char *path);

void msgfmt_wrong(char *out, unsigned long cap, const char *path) {
    li_msg_format(out, cap, LI_MSG_FILE_UNREADABLE, path);
}
