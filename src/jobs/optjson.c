/*
 * optjson.c — the option set of an import as JSON, both ways (jobjson.h:
 * li_jobjson_opts_parse / _emit), and the form saved with a queued job
 * (jobsInt.h: li__opts_to_json / li__opts_from_json), which is the same
 * object with a few keys of the queue's own.
 *
 * The parser is the one door by which options arrive from outside the
 * command line (a server will take the same JSON): it checks every key,
 * type, name and limit and says what is wrong in French, so that a job is
 * never created from options it could not load again. It still reads what
 * the previous version saved with its jobs (version 1: "round-robin",
 * delimiter as a character code, header as -1/0/1).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "jobsInt.h"
#include "leadimport/jobjson.h"

/* Version 2: "round_robin", delimiter as text, header as true/false/null, "force". */
#define OPTS_VERSION 2

static const char *const dup_names[] = {"skip", "update", "create"};
/* Indexed by li_assign_mode. */
static const char *const assign_names[] = {"none", "single", "round_robin", "column", "auto"};

struct li_jobjson_opts {
    li__opts_hold h;
};

/* --- emit ---------------------------------------------------------------------- */

static int set_str(json_t *obj, const char *key, const char *v) {
    return json_object_set_new(obj, key, v ? json_string(v) : json_null());
}

static int set_uint(json_t *obj, const char *key, uint64_t v) {
    return json_object_set_new(obj, key, json_integer((json_int_t)v));
}

/* The delimiter as the --delimiter option writes it; NULL = detect. */
static const char *delimiter_text(int d, char one[2]) {
    if (d == 0)
        return NULL;
    if (d == '\t')
        return "tab";
    one[0] = (char)d;
    one[1] = '\0';
    return one;
}

/* The public object; NULL without memory. */
static json_t *opts_object(const li_import_opts *o) {
    json_t *root = json_object(), *reader = json_object(), *map = json_array(),
           *match = json_array(), *assignees = json_array(), *mi = NULL;
    int bad = !root || !reader || !map || !match || !assignees;
    if (bad)
        goto out;
    const li_reader_opts *ro = &o->reader;
    char one[2];
    bad |= set_str(reader, "format", ro->format);
    bad |= set_str(reader, "encoding", ro->encoding);
    bad |= set_str(reader, "delimiter", delimiter_text(ro->delimiter, one));
    bad |= json_object_set_new(reader, "header",
                               ro->header < 0 ? json_null() : json_boolean(ro->header));
    bad |= set_str(reader, "sheet", ro->sheet);
    bad |= set_uint(reader, "max_field", ro->max_field);
    bad |= set_uint(reader, "max_row", ro->max_row);
    bad |= set_uint(reader, "max_columns", ro->max_columns);
    bad |= set_uint(reader, "max_inflated", ro->max_inflated);
    for (size_t i = 0; i < o->nmap; i++)
        bad |= json_array_append_new(map, json_pack("[ss]", o->map[i].field, o->map[i].column));
    for (size_t i = 0; i < o->nmatch && i < 3; i++)
        bad |= json_array_append_new(match, json_string(li_field_key(o->match[i])));
    for (size_t i = 0; i < o->nassignees; i++)
        bad |= json_array_append_new(assignees, json_string(o->assignees[i]));
    unsigned dup = (unsigned)o->on_duplicate, assign = (unsigned)o->assign;
    if (dup >= 3 || assign >= 5) {
        bad = 1; /* not a value of the enums: nothing true to write */
        goto out;
    }
    bad |= set_str(root, "file_name", o->file_name);
    bad |= json_object_set(root, "reader", reader);
    bad |= json_object_set(root, "map", map);
    bad |= set_str(root, "mapping_name", o->mapping_name);
    bad |= json_object_set_new(root, "no_remember", json_boolean(o->no_remember));
    bad |= set_str(root, "region", o->region);
    bad |= json_object_set(root, "match", match);
    bad |= json_object_set_new(root, "on_duplicate", json_string(dup_names[dup]));
    bad |= json_object_set_new(root, "overwrite", json_boolean(o->overwrite));
    bad |= json_object_set_new(root, "reassign", json_boolean(o->reassign));
    bad |= json_object_set_new(root, "assign", json_string(assign_names[assign]));
    bad |= json_object_set(root, "assignees", assignees);
    bad |= set_str(root, "assign_column", o->assign_column);
    bad |= json_object_set_new(root, "force", json_boolean(o->force));
    bad |= set_uint(root, "max_size", o->max_size);
    if (o->max_invalid.set)
        mi = json_pack("{sbsf}", "percent", o->max_invalid.percent, "value", o->max_invalid.value);
    bad |= json_object_set_new(root, "max_invalid", o->max_invalid.set ? mi : json_null());
out:
    json_decref(reader);
    json_decref(map);
    json_decref(match);
    json_decref(assignees);
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

li_status li_jobjson_opts_emit(li_buf *b, const li_import_opts *o, li_error *err) {
    json_t *root = opts_object(o);
    char *text = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    li_status st = text ? li_buf_puts(b, text) : LI_ENOMEM;
    free(text);
    json_decref(root);
    return st == LI_OK ? LI_OK : li_error_set(err, st, LI_MSG_NO_MEMORY);
}

char *li__opts_to_json(const li_import_opts *o, const char *source_path,
                       const li_region_guess *region) {
    json_t *root = opts_object(o);
    char *out = NULL;
    int bad = !root;
    if (bad)
        goto out;
    bad |= json_object_set_new(root, "version", json_integer(OPTS_VERSION));
    bad |= set_str(root, "source_path", source_path);
    if (!o->region && region && region->source == LI_REGION_INFERRED) {
        bad |= set_str(root, "region", region->iso);
        bad |= set_str(root, "region_source", li_region_source_key(region->source));
        bad |= set_str(root, "region_reason", region->reason);
    }
    if (!bad)
        out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
out:
    json_decref(root);
    return out;
}

/* --- parse ---------------------------------------------------------------------- */

typedef struct parse_ctx {
    li_import_opts *o;
    li__opts_hold *hold;
    int stored; /* the queue's own form: its keys allowed, old spellings read */
    li_error *err;
} parse_ctx;

/* A refusal of the option key (every such message quotes the key: « %s »). */
#define bad(c, m, key) li_error_set((c)->err, LI_EUSAGE, m, key)

/* A text or null (*out NULL). */
static li_status get_str(parse_ctx *c, json_t *v, const char *key, const char **out) {
    if (json_is_null(v)) {
        *out = NULL;
        return LI_OK;
    }
    if (!json_is_string(v))
        return bad(c, LI_MSG_OPTIONS_NOT_STRING, key);
    *out = json_string_value(v);
    return LI_OK;
}

static li_status get_bool(parse_ctx *c, json_t *v, const char *key, int *out) {
    if (!json_is_boolean(v))
        return bad(c, LI_MSG_OPTIONS_NOT_BOOL, key);
    *out = json_is_true(v);
    return LI_OK;
}

static li_status get_uint(parse_ctx *c, json_t *v, const char *key, uint64_t max, uint64_t *out) {
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        (uint64_t)json_integer_value(v) > max)
        return bad(c, LI_MSG_OPTIONS_NOT_UINT, key);
    *out = (uint64_t)json_integer_value(v);
    return LI_OK;
}

static int index_of(const char *const *names, size_t n, const char *v) {
    for (size_t i = 0; v && i < n; i++)
        if (strcmp(names[i], v) == 0)
            return (int)i;
    return -1;
}

static li_status parse_delimiter(parse_ctx *c, json_t *v, int *out) {
    static const char delims[] = ",;\t|";
    if (json_is_null(v)) {
        *out = 0;
        return LI_OK;
    }
    if (json_is_integer(v)) { /* version 1: the character's code, 0 = detect */
        json_int_t d = json_integer_value(v);
        if (d == 0 || (d > 0 && d < 128 && strchr(delims, (int)d))) {
            *out = (int)d;
            return LI_OK;
        }
        return li_error_set(c->err, LI_EUSAGE, LI_MSG_DELIMITER_INVALID, "?");
    }
    const char *s = json_string_value(v);
    if (!s)
        return bad(c, LI_MSG_OPTIONS_NOT_STRING, "reader.delimiter");
    if (strcmp(s, "tab") == 0 || strcmp(s, "\t") == 0)
        *out = '\t';
    else if (strlen(s) == 1 && strchr(delims, s[0]))
        *out = s[0];
    else
        return li_error_set(c->err, LI_EUSAGE, LI_MSG_DELIMITER_INVALID, s);
    return LI_OK;
}

static li_status parse_header(parse_ctx *c, json_t *v, int *out) {
    if (json_is_null(v))
        *out = -1;
    else if (json_is_boolean(v))
        *out = json_is_true(v);
    else if (json_is_integer(v) && json_integer_value(v) >= -1 && json_integer_value(v) <= 1)
        *out = (int)json_integer_value(v); /* version 1 */
    else
        return bad(c, LI_MSG_OPTIONS_NOT_BOOL, "reader.header");
    return LI_OK;
}

static li_status parse_reader(parse_ctx *c, json_t *reader) {
    li_reader_opts *ro = &c->o->reader;
    const char *key;
    json_t *v;
    li_status st = LI_OK;
    if (!json_is_object(reader))
        return json_is_null(reader) ? LI_OK : bad(c, LI_MSG_OPTIONS_NOT_OBJECT, "reader");
    json_object_foreach(reader, key, v) {
        uint64_t n = 0;
        if (strcmp(key, "format") == 0)
            st = get_str(c, v, "reader.format", &ro->format);
        else if (strcmp(key, "encoding") == 0)
            st = get_str(c, v, "reader.encoding", &ro->encoding);
        else if (strcmp(key, "sheet") == 0)
            st = get_str(c, v, "reader.sheet", &ro->sheet);
        else if (strcmp(key, "delimiter") == 0)
            st = parse_delimiter(c, v, &ro->delimiter);
        else if (strcmp(key, "header") == 0)
            st = parse_header(c, v, &ro->header);
        else if (strcmp(key, "max_field") == 0) {
            st = get_uint(c, v, "reader.max_field", SIZE_MAX, &n);
            ro->max_field = (size_t)n;
        } else if (strcmp(key, "max_row") == 0) {
            st = get_uint(c, v, "reader.max_row", SIZE_MAX, &n);
            ro->max_row = (size_t)n;
        } else if (strcmp(key, "max_columns") == 0) {
            st = get_uint(c, v, "reader.max_columns", SIZE_MAX, &n);
            ro->max_columns = (size_t)n;
        } else if (strcmp(key, "max_inflated") == 0) {
            st = get_uint(c, v, "reader.max_inflated", UINT64_MAX, &ro->max_inflated);
        } else {
            char path[96];
            snprintf(path, sizeof path, "reader.%s", key);
            st = li_error_set(c->err, LI_EUSAGE, LI_MSG_OPTIONS_KEY_UNKNOWN, path,
                              "format, encoding, delimiter, header, sheet, max_field, max_row, "
                              "max_columns, max_inflated");
        }
        if (st != LI_OK)
            return st;
    }
    return LI_OK;
}

/* [["field","column"], ...] (as saved), or {"field": "column", ...}. */
static li_status parse_map(parse_ctx *c, json_t *v) {
    li_import_opts *o = c->o;
    const size_t max = sizeof c->hold->map / sizeof c->hold->map[0];
    size_t n = json_is_array(v) ? json_array_size(v) : json_is_object(v) ? json_object_size(v) : 0;
    if (json_is_null(v))
        return LI_OK;
    if (!json_is_array(v) && !json_is_object(v))
        return bad(c, LI_MSG_OPTIONS_NOT_LIST, "map");
    if (n > max)
        return li_error_set(c->err, LI_EUSAGE, LI_MSG_MAP_TOO_MANY, n, max);
    if (json_is_array(v)) {
        size_t i;
        json_t *pair;
        json_array_foreach(v, i, pair) {
            const char *f = json_string_value(json_array_get(pair, 0));
            const char *col = json_string_value(json_array_get(pair, 1));
            if (!json_is_array(pair) || json_array_size(pair) != 2 || !f || !col)
                return bad(c, LI_MSG_OPTIONS_MAP_PAIR, "map");
            c->hold->map[o->nmap++] = (li_map_override){f, col};
        }
    } else {
        const char *f;
        json_t *col;
        json_object_foreach(v, f, col) {
            if (!json_is_string(col))
                return bad(c, LI_MSG_OPTIONS_MAP_PAIR, "map");
            c->hold->map[o->nmap++] = (li_map_override){f, json_string_value(col)};
        }
    }
    o->map = o->nmap ? c->hold->map : NULL;
    return LI_OK;
}

static li_status parse_match(parse_ctx *c, json_t *v) {
    li_import_opts *o = c->o;
    size_t i;
    json_t *k;
    if (json_is_null(v))
        return LI_OK;
    if (!json_is_array(v))
        return bad(c, LI_MSG_OPTIONS_NOT_LIST, "match");
    json_array_foreach(v, i, k) {
        const char *name = json_string_value(k);
        if (!name)
            return bad(c, LI_MSG_OPTIONS_NOT_STRING, "match");
        li_field f = LI_FIELD_NONE;
        if (strcmp(name, "email") == 0)
            f = LI_FIELD_EMAIL;
        else if (strcmp(name, "phone") == 0)
            f = LI_FIELD_PHONE;
        else if (strcmp(name, "external_id") == 0)
            f = LI_FIELD_EXTERNAL_ID;
        else
            return li_error_set(c->err, LI_EUSAGE, LI_MSG_OPTIONS_MATCH_UNKNOWN, name);
        for (size_t j = 0; j < o->nmatch; j++)
            if (o->match[j] == f)
                return li_error_set(c->err, LI_EUSAGE, LI_MSG_OPTIONS_MATCH_REPEATED, name);
        o->match[o->nmatch++] = f; /* three names, none twice: never more than 3 */
    }
    return LI_OK;
}

static li_status parse_assignees(parse_ctx *c, json_t *v) {
    li_import_opts *o = c->o;
    size_t i;
    json_t *u;
    if (json_is_null(v))
        return LI_OK;
    if (!json_is_array(v))
        return bad(c, LI_MSG_OPTIONS_NOT_LIST, "assignees");
    /* Counted with those already read: "assign": {"users"} and "assignees" both add. */
    if (o->nassignees + json_array_size(v) > LI_IMPORT_MAX_ASSIGNEES)
        return li_error_set(c->err, LI_EUSAGE, LI_MSG_OPTIONS_TOO_MANY_ASSIGNEES,
                            o->nassignees + json_array_size(v), (size_t)LI_IMPORT_MAX_ASSIGNEES);
    json_array_foreach(v, i, u) {
        if (!json_string_value(u) || !*json_string_value(u))
            return bad(c, LI_MSG_OPTIONS_NOT_STRING, "assignees");
        o->assignees[o->nassignees++] = json_string_value(u);
    }
    return LI_OK;
}

/* {"percent": bool, "value": number} (as saved), or a count of rows. */
static li_status parse_max_invalid(parse_ctx *c, json_t *v) {
    li_reject_limit *l = &c->o->max_invalid;
    if (json_is_null(v))
        return LI_OK;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *l = (li_reject_limit){.set = 1, .percent = 0, .value = (double)json_integer_value(v)};
        return LI_OK;
    }
    json_t *p = json_object_get(v, "percent"), *val = json_object_get(v, "value");
    if (!json_is_object(v) || json_object_size(v) != 2 || !json_is_boolean(p) ||
        !json_is_number(val))
        return bad(c, LI_MSG_OPTIONS_MAX_INVALID, "max_invalid");
    double d = json_number_value(val);
    int percent = json_is_true(p);
    /* A count is whole; a share is at most 100 %. */
    if (!(d >= 0) || (percent ? d > 100 : d != (double)(uint64_t)d))
        return bad(c, LI_MSG_OPTIONS_MAX_INVALID, "max_invalid");
    *l = (li_reject_limit){.set = 1, .percent = percent, .value = d};
    return LI_OK;
}

li_status li_import_opts_check(const li_import_opts *o, li_error *err) {
    if ((unsigned)o->on_duplicate >= 3)
        return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_STRATEGY_UNKNOWN, "?");
    if ((unsigned)o->assign >= 5)
        return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_ASSIGN_UNKNOWN, "?");
    if (o->nmap > LI_MAP_MAX_OVERRIDES)
        return li_error_set(err, LI_EUSAGE, LI_MSG_MAP_TOO_MANY, o->nmap,
                            (size_t)LI_MAP_MAX_OVERRIDES);
    if (o->nassignees > LI_IMPORT_MAX_ASSIGNEES)
        return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_TOO_MANY_ASSIGNEES, o->nassignees,
                            (size_t)LI_IMPORT_MAX_ASSIGNEES);
    if (o->nmatch > 3)
        return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_MATCH_REPEATED, "…"); /* 3 keys exist */
    for (size_t i = 0; i < o->nmatch; i++) {
        li_field f = o->match[i];
        if (f != LI_FIELD_EMAIL && f != LI_FIELD_PHONE && f != LI_FIELD_EXTERNAL_ID)
            return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_MATCH_UNKNOWN, li_field_key(f));
        for (size_t j = 0; j < i; j++)
            if (o->match[j] == f)
                return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_MATCH_REPEATED, li_field_key(f));
    }
    const li_reject_limit *l = &o->max_invalid;
    if (l->set && (!(l->value >= 0) || (l->percent ? l->value > 100 : l->value != (double)(uint64_t)l->value)))
        return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_MAX_INVALID, "max_invalid");
    switch (o->assign) {
    case LI_ASSIGN_SINGLE:
        if (o->nassignees != 1)
            return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_ASSIGN_SINGLE, o->nassignees);
        break;
    case LI_ASSIGN_ROUND_ROBIN:
        if (o->nassignees == 0)
            return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_ASSIGNEES_MISSING);
        break;
    case LI_ASSIGN_COLUMN:
        if (!o->assign_column || !*o->assign_column)
            return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_ASSIGN_COLUMN_MISSING);
        break;
    default:
        break;
    }
    return LI_OK;
}

/*
 * "assign": {"mode": "none"|"single"|"round_robin"|"column", "users": [...],
 * "column": "..."}: the form of the HTTP API (a web page sends the choice
 * as one object), the same as "assign" + "assignees" + "assign_column".
 */
static li_status parse_assign_object(parse_ctx *c, json_t *v) {
    li_import_opts *o = c->o;
    const char *key;
    json_t *x;
    li_status st = LI_OK;
    json_t *mode = json_object_get(v, "mode");
    if (!json_is_string(mode))
        return bad(c, LI_MSG_OPTIONS_NOT_STRING, "assign.mode");
    int i = index_of(assign_names, 5, json_string_value(mode));
    if (i < 0)
        return li_error_set(c->err, LI_EUSAGE, LI_MSG_OPTIONS_ASSIGN_UNKNOWN,
                            json_string_value(mode));
    o->assign = (li_assign_mode)i;
    json_object_foreach(v, key, x) {
        if (strcmp(key, "mode") == 0)
            continue;
        if (strcmp(key, "users") == 0)
            st = parse_assignees(c, x);
        else if (strcmp(key, "column") == 0)
            st = get_str(c, x, "assign.column", &o->assign_column);
        else {
            char path[96];
            snprintf(path, sizeof path, "assign.%s", key);
            st = li_error_set(c->err, LI_EUSAGE, LI_MSG_OPTIONS_KEY_UNKNOWN, path,
                              "mode, users, column");
        }
        if (st != LI_OK)
            return st;
    }
    return LI_OK;
}

static const char public_keys[] =
    "file_name, reader, map, mapping_name, no_remember, region, match, on_duplicate, overwrite, "
    "reassign, assign, assignees, assign_column, force, max_size, max_invalid";

static li_status parse_key(parse_ctx *c, const char *key, json_t *v) {
    li_import_opts *o = c->o;
    if (strcmp(key, "file_name") == 0)
        return get_str(c, v, key, &o->file_name);
    if (strcmp(key, "reader") == 0)
        return parse_reader(c, v);
    if (strcmp(key, "map") == 0)
        return parse_map(c, v);
    if (strcmp(key, "mapping_name") == 0)
        return get_str(c, v, key, &o->mapping_name);
    if (strcmp(key, "no_remember") == 0)
        return get_bool(c, v, key, &o->no_remember);
    if (strcmp(key, "region") == 0)
        return get_str(c, v, key, &o->region);
    if (strcmp(key, "match") == 0)
        return parse_match(c, v);
    if (strcmp(key, "on_duplicate") == 0) {
        int i = index_of(dup_names, 3, json_string_value(v));
        if (!json_is_string(v))
            return bad(c, LI_MSG_OPTIONS_NOT_STRING, key);
        if (i < 0)
            return li_error_set(c->err, LI_EUSAGE, LI_MSG_OPTIONS_STRATEGY_UNKNOWN,
                                json_string_value(v));
        o->on_duplicate = (li_dup_strategy)i;
        return LI_OK;
    }
    if (strcmp(key, "overwrite") == 0)
        return get_bool(c, v, key, &o->overwrite);
    if (strcmp(key, "reassign") == 0)
        return get_bool(c, v, key, &o->reassign);
    if (strcmp(key, "assign") == 0) {
        if (json_is_object(v))
            return parse_assign_object(c, v);
        const char *name = json_string_value(v);
        if (!name)
            return bad(c, LI_MSG_OPTIONS_NOT_STRING, key);
        int i = index_of(assign_names, 5, c->stored && strcmp(name, "round-robin") == 0
                                              ? "round_robin" /* version 1 */
                                              : name);
        if (i < 0)
            return li_error_set(c->err, LI_EUSAGE, LI_MSG_OPTIONS_ASSIGN_UNKNOWN, name);
        o->assign = (li_assign_mode)i;
        return LI_OK;
    }
    if (strcmp(key, "assignees") == 0)
        return parse_assignees(c, v);
    if (strcmp(key, "assign_column") == 0)
        return get_str(c, v, key, &o->assign_column);
    if (strcmp(key, "force") == 0)
        return get_bool(c, v, key, &o->force);
    if (strcmp(key, "max_size") == 0)
        return get_uint(c, v, key, UINT64_MAX, &o->max_size);
    if (strcmp(key, "max_invalid") == 0)
        return parse_max_invalid(c, v);
    if (c->stored && strcmp(key, "source_path") == 0)
        return get_str(c, v, key, &c->hold->source_path);
    if (c->stored && (strcmp(key, "version") == 0 || strcmp(key, "region_source") == 0 ||
                      strcmp(key, "region_reason") == 0))
        return LI_OK; /* written for people reading the database */
    return li_error_set(c->err, LI_EUSAGE, LI_MSG_OPTIONS_KEY_UNKNOWN, key, public_keys);
}

static li_status parse(const char *text, size_t len, li_import_opts *o, li__opts_hold *hold,
                       int stored, li_error *err) {
    parse_ctx c = {o, hold, stored, err};
    json_error_t jerr;
    memset(hold, 0, sizeof *hold);
    li_import_opts_init(o);
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    hold->root = root;
    if (!root) {
        if (json_error_code(&jerr) == json_error_invalid_utf8)
            return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_NOT_UTF8);
        if (json_error_code(&jerr) == json_error_out_of_memory)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_JSON_INVALID, jerr.line, jerr.column);
    }
    if (!json_is_object(root))
        return li_error_set(err, LI_EUSAGE, LI_MSG_OPTIONS_ROOT_NOT_OBJECT);
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        li_status st = parse_key(&c, key, v);
        if (st != LI_OK)
            return st;
    }
    return li_import_opts_check(o, err);
}

li_status li_jobjson_opts_parse(const char *text, size_t len, li_import_opts *o,
                                li_jobjson_opts **hold, li_error *err) {
    *hold = calloc(1, sizeof **hold);
    if (!*hold) {
        li_import_opts_init(o);
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    li_status st = parse(text ? text : "", text ? len : 0, o, &(*hold)->h, 0, err);
    if (st != LI_OK) {
        li_jobjson_opts_free(*hold);
        *hold = NULL;
        li_import_opts_init(o); /* no pointer into the freed text */
    }
    return st;
}

void li_jobjson_opts_free(li_jobjson_opts *hold) {
    if (hold) {
        li__opts_hold_free(&hold->h);
        free(hold);
    }
}

li_status li__opts_from_json(const char *text, li_import_opts *o, li__opts_hold *hold) {
    li_status st = parse(text ? text : "", text ? strlen(text) : 0, o, hold, 1, NULL);
    return st == LI_OK ? LI_OK : LI_EFORMAT;
}

void li__opts_hold_free(li__opts_hold *hold) {
    if (hold) {
        json_decref(hold->root);
        hold->root = NULL;
    }
}
