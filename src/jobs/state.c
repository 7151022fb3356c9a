/*
 * state.c — the one file that converts job states, phases and work items
 * between their enum values, their stored names and their French labels
 * (see state.h). The names are the database's and the JSON's words: they
 * never change. The labels come from the message catalogue.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "leadimport/msg.h"
#include "leadimport/state.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *name;
    li_msg label;
    const char *alias1, *alias2; /* short forms a user may type (ASCII, no space) */
    int final, open;
} job_states[LI_JOB_STATE_COUNT] = {
    [LI_JOB_UPLOADED] = {"uploaded", LI_MSG_JOB_STATE_UPLOADED, "depose", "recu", 0, 1},
    [LI_JOB_QUEUED] = {"queued", LI_MSG_JOB_STATE_QUEUED, "en-attente", "attente", 0, 1},
    [LI_JOB_PARSING] = {"parsing", LI_MSG_JOB_STATE_PARSING, "analyse-en-cours", NULL, 0, 1},
    [LI_JOB_READY] = {"ready", LI_MSG_JOB_STATE_READY, "pret", "pret-a-importer", 0, 1},
    [LI_JOB_IMPORTING] = {"importing", LI_MSG_JOB_STATE_IMPORTING, "import", "en-cours", 0, 1},
    [LI_JOB_COMPLETED] = {"completed", LI_MSG_JOB_STATE_COMPLETED, "termine", NULL, 1, 0},
    [LI_JOB_REJECTED] = {"rejected", LI_MSG_JOB_STATE_REJECTED, "refuse", NULL, 1, 0},
    [LI_JOB_FAILED] = {"failed", LI_MSG_JOB_STATE_FAILED, "echec", "en-echec", 1, 0},
    [LI_JOB_CANCELLED] = {"cancelled", LI_MSG_JOB_STATE_CANCELLED, "annule", NULL, 1, 0},
    [LI_JOB_REVERTED] = {"reverted", LI_MSG_JOB_STATE_REVERTED, "defait", NULL, 1, 0},
};

static const struct {
    const char *name;
    li_msg label, title;
} job_phases[LI_PHASE_COUNT] = {
    [LI_PHASE_NONE] = {"", LI_MSG_NONE, LI_MSG_NONE},
    [LI_PHASE_HASH] = {"hash", LI_MSG_JOB_PHASE_HASH, LI_MSG_JOB_PHASE_HASH_TITLE},
    [LI_PHASE_PARSE] = {"parse", LI_MSG_JOB_PHASE_PARSE, LI_MSG_JOB_PHASE_PARSE_TITLE},
    [LI_PHASE_IMPORT] = {"import", LI_MSG_JOB_PHASE_IMPORT, LI_MSG_JOB_PHASE_IMPORT_TITLE},
    [LI_PHASE_COMMIT] = {"commit", LI_MSG_JOB_PHASE_COMMIT, LI_MSG_JOB_PHASE_COMMIT_TITLE},
    [LI_PHASE_REPORT] = {"report", LI_MSG_JOB_PHASE_REPORT, LI_MSG_JOB_PHASE_REPORT_TITLE},
    [LI_PHASE_INDEX] = {"index", LI_MSG_JOB_PHASE_INDEX, LI_MSG_JOB_PHASE_INDEX_TITLE},
    [LI_PHASE_DONE] = {"done", LI_MSG_JOB_PHASE_DONE, LI_MSG_JOB_PHASE_DONE_TITLE},
};

static const struct {
    const char *name;
    li_msg label;
} work_kinds[LI_WORK_KIND_COUNT] = {
    [LI_WORK_PARSE] = {"parse", LI_MSG_WORK_KIND_PARSE},
    [LI_WORK_COMMIT] = {"commit", LI_MSG_WORK_KIND_COMMIT},
    [LI_WORK_REPORT] = {"report", LI_MSG_WORK_KIND_REPORT},
}, work_states[LI_ITEM_STATE_COUNT] = {
    [LI_ITEM_QUEUED] = {"queued", LI_MSG_WORK_STATE_QUEUED},
    [LI_ITEM_RUNNING] = {"running", LI_MSG_WORK_STATE_RUNNING},
    [LI_ITEM_DONE] = {"done", LI_MSG_WORK_STATE_DONE},
    [LI_ITEM_DEAD] = {"dead", LI_MSG_WORK_STATE_DEAD},
    [LI_ITEM_CANCELLED] = {"cancelled", LI_MSG_WORK_STATE_CANCELLED},
};

/* Enum values come from outside (a cast, a memset record): out of range reads "?". */
#define IN_RANGE(v, n) ((unsigned)(v) < (unsigned)(n))

const char *li_job_state_name(li_job_state s) {
    return IN_RANGE(s, LI_JOB_STATE_COUNT) ? job_states[s].name : "?";
}

const char *li_job_state_label(li_job_state s) {
    return IN_RANGE(s, LI_JOB_STATE_COUNT) ? li_msg_text(job_states[s].label) : "?";
}

int li_job_state_parse(const char *name, li_job_state *out) {
    for (size_t i = 0; name && i < COUNT(job_states); i++)
        if (strcmp(name, job_states[i].name) == 0) {
            *out = (li_job_state)i;
            return 1;
        }
    return 0;
}

int li_job_state_from_word(const char *word, li_job_state *out) {
    for (size_t i = 0; word && i < COUNT(job_states); i++) {
        const char *forms[] = {job_states[i].name, li_msg_text(job_states[i].label),
                               job_states[i].alias1, job_states[i].alias2};
        for (size_t k = 0; k < COUNT(forms); k++)
            if (forms[k] && strcasecmp(word, forms[k]) == 0) {
                *out = (li_job_state)i;
                return 1;
            }
    }
    return 0;
}

static char state_labels[256];
static pthread_once_t state_labels_once = PTHREAD_ONCE_INIT;

static void build_state_labels(void) {
    size_t len = 0;
    for (size_t i = 0; i < COUNT(job_states) && len < sizeof state_labels; i++) {
        int n = snprintf(state_labels + len, sizeof state_labels - len, "%s%s", i ? ", " : "",
                         li_msg_text(job_states[i].label));
        if (n < 0)
            break;
        len += (size_t)n;
    }
}

const char *li_job_state_labels(void) {
    pthread_once(&state_labels_once, build_state_labels);
    return state_labels;
}

int li_job_state_final(li_job_state s) {
    return IN_RANGE(s, LI_JOB_STATE_COUNT) && job_states[s].final;
}

int li_job_state_open(li_job_state s) {
    return IN_RANGE(s, LI_JOB_STATE_COUNT) && job_states[s].open;
}

const char *li_job_phase_name(li_job_phase p) {
    return IN_RANGE(p, LI_PHASE_COUNT) ? job_phases[p].name : "?";
}

const char *li_job_phase_label(li_job_phase p) {
    return IN_RANGE(p, LI_PHASE_COUNT) ? li_msg_text(job_phases[p].label) : "?";
}

const char *li_job_phase_title(li_job_phase p) {
    return IN_RANGE(p, LI_PHASE_COUNT) ? li_msg_text(job_phases[p].title) : "?";
}

int li_job_phase_parse(const char *name, li_job_phase *out) {
    if (!name)
        name = "";
    for (size_t i = 0; i < COUNT(job_phases); i++)
        if (strcmp(name, job_phases[i].name) == 0) {
            *out = (li_job_phase)i;
            return 1;
        }
    return 0;
}

const char *li_work_kind_name(li_work_kind k) {
    return IN_RANGE(k, LI_WORK_KIND_COUNT) ? work_kinds[k].name : "?";
}

const char *li_work_kind_label(li_work_kind k) {
    return IN_RANGE(k, LI_WORK_KIND_COUNT) ? li_msg_text(work_kinds[k].label) : "?";
}

int li_work_kind_parse(const char *name, li_work_kind *out) {
    for (size_t i = 0; name && i < COUNT(work_kinds); i++)
        if (strcmp(name, work_kinds[i].name) == 0) {
            *out = (li_work_kind)i;
            return 1;
        }
    return 0;
}

const char *li_work_state_name(li_work_state s) {
    return IN_RANGE(s, LI_ITEM_STATE_COUNT) ? work_states[s].name : "?";
}

const char *li_work_state_label(li_work_state s) {
    return IN_RANGE(s, LI_ITEM_STATE_COUNT) ? li_msg_text(work_states[s].label) : "?";
}

int li_work_state_parse(const char *name, li_work_state *out) {
    for (size_t i = 0; name && i < COUNT(work_states); i++)
        if (strcmp(name, work_states[i].name) == 0) {
            *out = (li_work_state)i;
            return 1;
        }
    return 0;
}
