/*
 * infile.h — opening a file the user names as input (a CSV or XLSX file to
 * import, sniff or hash): only a regular file is ever read.
 *
 * A FIFO, a socket, a terminal or another device would make open() or
 * read() wait for a writer that never comes (or read an endless stream);
 * a directory cannot be read. They are refused at once, with a French
 * message saying what the path is, before a single byte is read.
 */
#ifndef LEADIMPORT_INFILE_H
#define LEADIMPORT_INFILE_H

#include <sys/stat.h>

#include "leadimport/error.h"

/*
 * Opens path read-only (close-on-exec) without ever blocking: O_NONBLOCK
 * for the open itself (a FIFO without writer, a device), then fstat. On
 * success *fd (owned by the caller, blocking mode restored) is a regular
 * file and *st (if not NULL) its status. Errors: LI_EIO, err set:
 * file_unreadable (missing, no permission...), file_is_directory,
 * file_not_regular.
 */
li_status li_infile_open(const char *path, int *fd, struct stat *st, li_error *err);

#endif
