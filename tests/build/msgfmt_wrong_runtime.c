/*
 * msgfmt_wrong_runtime.c — must NOT build (test build/msgfmt_wrong_runtime):
 * a message chosen at run time cannot be checked, so li_error_set() refuses
 * it; such a call must say li_error_set_unchecked().
 */
#include "leadimport/error.h"

li_status msgfmt_wrong(li_error *err, li_msg m);

li_status msgfmt_wrong(li_error *err, li_msg m) {
    return li_error_set(err, LI_EIO, m, "x");
}
