/*
 * state.h — the states a job goes through, the phases of its work, and its
 * work items' kinds and states, as enums.
 *
 * Each value has a name (the word stored in the database and written in
 * the JSON output: a contract, never changed) and a French label (from
 * the message catalogue: the only form a user reads). src/util/state.c is
 * the one place that converts between them; everywhere else compares enum
 * values, never strings.
 */
#ifndef LEADIMPORT_STATE_H
#define LEADIMPORT_STATE_H

#include <stddef.h>

typedef enum li_job_state {
    LI_JOB_UPLOADED,  /* "uploaded": created from a file, not queued yet */
    LI_JOB_QUEUED,    /* "queued": waits for a worker */
    LI_JOB_PARSING,   /* "parsing": being read into staged rows (two-stage path) */
    LI_JOB_READY,     /* "ready": staged, waits for its commit */
    LI_JOB_IMPORTING, /* "importing": writing leads */
    LI_JOB_COMPLETED, /* "completed" */
    LI_JOB_REJECTED,  /* "rejected": more invalid rows than allowed */
    LI_JOB_FAILED,    /* "failed" */
    LI_JOB_CANCELLED, /* "cancelled" */
    LI_JOB_REVERTED,  /* "reverted" */
    LI_JOB_STATE_COUNT
} li_job_state;

typedef enum li_job_phase {
    LI_PHASE_NONE,   /* "": not started (stored as NULL) */
    LI_PHASE_HASH,   /* "hash": the file's fingerprint (progress only) */
    LI_PHASE_PARSE,  /* "parse" */
    LI_PHASE_IMPORT, /* "import": parse and commit fused */
    LI_PHASE_COMMIT, /* "commit" */
    LI_PHASE_REPORT, /* "report" */
    LI_PHASE_INDEX,  /* "index": the key indexes rebuilt (progress only) */
    LI_PHASE_DONE,   /* "done" */
    LI_PHASE_COUNT
} li_job_phase;

typedef enum li_work_kind {
    LI_WORK_PARSE,  /* "parse" */
    LI_WORK_COMMIT, /* "commit" */
    LI_WORK_REPORT, /* "report" */
    LI_WORK_KIND_COUNT
} li_work_kind;

typedef enum li_work_state {
    LI_ITEM_QUEUED,    /* "queued" */
    LI_ITEM_RUNNING,   /* "running" */
    LI_ITEM_DONE,      /* "done" */
    LI_ITEM_DEAD,      /* "dead": out of attempts */
    LI_ITEM_CANCELLED, /* "cancelled" */
    LI_ITEM_STATE_COUNT
} li_work_state;

/*
 * name: the stored and JSON word ("completed"); label: the French text
 * ("terminé"). Both static, never NULL ("?" for a value out of range).
 * parse: the value a stored name stands for; 1 if found, 0 if unknown
 * (*out untouched). NULL parses as unknown.
 */
const char *li_job_state_name(li_job_state s);
const char *li_job_state_label(li_job_state s);
int li_job_state_parse(const char *name, li_job_state *out);
/*
 * The state a word typed by a user names (jobs list --status): its name,
 * its French label, or a short form without accents or spaces ("echec",
 * "en-attente"), case-insensitive. 1 if found.
 */
int li_job_state_from_word(const char *word, li_job_state *out);
/* Every label, for a message: "reçu, en attente, analyse, ..." (static). */
const char *li_job_state_labels(void);
/* 1 if a job in this state will not move any more (completed, rejected, failed, cancelled, reverted). */
int li_job_state_final(li_job_state s);
/* 1 if a job in this state may still be cancelled (uploaded, queued, parsing, ready, importing). */
int li_job_state_open(li_job_state s);

/* The phase's name ("" for LI_PHASE_NONE), its label as `jobs show` prints it ("analyse"),
 * and its title as the progress line starts ("Analyse"). */
const char *li_job_phase_name(li_job_phase p);
const char *li_job_phase_label(li_job_phase p);
const char *li_job_phase_title(li_job_phase p);
/* "" and NULL parse as LI_PHASE_NONE. */
int li_job_phase_parse(const char *name, li_job_phase *out);

const char *li_work_kind_name(li_work_kind k);
const char *li_work_kind_label(li_work_kind k);
int li_work_kind_parse(const char *name, li_work_kind *out);

const char *li_work_state_name(li_work_state s);
const char *li_work_state_label(li_work_state s);
int li_work_state_parse(const char *name, li_work_state *out);

#endif
