/*
 * text.h — text from outside (file names, sheet names, headers, cell
 * values, user names, e-mails) made safe to print on a terminal.
 *
 * A file name or a cell can hold ESC, and with it an ANSI or OSC sequence
 * that a terminal obeys: clear the screen, retitle the window, rewrite the
 * line above with a fake message, plant a link. Whatever comes from
 * outside goes through li_text_for_terminal() before it is printed; valid
 * UTF-8 text (accents, any script) is kept as it is.
 */
#ifndef LEADIMPORT_TEXT_H
#define LEADIMPORT_TEXT_H

#include <stddef.h>

/*
 * Writes s[0..len) into out (cap bytes, always NUL-terminated when cap >
 * 0) with what a terminal would obey shown visibly:
 *   - C0 controls and DEL as "\xNN" ("\x1b" for ESC, "\x0a" for a line
 *     break: a value never starts a new line of output);
 *   - C1 controls (U+0080 to U+009F: CSI, OSC in their 8-bit form) and
 *     the bidirectional overrides and isolates (U+202A to U+202E, U+2066
 *     to U+2069: they reorder what follows on the line) as "\u009b";
 *   - a byte that is not part of valid UTF-8 as "\xNN".
 * Everything else is copied. When the result does not fit, it is cut on a
 * character boundary (never inside an escape) and ends with "…".
 * Returns the length written (without the NUL).
 */
size_t li_text_for_terminal(const char *s, size_t len, char *out, size_t cap);

/*
 * v with French digit grouping ("1 234 567": a space between groups of
 * three, as the summaries print counts) into buf; returns buf.
 */
const char *li_text_fr_count(char *buf, size_t cap, unsigned long long v);
/* 1 if li_text_for_terminal() would change s[0..len): it holds something to escape. */
int li_text_needs_escape(const char *s, size_t len);

/* The value of a hexadecimal digit (either case), -1 for another byte. */
int li_text_hex_digit(int c);

#endif
