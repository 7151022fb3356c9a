/*
 * pg_fault.c — what a failed PostgreSQL call means, in the store's terms
 * (the counterpart of sqlite_fault.c).
 *
 * The queue must know what a retry can cure, and the user must read what
 * happened in French: the SQLSTATE decides the status and a French sentence
 * says the class and the code. The server's and libpq's own words are not
 * shown: they are in the language of lc_messages or of libpq's build,
 * English by default, and no English may reach the user. A connection that
 * fails has no SQLSTATE: its cause is read from libpq's text (cause_of).
 * The table:
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

/*
 * Why a connection failed, in French, from libpq's (English) text: the
 * causes an administrator meets, each with what to check. libpq gives no
 * code for them; an unknown text gives a general cause rather than English.
 */
static const char *cause_of(const char *text) {
    static const struct {
        const char *needle, *cause;
    } causes[] = {
        {"No such file or directory", "aucun serveur n'écoute à cette adresse (dossier du socket)"},
        {"Connection refused", "aucun serveur n'écoute à cette adresse (hôte et port)"},
        {"could not translate host name", "nom d'hôte inconnu"},
        {"timeout expired", "le serveur n'a pas répondu à temps"},
        {"password authentication failed", "mot de passe refusé pour cet utilisateur"},
        {"no password supplied", "le serveur demande un mot de passe"},
        {"authentication failed", "authentification refusée pour cet utilisateur"},
        {"role \"", "utilisateur inconnu du serveur"},
        {"does not exist", "base ou utilisateur inconnu du serveur"},
        {"too many clients", "le serveur a atteint son nombre maximal de connexions"},
        {"the database system is starting up", "le serveur démarre"},
        {"the database system is shutting down", "le serveur s'arrête"},
        {"terminating connection", "le serveur a coupé la connexion"},
        {"server closed the connection", "le serveur a coupé la connexion"},
        {"no connection to the server", "la connexion au serveur est perdue"},
        {"SSL", "échec de la négociation SSL"},
    };
    for (size_t i = 0; text && i < sizeof causes / sizeof causes[0]; i++)
        if (strstr(text, causes[i].needle))
            return causes[i].cause;
    return "le serveur est injoignable ou a coupé la connexion";
}

/* The French name of a SQLSTATE's class (its first two characters). */
static const char *class_of(const char *state) {
    static const struct {
        const char *cls, *name;
    } classes[] = {
        {"22", "valeur refusée par le serveur"},      {"23", "contrainte d'intégrité"},
        {"25", "état de transaction"},                {"28", "autorisation refusée"},
        {"3D", "base inconnue"},                      {"3F", "schéma inconnu"},
        {"40", "transaction annulée"},                {"42", "requête refusée (droits ou schéma)"},
        {"53", "ressources du serveur épuisées"},     {"54", "limite du serveur dépassée"},
        {"55", "objet indisponible"},                 {"57", "intervention de l'administrateur"},
        {"58", "erreur système du serveur"},          {"XX", "erreur interne du serveur"},
    };
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (strncmp(state, classes[i].cls, 2) == 0)
            return classes[i].name;
    return "erreur du serveur";
}

li_status li__pg_fail(li__pg *s, const PGresult *r, li_error *err) {
    char url[512], said[160], why[400];
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *text = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    int lost = !s || !s->conn || PQstatus(s->conn) != CONNECTION_OK;
    li__pg_url_shown(s && s->url ? s->url : "postgresql://", url, sizeof url);
    if (!text)
        text = s && s->conn ? PQerrorMessage(s->conn) : "";
    snprintf(said, sizeof said, "%s", state && *state ? class_of(state) : cause_of(text));
    if (!state)
        state = "";
    if (s)
        snprintf(s->sqlstate, sizeof s->sqlstate, "%s", state);
    if (lost || strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
        strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0) {
        snprintf(why, sizeof why, "%s", cause_of(text));
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
