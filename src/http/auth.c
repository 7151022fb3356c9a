/*
 * auth.c — the session cookie and the CSRF header, as the route table asks
 * for them (li__http_authorize, called by the router before any handler),
 * and the session routes: POST /api/session (login), GET (the session
 * again, with its CSRF token), DELETE (logout).
 *
 * The rules (token, expiry, CSRF token, rate limit, password) are
 * session.h's; this file reads the cookie and the header, and writes the
 * Set-Cookie: HttpOnly, SameSite=Strict, Path=/, Secure when the request
 * came over TLS (or a proxy says so) or with --secure-cookies.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "reqInt.h"

/* A build without signed downloads (files.c) refuses every signed URL. */
__attribute__((weak)) int li__http_signed_check(li_http_req *r) {
    li_error e;
    li_error_set(&e, LI_EINTERNAL, LI_MSG_INTERNAL, "vérification des liens signés absente");
    li_http_answer_error_status(r, 500, &e);
    return -1;
}

/* A build without signed downloads (files.c) has no secret to load. */
__attribute__((weak)) li_status li__http_files_init(const li_http_opts *o, li_error *err) {
    (void)o;
    (void)err;
    return LI_OK;
}

int li__http_cookie_secure(const li_http_req *r) {
    if (r->srv->o.secure_cookies)
        return 1;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_PROTOCOL);
    if (ci && ci->tls_session)
        return 1;
    /* Behind a TLS-terminating proxy. Trusting it can only make the cookie stricter. */
    const char *proto = li_http_header(r, "X-Forwarded-Proto");
    return proto && strcasecmp(proto, "https") == 0;
}

/* Sets the session cookie (value "" and Max-Age=0 to remove it). */
static void set_cookie(li_http_req *r, const char *token, int64_t max_age) {
    char c[256];
    snprintf(c, sizeof c, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
             LI_HTTP_COOKIE, token, (long long)max_age,
             li__http_cookie_secure(r) ? "; Secure" : "");
    li_http_header_add(r, "Set-Cookie", c);
}

int li__http_authorize(li_http_req *r) {
    const li_http_route *rt = r->match.route;
    li_error err;
    li_error_clear(&err);
    if (rt->auth == LI_HTTP_AUTH_NONE)
        return 0;
    if (rt->auth == LI_HTTP_AUTH_SIGNED) {
        if (li__http_signed_check(r) == 0)
            return 0;
        if (!r->answered) { /* it must answer its refusal; a silent one is still a refusal */
            li_error_set(&err, LI_EINTERNAL, LI_MSG_INTERNAL, "lien signé refusé sans réponse");
            li_http_answer_error_status(r, 500, &err);
        }
        return -1;
    }
    const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, LI_HTTP_COOKIE);
    int valid = 0;
    li_session ss;
    if (token) {
        li_store *s = li_http_store(r, &err);
        if (!s || li_session_check(s, li__http_session_policy(r->srv), token, &ss, &valid, &err) !=
                      LI_OK) {
            li_http_answer_error(r, &err);
            return -1;
        }
    }
    if (!valid) {
        li_http_answer_fail(r, 401, LI_MSG_HTTP_SESSION_REQUIRED);
        return -1;
    }
    li__http_set_session(r, &ss);
    if (rt->auth == LI_HTTP_AUTH_ADMIN && strcmp(ss.user.role, "admin") != 0) {
        li_http_answer_fail(r, 403, LI_MSG_HTTP_ADMIN_REQUIRED, ss.user.role);
        return -1;
    }
    if (rt->csrf && !li_session_csrf_ok(&ss, li_http_header(r, "X-CSRF-Token"))) {
        li_http_answer_fail(r, 403, LI_MSG_HTTP_CSRF_INVALID);
        return -1;
    }
    return 0;
}

/* The session's JSON as the answer. */
static int answer_session(li_http_req *r, unsigned status, const li_session *ss) {
    li_buf b;
    li_buf_init(&b, 0);
    int rc = li_session_json(&b, ss) == LI_OK ? li_http_answer_buf(r, status, &b) : -1;
    li_buf_free(&b);
    return rc;
}

int li__http_session_post(li_http_req *r) {
    li_error err;
    li_error_clear(&err);
    json_error_t je;
    size_t len = 0;
    const char *text = li_http_body_text(r, &len);
    json_t *body = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    int rc = -1;
    if (!body) {
        rc = li_http_answer_fail(r, 400, LI_MSG_HTTP_JSON_INVALID, je.line, je.column);
        goto out;
    }
    const char *email = json_string_value(json_object_get(body, "email"));
    const char *password = json_string_value(json_object_get(body, "password"));
    if (!json_is_object(body) || !email) {
        rc = li_http_answer_fail(r, 400, LI_MSG_HTTP_JSON_FIELD, "email", "un texte");
        goto out;
    }
    if (!password) {
        rc = li_http_answer_fail(r, 400, LI_MSG_HTTP_JSON_FIELD, "password", "un texte");
        goto out;
    }
    li_store *s = li_http_store(r, &err);
    li_session ss;
    char token[LI_SESSION_TOKEN_LEN + 1];
    int64_t retry = 0;
    li_status st = s ? li_session_login(s, li__http_session_policy(r->srv), email, password,
                                        li_http_client_addr(r), &ss, token, &retry, &err)
                     : err.status;
    if (st == LI_ELIMIT && retry > 0) {
        char v[32];
        snprintf(v, sizeof v, "%lld", (long long)retry);
        li_http_header_add(r, "Retry-After", v);
        rc = li_http_answer_error_status(r, 429, &err);
    } else if (st == LI_EREFUSED) {
        rc = li_http_answer_error_status(r, 401, &err);
    } else if (st != LI_OK) {
        rc = li_http_answer_error(r, &err);
    } else {
        li__http_set_session(r, &ss); /* the log line names the user */
        set_cookie(r, token, li_session_max_age(li__http_session_policy(r->srv)));
        explicit_bzero(token, sizeof token);
        rc = answer_session(r, 200, &ss);
    }
out:
    json_decref(body);
    return rc;
}

int li__http_session_get(li_http_req *r) {
    return answer_session(r, 200, li_http_session(r));
}

int li__http_session_delete(li_http_req *r) {
    li_error err;
    li_error_clear(&err);
    const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, LI_HTTP_COOKIE);
    li_store *s = li_http_store(r, &err);
    if (!s || li_session_logout(s, token, &err) != LI_OK)
        return li_http_answer_error(r, &err);
    set_cookie(r, "", 0);
    return li_http_answer_empty(r, 204);
}
