/*
 * test_util.c — buffers with limits, CSV and JSON encoders, the message
 * catalogue, key sets and the staged-row encoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "jobs/jobsInt.h"
#include "leadimport/buf.h"
#include "leadimport/msg.h"
#include "leadimport/text.h"

static void buf_refuses_to_grow_past_its_limit(void **state) {
    (void)state;
    li_buf b;
    li_buf_init(&b, 10);
    assert_int_equal(li_buf_append(&b, "0123456789", 10), LI_OK);
    assert_int_equal(li_buf_putc(&b, 'x'), LI_ELIMIT);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    li_buf_free(&b);
}

static void csv_field_quotes_only_when_needed(void **state) {
    (void)state;
    li_buf b;
    li_buf_init(&b, 0);
    li_buf_csv_field(&b, "simple", 6, ';', 0);
    li_buf_putc(&b, '|');
    li_buf_csv_field(&b, "a;b", 3, ';', 0);
    li_buf_putc(&b, '|');
    li_buf_csv_field(&b, "il a dit \"oui\"", 14, ';', 0);
    li_buf_putc(&b, '|');
    li_buf_csv_field(&b, "deux\nlignes", 11, ';', 0);
    assert_string_equal(b.data, "simple|\"a;b\"|\"il a dit \"\"oui\"\"\"|\"deux\nlignes\"");
    li_buf_free(&b);
}

static void csv_field_neutralises_formulas(void **state) {
    (void)state;
    const char *risky[] = {"=1+1", "+33 6", "-2", "@SUM(A1)", "=HYPERLINK(\"x\")"};
    const char *want[] = {"'=1+1", "'+33 6", "'-2", "'@SUM(A1)", "\"'=HYPERLINK(\"\"x\"\")\""};
    for (size_t i = 0; i < 5; i++) {
        li_buf b;
        li_buf_init(&b, 0);
        li_buf_csv_field(&b, risky[i], strlen(risky[i]), ';', 1);
        assert_string_equal(b.data, want[i]);
        li_buf_free(&b);
    }
}

static void json_string_escapes_quotes_and_controls(void **state) {
    (void)state;
    li_buf b;
    li_buf_init(&b, 0);
    li_buf_json_str(&b, "a\"b\\c\n\x01é", 9);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001é\"");
    li_buf_free(&b);
}

/* What a terminal would obey is shown, never sent; UTF-8 text is kept. */
static void terminal_text_shows_controls_and_keeps_utf8(void **state) {
    (void)state;
    const struct {
        const char *in, *out;
    } cases[] = {
        {"Société Générale", "Société Générale"},
        {"Zoë 北京 😀", "Zoë 北京 😀"},
        {"evil\x1b[2J.csv", "evil\\x1b[2J.csv"},
        {"\x1b]0;titre\x07", "\\x1b]0;titre\\x07"},
        {"a\nb\rc\td", "a\\x0ab\\x0dc\\x09d"},
        {"del\x7f", "del\\x7f"},
        {"csi\xc2\x9b"
         "2J",
         "csi\\u009b2J"},                           /* C1 CSI, as UTF-8 */
        {"bidi\xe2\x80\xaetxt", "bidi\\u202etxt"},  /* RIGHT-TO-LEFT OVERRIDE */
        {"latin1 \xe9t\xe9", "latin1 \\xe9t\\xe9"}, /* not UTF-8 */
        {"cut \xc3", "cut \\xc3"},
    };
    char out[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = li_text_for_terminal(cases[i].in, strlen(cases[i].in), out, sizeof out);
        assert_string_equal(out, cases[i].out);
        assert_int_equal(n, strlen(cases[i].out));
        assert_int_equal(li_text_needs_escape(cases[i].in, strlen(cases[i].in)),
                         strcmp(cases[i].in, cases[i].out) != 0);
    }
    /* Too long: cut on a whole character or escape, then "…", within cap. */
    const char *in = "ab\x1b\x1b\x1b\x1b";
    size_t n = li_text_for_terminal(in, strlen(in), out, 12);
    assert_true(n < 12);
    assert_string_equal(out, "ab\\x1b\xE2\x80\xA6");
    n = li_text_for_terminal("ééééé", 10, out, 8);
    assert_string_equal(out, "éé\xE2\x80\xA6");
}

static void every_message_has_a_code_and_french_text(void **state) {
    (void)state;
    for (int m = 1; m < LI_MSG__COUNT; m++) {
        assert_true(strlen(li_msg_code((li_msg)m)) > 0);
        assert_true(strlen(li_msg_text((li_msg)m)) > 0);
        assert_int_equal(li_msg_by_code(li_msg_code((li_msg)m)), m);
    }
    char out[128];
    li_msg_format(out, sizeof out, LI_MSG_EMAIL_INVALID, "jean@");
    assert_string_equal(out, "Adresse e-mail invalide : « jean@ »");
}

static void message_truncation_keeps_utf8_whole(void **state) {
    (void)state;
    char out[33];
    li_msg_format(out, sizeof out, LI_MSG_EMAIL_INVALID, "ééééééééééééééééééé");
    /* must not end with a partial sequence */
    size_t n = strlen(out);
    assert_true(n < sizeof out);
    unsigned char last = (unsigned char)out[n - 1];
    assert_true(last < 0x80 || (last & 0xC0) == 0x80);
    if (last >= 0x80)
        assert_true(((unsigned char)out[n - 2] & 0xE0) == 0xC0);
}

static void keyset_gives_back_the_lead_of_every_key(void **state) {
    (void)state;
    li__keyset ks;
    assert_int_equal(li__keyset_init(&ks, 100000, 100000), LI_OK);
    char key[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(key, sizeof key, "user%d@exemple.fr", i);
        assert_int_equal(li__keyset_put(&ks, li__key_hash(LI_FIELD_EMAIL, (li_slice){key, (size_t)n}),
                                        i + 1),
                         LI_OK);
    }
    assert_int_equal(ks.count, 100000);
    size_t candidates_for_absent = 0;
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(key, sizeof key, "user%d@exemple.fr", i);
        uint64_t h = li__key_hash(LI_FIELD_EMAIL, (li_slice){key, (size_t)n});
        size_t pos = li__keyset_start(&ks, h);
        int64_t id, found = 0;
        while ((id = li__keyset_next(&ks, h, &pos)) != 0)
            found |= id == i + 1;
        assert_true(found);
        /* same text as another field: another key, almost never a candidate */
        h = li__key_hash(LI_FIELD_PHONE, (li_slice){key, (size_t)n});
        pos = li__keyset_start(&ks, h);
        while (li__keyset_next(&ks, h, &pos) != 0)
            candidates_for_absent++;
    }
    /* 15-bit fingerprints (ids take 17): a false candidate is rare (and is confirmed away) */
    assert_true(candidates_for_absent < 50);
    li__keyset_free(&ks);
}

static void keyset_costs_12_bytes_per_lead_and_widens_for_big_ids(void **state) {
    (void)state;
    li__keyset ks;
    /* a million leads of two keys each: 32-bit slots at a load of 2/3 */
    assert_int_equal(li__keyset_init(&ks, 2000000, 1000000), LI_OK);
    assert_false(ks.wide);
    assert_true(li__keyset_bytes(&ks) <= 12u * 1000000u + 1024u);
    /* an id past the layout's width is refused (the committer rebuilds wider) */
    assert_int_equal(li__keyset_put(&ks, 42, (int64_t)1 << 21), LI_ELIMIT);
    li__keyset_free(&ks);
    /* ids past 2^24: 64-bit slots, every id given back */
    assert_int_equal(li__keyset_init(&ks, 1000, (uint64_t)1 << 30), LI_OK);
    assert_true(ks.wide);
    for (int64_t i = 0; i < 1000; i++)
        assert_int_equal(li__keyset_put(&ks, li__key_hash(LI_FIELD_EMAIL,
                                                          (li_slice){(char *)&i, sizeof i}),
                                        ((int64_t)1 << 29) + i),
                         LI_OK);
    for (int64_t i = 0; i < 1000; i++) {
        uint64_t h = li__key_hash(LI_FIELD_EMAIL, (li_slice){(char *)&i, sizeof i});
        size_t pos = li__keyset_start(&ks, h);
        int64_t id, found = 0;
        while ((id = li__keyset_next(&ks, h, &pos)) != 0)
            found |= id == ((int64_t)1 << 29) + i;
        assert_true(found);
    }
    li__keyset_free(&ks);
}

/* The slots of a set, copied: what a rewind must give back bit for bit. */
static void *slots_copy(const li__keyset *ks) {
    void *copy = malloc(li__keyset_bytes(ks));
    assert_non_null(copy);
    memcpy(copy, ks->slot, li__keyset_bytes(ks));
    return copy;
}

static void keyset_rewinds_exactly_to_where_its_log_began(void **state) {
    (void)state;
    for (int wide = 0; wide < 2; wide++) {
        li__keyset ks;
        /* a small set filled to near its limit: long probe chains that wrap
           around the end */
        assert_int_equal(li__keyset_init(&ks, 3000, wide ? (uint64_t)1 << 30 : 100000), LI_OK);
        int64_t base = wide ? (int64_t)1 << 29 : 0;
        for (int64_t i = 1; i <= 1500; i++)
            assert_int_equal(li__keyset_put(&ks, (uint64_t)(i * 7919) << 32 | (uint64_t)(i % 97), base + i),
                             LI_OK);
        size_t count = ks.count;
        void *before = slots_copy(&ks);
        for (int round = 0; round < 3; round++) {
            li__keyset_log(&ks);
            /* new keys, keys already there for other leads, and an exact repeat */
            for (int64_t i = 1; i <= 1400; i++) {
                uint64_t h = i % 3 == 0 ? (uint64_t)(i * 7919) << 32 | (uint64_t)(i % 97)
                                        : ((uint64_t)(i * 104729 + round) << 32) | (uint64_t)(i % 89);
                assert_int_equal(li__keyset_put(&ks, h, base + 2000 + i), LI_OK);
                assert_int_equal(li__keyset_put(&ks, h, base + 2000 + i), LI_OK);
            }
            assert_true(ks.count > count);
            assert_int_equal(li__keyset_rewind(&ks), 1);
            assert_int_equal(ks.count, count);
            assert_memory_equal(ks.slot, before, li__keyset_bytes(&ks));
        }
        /* a rewind without a log gives nothing back */
        assert_int_equal(li__keyset_rewind(&ks), 0);
        free(before);
        li__keyset_free(&ks);
    }
}

static void keyset_homes_spread_over_big_sets(void **state) {
    (void)state;
    /* A set of 50 million slots (no memory needed to place keys): homes
     * spread evenly. A position computed past 64 bits wrapped around and
     * piled the keys onto the first slots (minutes of probing at 5M leads). */
    li__keyset ks = {.cap = (size_t)3 << 24};
    size_t low = 0, n = 200000;
    for (size_t i = 0; i < n; i++) {
        uint64_t h = li__key_hash(LI_FIELD_EMAIL, (li_slice){(char *)&i, sizeof i});
        size_t home = li__keyset_start(&ks, h);
        assert_true(home < ks.cap);
        low += home < ks.cap / 8;
    }
    assert_true(low > n / 8 - n / 50 && low < n / 8 + n / 50);
}

static void keyset_refuses_to_fill_past_its_size(void **state) {
    (void)state;
    li__keyset ks;
    assert_int_equal(li__keyset_init(&ks, 10, 1000), LI_OK);
    li_status st = LI_OK;
    int64_t put = 0;
    while (st == LI_OK && put < 1000) {
        st = li__keyset_put(&ks, li__key_hash(LI_FIELD_EMAIL, (li_slice){(char *)&put, sizeof put}),
                            put + 1);
        put++;
    }
    assert_int_equal(st, LI_ELIMIT);
    assert_true(put > 10);
    li__keyset_free(&ks);
}

static void staged_row_encoding_round_trips(void **state) {
    (void)state;
    li_lead lead;
    li__row row;
    memset(&lead, 0, sizeof lead);
    li_slice *v = lead.value, *w = row.value, custom;
    v[LI_FIELD_FIRST_NAME] = li_slice_of("Zoé");
    v[LI_FIELD_NOTES] = li_slice_of("deux\nlignes; \"citées\"");
    v[LI_FIELD_OWNER] = li_slice_of("Sophie Martin");
    lead.custom_json = li_slice_of("{\"Autre\":\"x\"}");
    lead.phone_type = LI_PHONE_FIXED;
    li_buf b;
    li_buf_init(&b, 0);
    assert_int_equal(li__row_encode(&b, &lead), LI_OK);
    assert_true(b.len > 0);
    assert_int_equal(li__row_decode((li_slice){b.data, b.len}, &row), LI_OK);
    custom = row.custom;
    assert_int_equal(row.phone_type, LI_PHONE_FIXED);
    for (int f = 0; f < LI_FIELD__COUNT; f++) {
        assert_int_equal(w[f].len, v[f].len);
        if (v[f].len)
            assert_memory_equal(w[f].ptr, v[f].ptr, v[f].len);
    }
    assert_true(li_slice_eq(custom, "{\"Autre\":\"x\"}"));
    assert_int_equal(li__row_decode(li_slice_of("a\x1f" "b"), &row), LI_EINTERNAL);
    li_buf_free(&b);
}

/* The assignment cell is staged only when there is one: a row without it
 * keeps the encoding older versions staged (resumable across an upgrade). */
static void staged_row_keeps_the_assignment_cell(void **state) {
    (void)state;
    li_lead lead;
    li__row row;
    memset(&lead, 0, sizeof lead);
    lead.value[LI_FIELD_OWNER] = li_slice_of("Sophie Martin");
    lead.custom_json = li_slice_of("{\"Autre\":\"x\"}");
    li_buf b;
    li_buf_init(&b, 0);
    assert_int_equal(li__row_encode(&b, &lead), LI_OK);
    size_t seps = 0;
    for (size_t i = 0; i < b.len; i++)
        seps += b.data[i] == LI__SEP;
    assert_int_equal(seps, 1 + LI_FIELD__COUNT);
    assert_int_equal(li__row_decode((li_slice){b.data, b.len}, &row), LI_OK);
    assert_int_equal(row.assignee.len, 0);
    assert_true(li_slice_eq(row.custom, "{\"Autre\":\"x\"}"));

    li_buf_reset(&b);
    lead.assignee = li_slice_of("anne@exemple.fr");
    assert_int_equal(li__row_encode(&b, &lead), LI_OK);
    assert_int_equal(li__row_decode((li_slice){b.data, b.len}, &row), LI_OK);
    assert_true(li_slice_eq(row.assignee, "anne@exemple.fr"));
    assert_true(li_slice_eq(row.value[LI_FIELD_OWNER], "Sophie Martin"));
    assert_true(li_slice_eq(row.custom, "{\"Autre\":\"x\"}"));
    li_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_refuses_to_grow_past_its_limit),
        cmocka_unit_test(csv_field_quotes_only_when_needed),
        cmocka_unit_test(csv_field_neutralises_formulas),
        cmocka_unit_test(json_string_escapes_quotes_and_controls),
        cmocka_unit_test(terminal_text_shows_controls_and_keeps_utf8),
        cmocka_unit_test(every_message_has_a_code_and_french_text),
        cmocka_unit_test(message_truncation_keeps_utf8_whole),
        cmocka_unit_test(keyset_gives_back_the_lead_of_every_key),
        cmocka_unit_test(keyset_refuses_to_fill_past_its_size),
        cmocka_unit_test(keyset_homes_spread_over_big_sets),
        cmocka_unit_test(keyset_rewinds_exactly_to_where_its_log_began),
        cmocka_unit_test(keyset_costs_12_bytes_per_lead_and_widens_for_big_ids),
        cmocka_unit_test(staged_row_encoding_round_trips),
        cmocka_unit_test(staged_row_keeps_the_assignment_cell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
