/*
 * fuzz_mapping.c — the header mapper and the row validator behind it: a
 * header row and sample rows go through li_mapping_build() (with a saved
 * mapping and --map overrides when the input has them),
 * li_mapping_observe(), li_mapping_observe_dates(), li_mapping_guess(),
 * the region probe, then li_validate_row() on every row: the path of an
 * import between the reader and the store.
 *
 * Input: one option byte, then records separated by FZ_RS (0x1E), fields
 * by FZ_US (0x1F) (so that cells may hold tabs and line breaks):
 *   bit 0: the first record is a saved mapping (JSON, as
 *          li_mapping_to_json() writes it);
 *   bit 1: the next record is --map overrides, fields "field=column";
 *   bit 2: no header: every record after those is a data row;
 *   bits 3-4: the default region: France, "BE", "CH", "GB".
 * Bytes that are not UTF-8 are first read as Windows-1252, as the reader
 * does: everything after the reader sees UTF-8 only.
 * Checked: the mapping's JSON is a JSON object and reads back as a saved
 * mapping; every validated lead has at most LI_LEAD_MAX_ISSUES issues,
 * UTF-8 values within their field's maximum length, and custom fields
 * that are a JSON object.
 */
#include <jansson.h>

#include "fuzz_util.h"
#include "leadimport/mapping.h"
#include "leadimport/region.h"
#include "leadimport/validate.h"
#include "read/encoding.h"

#define FZ_RS "\x1e"
#define FZ_US '\x1f'
#define FZ_MAX_RECORDS 256
#define FZ_MAX_FIELDS 64

typedef struct fz_record {
    li_slice f[FZ_MAX_FIELDS];
    size_t n;
} fz_record;

static void cut_fields(const uint8_t *p, size_t len, fz_record *r) {
    const char *s = (const char *)p;
    size_t start = 0;
    r->n = 0;
    for (size_t i = 0; i <= len && r->n < FZ_MAX_FIELDS; i++) {
        if (i == len || s[i] == FZ_US) {
            r->f[r->n++] = (li_slice){s + start, i - start};
            start = i + 1;
        }
    }
}

static void check_json_object(const char *text, const char *what) {
    FZ_CHECK(text != NULL, "%s: no JSON", what);
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    FZ_CHECK(json_is_object(j), "%s is no JSON object: %s (%s)", what, text, je.text);
    json_decref(j);
}

static void check_lead(const li_lead *lead) {
    FZ_CHECK(lead->nissues <= LI_LEAD_MAX_ISSUES, "%zu issues", lead->nissues);
    for (int f = 0; f < LI_FIELD__COUNT; f++) {
        const li_slice *v = &lead->value[f];
        FZ_CHECK(li__utf8_valid((const unsigned char *)v->ptr, v->len), "%s is not UTF-8",
                 li_field_key((li_field)f));
        /* a refused row keeps what it held, for the report; a lead is within bounds */
        FZ_CHECK(lead->nerrors > 0 || v->len <= li_field_max_len((li_field)f),
                 "%s: %zu bytes, more than %zu", li_field_key((li_field)f), v->len,
                 li_field_max_len((li_field)f));
    }
    char *custom = fz_strndup((const uint8_t *)lead->custom_json.ptr, lead->custom_json.len);
    check_json_object(custom, "custom fields");
    free(custom);
    if (lead->nerrors > 0)
        return;
    /* validate.h: a normalised lead validates unchanged */
    char out[512];
    const li_slice *e = &lead->value[LI_FIELD_EMAIL], *p = &lead->value[LI_FIELD_PHONE];
    if (e->len > 0)
        FZ_CHECK(li_norm_email(e->ptr, e->len, out, sizeof out) == LI_MSG_NONE &&
                     strlen(out) == e->len && memcmp(out, e->ptr, e->len) == 0,
                 "e-mail of a lead \"%.*s\" normalises to \"%s\"", (int)e->len, e->ptr, out);
    if (p->len > 0)
        FZ_CHECK(li_norm_phone(p->ptr, p->len, "ZZ", out, LI_PHONE_CAP) == LI_MSG_NONE &&
                     strlen(out) == p->len && memcmp(out, p->ptr, p->len) == 0,
                 "phone of a lead \"%.*s\" normalises to \"%s\"", (int)p->len, p->ptr, out);
    FZ_CHECK(e->len > 0 || p->len > 0, "a lead without e-mail nor phone");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const regions[] = {NULL, "BE", "CH", "GB"};
    static const uint8_t *piece[FZ_MAX_RECORDS];
    static size_t len[FZ_MAX_RECORDS];
    static fz_record rec[FZ_MAX_RECORDS];
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    char *text = malloc(3 * size);
    if (!text)
        abort();
    size_t tlen = li__utf8_repair(data + 1, size - 1, text);
    size_t n = fz_split((const uint8_t *)text, tlen, FZ_RS, piece, len, FZ_MAX_RECORDS);
    size_t next = 0;
    char *saved = NULL, *json = NULL, *decided = NULL;
    li_map_override ov[8];
    char *ovtext[8] = {0};
    size_t nov = 0;
    li_mapping *m = NULL, *again = NULL;
    li_validator *v = NULL;
    li_region_probe *probe = NULL;
    li_error err;

    if ((mode & 1) && next < n) {
        saved = fz_strndup(piece[next], len[next]);
        next++;
    }
    if ((mode & 2) && next < n) {
        fz_record o;
        cut_fields(piece[next], len[next], &o);
        next++;
        for (size_t i = 0; i < o.n && nov < 8; i++) {
            ovtext[nov] = fz_strndup((const uint8_t *)o.f[i].ptr, o.f[i].len);
            char *eq = strchr(ovtext[nov], '=');
            if (!eq) {
                free(ovtext[nov]);
                ovtext[nov] = NULL;
                continue;
            }
            *eq = '\0';
            ov[nov] = (li_map_override){ovtext[nov], eq + 1};
            nov++;
        }
    }
    size_t nrec = 0;
    for (; next < n; next++)
        cut_fields(piece[next], len[next], &rec[nrec++]);
    if (nrec == 0)
        goto out;
    int header = !(mode & 4);
    li_mapping_spec spec = {
        .header = header ? rec[0].f : NULL,
        .ncols = rec[0].n,
        .ov = ov,
        .nov = nov,
        .saved_json = saved,
        .saved_reason = LI_MAP_TEMPLATE,
        .saved_name = "modèle",
    };
    if (li_mapping_build(&spec, &m, &err) != LI_OK) {
        FZ_CHECK(m == NULL, "a failed build left a mapping");
        goto out;
    }
    size_t first = header ? 1 : 0;
    for (size_t i = first; i < nrec && i - first < LI_MAPPING_SAMPLE_ROWS; i++)
        FZ_CHECK(li_mapping_observe(m, rec[i].f, rec[i].n) == LI_OK, "observe failed");
    for (size_t i = first; i < nrec && li_mapping_dates_pending(m); i++)
        FZ_CHECK(li_mapping_observe_dates(m, rec[i].f, rec[i].n) == LI_OK, "dates failed");
    li_mapping_guess(m);
    FZ_CHECK(m->nwarnings <= sizeof m->warnings / sizeof m->warnings[0], "%zu warnings",
             m->nwarnings);

    json = li_mapping_to_json(m);
    decided = li_mapping_to_json_decided(m);
    check_json_object(json, "li_mapping_to_json");
    check_json_object(decided, "li_mapping_to_json_decided");
    spec.saved_json = json;
    spec.ov = NULL;
    spec.nov = 0;
    FZ_CHECK(li_mapping_build(&spec, &again, &err) == LI_OK, "its own JSON is refused: %s",
             err.message);

    li_region_guess region = {0};
    FZ_CHECK(li_region_probe_new(m, &probe, &err) == LI_OK, "probe: %s", err.message);
    for (size_t i = first; i < nrec; i++)
        li_region_probe_row(probe, rec[i].f, rec[i].n);
    li_region_probe_decide(probe, &region);
    FZ_CHECK(li__utf8_valid((const unsigned char *)region.reason, strlen(region.reason)),
             "region reason is not UTF-8");

    li_validate_opts vo = {regions[(mode >> 3) & 3]};
    if (!vo.region && region.source == LI_REGION_INFERRED)
        vo.region = region.iso;
    FZ_CHECK(li_validator_new(m, &vo, &v, &err) == LI_OK, "validator: %s", err.message);
    for (size_t i = first; i < nrec; i++) {
        li_lead lead;
        FZ_CHECK(li_validate_row(v, rec[i].f, rec[i].n, &lead) == LI_OK, "validate failed");
        check_lead(&lead);
    }
out:
    li_validator_free(v);
    li_region_probe_free(probe);
    li_mapping_free(again);
    li_mapping_free(m);
    free(json);
    free(decided);
    free(saved);
    for (size_t i = 0; i < 8; i++)
        free(ovtext[i]);
    free(text);
    return 0;
}
