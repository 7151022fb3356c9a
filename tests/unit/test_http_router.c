/*
 * test_http_router.c — the router's matching (li__http_match) and the
 * rules of THE route table (routes.c) that make auth impossible to forget:
 * every /api/ route but the login needs a session, every state-changing
 * route with a session needs the CSRF token, the import routes need an
 * admin, signed routes live under /files/, no route is listed twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/httpInt.h"

static int h_dummy(li_http_req *r) {
    (void)r;
    return 0;
}

static const li_http_route table[] = {
    {"GET", "/api/imports", LI_HTTP_AUTH_ADMIN, 0, LI_HTTP_BODY_NONE, NULL, h_dummy, NULL},
    {"POST", "/api/imports", LI_HTTP_AUTH_ADMIN, 1, LI_HTTP_BODY_STREAM, NULL, h_dummy, NULL},
    {"GET", "/api/imports/{id}", LI_HTTP_AUTH_ADMIN, 0, LI_HTTP_BODY_NONE, NULL, h_dummy, NULL},
    {"DELETE", "/api/imports/{id}", LI_HTTP_AUTH_ADMIN, 1, LI_HTTP_BODY_NONE, NULL, h_dummy, NULL},
    {"GET", "/api/imports/{id}/rows", LI_HTTP_AUTH_ADMIN, 0, LI_HTTP_BODY_NONE, NULL, h_dummy, NULL},
    {"GET", "/files/imports/{id}/{name}", LI_HTTP_AUTH_SIGNED, 0, LI_HTTP_BODY_NONE, NULL, h_dummy,
     NULL},
};
#define NT (sizeof table / sizeof table[0])

static const char *param(const li_http_match *m, const char *name) {
    for (size_t i = 0; i < m->nparams; i++)
        if (m->param[i].name_len == strlen(name) &&
            memcmp(m->param[i].name, name, m->param[i].name_len) == 0)
            return m->param[i].value;
    return NULL;
}

static void literal_paths_match_their_method_only(void **state) {
    (void)state;
    li_http_match m;
    assert_int_equal(li__http_match(table, NT, "GET", "/api/imports", &m), 1);
    assert_ptr_equal(m.route, &table[0]);
    assert_int_equal(m.nparams, 0);
    assert_int_equal(li__http_match(table, NT, "POST", "/api/imports", &m), 1);
    assert_ptr_equal(m.route, &table[1]);
}

static void a_parameter_takes_one_whole_segment(void **state) {
    (void)state;
    li_http_match m;
    assert_int_equal(li__http_match(table, NT, "GET", "/api/imports/42", &m), 1);
    assert_ptr_equal(m.route, &table[2]);
    assert_string_equal(param(&m, "id"), "42");
    assert_int_equal(li__http_match(table, NT, "GET", "/api/imports/42/rows", &m), 1);
    assert_ptr_equal(m.route, &table[4]);
    assert_string_equal(param(&m, "id"), "42");
    assert_int_equal(li__http_match(table, NT, "GET", "/files/imports/7/rapport.csv", &m), 1);
    assert_string_equal(param(&m, "id"), "7");
    assert_string_equal(param(&m, "name"), "rapport.csv");
    assert_null(param(&m, "other"));
}

static void near_misses_match_nothing(void **state) {
    (void)state;
    li_http_match m;
    static const char *const paths[] = {
        "/api/imports/",        /* trailing slash */
        "/api/imports//rows",   /* empty parameter */
        "/api/imports/1/rows/", /* trailing slash after a parameter */
        "/api/imports/1/2",     /* one segment too many */
        "/api/import",          /* prefix of a literal */
        "/api/importsX",        /* literal with more */
        "/API/imports",         /* case counts */
        "api/imports",          /* not absolute */
        "",
        "/",
        "/api/imports/1/rows/extra",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        assert_int_equal(li__http_match(table, NT, "GET", paths[i], &m), 0);
        assert_null(m.route);
    }
    /* A parameter longer than LI_HTTP_PARAM_MAX - 1 bytes is refused, not cut. */
    char longp[LI_HTTP_PARAM_MAX + 32] = "/api/imports/";
    size_t n = strlen(longp);
    memset(longp + n, '9', LI_HTTP_PARAM_MAX);
    longp[n + LI_HTTP_PARAM_MAX] = '\0';
    assert_int_equal(li__http_match(table, NT, "GET", longp, &m), 0);
}

/* The web page is served at "/": that pattern matches the root and nothing else. */
static void the_root_matches_only_itself(void **state) {
    (void)state;
    static const li_http_route root[] = {
        {"GET", "/", LI_HTTP_AUTH_NONE, 0, LI_HTTP_BODY_NONE, NULL, h_dummy, NULL},
        {"GET", "/assets/{name}", LI_HTTP_AUTH_NONE, 0, LI_HTTP_BODY_NONE, NULL, h_dummy, NULL},
    };
    li_http_match m;
    assert_int_equal(li__http_match(root, 2, "GET", "/", &m), 1);
    assert_ptr_equal(m.route, &root[0]);
    assert_int_equal(m.nparams, 0);
    static const char *const misses[] = {"//", "/x", "/assets", "/assets/", ""};
    for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++)
        assert_int_equal(li__http_match(root, 2, "GET", misses[i], &m), 0);
    assert_int_equal(li__http_match(root, 2, "GET", "/assets/app.js", &m), 1);
    assert_ptr_equal(m.route, &root[1]);
}

static void a_known_path_with_another_method_says_which_methods_exist(void **state) {
    (void)state;
    li_http_match m;
    assert_int_equal(li__http_match(table, NT, "PUT", "/api/imports/3", &m), 0);
    assert_int_equal(m.path_known, 1);
    assert_string_equal(m.allowed, "GET, HEAD, DELETE");
    /* HEAD takes the GET route (its answer goes without a body) */
    assert_int_equal(li__http_match(table, NT, "HEAD", "/api/imports/3", &m), 1);
    assert_string_equal(m.route->method, "GET");
    assert_int_equal(li__http_match(table, NT, "HEAD", "/api/imports", &m), 1);
    assert_string_equal(m.route->method, "GET");
    assert_int_equal(li__http_match(table, NT, "PUT", "/nowhere", &m), 0);
    assert_int_equal(m.path_known, 0);
    assert_string_equal(m.allowed, "");
}

/* --- the real table ---------------------------------------------------------------- */

static int is_write(const char *method) {
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static void every_api_route_but_login_needs_a_session(void **state) {
    (void)state;
    int login_seen = 0;
    for (size_t i = 0; i < li__http_route_count; i++) {
        const li_http_route *rt = &li__http_routes[i];
        if (strncmp(rt->path, "/api/", 5) != 0)
            continue;
        if (strcmp(rt->method, "POST") == 0 && strcmp(rt->path, "/api/session") == 0) {
            assert_int_equal(rt->auth, LI_HTTP_AUTH_NONE);
            login_seen = 1;
            continue;
        }
        if (rt->auth != LI_HTTP_AUTH_SESSION && rt->auth != LI_HTTP_AUTH_ADMIN)
            fail_msg("%s %s has no session", rt->method, rt->path);
    }
    assert_true(login_seen);
}

static void every_state_changing_route_with_a_session_needs_the_csrf_token(void **state) {
    (void)state;
    for (size_t i = 0; i < li__http_route_count; i++) {
        const li_http_route *rt = &li__http_routes[i];
        int session = rt->auth == LI_HTTP_AUTH_SESSION || rt->auth == LI_HTTP_AUTH_ADMIN;
        if (session && is_write(rt->method) && !rt->csrf)
            fail_msg("%s %s changes state without the CSRF token", rt->method, rt->path);
        /* A reading route never asks for it: a page's GET carries no header. */
        if (!is_write(rt->method) && rt->csrf)
            fail_msg("%s %s asks a CSRF token for a read", rt->method, rt->path);
    }
}

static void import_routes_need_an_admin(void **state) {
    (void)state;
    for (size_t i = 0; i < li__http_route_count; i++) {
        const li_http_route *rt = &li__http_routes[i];
        if (strncmp(rt->path, "/api/imports", 12) == 0 && rt->auth != LI_HTTP_AUTH_ADMIN)
            fail_msg("%s %s is an import route without the admin role", rt->method, rt->path);
    }
}

static void signed_routes_are_downloads_under_files(void **state) {
    (void)state;
    for (size_t i = 0; i < li__http_route_count; i++) {
        const li_http_route *rt = &li__http_routes[i];
        int files = strncmp(rt->path, "/files/", 7) == 0;
        if ((rt->auth == LI_HTTP_AUTH_SIGNED) != files)
            fail_msg("%s %s: signed URLs and /files/ go together", rt->method, rt->path);
        if (rt->auth == LI_HTTP_AUTH_SIGNED && strcmp(rt->method, "GET") != 0)
            fail_msg("%s %s: a signed URL only reads", rt->method, rt->path);
    }
}

static void the_table_is_well_formed(void **state) {
    (void)state;
    for (size_t i = 0; i < li__http_route_count; i++) {
        const li_http_route *rt = &li__http_routes[i];
        assert_non_null(rt->handler);
        assert_true(rt->path[0] == '/');
        if ((rt->body == LI_HTTP_BODY_STREAM) != (rt->on_body != NULL))
            fail_msg("%s %s: on_body goes with a streamed body, and only with it", rt->method,
                     rt->path);
        for (size_t j = i + 1; j < li__http_route_count; j++)
            if (strcmp(rt->method, li__http_routes[j].method) == 0 &&
                strcmp(rt->path, li__http_routes[j].path) == 0)
                fail_msg("%s %s listed twice", rt->method, rt->path);
        /* Each route is found by its own path (a {param} filled with "1"). */
        char path[256];
        size_t k = 0;
        for (const char *c = rt->path; *c && k + 2 < sizeof path; c++) {
            if (*c == '{') {
                path[k++] = '1';
                while (*c && *c != '}')
                    c++;
            } else {
                path[k++] = *c;
            }
        }
        path[k] = '\0';
        li_http_match m;
        assert_int_equal(li__http_match(li__http_routes, li__http_route_count, rt->method, path, &m),
                         1);
        assert_ptr_equal(m.route, rt);
    }
}

static void print_routes_writes_one_json_line_per_route(void **state) {
    (void)state;
    char buf[16384];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    li__http_print_routes(f);
    fclose(f);
    size_t lines = 0;
    for (char *c = buf; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, li__http_route_count);
    assert_non_null(strstr(buf, "{\"method\":\"POST\",\"path\":\"/api/session\",\"auth\":\"none\","
                                "\"csrf\":false}\n"));
    assert_non_null(strstr(buf, "{\"method\":\"DELETE\",\"path\":\"/api/session\",\"auth\":\"session\","
                                "\"csrf\":true}\n"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literal_paths_match_their_method_only),
        cmocka_unit_test(a_parameter_takes_one_whole_segment),
        cmocka_unit_test(near_misses_match_nothing),
        cmocka_unit_test(the_root_matches_only_itself),
        cmocka_unit_test(a_known_path_with_another_method_says_which_methods_exist),
        cmocka_unit_test(every_api_route_but_login_needs_a_session),
        cmocka_unit_test(every_state_changing_route_with_a_session_needs_the_csrf_token),
        cmocka_unit_test(import_routes_need_an_admin),
        cmocka_unit_test(signed_routes_are_downloads_under_files),
        cmocka_unit_test(the_table_is_well_formed),
        cmocka_unit_test(print_routes_writes_one_json_line_per_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
