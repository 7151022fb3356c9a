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
#include "importsInt.h"

#define S LI_HTTP_AUTH_SESSION
#define A LI_HTTP_AUTH_ADMIN
#define N LI_HTTP_AUTH_NONE
#define G LI_HTTP_AUTH_SIGNED
#define JSON LI_HTTP_BODY_JSON
#define NOBODY LI_HTTP_BODY_NONE
#define STREAM LI_HTTP_BODY_STREAM

const li_http_route li__http_routes[] = {
    /* auth.c: sessions */
    {"POST", "/api/session", N, 0, JSON, NULL, li__http_session_post, NULL},
    {"GET", "/api/session", S, 0, NOBODY, NULL, li__http_session_get, NULL},
    {"DELETE", "/api/session", S, 1, NOBODY, NULL, li__http_session_delete, NULL},

    /* imports.c: the import API (admin only; the users list and the template: any session) */
    {"GET", "/api/imports", A, 0, NOBODY, NULL, li__http_imports_list, NULL},
    {"POST", "/api/imports", A, 1, STREAM, li__http_upload_body, li__http_upload, li__http_upload_start},
    {"GET", "/api/imports/{id}", A, 0, NOBODY, NULL, li__http_import_get, NULL},
    {"DELETE", "/api/imports/{id}", A, 1, NOBODY, NULL, li__http_import_delete, NULL},
    {"PUT", "/api/imports/{id}/mapping", A, 1, JSON, NULL, li__http_import_mapping, NULL},
    {"POST", "/api/imports/{id}/analyse", A, 1, NOBODY, NULL, li__http_import_analyse, NULL},
    {"GET", "/api/imports/{id}/rows", A, 0, NOBODY, NULL, li__http_import_rows, NULL},
    {"GET", "/api/imports/{id}/errors", A, 0, NOBODY, NULL, li__http_import_errors, NULL},
    {"GET", "/api/imports/{id}/assignments", A, 0, NOBODY, NULL, li__http_import_assignments, NULL},
    {"POST", "/api/imports/{id}/predict", A, 1, JSON, NULL, li__http_import_predict, NULL},
    {"POST", "/api/imports/{id}/commit", A, 1, JSON, NULL, li__http_import_commit, NULL},
    {"POST", "/api/imports/{id}/cancel", A, 1, NOBODY, NULL, li__http_import_cancel, NULL},
    {"POST", "/api/imports/{id}/retry", A, 1, NOBODY, NULL, li__http_import_retry, NULL},
    {"POST", "/api/imports/{id}/revert", A, 1, NOBODY, NULL, li__http_import_revert, NULL},
    {"GET", "/api/users", S, 0, NOBODY, NULL, li__http_users_list, NULL},
    {"GET", "/api/mappings", A, 0, NOBODY, NULL, li__http_mappings_list, NULL},
    {"GET", "/api/template.csv", S, 0, NOBODY, NULL, li__http_template, NULL},
    /* events.c: progress as Server-Sent Events */
    {"GET", "/api/imports/{id}/events", A, 0, NOBODY, NULL, li__http_import_events, NULL},
    /* files.c: signed downloads */
    {"POST", "/api/imports/{id}/report-link", A, 1, NOBODY, NULL, li__http_import_report_link, NULL},
    {"GET", "/files/imports/{id}/erreurs.csv", G, 0, NOBODY, NULL, li__http_file_report, NULL},

    /* health.c: monitoring */
    {"GET", "/healthz", N, 0, NOBODY, NULL, li__http_healthz, NULL},
    {"GET", "/metrics", N, 0, NOBODY, NULL, li__http_metrics, NULL},

    /* static.c: the web page and its help pages, embedded at build time (no session: the page asks GET /api/session) */
    {"GET", "/", N, 0, NOBODY, NULL, li__http_page, NULL},
    {"GET", "/assets/{name}", N, 0, NOBODY, NULL, li__http_asset, NULL},
    {"GET", "/aide/{name}", N, 0, NOBODY, NULL, li__http_help, NULL},
    {"GET", "/aide/img/{name}", N, 0, NOBODY, NULL, li__http_help_image, NULL},
};

const size_t li__http_route_count = sizeof li__http_routes / sizeof li__http_routes[0];
