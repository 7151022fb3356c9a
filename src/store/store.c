/*
 * store.c — the store's front: picks the backend by the scheme of the
 * database URL, and dispatches every operation of store.h through the
 * connection's table (backend.h). Nothing here knows a database.
 */
#include "leadimport/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "backend.h"
#include "store_users.h"

static const li_store_backend *const backends[] = {&li__sqlite_backend, &li__pg_backend};

/* The backend of url and where its location starts, or LI_EUSAGE. */
static li_status pick(const char *url, const li_store_backend **be, const char **location,
                      li_error *err) {
    const char *u = url ? url : "";
    for (size_t b = 0; b < sizeof backends / sizeof backends[0]; b++)
        for (const char *const *sc = backends[b]->schemes; *sc; sc++) {
            size_t n = strlen(*sc);
            if (strncmp(u, *sc, n) == 0 && u[n]) {
                *be = backends[b];
                *location = u + n;
                return LI_OK;
            }
        }
    return li_error_set(err, LI_EUSAGE, LI_MSG_DB_URL_INVALID, u);
}

static li_status open_url(const char *url, int create, li_store **out, li_error *err) {
    const li_store_backend *be = NULL;
    const char *location = NULL;
    *out = NULL;
    li_status st = pick(url, &be, &location, err);
    return st == LI_OK ? be->open(location, create, out, err) : st;
}

li_status li_store_open(const char *url, li_store **out, li_error *err) {
    return open_url(url, 1, out, err);
}

li_status li_store_open_existing(const char *url, li_store **out, li_error *err) {
    return open_url(url, 0, out, err);
}

li_status li_store_url_guard(const char *url, li_outfile_guard *g, char **owned, li_error *err) {
    const li_store_backend *be = NULL;
    const char *location = NULL;
    memset(g, 0, sizeof *g);
    *owned = NULL;
    li_status st = pick(url, &be, &location, err);
    return st == LI_OK ? be->url_guard(location, g, owned, err) : st;
}

/* Every operation: one line of store_ops.def, one dispatch. close accepts NULL. */
#define LI_STORE_OP(R, name, params, args)                                                         \
    R li_store_##name params {                                                                     \
        return s->ops->name args;                                                                  \
    }
#define LI_STORE_VOP(name, params, args)                                                           \
    void li_store_##name params {                                                                  \
        if (s)                                                                                     \
            s->ops->name args;                                                                     \
    }
#define LI_STORE_IOP(name, params, args)                                                           \
    li_status li__store_##name params {                                                            \
        return s->ops->name args;                                                                  \
    }
#include "store_ops.def"
#undef LI_STORE_OP
#undef LI_STORE_VOP
#undef LI_STORE_IOP

void li_store_now(char out[32]) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(tv.tv_usec / 1000) % 1000u);
}

void li_lead_rec_free(li_lead_rec *l) {
    if (l) {
        free(l->buf);
        l->buf = NULL;
    }
}

void li_mapping_rec_free(li_mapping_rec *m) {
    if (!m)
        return;
    free(m->headers_json);
    free(m->mapping_json);
    m->headers_json = m->mapping_json = NULL;
}
