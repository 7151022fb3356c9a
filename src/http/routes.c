/*
 * routes.c — THE route table: every path the server answers, the
 * authentication it needs and whether it needs the CSRF token. The router
 * enforces both before calling a handler (httpInt.h); `serve
 * --print-routes` prints this table, and the tests walk it (each route
 * without a session, as a commercial, as a disabled user, as an admin) and
 * compare it with docs/openapi.yaml.
 *
 * Rules of the table, checked by tests/unit/test_http_router.c: every
 * /api/ route but POST /api/session needs a session; every state-changing
 * route (POST, PUT, DELETE) that needs a session needs the CSRF token too;
 * import routes need the admin role; no two lines for one method and path.
 *
 * One section per file of handlers, so that each file adds its lines in
 * its own place.
 */
#include "httpInt.h"

#define S LI_HTTP_AUTH_SESSION
#define A LI_HTTP_AUTH_ADMIN
#define N LI_HTTP_AUTH_NONE
#define G LI_HTTP_AUTH_SIGNED
#define JSON LI_HTTP_BODY_JSON
#define NOBODY LI_HTTP_BODY_NONE
#define STREAM LI_HTTP_BODY_STREAM

const li_http_route li__http_routes[] = {
    /* auth.c: sessions */
    {"POST", "/api/session", N, 0, JSON, NULL, li__http_session_post},
    {"GET", "/api/session", S, 0, NOBODY, NULL, li__http_session_get},
    {"DELETE", "/api/session", S, 1, NOBODY, NULL, li__http_session_delete},

    /* imports.c, events.c, files.c (import routes): their lines go here */

    /* health.c: monitoring */
    {"GET", "/healthz", N, 0, NOBODY, NULL, li__http_healthz},
    {"GET", "/metrics", N, 0, NOBODY, NULL, li__http_metrics},
};

const size_t li__http_route_count = sizeof li__http_routes / sizeof li__http_routes[0];
