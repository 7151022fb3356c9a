/*
 * store_key_test.h — li_store_leads_with_keys() on an open store, shared by
 * test_store.c (SQLite) and test_blob_pg.c (PostgreSQL, on the test
 * cluster): the same promise on both backends.
 *
 * Promises: every lead with one of the values comes back (the order is the
 * backend's: sorted here by id), with its e-mail, phone and external id; a
 * lead still queued in the transaction too; no other lead, nor for an
 * empty value; a value with quotes and backslashes is a value like any
 * other (PostgreSQL receives the batch as an array literal).
 */
#ifndef LEADIMPORT_STORE_KEY_TEST_H
#define LEADIMPORT_STORE_KEY_TEST_H

#include <string.h>

#include "leadimport/store.h"

typedef struct key_hits {
    int64_t id[8];
    char email[8][32], phone[8][32];
    size_t n;
} key_hits;

static li_status key_hit(int64_t id, const li_slice value[LI_FIELD__COUNT], void *ctx) {
    key_hits *h = ctx;
    assert_true(h->n < 8);
    h->id[h->n] = id;
    snprintf(h->email[h->n], sizeof h->email[0], "%.*s", (int)value[LI_FIELD_EMAIL].len,
             value[LI_FIELD_EMAIL].ptr ? value[LI_FIELD_EMAIL].ptr : "");
    snprintf(h->phone[h->n], sizeof h->phone[0], "%.*s", (int)value[LI_FIELD_PHONE].len,
             value[LI_FIELD_PHONE].ptr ? value[LI_FIELD_PHONE].ptr : "");
    h->n++;
    return LI_OK;
}

/* The leads of the values given (NULL-terminated), by id. */
static key_hits with_keys(li_store *s, li_field field, const char *const *values) {
    key_hits h = {0};
    li_slice v[8];
    size_t n = 0;
    li_error err;
    while (values[n]) {
        v[n] = li_slice_of(values[n]);
        n++;
    }
    assert_int_equal(li_store_leads_with_keys(s, field, v, n, key_hit, &h, &err), LI_OK);
    for (size_t i = 1; i < h.n; i++) /* by id: the backend gives them in its order */
        for (size_t j = i; j > 0 && h.id[j - 1] > h.id[j]; j--) {
            key_hits t = h;
            h.id[j] = t.id[j - 1];
            h.id[j - 1] = t.id[j];
            memcpy(h.email[j], t.email[j - 1], sizeof h.email[0]);
            memcpy(h.email[j - 1], t.email[j], sizeof h.email[0]);
            memcpy(h.phone[j], t.phone[j - 1], sizeof h.phone[0]);
            memcpy(h.phone[j - 1], t.phone[j], sizeof h.phone[0]);
        }
    return h;
}

/* The oldest lead whose field is value, 0 if none. */
static int64_t first_with_key(li_store *s, li_field field, const char *value) {
    const char *values[] = {value, NULL};
    key_hits h = with_keys(s, field, values);
    return h.n ? h.id[0] : 0;
}

static int64_t key_test_lead(li_store *s, const char *email, const char *phone) {
    li_slice v[LI_FIELD__COUNT];
    li_error err;
    static char now[32]; /* a queued lead points into it until it is written */
    int64_t id = 0;
    memset(v, 0, sizeof v);
    v[LI_FIELD_LAST_NAME] = li_slice_of("Durand");
    if (email)
        v[LI_FIELD_EMAIL] = li_slice_of(email);
    if (phone)
        v[LI_FIELD_PHONE] = li_slice_of(phone);
    li_store_now(now);
    assert_int_equal(li_store_lead_insert(s, v, li_slice_of("{}"), NULL, 1, 1, now, &id, &err),
                     LI_OK);
    return id;
}

static void store_leads_with_key_gives_every_lead_of_a_value(li_store *s) {
    li_error err;
    assert_int_equal(li_store_begin(s, &err), LI_OK);
    int64_t a = key_test_lead(s, "a@exemple.fr", "+33612345678");
    int64_t b = key_test_lead(s, "b@exemple.fr", "+33612345678"); /* a shared switchboard */
    int64_t c = key_test_lead(s, "c@exemple.fr", NULL);
    assert_int_equal(li_store_commit(s, &err), LI_OK);
    assert_int_equal(li_store_begin(s, &err), LI_OK);
    int64_t d = key_test_lead(s, "a@exemple.fr", NULL); /* queued, not committed */
    key_hits h = with_keys(s, LI_FIELD_EMAIL, (const char *[]){"a@exemple.fr", NULL});
    assert_int_equal(h.n, 2);
    assert_int_equal(h.id[0], a);
    assert_string_equal(h.phone[0], "+33612345678");
    assert_int_equal(h.id[1], d);
    assert_string_equal(h.phone[1], "");
    assert_int_equal(li_store_commit(s, &err), LI_OK);
    h = with_keys(s, LI_FIELD_PHONE, (const char *[]){"+33612345678", NULL});
    assert_int_equal(h.n, 2);
    assert_int_equal(h.id[0], a);
    assert_string_equal(h.email[0], "a@exemple.fr");
    assert_int_equal(h.id[1], b);
    assert_string_equal(h.email[1], "b@exemple.fr");
    h = with_keys(s, LI_FIELD_PHONE, (const char *[]){"+33612345679", NULL});
    assert_int_equal(h.n, 0);
    h = with_keys(s, LI_FIELD_EXTERNAL_ID, (const char *[]){"", NULL});
    assert_int_equal(h.n, 0);
    h = with_keys(s, LI_FIELD_EMAIL, (const char *[]){"", "", NULL});
    assert_int_equal(h.n, 0);
    assert_int_equal(first_with_key(s, LI_FIELD_EMAIL, "b@exemple.fr"), b);

    /* A batch of values: each lead of any of them; the absent and empty ones add none. */
    h = with_keys(s, LI_FIELD_EMAIL,
                  (const char *[]){"c@exemple.fr", "absent@exemple.fr", "", "a@exemple.fr", NULL});
    assert_int_equal(h.n, 3);
    assert_int_equal(h.id[0], a);
    assert_int_equal(h.id[1], c);
    assert_int_equal(h.id[2], d);

    /* External ids hold anything: quotes, backslashes, commas, braces. */
    static const char odd[] = "EXT\"1\\2,{3}";
    li_slice v[LI_FIELD__COUNT];
    static char now[32];
    int64_t e = 0;
    memset(v, 0, sizeof v);
    v[LI_FIELD_LAST_NAME] = li_slice_of("Durand");
    v[LI_FIELD_EXTERNAL_ID] = li_slice_of(odd);
    li_store_now(now);
    assert_int_equal(li_store_begin(s, &err), LI_OK);
    assert_int_equal(li_store_lead_insert(s, v, li_slice_of("{}"), NULL, 1, 1, now, &e, &err),
                     LI_OK);
    assert_int_equal(li_store_commit(s, &err), LI_OK);
    h = with_keys(s, LI_FIELD_EXTERNAL_ID, (const char *[]){"EXT", odd, "EXT\"1", NULL});
    assert_int_equal(h.n, 1);
    assert_int_equal(h.id[0], e);
}

#endif
