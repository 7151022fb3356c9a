/*
 * encoding.h — private to src/read: the text encodings the reader accepts,
 * their detection, and their conversion to UTF-8.
 *
 * Everything here works on whole blocks and never allocates: the caller
 * provides output buffers large enough (each function says how large).
 * UTF-8 and Windows-1252 are single-byte-compatible with ASCII, so the CSV
 * parser scans their raw bytes and converts only the fields that need it;
 * UTF-16 is decoded block by block before parsing (li__utf16_decode) and
 * li__utf16_source_len maps decoded text back to source byte counts.
 */
#ifndef LEADIMPORT_READ_ENCODING_H
#define LEADIMPORT_READ_ENCODING_H

#include <stddef.h>
#include <stdint.h>

typedef enum li__enc {
    LI__ENC_UTF8 = 0,
    LI__ENC_CP1252,
    LI__ENC_UTF16LE,
    LI__ENC_UTF16BE,
} li__enc;

/* Canonical name ("utf-8", "windows-1252", "utf-16le", "utf-16be"). */
const char *li__enc_name(li__enc e);

/*
 * Parses an encoding name, case-insensitively, accepting the canonical
 * names and the usual aliases (utf8, cp1252, latin1, iso-8859-1...).
 * Returns 0 and sets *out, or -1 if the name is unknown.
 */
int li__enc_parse(const char *name, li__enc *out);

/* Length of the byte-order mark of encoding e at the start of p (0 if none). */
size_t li__enc_bom_len(li__enc e, const unsigned char *p, size_t n);

/* What li__enc_detect found. */
typedef struct li__enc_guess {
    li__enc enc;
    size_t bom_len; /* bytes of byte-order mark to skip */
    int binary;     /* NULs or control bytes that no text file has */
    /*
     * Windows-1252 was chosen only because the text is not UTF-8, and its
     * high bytes do not look like it either (li__cp1252_plausible).
     */
    int doubtful;
    /*
     * UTF-8 was chosen although some bytes of the sample are not UTF-8: a
     * UTF-8 file with a few rows in another encoding (mostly_utf8).
     */
    int mixed;
} li__enc_guess;

/*
 * Detects the encoding of a file from its first n bytes: a byte-order mark
 * (UTF-8, UTF-16LE, UTF-16BE); else UTF-16 by the NUL pattern of its ASCII
 * characters; else binary if NULs or control bytes are too frequent; else
 * UTF-8 if the sample is valid UTF-8 (a sequence cut by the end of the
 * sample is fine when whole_file is 0) or mostly so (many UTF-8 sequences
 * and a quarter as many stray bytes at most, or at least as many lines of
 * UTF-8 text as lines with stray bytes: then mixed is set), else
 * Windows-1252 (doubtful when not li__cp1252_plausible).
 */
void li__enc_detect(const unsigned char *p, size_t n, int whole_file, li__enc_guess *g);

/*
 * 1 if the bytes >= 0x80 of p[0..n) read as Windows-1252 look like text in
 * a Latin script: mostly lone accented letters among ASCII ("Hélène",
 * "Müller") and a few punctuation marks (’ « € …). Text in a double-byte
 * encoding (Shift-JIS, GBK, Big5, EUC) or in a Cyrillic, Greek or Arabic
 * code page read as Windows-1252 has long runs of high bytes, or many of
 * the bytes 0x80-0x9F that Windows-1252 Latin text hardly uses (its lead
 * bytes): it is not plausible. With too few high bytes to judge, 1.
 */
int li__cp1252_plausible(const unsigned char *p, size_t n);

/* 1 if p[0..n) is valid UTF-8 (shortest forms, no surrogates, <= U+10FFFF). */
int li__utf8_valid(const unsigned char *p, size_t n);

/* Length of the longest prefix of p[0..n) that is valid UTF-8. */
size_t li__utf8_valid_prefix(const unsigned char *p, size_t n);

/*
 * Writes p[0..n) to out as UTF-8: valid UTF-8 sequences are kept, every
 * other byte is read as Windows-1252. out must hold 3 * n bytes. Returns
 * the number of bytes written.
 */
size_t li__utf8_repair(const unsigned char *p, size_t n, char *out);

/* Converts Windows-1252 p[0..n) to UTF-8 into out (3 * n bytes). Returns the length. */
size_t li__cp1252_to_utf8(const unsigned char *p, size_t n, char *out);

/* 1 if any byte of p[0..n) is >= 0x80. */
int li__has_high_bytes(const unsigned char *p, size_t n);

/*
 * Longest length <= max at which s[0..len) can be cut without splitting a
 * UTF-8 sequence (len itself if len <= max).
 */
size_t li__utf8_cut(const char *s, size_t len, size_t max);

/* Writes code point cp (< 0x110000) as UTF-8 at out (4 bytes of room); returns its length. */
size_t li__utf8_put(char *out, unsigned cp);

/* State of a UTF-16 decoder between blocks. Zero it to start. */
typedef struct li__utf16 {
    int big_endian;
    int have_byte; /* an odd byte waits for its pair */
    unsigned char byte;
    unsigned hi; /* a high surrogate waits for its low half (0 if none) */
} li__utf16;

/* Output bytes li__utf16_decode may write for n input bytes. */
#define LI__UTF16_MAX_OUT(n) (((n) / 2 + 2) * 3)

/*
 * Decodes UTF-16 src[0..n) to UTF-8 into out (LI__UTF16_MAX_OUT(n) bytes),
 * carrying a cut code unit or surrogate pair over to the next call in *st.
 * With final set, whatever is left is flushed as U+FFFD. Unpaired
 * surrogates become U+FFFD. Returns the number of bytes written.
 *
 * Every code point written comes from exactly one code unit (two bytes),
 * or two for a code point above U+FFFF; li__utf16_source_len relies on it.
 */
size_t li__utf16_decode(li__utf16 *st, const unsigned char *src, size_t n, int final, char *out);

/* Bytes of UTF-16 source that produced the UTF-8 text p[0..n). */
uint64_t li__utf16_source_len(const unsigned char *p, size_t n);

#endif
