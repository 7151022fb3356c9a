/*
 * static.c — the web page: GET / and the files it loads, from the table
 * embedded at build time (staticInt.h). No session is needed for them;
 * every answer carries the headers that keep the page to itself: a strict
 * Content-Security-Policy (only this server's scripts, styles, images and
 * API; no inline script, no framing), nosniff, no Referer outside, no
 * framing for older browsers.
 *
 * Caching: the file names are stable (ES modules import each other by
 * name), so each answer says `Cache-Control: no-cache` with a strong ETag:
 * the browser keeps its copy and asks again each time, a matching
 * If-None-Match gets 304 with no body. A new build with a changed file
 * changes its ETag, so nobody keeps an old page after an upgrade.
 */
#include <stdio.h>
#include <string.h>

#include "httpInt.h"
#include "staticInt.h"

#define CSP                                                                                        \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "                    \
    "form-action 'self'; frame-ancestors 'none'"

const li_http_asset *li__http_asset_find(const char *url) {
    for (size_t i = 0; i < li__http_asset_count; i++)
        if (strcmp(li__http_assets[i].url, url) == 0)
            return &li__http_assets[i];
    return NULL;
}

/* 1 if an If-None-Match header names etag (a list, or "*"). */
static int etag_matches(const char *inm, const char *etag) {
    if (!inm)
        return 0;
    if (strcmp(inm, "*") == 0)
        return 1;
    size_t n = strlen(etag);
    for (const char *p = strstr(inm, etag); p; p = strstr(p + 1, etag)) {
        char after = p[n];
        if (after == '\0' || after == ',' || after == ' ')
            return 1;
    }
    return 0;
}

static int serve(li_http_req *r, const char *url) {
    const li_http_asset *a = li__http_asset_find(url);
    if (!a)
        return li_http_answer_fail(r, 404, LI_MSG_HTTP_NOT_FOUND, li_http_path(r));
    if (li_http_header_add(r, "Content-Security-Policy", CSP) != 0 ||
        li_http_header_add(r, "X-Content-Type-Options", "nosniff") != 0 ||
        li_http_header_add(r, "Referrer-Policy", "no-referrer") != 0 ||
        li_http_header_add(r, "X-Frame-Options", "DENY") != 0 ||
        li_http_header_add(r, "Cache-Control", "no-cache") != 0 ||
        li_http_header_add(r, "ETag", a->etag) != 0)
        return -1;
    if (etag_matches(li_http_header(r, "If-None-Match"), a->etag))
        return li_http_answer_empty(r, 304);
    return li_http_answer(r, 200, a->content_type, a->data, a->len);
}

int li__http_page(li_http_req *r) {
    return serve(r, "/assets/index.html");
}

/* The {name} parameter is one decoded segment: it cannot climb out with "/". */
static int serve_under(li_http_req *r, const char *prefix) {
    char url[LI_HTTP_PARAM_MAX + 32];
    const char *name = li_http_param(r, "name");
    snprintf(url, sizeof url, "%s%s", prefix, name ? name : "");
    return serve(r, url);
}

int li__http_asset(li_http_req *r) {
    return serve_under(r, "/assets/");
}

int li__http_help(li_http_req *r) {
    return serve_under(r, "/aide/");
}

int li__http_help_image(li_http_req *r) {
    return serve_under(r, "/aide/img/");
}
