/*
 * infile.c — opening an input file without waiting on it (see infile.h).
 *
 * O_NONBLOCK makes open() of a FIFO return at once (it would wait for a
 * writer) and of a device not wait for a carrier; on a regular file it
 * changes nothing, and it is cleared anyway once the file is known to be
 * one, so that reads behave as they always did. O_NOCTTY: a terminal
 * named as input must not become the process's controlling terminal.
 */
#include "leadimport/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "leadimport/msg.h"

/* What a non-regular file is, for file_not_regular (French, « c'est %s »). */
static const char *kind(mode_t m) {
    if (S_ISFIFO(m))
        return "un tube nommé (FIFO)";
    if (S_ISSOCK(m))
        return "une socket";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "un périphérique";
    return "un fichier spécial";
}

li_status li_infile_open(const char *path, int *fd, struct stat *st, li_error *err) {
    struct stat sb;
    li_status rc = LI_OK;
    *fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (*fd < 0) {
        if (errno == ENXIO && stat(path, &sb) == 0) /* a socket, a device without its hardware */
            return li_error_set(err, LI_EIO, LI_MSG_FILE_NOT_REGULAR, path, kind(sb.st_mode));
        return li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, li_msg_errno(errno));
    }
    if (fstat(*fd, &sb) != 0) {
        rc = li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, li_msg_errno(errno));
        goto out;
    }
    if (S_ISDIR(sb.st_mode)) {
        rc = li_error_set(err, LI_EIO, LI_MSG_FILE_IS_DIRECTORY, path);
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        rc = li_error_set(err, LI_EIO, LI_MSG_FILE_NOT_REGULAR, path, kind(sb.st_mode));
        goto out;
    }
    int flags = fcntl(*fd, F_GETFL);
    if (flags < 0 || fcntl(*fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        rc = li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, li_msg_errno(errno));
        goto out;
    }
    if (st)
        *st = sb;
out:
    if (rc != LI_OK) {
        close(*fd);
        *fd = -1;
    }
    return rc;
}
