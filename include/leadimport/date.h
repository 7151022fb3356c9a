/*
 * date.h — dates of any usual shape to ISO 8601, day and month never swapped.
 *
 * A spreadsheet column of dates is written in one order, and "07/03/2024"
 * alone cannot say which: 7 March for a French file, 3 July for an American
 * one. So the order is decided once per column, from every value of it,
 * never value by value:
 *
 *   1. the probe pass feeds each value of a column to a li_date_col
 *      (li_date_col_init, li_date_col_feed; O(1) memory, no allocation);
 *   2. li_date_col_verdict() says whether the column holds dates and in
 *      which order, and which column-level warning to report once;
 *   3. each row's value goes through li_norm_date() with that order, which
 *      writes ISO 8601 and flags a value that contradicts the order.
 *
 * What li_norm_date() reads (surrounding spaces, NBSP included, ignored):
 *   - ISO and year-first: "2024-03-07", "2024/03/07", "2024.03.07",
 *     "20240307" (basic ISO, 8 digits);
 *   - day and month as numbers, year last, one separator among / - . used
 *     twice: "07/03/2024", "7/3/2024", "07-03-2024", "07.03.2024",
 *     "07/03/24"; which number is the day is the order's business;
 *   - a month name, French or English, full or abbreviated, any case, with
 *     or without accents and a final dot: "7 mars 2024", "1er févr. 2024",
 *     "07-mars-24", "7-Mar-2024", "07MAR2024", "March 7, 2024",
 *     "Mar 7th 2024", after an optional weekday ("jeudi 7 mars 2024",
 *     "Thu, 07 Mar 2024"). "mar" is March, never mardi;
 *   - an Excel serial number of exactly 5 digits, optional fraction ("45358",
 *     "45358.5", "45358,5"), 1900 system: 1927-05-18 to 2100-12-31. Shorter
 *     numbers are years, amounts or codes, never dates;
 *   - after any date, a time: "T" or spaces (optionally "à" / "at"), then
 *     "10:20", "10:20:30", "10:20:30.123" (fraction dropped), "10h20",
 *     "10h", a 12-hour clock with "AM"/"PM", and a zone: "Z", "UTC", "GMT",
 *     "+01:00", "+0100", "+01".
 *
 * Two-digit years follow Excel and Windows (what the user saw in the
 * spreadsheet): 00-29 are 2000-2029, 30-99 are 1930-1999. Years outside
 * 1900-2100 are refused (LI_MSG_DATE_OUT_OF_RANGE): a typo, not a lead's
 * date. Calendar dates are checked (29/02 only in leap years, no 31/04).
 *
 * Output: "YYYY-MM-DD" for a date, "YYYY-MM-DD HH:MM:SS" when the input had
 * a time (seconds always written), followed by "Z" or "+HH:MM" when it had
 * a zone (offset zero is written "Z"). The time is kept as written, never
 * converted to UTC, so the date part is always the date the user wrote.
 * The space (not "T") is RFC 3339's allowed variant and SQLite's own
 * datetime() form, and Excel re-reads it as a date. li_norm_date() of an
 * output returns the same output (idempotent).
 *
 * Everything here is thread-safe, allocation-free and locale-independent.
 */
#ifndef LEADIMPORT_DATE_H
#define LEADIMPORT_DATE_H

#include <stddef.h>
#include <stdint.h>

#include "leadimport/msg.h"

/* Bytes li_norm_date() needs in out: "YYYY-MM-DD HH:MM:SS+HH:MM" and NUL. */
#define LI_DATE_CAP 32
/* Bytes kept of an example value for the column-level warnings. */
#define LI_DATE_SAMPLE 48

/*
 * How many non-empty values a column needs before it can be called a date
 * column, and which share of them must be dates (percent). Without a header
 * hint the values alone must be convincing: 3 values, 90 % (a typo or an
 * "inconnu" in ten is tolerated; a notes or reference column is not taken
 * for dates). With a hint ("Date de naissance"), one value and a majority
 * suffice: a date column with placeholders ("à venir") still gets its dates
 * normalised and its other values flagged.
 */
#define LI_DATE_COL_MIN 3
#define LI_DATE_COL_PCT 90
#define LI_DATE_COL_MIN_HINTED 1
#define LI_DATE_COL_PCT_HINTED 50

typedef enum li_date_order {
    LI_DATE_DMY = 0, /* 07/03/2024 is 7 March: France, the default */
    LI_DATE_MDY = 1, /* 07/03/2024 is 3 July: an American file */
    /*
     * The column needs no order: every value was year-first, had a month
     * name, was a serial, or read the same both ways ("05/05/2024"). A
     * later value that needs one is read day/month and flagged
     * LI_MSG_DATE_AMBIGUOUS.
     */
    LI_DATE_YMD = 2,
} li_date_order;

/*
 * Normalises a date (in/len, need not be NUL-terminated) to ISO 8601 in
 * out (NUL-terminated; cap must be at least LI_DATE_CAP). A day/month
 * value whose numbers are both 12 or less is read in the given order.
 * Returns:
 *   LI_MSG_NONE                the date is in out;
 *   LI_MSG_DATE_ORDER_CONFLICT (warning) the value can only be read in the
 *                              other order ("01/13/2024" for LI_DATE_DMY):
 *                              that only reading is in out;
 *   LI_MSG_DATE_AMBIGUOUS      (warning) order is LI_DATE_YMD and the value
 *                              reads both ways: read day/month, in out;
 *   LI_MSG_DATE_OUT_OF_RANGE   a real date with its year outside 1900-2100
 *                              (or a 5-digit serial past 2100); out is "";
 *   LI_MSG_DATE_INVALID        anything else (not a date, 31/04, 4-digit
 *                              number, 25:00); out is "";
 *   LI_MSG_INTERNAL            cap < LI_DATE_CAP (a caller's bug).
 * Call it only on values of a date column (li_date_col_verdict) or of a
 * date field: it reads a 5-digit number as a serial.
 */
li_msg li_norm_date(const char *in, size_t len, li_date_order order, char *out, size_t cap);

/*
 * Converts an Excel serial number written as text ("45358", "45358.5",
 * "45358,5"; up to 7 integer digits, a fraction is the time of day rounded
 * to the second) for a cell the workbook formats as a date. date1904 is the
 * workbook's <workbookPr date1904="1"> flag. 1900 system: 1 is 1900-01-01,
 * 59 is 1900-02-28, 61 is 1900-03-01; 60 is the 29/02/1900 Excel shows
 * (Lotus 1-2-3's leap-year bug), a day that never was: LI_MSG_DATE_INVALID,
 * like 0 ("00/01/1900"). 1904 system: 0 is 1904-01-01. Output and return
 * codes as li_norm_date(); no order, so never a warning.
 */
li_msg li_norm_date_serial(const char *in, size_t len, int date1904, char *out, size_t cap);

/*
 * 1 if a column header says the column holds dates: a word (accents, case
 * and punctuation ignored, camelCase split) such as date, né/née, naissance,
 * birth(day), DOB, DDN, créé/création/created, échéance, expiration,
 * modifié/modification/updated, relance, RDV, anniversaire, horodatage,
 * timestamp, due, deadline. Whole words: "Candidate" is not a date. A hint
 * only lowers the bar (LI_DATE_COL_*_HINTED) and admits bare numbers; the
 * values still decide: "Année de naissance" hints, but "1985" is never a
 * date, so a column of years is not taken for one. 0 otherwise.
 */
int li_date_header_hint(const char *header, size_t len);

/*
 * The analyser of one column. Plain data with no pointers: declare it (on
 * the stack or in an array, one per column), li_date_col_init() it, feed
 * it, read its verdict; nothing to free. Fields are private.
 */
typedef struct li_date_col {
    int hint;
    uint64_t values;    /* non-empty values fed */
    uint64_t dates;     /* of which li_norm_date() reads as a date */
    uint64_t dmy, mdy;  /* values that read only day/month, only month/day */
    uint64_t ambiguous; /* values that read both ways, differently */
    char dmy_sample[LI_DATE_SAMPLE];
    char mdy_sample[LI_DATE_SAMPLE];
    char ambiguous_sample[LI_DATE_SAMPLE];
} li_date_col;

/*
 * Starts an analysis. header_hint: li_date_header_hint() of the header, or
 * 1 for a column mapped to a date field. Bare numbers (Excel serials,
 * "20240307") count as dates only with a hint: without one, a column of
 * postal codes, amounts or IDs would pass for dates.
 */
void li_date_col_init(li_date_col *c, int header_hint);

/*
 * Feeds one value of the column (borrowed for the call only; empty and
 * blank values are ignored). O(len), no allocation.
 */
void li_date_col_feed(li_date_col *c, const char *value, size_t len);

/*
 * 1 once the column is a date column by what was fed and exactly one
 * order is proven: a probe scanning a file may stop feeding it. Later
 * values can still contradict that order; li_norm_date() flags them
 * (LI_MSG_DATE_ORDER_CONFLICT) row by row. 0 while undecided, and for a
 * column with both orders (keep feeding: the majority decides).
 */
int li_date_col_settled(const li_date_col *c);

typedef struct li_date_verdict {
    int is_date;         /* 1: normalise the column's values with li_norm_date() */
    li_date_order order; /* the order to pass to li_norm_date() */
    /*
     * The column-level warning to report once (when is_date), or
     * LI_MSG_NONE:
     *   LI_MSG_DATE_COLUMN_AMBIGUOUS: no value told the orders apart, day/
     *     month assumed; arguments: header, ambiguous_example,
     *     ambiguous_reading;
     *   LI_MSG_DATE_COLUMN_MIXED: both orders are proven; the majority
     *     (day/month on a tie) wins; arguments: header, dmy_example,
     *     mdy_example, li_date_order_label(order).
     */
    li_msg warning;
    uint64_t values, dates, dmy, mdy, ambiguous; /* the counts fed */
    uint64_t against;                            /* values proving the order not chosen */
    /* First value of each kind ("" if none): borrowed from the li_date_col,
     * valid until it is fed or initialised again. */
    const char *dmy_example;
    const char *mdy_example;
    const char *ambiguous_example;
    char ambiguous_reading[LI_DATE_CAP]; /* ambiguous_example read in order */
} li_date_verdict;

/* The verdict on what was fed so far; c is not changed. */
void li_date_col_verdict(const li_date_col *c, li_date_verdict *v);

/* "jour/mois", "mois/jour" or "année-mois-jour": for the French messages. */
const char *li_date_order_label(li_date_order o);

#endif
