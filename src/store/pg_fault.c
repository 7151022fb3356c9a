/*
 * pg_fault.c — what a failed PostgreSQL call means, in the store's terms
 * (the counterpart of sqlite_fault.c).
 *
 * The queue must know what a retry can cure, and the user must read what
 * happened in French: the SQLSTATE decides the status, a French sentence
 * says the class, and the server's own words follow for the administrator
 * (PostgreSQL speaks the language of its lc_messages, not ours):
 *
 *   connection lost or refused, server shutting down  LI_EBUSY    db_pg_connection
 *   (class 08, 57P01-57P03, or no result at all)      (unavailable for now: exit 7)
 *   disk full (53100), out of memory (53200)           LI_ENOSPACE db_full
 *   read-only transaction or standby (25006)           LI_EREADONLY db_readonly
 *   lock timeout (55P03), deadlock (40P01),
 *   serialization failure (40001)                      LI_EBUSY    db_pg_busy
 *   anything else                                      LI_EDB      db_error
 *
 * All of these are temporary for the queue (src/jobs/worker.c): a job cut
 * by a lost connection is retried with back-off from its checkpoint.
 */
#include <stdio.h>
#include <string.h>

#include "pgInt.h"

/* postgresql://user:secret@host/db -> postgresql://user@host/db (a password is never shown). */
void li__pg_url_shown(const char *url, char *out, size_t cap) {
    const char *scheme = strstr(url, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
    const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
    if (at && colon && colon < at && (!slash || at < slash))
        snprintf(out, cap, "%.*s%s", (int)(colon - url), url, at);
    else
        snprintf(out, cap, "%s", url);
    /* ...and none given as a parameter either: "?password=..." is cut. */
    char *pw = strstr(out, "password=");
    if (pw)
        snprintf(pw, cap - (size_t)(pw - out), "password=…");
}

/* The server's or libpq's text, on one line, without its trailing newline. */
static void one_line(const char *in, char *out, size_t cap) {
    size_t k = 0;
    for (const char *p = in ? in : ""; *p && k + 1 < cap; p++)
        out[k++] = (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p;
    while (k > 0 && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
}

li_status li__pg_fail(li__pg *s, const PGresult *r, li_error *err) {
    char url[512], said[320], why[400];
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *text = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    int lost = !s || !s->conn || PQstatus(s->conn) != CONNECTION_OK;
    li__pg_url_shown(s && s->url ? s->url : "postgresql://", url, sizeof url);
    if (!text)
        text = s && s->conn ? PQerrorMessage(s->conn) : "";
    one_line(text, said, sizeof said);
    if (!state)
        state = "";
    if (s)
        snprintf(s->sqlstate, sizeof s->sqlstate, "%s", state);
    if (lost || strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
        strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0) {
        snprintf(why, sizeof why, "le serveur dit « %s »", said);
        return li_error_set(err, LI_EBUSY, LI_MSG_DB_PG_CONNECTION, url, why);
    }
    if (strcmp(state, "53100") == 0 || strcmp(state, "53200") == 0) {
        snprintf(why, sizeof why, "PostgreSQL %s : %s", state, said);
        return li_error_set(err, LI_ENOSPACE, LI_MSG_DB_FULL, url, why);
    }
    if (strcmp(state, "25006") == 0) {
        snprintf(why, sizeof why, "PostgreSQL %s : %s", state, said);
        return li_error_set(err, LI_EREADONLY, LI_MSG_DB_READONLY, url, why);
    }
    if (strcmp(state, "55P03") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "40001") == 0) {
        snprintf(why, sizeof why, "%s (PostgreSQL %s : %s)",
                 strcmp(state, "55P03") == 0 ? "un verrou est tenu par une autre connexion"
                                             : "conflit avec une autre transaction",
                 state, said);
        return li_error_set(err, LI_EBUSY, LI_MSG_DB_PG_BUSY, url, why);
    }
    snprintf(why, sizeof why, "PostgreSQL %s : %s", *state ? state : "?", said);
    return li_error_set(err, LI_EDB, LI_MSG_DB_ERROR, why);
}
