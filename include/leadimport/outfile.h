/*
 * outfile.h — writing an output file safely (module util).
 *
 * Every file leadimport writes for the user (export, template, error
 * report, stored report) goes through here:
 *
 *   li_outfile *o;
 *   li_outfile_open(target, &guard, &o, err);   // refusals, then a temporary beside target
 *   ... fwrite(..., li_outfile_stream(o)) ...
 *   li_outfile_commit(o, err);                  // flush, fsync, rename over target
 *   // or li_outfile_abort(o) on any failure: the temporary goes, target is untouched
 *
 * Promises:
 *   - the target is only ever replaced by a complete file: the bytes are
 *     written to a temporary in the target's folder (created O_CREAT |
 *     O_EXCL | O_NOFOLLOW, mode 0600 whatever the umask), flushed and
 *     fsync'ed, then renamed into place; on any failure (disk full...) the
 *     temporary is removed and the previous target is as it was;
 *   - a target that is the database or one of its files (-wal, -journal,
 *     -shm), a file inside a folder of stored files, or the file being
 *     imported is refused before anything is written (LI_EUSAGE,
 *     output_protected): by device and inode when the target exists (a
 *     hard link or another spelling of the path is caught), by resolved
 *     path for the database's files that do not exist yet;
 *   - an existing target that is a symbolic link is refused
 *     (output_symlink), and so is a folder (output_is_dir). An existing
 *     character device or FIFO (/dev/null, a pipe) has nothing to replace:
 *     it is written directly.
 */
#ifndef LEADIMPORT_OUTFILE_H
#define LEADIMPORT_OUTFILE_H

#include <stdio.h>

#include "leadimport/error.h"

#define LI_OUTFILE_MAX_DIRS 4

/* What an output may never replace. Every member may be NULL. */
typedef struct li_outfile_guard {
    const char *db;                         /* the database file: it and its -wal, -journal, -shm */
    const char *dirs[LI_OUTFILE_MAX_DIRS];  /* folders of stored files: nothing inside them */
    const char *input;                      /* the file being imported */
} li_outfile_guard;

typedef struct li_outfile li_outfile;

/*
 * LI_OK if target may be written under g (g may be NULL: no protected
 * file); else LI_EUSAGE with output_protected, output_symlink or
 * output_is_dir. Nothing is created.
 */
li_status li_outfile_check(const char *target, const li_outfile_guard *g, li_error *err);

/*
 * li_outfile_check(), then the temporary beside target. *out owns both
 * and must end with li_outfile_commit() or li_outfile_abort(). LI_EIO
 * (file_unwritable) when the temporary cannot be created.
 */
li_status li_outfile_open(const char *target, const li_outfile_guard *g, li_outfile **out,
                          li_error *err);

/* The stream to write to (owned by o). */
FILE *li_outfile_stream(li_outfile *o);

/*
 * Flushes, fsyncs and renames the temporary over the target, then frees
 * o. On failure (LI_EIO, file_unwritable with the French reason: « disque
 * plein »...) the temporary is removed and the target untouched.
 */
li_status li_outfile_commit(li_outfile *o, li_error *err);

/* Removes the temporary and frees o; the target is untouched. NULL is fine. */
void li_outfile_abort(li_outfile *o);

/*
 * mkdir of a private folder: created 0700 whatever the umask; an existing
 * folder is fine (its mode is left alone). 0, or -1 with errno.
 */
int li_outfile_mkdir_private(const char *path);

#endif
