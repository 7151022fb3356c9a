/*
 * importsInt.h — the handlers of the import routes (imports.c, events.c,
 * files.c), for the route table (routes.c). Each is a li_http_handler
 * (httpInt.h); li__http_upload_start and li__http_upload_body are the upload
 * route's on_start and on_body.
 */
#ifndef LEADIMPORT_HTTP_IMPORTS_INT_H
#define LEADIMPORT_HTTP_IMPORTS_INT_H

#include "httpInt.h"

/* imports.c */
int li__http_upload_start(li_http_req *r);
int li__http_upload_body(li_http_req *r, const char *data, size_t len);
int li__http_upload(li_http_req *r);
int li__http_imports_list(li_http_req *r);
int li__http_import_get(li_http_req *r);
int li__http_import_mapping(li_http_req *r);
int li__http_import_analyse(li_http_req *r);
int li__http_import_rows(li_http_req *r);
int li__http_import_errors(li_http_req *r);
int li__http_import_assignments(li_http_req *r);
int li__http_import_predict(li_http_req *r);
int li__http_import_commit(li_http_req *r);
int li__http_import_cancel(li_http_req *r);
int li__http_import_retry(li_http_req *r);
int li__http_import_revert(li_http_req *r);
int li__http_import_delete(li_http_req *r);
int li__http_users_list(li_http_req *r);
int li__http_mappings_list(li_http_req *r);
int li__http_template(li_http_req *r);

/* events.c */
int li__http_import_events(li_http_req *r);

/* files.c (li__http_signed_check is declared by httpInt.h) */
int li__http_import_report_link(li_http_req *r);
int li__http_file_report(li_http_req *r);

#endif
