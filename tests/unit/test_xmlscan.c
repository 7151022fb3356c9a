/*
 * test_xmlscan.c — the XML scanner of the sheet and the shared strings
 * (src/read/xmlscan.c): what it hands out (names, attributes, text decoded,
 * offsets), what it refuses (each way XML can be malformed that matters to
 * a reader, DTDs, other encodings, its limits), and that the result does
 * not depend on how the bytes arrive: every document is scanned again fed
 * one byte at a time, seven at a time and whole, and must give the same
 * tokens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "read/xmlscan.h"

/* --- a source in memory, read in chunks of a given size ------------------------ */

typedef struct mem_src {
    const char *p;
    size_t n, at, chunk;
} mem_src;

static li_status mem_read(void *src, void *buf, size_t n, size_t *got, li_error *err) {
    (void)err;
    mem_src *m = src;
    size_t k = m->n - m->at;
    if (k > n)
        k = n;
    if (m->chunk && k > m->chunk)
        k = m->chunk;
    memcpy(buf, m->p + m->at, k);
    m->at += k;
    *got = k;
    return LI_OK;
}

/* Appends to out[0..cap) at *o, never past its end. */
static void emit(char *out, size_t cap, size_t *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(out + *o, cap - *o, fmt, ap);
    va_end(ap);
    assert_true(k >= 0 && (size_t)k < cap - *o);
    *o += (size_t)k;
}

/*
 * Scans doc[0..n) fed chunk bytes at a time (0: as much as asked, else
 * read by blocks of 32 + chunk bytes) and
 * writes its tokens as text into out: "<name a=v>", "</name>", "[text]"
 * (consecutive text pieces joined), "@start-end" after tags. Returns the
 * status; err holds the message of a failure.
 */
static li_status scan(const char *doc, size_t n, size_t chunk, char *out, size_t cap,
                      li_error *err) {
    mem_src m = {doc, n, 0, chunk};
    li__xs x;
    size_t o = 0;
    out[0] = '\0';
    li_status rc = li__xs_init(&x, mem_read, &m, "t.xlsx", "xl/sheet.xml", err);
    if (chunk) /* small blocks too: long texts come in pieces */
        li__xs_set_block(&x, 32 + chunk);
    int in_text = 0;
    while (rc == LI_OK && (rc = li__xs_next(&x, err)) == LI_OK && x.kind != LI__XS_EOF) {
        if (x.kind != LI__XS_TEXT && in_text) {
            emit(out, cap, &o, "]");
            in_text = 0;
        }
        switch (x.kind) {
        case LI__XS_START:
            emit(out, cap, &o, "<%.*s", (int)x.name_len, x.name);
            for (size_t i = 0; i < x.nattrs; i++)
                if (!x.attrs[i].xmlns)
                    emit(out, cap, &o, " %.*s=%.*s", (int)x.attrs[i].name_len, x.attrs[i].name,
                         (int)x.attrs[i].value_len, x.attrs[i].value);
            emit(out, cap, &o, ">@%llu-%llu", (unsigned long long)x.start,
                 (unsigned long long)x.end);
            break;
        case LI__XS_END:
            emit(out, cap, &o, "</%.*s>@%llu", (int)x.name_len, x.name,
                 (unsigned long long)x.end);
            break;
        case LI__XS_TEXT:
            if (!in_text)
                emit(out, cap, &o, "[");
            in_text = 1;
            assert_true(x.text_len < cap - o);
            memcpy(out + o, x.text, x.text_len);
            o += x.text_len;
            out[o] = '\0';
            break;
        case LI__XS_EOF:
            break;
        }
        assert_true(o < cap);
    }
    li__xs_free(&x);
    return rc;
}

/* The tokens of doc, the same whichever way it is fed. */
static const char *tokens(const char *doc, size_t n) {
    static char whole[1 << 16], bytes[1 << 16], sevens[1 << 16];
    li_error err;
    assert_int_equal(scan(doc, n, 0, whole, sizeof whole, &err), LI_OK);
    assert_int_equal(scan(doc, n, 1, bytes, sizeof bytes, &err), LI_OK);
    assert_int_equal(scan(doc, n, 7, sevens, sizeof sevens, &err), LI_OK);
    assert_string_equal(bytes, whole);
    assert_string_equal(sevens, whole);
    return whole;
}

/* doc is refused, fed whole or byte by byte, with status st and a message containing want. */
static void refused(const char *doc, li_status st, const char *want) {
    static char out[1 << 16];
    for (size_t chunk = 0; chunk < 2; chunk++) {
        li_error err;
        memset(&err, 0, sizeof err);
        li_status rc = scan(doc, strlen(doc), chunk, out, sizeof out, &err);
        if (rc != st || !strstr(err.message, want))
            fail_msg("%s\n  gave %d « %s », wanted « %s »", doc, rc, err.message, want);
    }
}

#define TOKENS(lit) tokens(lit, sizeof lit - 1)

/* --- what it hands out ------------------------------------------------------------ */

static void test_elements_attributes_and_offsets(void **state) {
    (void)state;
    assert_string_equal(
        TOKENS("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
               "<x:ws xmlns:x=\"u\"><row r='1' spans=\"1:2\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
               "<c r=\"B1\"/></row></x:ws>"),
        "<ws>@56-74<row r=1 spans=1:2>@74-97<c r=A1 t=s>@97-113<v>@113-116[0]</v>@121"
        "</c>@125<c r=B1>@125-136</c>@136</row>@142</ws>@149");
}

static void test_text_entities_and_line_ends(void **state) {
    (void)state;
    assert_string_equal(TOKENS("<t>a&amp;b&lt;&gt;&quot;&apos;&#233;&#xE9;&#x1F600;</t>"),
                        "<t>@0-3[a&b<>\"'éé😀]</t>@55");
    /* CR LF and lone CR are LF in text; a CR written as a reference stays */
    assert_string_equal(TOKENS("<t>a\r\nb\rc&#13;d</t>"), "<t>@0-3[a\nb\nc\rd]</t>@19");
    /* in attribute values tabs and line ends are spaces, entities decoded */
    assert_string_equal(TOKENS("<t a=\"x\ty\r\nz&amp;&#10;\"/>"), "<t a=x y z&\n>@0-25</t>@25");
}

static void test_cdata_comments_and_instructions(void **state) {
    (void)state;
    assert_string_equal(
        TOKENS("<!-- before --><?pi x?><r>a<!-- <c>not</c> --><![CDATA[<b>&amp;]]]]>"
               "<?other ?>z</r><!-- after -->\n"),
        "<r>@23-26[a<b>&amp;]]z]</r>@83");
}

static void test_utf8_bom_and_utf16(void **state) {
    (void)state;
    assert_string_equal(TOKENS("\xEF\xBB\xBF<r>é</r>"), "<r>@3-6[é]</r>@12");
    /* UTF-16 by its byte-order mark or its NULs, little or big endian; offsets in UTF-8 */
    static const char le[] = "\xFF\xFE<\0r\0>\0\xE9\0<\0/\0r\0>\0";
    static const char be[] = "\xFE\xFF\0<\0r\0>\0\xE9\0<\0/\0r\0>";
    static const char nobom[] = "<\0?\0x\0m\0l\0 \0?\0>\0<\0r\0>\0\xE9\0<\0/\0r\0>\0";
    assert_string_equal(tokens(le, sizeof le - 1), "<r>@0-3[é]</r>@9");
    assert_string_equal(tokens(be, sizeof be - 1), "<r>@0-3[é]</r>@9");
    assert_string_equal(tokens(nobom, sizeof nobom - 1), "<r>@8-11[é]</r>@17");
}

static void test_long_text_comes_whole_across_blocks(void **state) {
    (void)state;
    /* 3 MiB of text whose entities, CRs and UTF-8 sequences fall on every block boundary */
    static const char unit[] = "ab&amp;\r\né&#65;x", unit_want[] = "ab&\néAx";
    size_t reps = (3u << 20) / (sizeof unit - 1);
    size_t n = reps * (sizeof unit - 1) + 16;
    char *doc = malloc(n), *want = malloc(reps * (sizeof unit_want - 1));
    assert_non_null(doc);
    assert_non_null(want);
    size_t o = 0, w = 0;
    memcpy(doc + o, "<t>", 3), o += 3;
    for (size_t i = 0; i < reps; i++) {
        memcpy(doc + o, unit, sizeof unit - 1), o += sizeof unit - 1;
        memcpy(want + w, unit_want, sizeof unit_want - 1), w += sizeof unit_want - 1;
    }
    memcpy(doc + o, "</t>", 4), o += 4;
    mem_src m = {doc, o, 0, 0};
    li__xs x;
    li_error err;
    assert_int_equal(li__xs_init(&x, mem_read, &m, "t.xlsx", "p", &err), LI_OK);
    size_t got = 0, pieces = 0;
    while (li__xs_next(&x, &err) == LI_OK && x.kind != LI__XS_EOF) {
        if (x.kind != LI__XS_TEXT)
            continue;
        assert_true(got + x.text_len <= w);
        assert_memory_equal(x.text, want + got, x.text_len);
        got += x.text_len;
        pieces++;
    }
    assert_int_equal(x.kind, LI__XS_EOF);
    assert_int_equal(got, w);
    assert_true(pieces > 1); /* handed out in pieces: memory stays bounded */
    li__xs_free(&x);
    free(doc);
    free(want);
}

/* --- what it refuses -------------------------------------------------------------- */

static void test_malformed_documents_refused(void **state) {
    (void)state;
    refused("<a><b></a>", LI_EFORMAT, "balise fermante qui ne correspond pas");
    refused("<a></a></b>", LI_EFORMAT, "balise fermante sans balise ouvrante");
    refused("<a><b>", LI_EFORMAT, "l'élément « b » n'est pas refermé");
    refused("<a", LI_EFORMAT, "fin du document inattendue");
    refused("", LI_EFORMAT, "aucun élément");
    refused("  <!-- only -->  ", LI_EFORMAT, "aucun élément");
    refused("<a/><b/>", LI_EFORMAT, "données après la fin du document");
    refused("<a/>x", LI_EFORMAT, "données après la fin du document");
    refused("x<a/>", LI_EFORMAT, "texte avant l'élément racine");
    refused("<a b=\"1\" b=\"2\"/>", LI_EFORMAT, "attribut répété");
    refused("<a b=1/>", LI_EFORMAT, "valeur d'attribut sans guillemets");
    refused("<a b=\"1\"c=\"2\"/>", LI_EFORMAT, "balise mal formée");
    refused("<a b=\"<\"/>", LI_EFORMAT, "« < » dans la valeur d'un attribut");
    refused("<a>&nbsp;</a>", LI_EFORMAT, "entité inconnue");
    refused("<a>&amp</a>", LI_EFORMAT, "entité inconnue");
    refused("<a>&#0;</a>", LI_EFORMAT, "référence de caractère invalide");
    refused("<a>&#xD800;</a>", LI_EFORMAT, "référence de caractère invalide");
    refused("<a>&#x110000;</a>", LI_EFORMAT, "référence de caractère invalide");
    refused("<a>\x01</a>", LI_EFORMAT, "caractère de contrôle interdit");
    refused("<a>\xC3\x28</a>", LI_EFORMAT, "pas de l'UTF-8 valide");
    refused("<a>\xE0\x80\xAF</a>", LI_EFORMAT, "pas de l'UTF-8 valide"); /* overlong */
    refused("<a>\xED\xA0\x80</a>", LI_EFORMAT, "pas de l'UTF-8 valide"); /* surrogate */
    refused("<a><![CDATA[x</a>", LI_EFORMAT, "section CDATA non refermée");
    refused("<![CDATA[x]]><a/>", LI_EFORMAT, "section CDATA hors de l'élément racine");
    refused("<a><?xml version=\"1.0\"?></a>", LI_EFORMAT, "déclaration XML mal placée");
    refused("<a><!ELEMENT a ANY></a>", LI_EFORMAT, "déclaration inattendue");
    refused("<a>< b/></a>", LI_EFORMAT, "caractère ou balise invalide");
    /* the message names the part and where in it */
    refused("<a><b></a>", LI_EFORMAT, "dans « xl/sheet.xml », à l'octet 6");
}

static void test_repeated_attributes_found_among_many(void **state) {
    (void)state;
    char doc[2048];
    size_t o = (size_t)snprintf(doc, sizeof doc, "<a");
    for (int i = 0; i < 100; i++)
        o += (size_t)snprintf(doc + o, sizeof doc - o, " a%d=\"%d\"", i, i);
    snprintf(doc + o, sizeof doc - o, "/>");
    static char out[1 << 16];
    li_error err;
    assert_int_equal(scan(doc, strlen(doc), 0, out, sizeof out, &err), LI_OK);
    snprintf(doc + o, sizeof doc - o, " a57=\"again\"/>");
    refused(doc, LI_EFORMAT, "attribut répété");
}

static void test_dtd_and_other_encodings_refused(void **state) {
    (void)state;
    refused("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", LI_EFORMAT,
            "une déclaration DTD");
    refused("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>", LI_EFORMAT,
            "l'encodage « ISO-8859-1 » de « xl/sheet.xml », où UTF-8 ou UTF-16 sont attendus");
    assert_string_equal(TOKENS("<?xml version='1.0' encoding='us-ascii'?><a/>"), "<a>@41-45</a>@45");
}

/* --- limits ------------------------------------------------------------------------ */

static char *repeat(const char *head, const char *unit, size_t times, const char *tail,
                    size_t *len) {
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * times + tl + 1);
    assert_non_null(s);
    memcpy(s, head, hl);
    for (size_t i = 0; i < times; i++)
        memcpy(s + hl + i * ul, unit, ul);
    memcpy(s + hl + ul * times, tail, tl + 1);
    *len = hl + ul * times + tl;
    return s;
}

static void test_limits(void **state) {
    (void)state;
    size_t n;
    static char out[1 << 16];
    li_error err;
    /* a tag just under LI__XS_MAX_MARKUP passes, one over it is refused */
    char *ok = repeat("<a b=\"", "x", LI__XS_MAX_MARKUP - 64, "\"/>", &n);
    char *ok_out = malloc(2 * LI__XS_MAX_MARKUP);
    assert_non_null(ok_out);
    assert_int_equal(scan(ok, n, 0, ok_out, 2 * LI__XS_MAX_MARKUP, &err), LI_OK);
    assert_int_equal(strlen(ok_out), strlen("<a b=>@0-") + 7 + strlen("</a>@") + 7 + LI__XS_MAX_MARKUP - 64);
    free(ok_out);
    free(ok);
    char *big = repeat("<a b=\"", "x", LI__XS_MAX_MARKUP + 1, "\"/>", &n);
    assert_int_equal(scan(big, n, 0, out, sizeof out, &err), LI_EFORMAT);
    assert_non_null(strstr(err.message, "une balise, un commentaire ou une instruction de plus de 1 Mio"));
    free(big);
    char *comment = repeat("<a><!--", "x", LI__XS_MAX_MARKUP + 1, "--></a>", &n);
    assert_int_equal(scan(comment, n, 0, out, sizeof out, &err), LI_EFORMAT);
    free(comment);
    /* LI__XS_MAX_DEPTH levels pass, one more is refused */
    char deep[LI__XS_MAX_DEPTH * 7 + 16];
    size_t o = 0;
    for (unsigned i = 0; i < LI__XS_MAX_DEPTH; i++)
        memcpy(deep + o, "<a>", 3), o += 3;
    for (unsigned i = 0; i < LI__XS_MAX_DEPTH; i++)
        memcpy(deep + o, "</a>", 4), o += 4;
    assert_int_equal(scan(deep, o, 0, out, sizeof out, &err), LI_OK);
    o = 0;
    for (unsigned i = 0; i <= LI__XS_MAX_DEPTH; i++)
        memcpy(deep + o, "<a>", 3), o += 3;
    deep[o] = '\0';
    refused(deep, LI_EFORMAT, "imbriqués sur plus de 256 niveaux");
    /* an element name over 1024 bytes */
    char *name = repeat("<", "n", 1025, "/>", &n);
    refused(name, LI_EFORMAT, "un nom d'élément de plus de 1024 octets");
    free(name);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elements_attributes_and_offsets),
        cmocka_unit_test(test_text_entities_and_line_ends),
        cmocka_unit_test(test_cdata_comments_and_instructions),
        cmocka_unit_test(test_utf8_bom_and_utf16),
        cmocka_unit_test(test_long_text_comes_whole_across_blocks),
        cmocka_unit_test(test_malformed_documents_refused),
        cmocka_unit_test(test_repeated_attributes_found_among_many),
        cmocka_unit_test(test_dtd_and_other_encodings_refused),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests_name("xmlscan", tests, NULL, NULL);
}
