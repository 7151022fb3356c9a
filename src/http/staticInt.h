/*
 * staticInt.h — the files of the web page, embedded in the binary at build
 * time (cmake/embed_web.cmake writes the table from web/ and the help pages
 * of docs/), and served by static.c without a session: the page itself asks
 * GET /api/session. Nothing is read from disk at run time, so that the
 * server a user runs always serves the page it was built with.
 */
#ifndef LEADIMPORT_HTTP_STATIC_INT_H
#define LEADIMPORT_HTTP_STATIC_INT_H

#include <stddef.h>

typedef struct li_http_asset {
    const char *url;          /* "/assets/app.js", "/aide/erreurs.md", "/aide/img/x.png" */
    const char *content_type; /* with its charset for text */
    const char *etag;         /* strong, quoted: "\"0123456789abcdef\"" (SHA-256 prefix) */
    const unsigned char *data;
    size_t len;
} li_http_asset;

/* The generated table (web_assets.c, in the build folder). */
extern const li_http_asset li__http_assets[];
extern const size_t li__http_asset_count;

/* The asset served at url, or NULL. */
const li_http_asset *li__http_asset_find(const char *url);

#endif
