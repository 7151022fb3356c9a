/*
 * validate.c — per-row validation and normalisation of leads (validate.h).
 *
 * What it promises:
 *   - li_norm_text(): trims ASCII whitespace and Unicode spaces (U+00A0,
 *     U+2000-U+200A, U+202F, U+205F, U+3000, U+1680), drops invisible
 *     characters anywhere (U+200B, U+2060, U+FEFF), removes control
 *     characters (C0 except whitespace, DEL, C1), turns CR LF and lone CR
 *     into LF. With collapse, every inner run of whitespace becomes one
 *     space, or, when keep_newlines, the line breaks it held (at most two:
 *     one blank line). Without collapse, inner whitespace is kept as
 *     written (notes keep their non-breaking spaces and tabs). Never
 *     writes more bytes than it reads, so in and out may be one buffer.
 *   - li_norm_email(): practical RFC 5321 syntax (li__email_check below),
 *     lower-cased ASCII; a control character makes the address invalid.
 *   - li_validate_row(): every mapped value normalised by its field's rules
 *     (field.c), e-mail and phone checked, then the row rules: a way to
 *     reach the lead (e-mail or phone) and a name to file it under (last
 *     name or company). An unusable e-mail or phone is set aside while the
 *     row is read; contact_rules() then makes it a warning when the other
 *     one is usable (the text goes to custom_json), or the row's error when
 *     not (its value in the lead is then the trimmed text as written, and
 *     it counts as present for contact_missing). Unmapped columns, and
 *     columns past the mapping's count, become custom_json.
 *   - The country is read first (country.c): its ISO code replaces the
 *     value, and it decides the postal code rule (country.c; the file's
 *     region when the country is empty, none when unknown) and the phone region
 *     (phone_region() below). First name, last name and city in capitals
 *     are put in title case (name.c); e-mail domains are checked for typos
 *     (email_domain.c). All of them warnings at most.
 *
 * Memory: a validator owns one scratch buffer, grown (never shrunk) when a
 * row needs more than any row before; every slice li_validate_row() hands
 * out points into it, valid until the next call. No allocation per row.
 * A validator is not thread-safe: use one per thread.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "lead/leadInt.h"
#include "leadimport/buf.h"
#include "leadimport/date.h"
#include "leadimport/validate.h"

/* --- text ---------------------------------------------------------------- */

enum {
    C_VIS = 0, /* copied as is (ASCII printable, UTF-8 bytes of ordinary chars) */
    C_SPACE,   /* horizontal whitespace */
    C_LF,      /* \n */
    C_CR,      /* \r */
    C_CTRL,    /* removed, with a warning */
    C_LEAD,    /* lead byte of a sequence that may be a space or control */
};

/*
 * C_* of each byte (1 space, 2 LF, 3 CR, 4 control, 5 lead byte to look at);
 * the multibyte cases are resolved by classify_lead().
 */
static const unsigned char byte_class[256] = {
    4, 4, 4, 4, 4, 4, 4, 4, 4, 1, 2, 1, 1, 3, 4, 4, /* 00 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 10 */
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 20 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 50 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, /* 70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* A0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* B0 */
    0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* C0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* D0 */
    0, 5, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, /* E0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* F0 */
};

enum { U_VIS, U_SPACE, U_NEWLINE, U_INVISIBLE, U_CTRL };

/* 1 if the 8 bytes at p are all printable ASCII (0x21..0x7E): plain C_VIS. */
static inline int plain8(const unsigned char *p) {
    uint64_t x;
    memcpy(&x, p, 8);
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t below = (x - ones * 0x21) & ~x;         /* a byte < 0x21 */
    uint64_t above = (x + ones * (0x7F - 0x7E)) | x; /* a byte > 0x7E */
    return ((below | above) & high) == 0;
}

/* Classifies the sequence at p (first byte a C_LEAD); *n gets its length. */
static int classify_lead(const unsigned char *p, size_t left, size_t *n) {
    *n = 1;
    if (p[0] == 0xC2 && left >= 2) {
        if (p[1] == 0xA0 || p[1] == 0x85) {
            *n = 2;
            return p[1] == 0xA0 ? U_SPACE : U_NEWLINE;
        }
        if (p[1] >= 0x80 && p[1] <= 0x9F) {
            *n = 2;
            return U_CTRL;
        }
        return U_VIS;
    }
    if (left < 3)
        return U_VIS;
    unsigned a = p[1], b = p[2];
    int cls = U_VIS;
    if (p[0] == 0xE2 && a == 0x80) {
        if (b <= 0x8A || b == 0xAF)
            cls = U_SPACE;
        else if (b == 0x8B)
            cls = U_INVISIBLE;
        else if (b == 0xA8 || b == 0xA9)
            cls = U_NEWLINE;
    } else if (p[0] == 0xE2 && a == 0x81) {
        cls = b == 0x9F ? U_SPACE : b == 0xA0 ? U_INVISIBLE : U_VIS;
    } else if (p[0] == 0xE3 && a == 0x80 && b == 0x80) {
        cls = U_SPACE;
    } else if (p[0] == 0xE1 && a == 0x9A && b == 0x80) {
        cls = U_SPACE;
    } else if (p[0] == 0xEF && a == 0xBB && b == 0xBF) {
        cls = U_INVISIBLE;
    }
    if (cls != U_VIS)
        *n = 3;
    return cls;
}

/*
 * 1 if p[0..len) is already its own normal form: no byte below the space,
 * no byte that may start a Unicode space, an invisible or a control (the
 * C_LEAD bytes, 0x7F), no space at either end and, when collapsing, no two
 * spaces in a row. Most cells are such (names, e-mails, codes, cities):
 * they are then copied whole, 8 bytes a test, where the loop below takes
 * each byte through byte_class. It was a fifth of the reading thread.
 */
static int plain_field(const unsigned char *p, size_t len, int collapse) {
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7Fu;
    if (len == 0 || p[0] == ' ' || p[len - 1] == ' ')
        return 0;
    if (len < 8) { /* (never a space at len - 1: p[i + 1] is in) */
        for (size_t i = 0; i < len; i++)
            if (p[i] == ' ' ? collapse && p[i + 1] == ' ' : byte_class[p[i]] != C_VIS)
                return 0;
        return 1;
    }
    /* Whole 8-byte loads only (the last one overlaps the one before): a
     * word assembled from a shorter copy stalls the load that reads it. */
    for (size_t i = 0;; i += 8) {
        if (i + 8 > len)
            i = len - 8;
        uint64_t x;
        memcpy(&x, p + i, 8);
        if ((x - ones * 0x20) & ~x & high) /* a byte below 0x20 */
            return 0;
        if (((x + ones) | x) & high) { /* 0x7F or above: each byte looked at */
            for (size_t k = i; k < i + 8; k++)
                if (p[k] != ' ' && byte_class[p[k]] != C_VIS)
                    return 0;
        }
        if (collapse) {
            uint64_t t = x ^ (ones * ' ');
            uint64_t sp = ~(((t & low7) + low7) | t | low7); /* 0x80 in each space byte */
            if ((sp & (sp >> 8)) || (i && p[i - 1] == ' ' && p[i] == ' '))
                return 0;
        }
        if (i + 8 == len)
            return 1;
    }
}

size_t li__norm_text(const char *in, size_t len, char *out, int collapse, int keep_newlines,
                     int *ctrl) {
    if (plain_field((const unsigned char *)in, len, collapse)) {
        memmove(out, in, len); /* out may be in (in place) */
        return len;
    }
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, o = 0;
    size_t vis_end = 0; /* o just after the last visible byte: trailing trim */
    int started = 0;    /* a visible byte was written: leading trim */
    int pend = 0;       /* collapse: 0 nothing, 1 a space, 2 a line break, 3 two */
    while (i < len) {
        size_t n = 1;
        int kind = U_VIS;
        switch (byte_class[p[i]]) {
        case C_VIS:
            break;
        case C_SPACE:
            kind = U_SPACE;
            break;
        case C_LF:
            kind = U_NEWLINE;
            break;
        case C_CR:
            kind = U_NEWLINE;
            n = (i + 1 < len && p[i + 1] == '\n') ? 2 : 1;
            break;
        case C_CTRL:
            kind = U_CTRL;
            break;
        default:
            kind = classify_lead(p + i, len - i, &n);
            break;
        }
        if (kind == U_VIS) {
            if (pend) {
                out[o++] = pend == 1 ? ' ' : '\n';
                if (pend == 3)
                    out[o++] = '\n';
                pend = 0;
            }
            out[o++] = (char)p[i++];
            for (;;) { /* the common case: words separated by single spaces */
                while (i + 8 <= len && plain8(p + i)) {
                    memmove(out + o, p + i, 8);
                    o += 8;
                    i += 8;
                }
                while (i < len && byte_class[p[i]] == C_VIS)
                    out[o++] = (char)p[i++];
                if (!(collapse && i + 1 < len && p[i] == ' ' && byte_class[p[i + 1]] == C_VIS))
                    break;
                out[o++] = ' ';
                i++;
            }
            vis_end = o;
            started = 1;
            continue;
        }
        i += n;
        if (kind == U_CTRL) {
            *ctrl = 1;
            continue;
        }
        if (kind == U_INVISIBLE || !started)
            continue;
        int nl = kind == U_NEWLINE && keep_newlines;
        if (collapse) {
            if (nl)
                pend = pend < 2 ? 2 : 3;
            else if (!pend)
                pend = 1;
        } else if (nl) {
            out[o++] = '\n';
        } else if (kind == U_NEWLINE) {
            out[o++] = ' ';
        } else {
            memmove(out + o, p + i - n, n); /* inner spaces kept as written */
            o += n;
        }
    }
    return vis_end;
}

size_t li_norm_text(const char *in, size_t len, char *out, int collapse, int keep_newlines) {
    int ctrl = 0;
    return li__norm_text(in, len, out, collapse, keep_newlines, &ctrl);
}

/* --- e-mail -------------------------------------------------------------- */

/* Bytes allowed in the local part (RFC 5321 atext and the dot): 1 each. */
static const unsigned char local_ok[256] = {
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1,
    ['-'] = 1, ['.'] = 1, ['/'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1,  ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['='] = 1,  ['?'] = 1, ['A'] = 1,
    ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,  ['H'] = 1, ['I'] = 1,
    ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1,  ['P'] = 1, ['Q'] = 1,
    ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1,  ['X'] = 1, ['Y'] = 1,
    ['Z'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['a'] = 1, ['b'] = 1,  ['c'] = 1, ['d'] = 1,
    ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,  ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,  ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,  ['{'] = 1, ['|'] = 1,
    ['}'] = 1, ['~'] = 1,
};

/*
 * A non-ASCII character in a domain label (IDN): a letter, mark or digit.
 * Returns its length in bytes, 0 if refused.
 */
static size_t idn_char(const unsigned char *p, size_t left, int *letter) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, (utf8proc_ssize_t)left, &cp);
    if (n <= 0)
        return 0;
    utf8proc_category_t cat = utf8proc_category(cp);
    *letter = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME;
    if (*letter || cat == UTF8PROC_CATEGORY_ND)
        return (size_t)n;
    return 0;
}

/*
 * Checks the domain: at least two labels of 1..63 bytes, letters, digits,
 * hyphens (not first nor last) or IDN letters; the last label (TLD) at
 * least two letters, or an "xn--" A-label.
 */
static int domain_check(const unsigned char *d, size_t n) {
    if (n == 0 || n > 253)
        return 0;
    size_t labels = 0, start = 0, chars = 0;
    int letters_only = 1;
    for (size_t i = 0; i <= n;) {
        if (i == n || d[i] == '.') {
            size_t len = i - start;
            if (len == 0 || len > 63 || d[start] == '-' || d[i - 1] == '-')
                return 0;
            labels++;
            if (i == n)
                break;
            i++;
            start = i;
            chars = 0;
            letters_only = 1;
            continue;
        }
        unsigned char c = d[i];
        if (c < 0x80) {
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-'))
                return 0;
            if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
                letters_only = 0;
            i++;
        } else {
            int letter = 0;
            size_t k = idn_char(d + i, n - i, &letter);
            if (k == 0)
                return 0;
            letters_only &= letter;
            i += k;
        }
        chars++;
    }
    if (labels < 2)
        return 0;
    const unsigned char *tld = d + start;
    size_t tlen = n - start;
    if (tlen > 4 && (tld[0] | 0x20) == 'x' && (tld[1] | 0x20) == 'n' && tld[2] == '-' &&
        tld[3] == '-')
        return 1;
    return letters_only && chars >= 2;
}

int li__email_check(char *s, size_t len) {
    if (len == 0 || len > 254)
        return 0;
    char *at = memchr(s, '@', len);
    if (!at)
        return 0;
    size_t local = (size_t)(at - s);
    if (local == 0 || local > 64 || memchr(at + 1, '@', len - local - 1))
        return 0;
    if (s[0] == '.' || s[local - 1] == '.')
        return 0;
    for (size_t i = 0; i < local; i++) {
        if (!local_ok[(unsigned char)s[i]])
            return 0;
        if (s[i] == '.' && s[i + 1] == '.')
            return 0;
    }
    if (!domain_check((const unsigned char *)at + 1, len - local - 1))
        return 0;
    for (size_t i = 0; i < len; i++) /* valid: lower-case the ASCII letters */
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] + 32);
    return 1;
}

li_msg li_norm_email(const char *in, size_t len, char *out, size_t cap) {
    size_t b = 0, e = len;
    while (b < e && (in[b] == ' ' || (in[b] >= '\t' && in[b] <= '\r')))
        b++;
    while (e > b && (in[e - 1] == ' ' || (in[e - 1] >= '\t' && in[e - 1] <= '\r')))
        e--;
    if (cap == 0)
        return LI_MSG_EMAIL_INVALID;
    out[0] = '\0';
    if (e - b + 1 > cap)
        return LI_MSG_EMAIL_INVALID;
    int ctrl = 0;
    size_t n = li__norm_text(in + b, e - b, out, 1, 0, &ctrl);
    out[n] = '\0';
    if (ctrl || !li__email_check(out, n)) {
        out[0] = '\0';
        return LI_MSG_EMAIL_INVALID;
    }
    return LI_MSG_NONE;
}

/* --- the validator ------------------------------------------------------- */

enum {
    PHONE_OUT = LI_PHONE_CAP, /* room for an E.164 number and its extension */
    QUOTE_MAX = 80, /* bytes of a value quoted in a message */
    CONTACT_KEY_MAX = 48, /* ,"Téléphone (texte complet)":"" and more */
};

struct li_validator {
    const li_mapping *m; /* borrowed: must outlive the validator */
    const li__country *region;
    char *scratch; /* owned; the lead's slices point into it */
    size_t cap;
    char *keys;      /* owned: "\"Header\":" of each custom column, end to end */
    size_t *key_off; /* owned, [ncols + 1]: column c's key is keys[off[c], off[c+1]) */
    size_t ncustom;  /* columns of the mapping that feed no field */
    unsigned char collapse[LI_FIELD__COUNT]; /* the field rules, copied from field.c */
    unsigned char keep_newlines[LI_FIELD__COUNT];
    size_t max_len[LI_FIELD__COUNT];
    /* The row being validated: its country, read first. */
    const char *row_iso;           /* ISO code of its country; NULL if empty or unknown */
    int row_country_given;         /* the country cell is not empty */
    /*
     * The row's e-mail and phone when present but unusable: the text as
     * written (in scratch) and why. The row rules decide at the end whether
     * that is an error (no other way to reach the lead) or a warning (the
     * lead is kept, the text moves to custom_json, never to the key field).
     */
    li_slice bad_contact[2]; /* [0] e-mail, [1] phone */
    li_msg bad_why[2];
    /*
     * The whole text of a cell that held more than the e-mail or phone
     * taken from it (li__cell_pieces()), kept beside the lead; len 0 if none.
     */
    li_slice whole_cell[2];
    /*
     * Other columns whose header names an e-mail or a phone (a second
     * "Email", an export's work phone beside its mobile), in the order they
     * are tried when the field's own column gives nothing usable in a row.
     * Owned; -1 ends each list.
     */
    int *alt[2];
    unsigned char *is_alt; /* [ncols]: column c is in a list of alt */
    int alt_used[2];       /* the row's: the alternate column that gave the value, or -1 */
    /* The last country value looked up and its code: most files repeat one. */
    char last_country[32];
    size_t last_country_len;
    const char *last_iso;
};

static const char empty[] = "";

/*
 * The alternates of the e-mail and the phone (see li_validator.alt): the
 * columns kept custom whose header proposed that field (mapping.h, cand),
 * except those a person kept custom on purpose; an export's columns in its
 * order of preference, others in file order.
 */
static li_status alternates(li_validator *v, li_error *err) {
    const li_mapping *m = v->m;
    static const li_field field[2] = {LI_FIELD_EMAIL, LI_FIELD_PHONE};
    v->is_alt = calloc(m->ncols ? m->ncols : 1, 1);
    if (!v->is_alt)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    for (int w = 0; w < 2; w++) {
        size_t n = 0;
        if (!(v->alt[w] = malloc((m->ncols + 1) * sizeof *v->alt[w])))
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        for (size_t c = 0; m->cand && c < m->ncols; c++) {
            const struct li_map_cand *k = &m->cand[c];
            const struct li_map_stats *st = m->stats ? &m->stats[c] : NULL;
            /* not a column a person or a saved mapping kept custom, nor one
               whose sampled values are not e-mails or phones (a yes/no
               "Téléphone contacté") */
            if (m->col_field[c] != LI_FIELD_NONE || k->field != field[w] ||
                k->rank == LI__RANK_FIXED || m->field_col[field[w]] < 0 ||
                (st && (w == 0 ? st->email : st->phone) == 0 && st->flag + st->date > 0))
                continue;
            size_t at = n++; /* insertion sort by the export's preference */
            while (at > 0 && m->cand[v->alt[w][at - 1]].prio > m->cand[c].prio) {
                v->alt[w][at] = v->alt[w][at - 1];
                at--;
            }
            v->alt[w][at] = (int)c;
            v->is_alt[c] = 1;
        }
        v->alt[w][n] = -1;
    }
    return LI_OK;
}

li_status li_validator_new(const li_mapping *m, const li_validate_opts *opts, li_validator **out,
                           li_error *err) {
    li_status st = LI_OK;
    li_buf keys;
    li_buf_init(&keys, 0);
    const char *region = opts && opts->region ? opts->region : "FR";
    li_validator *v = calloc(1, sizeof *v);
    if (!v)
        goto nomem;
    v->m = m;
    for (int f = 0; f < LI_FIELD__COUNT; f++) {
        v->collapse[f] = (unsigned char)li__field_collapse((li_field)f);
        v->keep_newlines[f] = (unsigned char)li__field_keep_newlines((li_field)f);
        v->max_len[f] = li_field_max_len((li_field)f);
    }
    v->region = li__country_by_iso(region);
    if (!v->region) {
        st = li_error_set(err, LI_EUSAGE, LI_MSG_PHONE_REGION_UNKNOWN, region);
        goto out;
    }
    v->key_off = calloc(m->ncols + 1, sizeof *v->key_off);
    if (!v->key_off)
        goto nomem;
    for (size_t c = 0; c < m->ncols; c++) {
        v->key_off[c] = keys.len;
        if (m->col_field[c] != LI_FIELD_NONE)
            continue;
        v->ncustom++;
        if (li_buf_json_str(&keys, m->col_name[c], strlen(m->col_name[c])) != LI_OK ||
            li_buf_putc(&keys, ':') != LI_OK)
            goto nomem;
    }
    v->key_off[m->ncols] = keys.len;
    if ((st = alternates(v, err)) != LI_OK)
        goto out;
    v->keys = keys.data; /* ownership moves to v */
    li_buf_init(&keys, 0);
    goto out;

nomem:
    st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
out:
    li_buf_free(&keys);
    if (st != LI_OK) {
        li_validator_free(v);
        v = NULL;
    }
    *out = v;
    return st;
}

void li_validator_free(li_validator *v) {
    if (!v)
        return;
    free(v->scratch);
    free(v->keys);
    free(v->key_off);
    free(v->alt[0]);
    free(v->alt[1]);
    free(v->is_alt);
    free(v);
}

/*
 * Records an issue; the arguments are those of the message. When the list
 * is full, an error takes the place of the last warning (a warning is
 * dropped), so that nerrors > 0 always shows in issues[].
 */
static void add_issue_v(li_lead *l, li_msg code, li_field field, const char *fmt, va_list ap) {
    int is_error = li_msg_severity(code) == LI_SEV_ERROR;
    size_t at = l->nissues;
    if (at == LI_LEAD_MAX_ISSUES) {
        if (!is_error)
            return;
        while (at > 0 && li_msg_severity(l->issues[at - 1].code) == LI_SEV_ERROR)
            at--;
        if (at == 0)
            return;
        at--;
    } else {
        l->nissues++;
    }
    li_issue *is = &l->issues[at];
    is->code = code;
    is->field = field;
    li__msg_vformat(is->text, sizeof is->text, fmt, ap);
    if (is_error)
        l->nerrors++;
}

/* A macro: code must name an entry, whose format checks the arguments (error.h). */
#define add_issue(l, code, field, ...) \
    add_issue_fmt((l), (code), (field), LI_MSG_FMT_##code, ##__VA_ARGS__)
__attribute__((format(printf, 4, 5))) static void add_issue_fmt(li_lead *l, li_msg code,
                                                                li_field field, const char *fmt,
                                                                ...) {
    va_list ap;
    va_start(ap, fmt);
    add_issue_v(l, code, field, fmt, ap);
    va_end(ap);
}

/* add_issue() of a code chosen at run time: the caller vouches for its arguments. */
static void add_issue_unchecked(li_lead *l, li_msg code, li_field field, ...) {
    va_list ap;
    va_start(ap, field);
    add_issue_v(l, code, field, li_msg_text(code), ap);
    va_end(ap);
}

/* Copies a value to quote in a message, shortened to about QUOTE_MAX bytes. */
static const char *quote(const char *s, size_t n, char buf[QUOTE_MAX + 8]) {
    if (n <= QUOTE_MAX) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        return buf;
    }
    n = QUOTE_MAX - 3;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--; /* do not cut a character */
    memcpy(buf, s, n);
    memcpy(buf + n, "…", sizeof "…");
    return buf;
}

/* Writes s as the inside of a JSON string; out holds at least 6 * n bytes. */
static size_t json_escape(const char *s, size_t n, char *out) {
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            out[o++] = (char)c;
            continue;
        }
        out[o++] = '\\';
        switch (c) {
        case '"':
            out[o++] = '"';
            break;
        case '\\':
            out[o++] = '\\';
            break;
        case '\n':
            out[o++] = 'n';
            break;
        case '\r':
            out[o++] = 'r';
            break;
        case '\t':
            out[o++] = 't';
            break;
        default:
            out[o++] = 'u';
            out[o++] = '0';
            out[o++] = '0';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    return o;
}

/* The name of column c for custom_json: its key, or "Colonne N" past the mapping. */
static size_t column_key(const li_validator *v, size_t c, char *out) {
    if (c < v->m->ncols) {
        size_t n = v->key_off[c + 1] - v->key_off[c];
        memcpy(out, v->keys + v->key_off[c], n);
        return n;
    }
    int w = snprintf(out, 32, "\"Colonne %zu\":", c + 1);
    return w > 0 ? (size_t)w : 0;
}

/* Bytes of scratch a row needs (see the layout in li_validate_row). */
static size_t row_need(const li_validator *v, const li_slice *fields, size_t nfields, size_t *tmp) {
    size_t need = 2 + 1, ncols = v->m->ncols;
    *tmp = 0;
    for (size_t c = 0; c < nfields; c++) {
        size_t len = fields[c].len;
        li_field f = c < ncols ? v->m->col_field[c] : LI_FIELD_NONE;
        /* an e-mail or phone: the text, a piece taken out of it, its E.164
           form, and the text kept in custom_json */
        size_t contact = 2 * len + PHONE_OUT + CONTACT_KEY_MAX + 6 * len;
        if (f == LI_FIELD_EMAIL || f == LI_FIELD_PHONE) {
            need += contact;
        } else if (f != LI_FIELD_NONE) {
            need += len + PHONE_OUT;
        } else if (len > 0) {
            if (c < ncols && v->is_alt[c])
                need += contact;
            size_t key = c < ncols ? v->key_off[c + 1] - v->key_off[c] : 32;
            need += key + 6 * len + 3;
            if (len > *tmp)
                *tmp = len;
        }
    }
    return need + *tmp;
}

/* Makes scratch hold need bytes; LI_ENOMEM leaves the old buffer in place. */
static li_status reserve(li_validator *v, size_t need) {
    if (need <= v->cap)
        return LI_OK;
    size_t cap = v->cap ? v->cap : 4096;
    while (cap < need)
        cap *= 2;
    char *p = realloc(v->scratch, cap);
    if (!p)
        return LI_ENOMEM;
    v->scratch = p;
    v->cap = cap;
    return LI_OK;
}

/*
 * The region a national phone number is read in: the row's country when it
 * has one we know, else the file's region (given by --region, or inferred
 * for the whole file). Never a fallback from one to the other: a number
 * that is not valid in its row's country is not re-read as French, which
 * would invent a number (and then a false duplicate). International
 * numbers ("+32...", "0032...") do not depend on it. A country the
 * validator does not know (a typo, kept with a warning) leaves the file's
 * region: it is most often the file's own country misspelt.
 */
static const char *phone_region(const li_validator *v) {
    return v->row_iso ? v->row_iso : v->region->iso;
}

/*
 * Sets aside the row's unusable e-mail (which 0) or phone (1): the text as
 * written, at s, stays in scratch until the row rules decide. The lead's
 * key field stays empty, so the text can never match as a duplicate.
 */
static void bad_contact(li_validator *v, int which, li_msg why, const char *s, size_t n,
                        li_lead *out) {
    static const li_field f[2] = {LI_FIELD_EMAIL, LI_FIELD_PHONE};
    v->bad_contact[which].ptr = s;
    v->bad_contact[which].len = n;
    v->bad_why[which] = why;
    out->value[f[which]].ptr = empty;
    out->value[f[which]].len = 0;
}

/*
 * Drops the apostrophe a spreadsheet or our own export put before a value
 * so that it is not run as a formula ("'=1+2", "'+33 6...", "'-x", "'@x"),
 * and, when digits is set, before a number kept as text ("'0612345678",
 * "'01000"). Returns the new length; s is rewritten in place.
 */
static size_t unquote(char *s, size_t n, int digits) {
    if (n < 2 || s[0] != '\'')
        return n;
    char c = s[1];
    if (c == '=' || c == '+' || c == '-' || c == '@' || (digits && c >= '0' && c <= '9')) {
        memmove(s, s + 1, n - 1);
        return n - 1;
    }
    return n;
}

/* What li__cell_pieces() callbacks fill: the value found in a piece. */
typedef struct piece_ctx {
    li_validator *v;
    char *out;          /* a phone's E.164 form is written here (PHONE_OUT bytes) */
    size_t len;         /* an e-mail: its length (the piece itself, lower-cased) */
    li_phone_type type; /* a phone: its type */
} piece_ctx;

static int email_piece(const char *piece, size_t n, void *ctx) {
    piece_ctx *pc = ctx;
    if (!li__email_check((char *)piece, n)) /* the piece is li__cell_pieces()' writable buf */
        return 0;
    pc->len = n;
    return 1;
}

static int phone_piece(const char *piece, size_t n, void *ctx) {
    piece_ctx *pc = ctx;
    return li_norm_phone_typed(piece, n, phone_region(pc->v), pc->out, PHONE_OUT, &pc->type) ==
           LI_MSG_NONE;
}

/*
 * A cell that did not read as one e-mail (or phone): its first piece, when
 * that is a valid one (cell.c). The whole text stays at s (n bytes) and is
 * kept beside the lead (whole_cell); the piece is written at s + n, a
 * phone's E.164 form at s + 2n (row_need() left the room). Return the
 * address's length, or 1 for a phone; 0 when the piece is no value. Off
 * the hot path: only cells that failed come here.
 */
static __attribute__((noinline, cold)) size_t email_from_pieces(li_validator *v, char *s,
                                                                 size_t n, li_lead *out) {
    piece_ctx pc = {v, NULL, 0, LI_PHONE_UNKNOWN};
    if (!li__cell_pieces(s, n, 1, s + n, email_piece, &pc))
        return 0;
    v->whole_cell[0].ptr = s;
    v->whole_cell[0].len = n;
    out->value[LI_FIELD_EMAIL].ptr = s + n;
    out->value[LI_FIELD_EMAIL].len = pc.len;
    return pc.len;
}

static __attribute__((noinline, cold)) size_t phone_from_pieces(li_validator *v, char *s,
                                                                 size_t n, li_lead *out) {
    piece_ctx pc = {v, s + 2 * n, 0, LI_PHONE_UNKNOWN};
    if (!li__cell_pieces(s, n, 0, s + n, phone_piece, &pc))
        return 0;
    v->whole_cell[1].ptr = s;
    v->whole_cell[1].len = n;
    out->phone_type = pc.type;
    return 1;
}

/* Normalises the value of field f (non-empty raw) at dst; returns bytes used. */
static size_t one_field(li_validator *v, li_field f, li_slice raw, char *dst, li_lead *out) {
    char *const start = dst;
    int ctrl = 0;
    size_t n = li__norm_text(raw.ptr, raw.len, dst, v->collapse[f], v->keep_newlines[f], &ctrl);
    n = unquote(dst, n, f == LI_FIELD_PHONE || f == LI_FIELD_POSTAL_CODE);
    char q[QUOTE_MAX + 8];
    out->value[f].ptr = dst;
    out->value[f].len = n;
    if (n == 0)
        return 0;
    if (f == LI_FIELD_EMAIL) {
        if (ctrl || !li__email_check(dst, n)) {
            size_t got = ctrl ? 0 : email_from_pieces(v, dst, n, out);
            if (!got) {
                bad_contact(v, 0, LI_MSG_EMAIL_INVALID, dst, n, out);
                return n;
            }
            dst += n; /* the address taken, right after the whole text */
            n = got;
        }
        const char *at = memchr(dst, '@', n);
        const char *typo = li__email_domain_typo(at + 1, n - (size_t)(at + 1 - dst));
        if (typo)
            add_issue(out, LI_MSG_EMAIL_DOMAIN_TYPO, f, quote(dst, n, q), typo);
        return (size_t)(dst + n - start);
    }
    if (f == LI_FIELD_PHONE) {
        char *e164 = dst + n;
        li_msg why = ctrl ? LI_MSG_PHONE_INVALID
                          : li_norm_phone_typed(dst, n, phone_region(v), e164, PHONE_OUT,
                                                &out->phone_type);
        if (why != LI_MSG_NONE) {
            if (ctrl || !phone_from_pieces(v, dst, n, out)) {
                bad_contact(v, 1, why, dst, n, out);
                return n + PHONE_OUT;
            }
            e164 = dst + 2 * n; /* the number taken, after the text and its piece */
        }
        out->value[f].ptr = e164;
        out->value[f].len = strlen(e164);
        return (size_t)(e164 - dst) + PHONE_OUT;
    }
    if (ctrl)
        add_issue(out, LI_MSG_VALUE_CONTROL_CHARS, f, li_field_label(f));
    if (f == LI_FIELD_COUNTRY) {
        v->row_country_given = 1;
        if (n == v->last_country_len && memcmp(dst, v->last_country, n) == 0) {
            v->row_iso = v->last_iso;
        } else {
            v->row_iso = li__country_iso(dst, n);
            if (n <= sizeof v->last_country) {
                memcpy(v->last_country, dst, n);
                v->last_country_len = n;
                v->last_iso = v->row_iso;
            }
        }
        if (v->row_iso) {
            out->value[f].ptr = v->row_iso; /* static */
            out->value[f].len = 2;
            return 0;
        }
        add_issue(out, LI_MSG_COUNTRY_UNKNOWN, f, quote(dst, n, q));
    } else if (f == LI_FIELD_POSTAL_CODE) {
        const char *iso = v->row_iso ? v->row_iso : v->row_country_given ? NULL : v->region->iso;
        if (iso) {
            quote(dst, n, q);
            li_msg why = li__postal_norm(iso, dst, &n); /* may write n + 1 bytes */
            out->value[f].len = n;
            if (why == LI_MSG_POSTAL_CODE_FIXED) {
                char fixed[8];
                memcpy(fixed, dst, n);
                fixed[n] = '\0';
                add_issue(out, LI_MSG_POSTAL_CODE_FIXED, f, q, fixed);
            } else if (why != LI_MSG_NONE) { /* li__postal_norm's other codes quote the value */
                add_issue_unchecked(out, why, f, q);
            }
        }
    } else if (f == LI_FIELD_FIRST_NAME || f == LI_FIELD_LAST_NAME || f == LI_FIELD_CITY) {
        li__name_case(dst, n);
    }
    if (n > v->max_len[f])
        add_issue(out, LI_MSG_VALUE_TOO_LONG, f, li_field_label(f), n, v->max_len[f]);
    return n;
}

/*
 * Splits the "Nom complet" value raw (written at dst, normalised) into the
 * first and last name, each put in title case if written in capitals; a
 * name a name column already gave is kept.
 */
static size_t full_name(li_validator *v, li_slice raw, char *dst, li_lead *out) {
    int ctrl = 0;
    size_t n = unquote(dst, li__norm_text(raw.ptr, raw.len, dst, 1, 0, &ctrl), 0);
    if (ctrl)
        add_issue(out, LI_MSG_VALUE_CONTROL_CHARS, LI_FIELD_NONE, li_field_label(LI_FIELD_FULL_NAME));
    li_slice part[2];
    li__name_split(dst, n, &part[0], &part[1]);
    static const li_field to[2] = {LI_FIELD_FIRST_NAME, LI_FIELD_LAST_NAME};
    const li_slice given = out->value[LI_FIELD_FIRST_NAME];
    if (given.len > 0 && given.len == n && memcmp(given.ptr, dst, n) == 0)
        return n; /* "Bob" in both: no last name to be had */
    for (int i = 0; i < 2; i++) {
        if (part[i].len == 0 || out->value[to[i]].len > 0) /* a name column's value stays */
            continue;
        char *p = dst + (part[i].ptr - dst); /* the slice points into dst: writable */
        li__name_case(p, part[i].len);
        out->value[to[i]] = part[i];
        if (part[i].len > v->max_len[to[i]])
            add_issue(out, LI_MSG_VALUE_TOO_LONG, to[i], li_field_label(to[i]), part[i].len,
                      v->max_len[to[i]]);
    }
    return n;
}

/*
 * A value of a column of dates (mapping.h, col_date), read in the column's
 * order: the ISO form in date (and *n its length), or the value as written
 * with a warning when it is not a date. Returns the text to store.
 */
static const char *one_date(const char *s, size_t *n, li_date_order order, char date[LI_DATE_CAP],
                            li_lead *out) {
    char q[QUOTE_MAX + 8];
    li_msg why = li_norm_date(s, *n, order, date, LI_DATE_CAP);
    if (why == LI_MSG_NONE || why == LI_MSG_DATE_ORDER_CONFLICT || why == LI_MSG_DATE_AMBIGUOUS) {
        if (why == LI_MSG_DATE_ORDER_CONFLICT)
            add_issue(out, LI_MSG_DATE_ORDER_CONFLICT, LI_FIELD_NONE, quote(s, *n, q), date);
        else if (why == LI_MSG_DATE_AMBIGUOUS)
            add_issue(out, LI_MSG_DATE_AMBIGUOUS, LI_FIELD_NONE, quote(s, *n, q), date);
        *n = strlen(date);
        return date;
    }
    add_issue_unchecked(out, why, LI_FIELD_NONE, quote(s, *n, q)); /* date_invalid, date_out_of_range: %s */
    return s;
}

/* Writes custom_json at dst: the non-empty values of unmapped columns. */
static size_t custom_json(li_validator *v, const li_slice *fields, size_t nfields, char *tmp,
                          char *dst, li_lead *out) {
    size_t o = 0, ncols = v->m->ncols;
    dst[o++] = '{';
    for (size_t c = 0; c < nfields; c++) {
        if ((c < ncols && v->m->col_field[c] != LI_FIELD_NONE) || fields[c].len == 0)
            continue;
        int ctrl = 0;
        size_t n = unquote(tmp, li__norm_text(fields[c].ptr, fields[c].len, tmp, 0, 1, &ctrl), 0);
        const char *text = tmp;
        char date[LI_DATE_CAP];
        if (n && c < ncols && v->m->col_date[c])
            text = one_date(tmp, &n, (li_date_order)(v->m->col_date[c] - 1), date, out);
        if (ctrl) {
            char name[32];
            const char *label = name;
            if (c < ncols)
                label = v->m->col_name[c];
            else
                snprintf(name, sizeof name, "Colonne %zu", c + 1);
            add_issue(out, LI_MSG_VALUE_CONTROL_CHARS, LI_FIELD_NONE, label);
        }
        if (n == 0)
            continue;
        if (o > 1)
            dst[o++] = ',';
        o += column_key(v, c, dst + o);
        dst[o++] = '"';
        o += json_escape(text, n, dst + o);
        dst[o++] = '"';
    }
    dst[o++] = '}';
    return o;
}

/*
 * The custom field that keeps the text of an unusable e-mail or phone of a
 * lead that is kept. A fixed French name: an export shows it as a column,
 * and its re-import keeps it as a custom field again (it is no synonym of
 * a field, and its values are not e-mails or phones).
 */
static const char *const kept_key[2] = {"\"E-mail non reconnu\":", "\"Téléphone non reconnu\":"};

/*
 * The contact rule, once the row's fields are read. A lead needs a way to
 * be reached: a usable e-mail or phone. An unusable one beside a usable
 * other is a warning: the lead is kept without it, and its text is added
 * to the custom fields (json holds nj bytes, a JSON object or nothing;
 * row_need() left room). Without any usable one, an unusable value is the
 * row's error (its value in the lead is the text as written) and nothing
 * at all is contact_missing. Returns the new length of json.
 */
/* Appends "key":"text" to the JSON object json of nj bytes ("" or "{...}"). */
static size_t json_add(char *json, size_t nj, const char *key, li_slice text) {
    if (nj <= 2) { /* nothing yet, or "{}" */
        json[0] = '{';
        nj = 1;
    } else {
        json[nj - 1] = ','; /* reopen the object */
    }
    size_t k = strlen(key);
    memcpy(json + nj, key, k);
    nj += k;
    json[nj++] = '"';
    nj += json_escape(text.ptr, text.len, json + nj);
    json[nj++] = '"';
    json[nj++] = '}';
    return nj;
}

static size_t contact_rules(li_validator *v, char *json, size_t nj, li_lead *out) {
    static const li_field field[2] = {LI_FIELD_EMAIL, LI_FIELD_PHONE};
    static const char *const whole_key[2] = {"\"E-mail (texte complet)\":",
                                             "\"Téléphone (texte complet)\":"};
    int reach = out->value[LI_FIELD_EMAIL].len > 0 || out->value[LI_FIELD_PHONE].len > 0;
    int bad = 0;
    char q[QUOTE_MAX + 8], q2[QUOTE_MAX + 8];
    for (int i = 0; i < 2; i++) {
        li_slice w = v->whole_cell[i];
        if (w.len > 0) { /* one value taken out of a cell that held more */
            li_slice got = out->value[field[i]];
            if (i == 0)
                add_issue(out, LI_MSG_EMAIL_EXTRACTED, field[i], quote(got.ptr, got.len, q2),
                          quote(w.ptr, w.len, q));
            else
                add_issue(out, LI_MSG_PHONE_EXTRACTED, field[i], quote(got.ptr, got.len, q2),
                          quote(w.ptr, w.len, q));
            nj = json_add(json, nj, whole_key[i], w);
        }
        li_slice b = v->bad_contact[i];
        if (b.len == 0)
            continue;
        bad = 1;
        quote(b.ptr, b.len, q);
        if (!reach) {
            add_issue_unchecked(out, v->bad_why[i], field[i], q); /* each bad_why quotes q */
            out->value[field[i]] = b;
            continue;
        }
        if (v->alt_used[i] >= 0 && i == 0)
            add_issue(out, LI_MSG_EMAIL_REPLACED, field[i], q, v->m->col_name[v->alt_used[i]]);
        else if (v->alt_used[i] >= 0)
            add_issue(out, LI_MSG_PHONE_REPLACED, field[i], q, v->m->col_name[v->alt_used[i]]);
        else if (i == 0)
            add_issue(out, LI_MSG_EMAIL_UNUSABLE, field[i], q);
        else if (v->bad_why[i] == LI_MSG_PHONE_PRECISION_LOST)
            add_issue(out, LI_MSG_PHONE_DAMAGED_UNUSABLE, field[i], q);
        else
            add_issue(out, LI_MSG_PHONE_UNUSABLE, field[i], q);
        nj = json_add(json, nj, kept_key[i], b);
    }
    if (!reach && !bad)
        add_issue(out, LI_MSG_CONTACT_MISSING, LI_FIELD_NONE);
    return nj;
}

static void lead_reset(li_lead *out) {
    for (int f = 0; f < LI_FIELD__COUNT; f++) {
        out->value[f].ptr = empty;
        out->value[f].len = 0;
    }
    out->custom_json.ptr = "{}";
    out->custom_json.len = 2;
    out->assignee.ptr = empty;
    out->assignee.len = 0;
    out->phone_type = LI_PHONE_UNKNOWN;
    out->nissues = 0;
    out->nerrors = 0;
}

/*
 * When the e-mail's (or phone's) own column gives nothing usable in this
 * row, its alternates are tried in order (li_validator.alt): the first
 * usable value is the lead's. The unusable text of the own column stays
 * set aside (bad_contact) for contact_rules(); the alternate's column is a
 * custom field as well, so nothing is lost either way. Returns the bytes
 * of scratch used at dst.
 */
static size_t other_columns(li_validator *v, const li_slice *fields, size_t nfields, char *dst,
                            li_lead *out) {
    static const li_field field[2] = {LI_FIELD_EMAIL, LI_FIELD_PHONE};
    size_t used = 0;
    for (int w = 0; w < 2; w++) {
        if (out->value[field[w]].len > 0)
            continue;
        li_slice bad = v->bad_contact[w];
        li_msg why = v->bad_why[w];
        for (const int *a = v->alt[w]; *a >= 0; a++) {
            if ((size_t)*a >= nfields || fields[*a].len == 0)
                continue;
            used += one_field(v, field[w], fields[*a], dst + used, out);
            if (out->value[field[w]].len > 0) {
                v->alt_used[w] = *a;
                break;
            }
        }
        /* what contact_rules() reports is the own column's text, if any
           (an alternate's is a custom field already) */
        v->bad_contact[w] = bad;
        v->bad_why[w] = why;
    }
    return used;
}

/*
 * Scratch layout for one row: the normalised value of each mapped field
 * (a phone also gets PHONE_OUT bytes for its E.164 form), then a temporary
 * area for one custom value, then custom_json.
 */
li_status li_validate_row(li_validator *v, const li_slice *fields, size_t nfields, li_lead *out) {
    lead_reset(out);
    size_t tmp_len;
    if (reserve(v, row_need(v, fields, nfields, &tmp_len)) != LI_OK) {
        add_issue(out, LI_MSG_NO_MEMORY, LI_FIELD_NONE);
        return LI_ENOMEM;
    }
    const li_mapping *m = v->m;
    size_t pos = 0;
    v->row_iso = NULL;
    v->row_country_given = 0;
    for (int w = 0; w < 2; w++) {
        v->bad_contact[w].len = v->whole_cell[w].len = 0;
        v->alt_used[w] = -1;
    }
    for (int k = 0; k < LI_FIELD__COUNT; k++) {
        /* the country first: the phone and the postal code depend on it */
        int f = k == 0 ? LI_FIELD_COUNTRY : k <= LI_FIELD_COUNTRY ? k - 1 : k;
        int c = m->field_col[f];
        if (c < 0 || (size_t)c >= nfields || fields[c].len == 0)
            continue;
        pos += one_field(v, (li_field)f, fields[c], v->scratch + pos, out);
    }
    pos += other_columns(v, fields, nfields, v->scratch + pos, out);
    int fc = m->full_name_col;
    /* the full name fills what the name columns left empty (an export with
       Given Name, Family Name and Name: a row may have only the last) */
    if (fc >= 0 && (size_t)fc < nfields && fields[fc].len > 0 &&
        out->value[LI_FIELD_LAST_NAME].len == 0)
        pos += full_name(v, fields[fc], v->scratch + pos, out);
    int ac = m->assignee_col;
    if (ac >= 0 && (size_t)ac < nfields && fields[ac].len > 0) {
        if (m->field_col[LI_FIELD_OWNER] < 0) {
            /* no "Commercial" column: the text is kept there too, whatever
               the assignment makes of it (a name no user has stays) */
            pos += one_field(v, LI_FIELD_OWNER, fields[ac], v->scratch + pos, out);
            out->assignee = out->value[LI_FIELD_OWNER];
        } else {
            int ctrl = 0; /* control characters are dropped: no user's e-mail has one */
            size_t n = li__norm_text(fields[ac].ptr, fields[ac].len, v->scratch + pos, 1, 0, &ctrl);
            out->assignee.ptr = v->scratch + pos;
            out->assignee.len = n;
            pos += n;
        }
    }
    char *tmp = v->scratch + pos;
    char *json = tmp + tmp_len;
    size_t nj = 0;
    if (v->ncustom > 0 || nfields > m->ncols)
        nj = custom_json(v, fields, nfields, tmp, json, out);
    nj = contact_rules(v, json, nj, out);
    if (nj > 2) {
        out->custom_json.ptr = json;
        out->custom_json.len = nj;
    }
    if (out->value[LI_FIELD_LAST_NAME].len == 0 && out->value[LI_FIELD_COMPANY].len == 0)
        add_issue(out, LI_MSG_NAME_MISSING, LI_FIELD_NONE);
    return LI_OK;
}
