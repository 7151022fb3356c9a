/*
 * assign.c — who the leads of an import go to.
 *
 * What it promises:
 *   - li__assign_check() refuses, before anything is written, an --assign
 *     that names an unknown, disabled or ambiguous user (by e-mail or by
 *     name, as li_user_dir_find() matches them), and a column mode whose
 *     column the file lacks;
 *   - li__assign_setup() gives the committer the user ids (single,
 *     round-robin in the order given) or, in column mode, the directory
 *     to look each cell up in: an unknown, disabled or ambiguous name is a
 *     warning on the row, and its lead is left unassigned. The default
 *     mode (LI_ASSIGN_AUTO) looks up the file's assignment column the same
 *     way, when it has one.
 * The directory is a snapshot taken when the commit starts: an account
 * disabled while an import runs still gets that import's leads.
 */
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "leadimport/users.h"

/* The committer's lookup in column mode. */
static li_msg lookup(void *ctx, li_slice text, int64_t *user_id) {
    const li_user *u = NULL;
    *user_id = 0;
    switch (li_user_dir_find(ctx, text.ptr, text.len, &u)) {
    case LI_USER_FOUND:
        *user_id = u->id;
        return LI_MSG_NONE;
    case LI_USER_DISABLED:
        return LI_MSG_ASSIGN_USER_DISABLED;
    case LI_USER_AMBIGUOUS:
        return LI_MSG_ASSIGN_USER_AMBIGUOUS;
    case LI_USER_UNKNOWN:
        break;
    }
    return LI_MSG_ASSIGN_USER_UNKNOWN;
}

/* Resolves the assignees of o to ids (ids may be NULL: only check). */
static li_status resolve(const li_user_dir *d, const li_import_opts *o, int64_t *ids,
                         li_error *err) {
    for (size_t i = 0; i < o->nassignees; i++) {
        const char *who = o->assignees[i];
        const li_user *u = NULL;
        switch (li_user_dir_find(d, who, strlen(who), &u)) {
        case LI_USER_FOUND:
            if (ids)
                ids[i] = u->id;
            break;
        case LI_USER_DISABLED:
            return li_error_set(err, LI_EUSAGE, LI_MSG_ASSIGN_CLI_DISABLED, who);
        case LI_USER_AMBIGUOUS:
            return li_error_set(err, LI_EUSAGE, LI_MSG_ASSIGN_CLI_AMBIGUOUS, who);
        case LI_USER_UNKNOWN:
            return li_error_set(err, LI_EUSAGE, LI_MSG_ASSIGN_CLI_UNKNOWN, who);
        }
    }
    return LI_OK;
}

li_status li__assign_check(li_store *s, const li_import_opts *o, li_error *err) {
    if (o->assign != LI_ASSIGN_SINGLE && o->assign != LI_ASSIGN_ROUND_ROBIN)
        return LI_OK;
    if (o->nassignees == 0)
        return li_error_set(err, LI_EUSAGE, LI_MSG_ASSIGN_SYNTAX, "");
    li_user_dir *d = NULL;
    li_status st = li_user_dir_load(s, &d, err);
    if (st == LI_OK)
        st = resolve(d, o, NULL, err);
    li_user_dir_free(d);
    return st;
}

li_status li__assign_setup(li__committer *c, li_store *s, const li_import_opts *o, li_error *err) {
    if (!o || o->assign == LI_ASSIGN_NONE)
        return LI_OK;
    li_user_dir *d = NULL;
    li_status st = li_user_dir_load(s, &d, err);
    if (st != LI_OK)
        return st;
    if (o->assign == LI_ASSIGN_COLUMN || o->assign == LI_ASSIGN_AUTO) {
        c->lookup = lookup;
        c->lookup_ctx = d; /* freed by li__committer_free() */
        c->dir = d;
        return LI_OK;
    }
    if ((st = resolve(d, o, c->assignee, err)) == LI_OK)
        c->nassignee = o->nassignees;
    li_user_dir_free(d);
    return st;
}
