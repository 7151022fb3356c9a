/*
 * xmlscan.c — the pull scanner of xmlscan.h.
 *
 * The bytes are read block by block into one window (buf). A tag, a
 * comment or a processing instruction is scanned only once it is whole in
 * the window: when its end is not there yet, the window is refilled and
 * the scan starts again from its '<' (rare: once per block at most), which
 * is why attribute values are decoded only after the tag's '>' is found.
 * Text is scanned with memchr for the next '<' and decoded in place
 * (entities and line ends only ever shorten it); when no '<' is in a full
 * window, the text is handed out in pieces cut before a possible entity,
 * CR or UTF-8 sequence that the next block completes.
 */
#include "xmlscan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "leadimport/msg.h"

#define XS_BLOCK (256u * 1024u)   /* bytes read per call of the source */
#define XS_MIN_BLOCK 32u          /* what li__xs_set_block accepts: more than a cut piece's tail */
#define XS_SLACK 64u              /* free room past a block (UTF-16 decodes to 3/4 of a block) */
#define XS_MAX_NAME 1024u         /* bytes of an element's qualified name */
#define XS_ENTITY_MAX 12u         /* "&#x10FFFF;" and a little more */
#define XS_SORT_ATTRS 16u         /* above this, repeated attributes are found by sorting */

/* What scanning one construct gave. */
enum step { STEP_TOKEN, STEP_SKIP, STEP_MORE, STEP_FAIL };

/* Byte classes of the decoders: 0 is an ordinary byte, copied as it is. */
enum { C_AMP = 1, C_CR, C_WS, C_CTRL, C_HIGH, C_LT };

#define CTRL_RANGE [0x00 ... 0x08] = C_CTRL, [0x0B ... 0x0C] = C_CTRL, [0x0E ... 0x1F] = C_CTRL
static const unsigned char text_cls[256] = {CTRL_RANGE, ['\r'] = C_CR, ['&'] = C_AMP,
                                            [0x80 ... 0xFF] = C_HIGH};
static const unsigned char attr_cls[256] = {CTRL_RANGE,   ['\r'] = C_CR, ['\t'] = C_WS,
                                            ['\n'] = C_WS, ['&'] = C_AMP, ['<'] = C_LT,
                                            [0x80 ... 0xFF] = C_HIGH};
static const unsigned char cdata_cls[256] = {CTRL_RANGE, ['\r'] = C_CR, [0x80 ... 0xFF] = C_HIGH};

/* Name characters: 1 may start a name, 2 only continue one (bytes >= 0x80 are letters). */
static const unsigned char name_cls[256] = {
    ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1, ['_'] = 1, [':'] = 1, [0x80 ... 0xFF] = 1,
    ['0' ... '9'] = 2, ['-'] = 2,         ['.'] = 2,
};

static int is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* --- messages --------------------------------------------------------------------- */

/* Malformed XML at offset off of the part: xlsx_corrupt, naming the part and the offset. */
static li_status bad_at(li__xs *x, uint64_t off, const char *what, li_error *err) {
    char why[1200], row[80] = "";
    if (x->row_hint)
        snprintf(row, sizeof row, x->in_row ? ", dans la ligne %llu de la feuille"
                                            : ", après la ligne %llu de la feuille",
                 (unsigned long long)x->row_hint);
    snprintf(why, sizeof why, "XML mal formé dans « %.200s »%s, à l'octet %llu : %.600s", x->part,
             row, (unsigned long long)off, what);
    return li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_CORRUPT, x->path, why);
}

/* The same at the byte at of the window. */
static li_status bad(li__xs *x, const char *at, const char *what, li_error *err) {
    return bad_at(x, x->base + (uint64_t)(at - x->buf), what, err);
}

/* A construct whole in the window, but longer than the limit. */
static li_status too_long(li__xs *x, const char *at, li_error *err) {
    return bad(x, at, "une balise, un commentaire ou une instruction de plus de 1 Mio", err);
}

/* --- the window ------------------------------------------------------------------ */

/* Moves the unscanned bytes to the front and reads more after them; eof at the end. */
static li_status fill(li__xs *x, li_error *err) {
    if (x->pos > 0) {
        memmove(x->buf, x->buf + x->pos, x->len - x->pos);
        x->base += x->pos;
        x->len -= x->pos;
        x->pos = 0;
    }
    size_t room = x->block + XS_SLACK;
    if (x->cap - x->len < room) {
        size_t cap = x->len + room > 2 * x->cap ? x->len + room : 2 * x->cap;
        char *b = realloc(x->buf, cap);
        if (!b)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        x->buf = b;
        x->cap = cap;
    }
    size_t got = 0;
    li_status rc;
    if (x->utf16) {
        if ((rc = x->read(x->src, x->rawbuf, x->block / 2, &got, err)) != LI_OK)
            return rc;
        x->raw += got;
        x->len += li__utf16_decode(&x->u16, x->rawbuf, got, got == 0, x->buf + x->len);
    } else {
        if ((rc = x->read(x->src, x->buf + x->len, x->block, &got, err)) != LI_OK)
            return rc;
        x->raw += got;
        x->len += got;
    }
    x->eof = got == 0;
    return LI_OK;
}

/* --- decoding text and attribute values --------------------------------------- */

/* Length of the valid UTF-8 sequence at p[0..n) (lead byte >= 0x80), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n) {
    unsigned c = p[0];
    size_t len;
    unsigned long cp;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0; /* overlong, or past Unicode */
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
        return 0; /* surrogates and the two non-characters XML excludes */
    return len;
}

/*
 * The reference at p[0..n) (p[0] == '&') written as UTF-8 to o (at most as
 * long as the reference, so in place is fine): its length in p, or 0 when
 * it is no predefined entity nor a character reference XML allows (*why).
 */
static size_t entity(const char *p, size_t n, char *o, size_t *olen, const char **why) {
    const char *semi = memchr(p, ';', n < XS_ENTITY_MAX ? n : XS_ENTITY_MAX);
    *why = "référence d'entité inconnue ou non refermée";
    if (!semi)
        return 0;
    size_t len = (size_t)(semi - p) + 1;
    const char *name = p + 1;
    size_t nl = len - 2;
    static const struct {
        const char *name;
        char c;
    } predefined[] = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    if (nl > 0 && name[0] != '#') {
        for (size_t i = 0; i < sizeof predefined / sizeof *predefined; i++)
            if (strlen(predefined[i].name) == nl && memcmp(name, predefined[i].name, nl) == 0) {
                o[0] = predefined[i].c;
                *olen = 1;
                return len;
            }
        return 0; /* no DTD, so no other entity exists */
    }
    *why = "référence de caractère invalide";
    int hex = nl > 1 && name[1] == 'x';
    size_t i = hex ? 2 : 1;
    if (i >= nl)
        return 0;
    unsigned long cp = 0;
    for (; i < nl; i++) {
        char c = name[i];
        int d = c >= '0' && c <= '9'           ? c - '0'
                : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                              : -1;
        if (d < 0)
            return 0;
        cp = cp * (hex ? 16 : 10) + (unsigned long)d;
        if (cp > 0x10FFFF)
            return 0;
    }
    int allowed = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                  (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
    if (!allowed)
        return 0;
    *olen = li__utf8_put(o, (unsigned)cp);
    return len;
}

/*
 * Decodes p[0..n) in place by the byte classes cls (text, attribute value
 * or CDATA): entities, line ends ("\r\n" and "\r" are "\n", or a space in
 * an attribute value, like tabs and "\n"), checked UTF-8 and characters.
 * The new length into *out; 0 on success, else the offending position
 * into *at and the reason into *why.
 */
static int decode(char *p, size_t n, const unsigned char *cls, size_t *out, size_t *at,
                  const char **why) {
    size_t i = 0, o = 0;
    for (;;) {
        size_t s = i;
        while (i < n && !cls[(unsigned char)p[i]])
            i++;
        if (o != s)
            memmove(p + o, p + s, i - s);
        o += i - s;
        if (i == n)
            break;
        size_t len, olen;
        switch (cls[(unsigned char)p[i]]) {
        case C_AMP:
            if ((len = entity(p + i, n - i, p + o, &olen, why)) == 0) {
                *at = i;
                return -1;
            }
            i += len;
            o += olen;
            break;
        case C_CR:
            p[o++] = cls == attr_cls ? ' ' : '\n';
            i++;
            if (i < n && p[i] == '\n')
                i++;
            break;
        case C_WS:
            p[o++] = ' ';
            i++;
            break;
        case C_HIGH:
            if ((len = utf8_seq((const unsigned char *)p + i, n - i)) == 0) {
                *at = i;
                *why = "octets qui ne sont pas de l'UTF-8 valide";
                return -1;
            }
            if (o != i)
                memmove(p + o, p + i, len);
            i += len;
            o += len;
            break;
        case C_LT:
            *at = i;
            *why = "« < » dans la valeur d'un attribut";
            return -1;
        default:
            *at = i;
            *why = "caractère de contrôle interdit en XML";
            return -1;
        }
    }
    *out = o;
    return 0;
}

/*
 * Where a piece of text p[0..n) that continues past the window may be cut:
 * before a reference whose ';' may be in the next block, a CR whose LF
 * may be, a UTF-8 sequence cut, and (CDATA) a "]" that may start "]]>".
 */
static size_t safe_cut(const char *p, size_t n, int cdata) {
    const unsigned char *u = (const unsigned char *)p;
    size_t k = n, j = n;
    while (j > 0 && n - j < 3 && (u[j - 1] & 0xC0) == 0x80)
        j--;
    if (j > 0 && u[j - 1] >= 0xC0) {
        size_t need = u[j - 1] >= 0xF0 ? 4 : u[j - 1] >= 0xE0 ? 3 : 2;
        if (n - (j - 1) < need)
            k = j - 1;
    }
    if (!cdata) /* the first reference that may end past k: decoded whole, as in one piece */
        for (size_t a = k > XS_ENTITY_MAX ? k - XS_ENTITY_MAX : 0; a < k; a++)
            if (p[a] == '&' && !memchr(p + a + 1, ';', k - a - 1)) {
                k = a;
                break;
            }
    if (k > 0 && p[k - 1] == '\r')
        k--;
    for (int i = 0; cdata && i < 2 && k > 0 && p[k - 1] == ']'; i++)
        k--;
    return k;
}

/* --- constructs -------------------------------------------------------------------- */

static void set_text_token(li__xs *x, char *p, size_t n, size_t raw_len) {
    x->kind = LI__XS_TEXT;
    x->text = p;
    x->text_len = n;
    x->start = x->base + (uint64_t)(p - x->buf);
    x->end = x->start + raw_len;
}

/* Character data up to the next '<' (or a piece of it). */
static enum step text(li__xs *x, li_status *rc, li_error *err) {
    char *p = x->buf + x->pos;
    size_t avail = x->len - x->pos, n;
    const char *lt = memchr(p, '<', avail);
    if (lt) {
        n = (size_t)(lt - p);
    } else if (x->eof) {
        n = avail;
    } else if (avail < x->block) {
        return STEP_MORE; /* a bigger piece, or the whole text, once the window is refilled */
    } else {
        n = safe_cut(p, avail, 0);
    }
    if (x->depth == 0) { /* outside the root: blanks only, as written (no reference) */
        for (size_t i = 0; i < n; i++)
            if (!is_ws(p[i])) {
                *rc = bad(x, p + i, x->root_done ? "données après la fin du document"
                                                  : "texte avant l'élément racine",
                          err);
                return STEP_FAIL;
            }
        x->pos += n;
        return STEP_SKIP;
    }
    size_t out, at;
    const char *why;
    if (decode(p, n, text_cls, &out, &at, &why) != 0) {
        *rc = bad(x, p + at, why, err);
        return STEP_FAIL;
    }
    x->pos += n;
    if (out == 0)
        return STEP_SKIP;
    set_text_token(x, p, out, n);
    return STEP_TOKEN;
}

/* The text of a CDATA section, up to its "]]>" (or a piece of it). */
static enum step cdata(li__xs *x, li_status *rc, li_error *err) {
    char *p = x->buf + x->pos;
    size_t avail = x->len - x->pos, n, skip = 0;
    const char *close = memmem(p, avail, "]]>", 3);
    if (close) {
        n = (size_t)(close - p);
        skip = 3;
    } else if (x->eof) {
        n = avail; /* its errors first, as when it came in pieces; then that it is not closed */
    } else if (avail < x->block) {
        return STEP_MORE;
    } else {
        n = safe_cut(p, avail, 1);
    }
    size_t out, at;
    const char *why;
    if (decode(p, n, cdata_cls, &out, &at, &why) != 0) {
        *rc = bad(x, p + at, why, err);
        return STEP_FAIL;
    }
    x->pos += n + skip;
    if (skip)
        x->in_cdata = 0;
    else if (x->eof && x->pos == x->len) {
        *rc = bad_at(x, x->cdata_at, "section CDATA non refermée", err);
        return STEP_FAIL;
    }
    if (out == 0)
        return STEP_SKIP;
    set_text_token(x, p, out, n);
    return STEP_TOKEN;
}

/* A local name: what follows the last ':' of a qualified name. */
static const char *local_name(const char *q, size_t n, size_t *len) {
    const char *l = q + n; /* names are short: a loop, not a call */
    while (l > q && l[-1] != ':')
        l--;
    *len = n - (size_t)(l - q);
    return l;
}

static int attr_cmp(const void *a, const void *b) {
    const li__xs_attr *x = a, *y = b;
    if (x->qname_len != y->qname_len)
        return x->qname_len < y->qname_len ? -1 : 1;
    return memcmp(x->qname, y->qname, x->qname_len);
}

/* 1 if two attributes of the tag have one name. Sorts them when there are many. */
static int repeated_attr(li__xs *x) {
    if (x->nattrs <= XS_SORT_ATTRS) {
        for (size_t i = 1; i < x->nattrs; i++)
            for (size_t j = 0; j < i; j++)
                if (attr_cmp(&x->attrs[i], &x->attrs[j]) == 0)
                    return 1;
        return 0;
    }
    qsort(x->attrs, x->nattrs, sizeof *x->attrs, attr_cmp);
    for (size_t i = 1; i < x->nattrs; i++)
        if (attr_cmp(&x->attrs[i], &x->attrs[i - 1]) == 0)
            return 1;
    return 0;
}

static li_status push(li__xs *x, const char *q, size_t n, li_error *err) {
    if (x->names_len + n + 1 > x->names_cap) {
        size_t cap = x->names_cap ? x->names_cap * 2 : 256;
        while (cap < x->names_len + n + 1)
            cap *= 2;
        char *b = realloc(x->names, cap);
        if (!b)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        x->names = b;
        x->names_cap = cap;
    }
    x->name_at[x->depth++] = x->names_len;
    memcpy(x->names + x->names_len, q, n);
    x->names_len += n;
    x->names[x->names_len++] = '\0';
    return LI_OK;
}

/* The tag buf[pos..q) of name qname is the token; the scan goes on after it. */
static enum step tag_token(li__xs *x, li__xs_kind kind, const char *qname, size_t qlen,
                           const char *q) {
    x->kind = kind;
    x->name = local_name(qname, qlen, &x->name_len);
    x->start = x->base + x->pos;
    x->end = x->base + (uint64_t)(q - x->buf);
    x->pos = (size_t)(q - x->buf);
    return STEP_TOKEN;
}

/* A start tag (or an empty-element tag) at buf[pos] == '<'. */
static enum step start_tag(li__xs *x, li_status *rc, li_error *err) {
    char *p = x->buf + x->pos, *e = x->buf + x->len, *q = p + 1;
    while (q < e && name_cls[(unsigned char)*q])
        q++;
    if (q == e)
        return STEP_MORE;
    const char *qname = p + 1;
    size_t qlen = (size_t)(q - qname);
    if (name_cls[(unsigned char)*qname] != 1) {
        *rc = bad(x, qname, "caractère ou balise invalide", err);
        return STEP_FAIL;
    }
    if (qlen > XS_MAX_NAME) {
        *rc = bad(x, qname, "un nom d'élément de plus de 1024 octets", err);
        return STEP_FAIL;
    }
    if (qname[qlen - 1] == ':') {
        *rc = bad(x, qname, "un nom sans partie locale", err);
        return STEP_FAIL;
    }
    x->nattrs = 0;
    int empty = 0;
    for (;;) {
        char *ws = q;
        while (q < e && is_ws(*q))
            q++;
        if (q == e)
            return STEP_MORE;
        if (*q == '>') {
            q++;
            break;
        }
        if (*q == '/') {
            if (q + 1 == e)
                return STEP_MORE;
            if (q[1] != '>') {
                *rc = bad(x, q, "balise mal formée", err);
                return STEP_FAIL;
            }
            q += 2;
            empty = 1;
            break;
        }
        if (q == ws || name_cls[(unsigned char)*q] != 1) {
            *rc = bad(x, q, "balise mal formée", err);
            return STEP_FAIL;
        }
        char *an = q;
        while (q < e && name_cls[(unsigned char)*q])
            q++;
        size_t anl = (size_t)(q - an);
        if (q < e && q[-1] == ':') {
            *rc = bad(x, an, "un nom sans partie locale", err);
            return STEP_FAIL;
        }
        while (q < e && is_ws(*q))
            q++;
        if (q == e)
            return STEP_MORE;
        if (*q != '=') {
            *rc = bad(x, q, "« = » attendu après le nom d'un attribut", err);
            return STEP_FAIL;
        }
        q++;
        while (q < e && is_ws(*q))
            q++;
        if (q == e)
            return STEP_MORE;
        if (*q != '"' && *q != '\'') {
            *rc = bad(x, q, "valeur d'attribut sans guillemets", err);
            return STEP_FAIL;
        }
        char *close = memchr(q + 1, *q, (size_t)(e - q - 1));
        if (!close)
            return STEP_MORE;
        if (x->nattrs == x->attrs_cap) {
            size_t cap = x->attrs_cap ? x->attrs_cap * 2 : 16;
            li__xs_attr *a = realloc(x->attrs, cap * sizeof *a);
            if (!a) {
                *rc = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
                return STEP_FAIL;
            }
            x->attrs = a;
            x->attrs_cap = cap;
        }
        li__xs_attr *a = &x->attrs[x->nattrs++];
        a->qname = an;
        a->qname_len = anl;
        a->value = q + 1;
        a->value_len = (size_t)(close - q - 1);
        q = close + 1;
    }
    /* the tag is whole: now its values can be decoded in place */
    if ((size_t)(q - p) > LI__XS_MAX_MARKUP) {
        *rc = too_long(x, p, err);
        return STEP_FAIL;
    }
    if (repeated_attr(x)) {
        *rc = bad(x, p, "attribut répété", err);
        return STEP_FAIL;
    }
    for (size_t i = 0; i < x->nattrs; i++) {
        li__xs_attr *a = &x->attrs[i];
        size_t out, at;
        const char *why;
        if (decode((char *)a->value, a->value_len, attr_cls, &out, &at, &why) != 0) {
            *rc = bad(x, a->value + at, why, err);
            return STEP_FAIL;
        }
        a->value_len = out;
        a->name = local_name(a->qname, a->qname_len, &a->name_len);
        a->xmlns = a->qname_len >= 5 && memcmp(a->qname, "xmlns", 5) == 0 &&
                   (a->qname_len == 5 || a->qname[5] == ':');
    }
    if (x->depth == 0 && x->root_done) {
        *rc = bad(x, p, "données après la fin du document", err);
        return STEP_FAIL;
    }
    if (!empty) {
        if (x->depth == LI__XS_MAX_DEPTH) {
            *rc = bad(x, p, "des éléments imbriqués sur plus de 256 niveaux", err);
            return STEP_FAIL;
        }
        if ((*rc = push(x, qname, qlen, err)) != LI_OK)
            return STEP_FAIL;
    }
    x->seen_root = 1;
    x->empty_end = empty;
    return tag_token(x, LI__XS_START, qname, qlen, q);
}

/* An end tag at buf[pos] == '<', buf[pos + 1] == '/'. */
static enum step end_tag(li__xs *x, li_status *rc, li_error *err) {
    char *p = x->buf + x->pos, *e = x->buf + x->len, *q = p + 2;
    while (q < e && name_cls[(unsigned char)*q])
        q++;
    const char *qname = p + 2;
    size_t qlen = (size_t)(q - qname);
    while (q < e && is_ws(*q))
        q++;
    if (q == e)
        return STEP_MORE;
    if (*q != '>' || qlen == 0) {
        *rc = bad(x, q, "balise fermante mal formée", err);
        return STEP_FAIL;
    }
    q++;
    if ((size_t)(q - p) > LI__XS_MAX_MARKUP) {
        *rc = too_long(x, p, err);
        return STEP_FAIL;
    }
    if (x->depth == 0) {
        *rc = bad(x, p, "balise fermante sans balise ouvrante", err);
        return STEP_FAIL;
    }
    const char *open = x->names + x->name_at[x->depth - 1];
    size_t open_len = x->names_len - x->name_at[x->depth - 1] - 1;
    if (open_len != qlen || memcmp(open, qname, qlen) != 0) {
        *rc = bad(x, p, "balise fermante qui ne correspond pas", err);
        return STEP_FAIL;
    }
    x->names_len = x->name_at[--x->depth];
    if (x->depth == 0)
        x->root_done = 1;
    return tag_token(x, LI__XS_END, qname, qlen, q);
}

/* <!-- -->, <![CDATA[, <!DOCTYPE (refused), or <? ?> at buf[pos]. */
static enum step other_markup(li__xs *x, li_status *rc, li_error *err) {
    char *p = x->buf + x->pos;
    size_t avail = x->len - x->pos;
    if (p[1] == '?') {
        const char *close = memmem(p + 2, avail - 2, "?>", 2);
        if (!close)
            return STEP_MORE;
        if ((size_t)(close - p) + 2 > LI__XS_MAX_MARKUP) {
            *rc = too_long(x, p, err);
            return STEP_FAIL;
        }
        if (close - p >= 5 && strncasecmp(p + 2, "xml", 3) == 0 && (is_ws(p[5]) || p + 5 == close)) {
            *rc = bad(x, p, "déclaration XML mal placée", err);
            return STEP_FAIL;
        }
        x->pos += (size_t)(close - p) + 2;
        return STEP_SKIP;
    }
    if (avail < 9 && !x->eof)
        return STEP_MORE;
    if (avail >= 4 && memcmp(p, "<!--", 4) == 0) {
        const char *close = memmem(p + 4, avail - 4, "-->", 3);
        if (!close)
            return STEP_MORE;
        if ((size_t)(close - p) + 3 > LI__XS_MAX_MARKUP) {
            *rc = too_long(x, p, err);
            return STEP_FAIL;
        }
        x->pos += (size_t)(close - p) + 3;
        return STEP_SKIP;
    }
    if (avail >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
        if (x->depth == 0) {
            *rc = bad(x, p, "section CDATA hors de l'élément racine", err);
            return STEP_FAIL;
        }
        x->cdata_at = x->base + x->pos;
        x->pos += 9;
        x->in_cdata = 1;
        return STEP_SKIP;
    }
    if (avail >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0) {
        char why[300];
        snprintf(why, sizeof why, "une déclaration DTD ou d'entités XML (dans « %.200s »)", x->part);
        *rc = li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_UNSAFE, x->path, why);
        return STEP_FAIL;
    }
    *rc = bad(x, p, "déclaration inattendue", err);
    return STEP_FAIL;
}

/* The encoding a declaration names, checked against what the bytes are. */
static enum step declaration(li__xs *x, const char *p, const char *close, li_status *rc,
                             li_error *err) {
    const char *k = memmem(p, (size_t)(close - p), "encoding", 8);
    if (!k)
        return STEP_SKIP;
    k += 8;
    while (k < close && (is_ws(*k) || *k == '='))
        k++;
    if (k == close || (*k != '"' && *k != '\'')) {
        *rc = bad(x, k, "déclaration XML mal formée", err);
        return STEP_FAIL;
    }
    const char *v = k + 1, *ve = memchr(v, *k, (size_t)(close - v));
    if (!ve) {
        *rc = bad(x, k, "déclaration XML mal formée", err);
        return STEP_FAIL;
    }
    char name[40];
    size_t n = (size_t)(ve - v) < sizeof name - 1 ? (size_t)(ve - v) : sizeof name - 1;
    memcpy(name, v, n);
    name[n] = '\0';
    static const char *const known[] = {"utf-8", "utf8", "us-ascii", "ascii", "utf-16",
                                        "utf-16le", "utf-16be", "ucs-2"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcasecmp(name, known[i]) == 0)
            return STEP_SKIP;
    char why[400];
    snprintf(why, sizeof why, "l'encodage « %.40s » de « %.200s », où UTF-8 ou UTF-16 sont attendus",
             name, x->part);
    *rc = li_error_set(err, LI_EFORMAT, LI_MSG_XLSX_CORRUPT, x->path, why);
    return STEP_FAIL;
}

/* The start of the part: its encoding (byte-order mark, NUL pattern) and XML declaration. */
static enum step prolog(li__xs *x, li_status *rc, li_error *err) {
    unsigned char *b = (unsigned char *)x->buf + x->pos;
    size_t avail = x->len - x->pos;
    if (avail < 6 && !x->eof)
        return STEP_MORE;
    if (!x->utf16 && avail >= 2) {
        int le = (b[0] == 0xFF && b[1] == 0xFE) || (avail >= 4 && b[0] == '<' && b[1] == 0 && b[3] == 0);
        int be = (b[0] == 0xFE && b[1] == 0xFF) || (avail >= 4 && b[0] == 0 && b[1] == '<' && b[2] == 0);
        if (le || be) { /* decode what was read, and everything after it */
            size_t bom = b[0] == 0xFF || b[0] == 0xFE ? 2 : 0;
            size_t cap = LI__UTF16_MAX_OUT(x->cap) + x->block + XS_SLACK;
            char *nb = malloc(cap);
            x->rawbuf = malloc(x->block / 2);
            if (!nb || !x->rawbuf) {
                free(nb);
                *rc = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
                return STEP_FAIL;
            }
            x->utf16 = 1;
            x->u16.big_endian = be;
            size_t n = li__utf16_decode(&x->u16, b + bom, avail - bom, x->eof, nb);
            free(x->buf);
            x->buf = nb;
            x->cap = cap;
            x->len = n;
            x->pos = 0;
            x->base = 0;
            return STEP_SKIP;
        }
    }
    if (avail >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        x->pos += 3;
        b += 3;
        avail -= 3;
    }
    x->started = 1;
    if (avail >= 6 && memcmp(b, "<?xml", 5) == 0 && is_ws((char)b[5])) {
        const char *p = (const char *)b, *close = memmem(p, avail, "?>", 2);
        if (!close) {
            x->started = 0; /* whole, then read again from the start */
            return STEP_MORE;
        }
        enum step s = declaration(x, p + 5, close, rc, err);
        if (s == STEP_FAIL)
            return s;
        x->pos += (size_t)(close - p) + 2;
    }
    return STEP_SKIP;
}

/* --- the scanner ---------------------------------------------------------------------- */

li_status li__xs_init(li__xs *x, li__xs_read_fn read, void *src, const char *path,
                      const char *part, li_error *err) {
    memset(x, 0, sizeof *x);
    x->read = read;
    x->src = src;
    x->path = path;
    x->part = part;
    x->block = XS_BLOCK;
    x->cap = 2 * XS_BLOCK;
    x->buf = malloc(x->cap);
    if (!x->buf)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    return LI_OK;
}

void li__xs_set_block(li__xs *x, size_t block) {
    x->block = block < XS_MIN_BLOCK ? XS_MIN_BLOCK : block < XS_BLOCK ? block : XS_BLOCK;
}

void li__xs_free(li__xs *x) {
    if (!x)
        return;
    free(x->buf);
    free(x->rawbuf);
    free(x->names);
    free(x->attrs);
    memset(x, 0, sizeof *x);
}

const li__xs_attr *li__xs_attr_get(const li__xs *x, const char *n) {
    size_t len = strlen(n);
    for (size_t i = 0; i < x->nattrs; i++)
        if (!x->attrs[i].xmlns && x->attrs[i].name_len == len &&
            memcmp(x->attrs[i].name, n, len) == 0)
            return &x->attrs[i];
    return NULL;
}

/* The end of the part: complete, or what is missing. */
static enum step at_end(li__xs *x, li_status *rc, li_error *err) {
    const char *at = x->buf + x->pos;
    if (x->in_cdata) {
        *rc = bad_at(x, x->cdata_at, "section CDATA non refermée", err);
        return STEP_FAIL;
    }
    if (x->depth > 0) {
        char why[300];
        snprintf(why, sizeof why, "document incomplet, l'élément « %.200s » n'est pas refermé",
                 x->names + x->name_at[x->depth - 1]);
        *rc = bad(x, at, why, err);
        return STEP_FAIL;
    }
    if (!x->seen_root) {
        *rc = bad(x, at, "aucun élément", err);
        return STEP_FAIL;
    }
    x->kind = LI__XS_EOF;
    x->start = x->end = x->base + x->pos;
    return STEP_TOKEN;
}

li_status li__xs_next(li__xs *x, li_error *err) {
    if (x->empty_end) { /* the END of the empty element handed out as START */
        x->empty_end = 0;
        if (x->depth == 0)
            x->root_done = 1;
        x->kind = LI__XS_END;
        x->nattrs = 0;
        x->start = x->end;
        return LI_OK;
    }
    for (;;) {
        li_status rc = LI_OK;
        enum step s;
        if (!x->started)
            s = prolog(x, &rc, err);
        else if (x->pos == x->len)
            s = x->eof ? at_end(x, &rc, err) : STEP_MORE;
        else if (x->in_cdata)
            s = cdata(x, &rc, err);
        else if (x->buf[x->pos] != '<')
            s = text(x, &rc, err);
        else if (x->len - x->pos < 2)
            s = x->eof ? STEP_FAIL : STEP_MORE;
        else if (x->buf[x->pos + 1] == '/')
            s = end_tag(x, &rc, err);
        else if (x->buf[x->pos + 1] == '!' || x->buf[x->pos + 1] == '?')
            s = other_markup(x, &rc, err);
        else
            s = start_tag(x, &rc, err);
        switch (s) {
        case STEP_TOKEN:
            return LI_OK;
        case STEP_SKIP:
            continue;
        case STEP_FAIL:
            return rc != LI_OK ? rc : bad(x, x->buf + x->pos, "fin du document inattendue", err);
        case STEP_MORE:
            if (x->eof)
                return bad(x, x->buf + x->pos, "fin du document inattendue dans une balise", err);
            if (x->len - x->pos > LI__XS_MAX_MARKUP)
                return too_long(x, x->buf + x->pos, err);
            if ((rc = fill(x, err)) != LI_OK)
                return rc;
            continue;
        }
    }
}
