/*
 * reader.c — opening a file for reading rows: refuses what we cannot read
 * (with the format named, in French), then hands the file to its backend.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readerInt.h"

void li_reader_opts_init(li_reader_opts *o) {
    memset(o, 0, sizeof *o);
    o->header = -1;
}

li_status li_reader_open(const char *path, const li_reader_opts *opts, li_reader **out,
                         li_error *err) {
    li_reader_opts defaults;
    if (!opts) {
        li_reader_opts_init(&defaults);
        opts = &defaults;
    }
    *out = NULL;
    if (opts->format && strcmp(opts->format, "csv") != 0)
        return li_error_set(err, LI_EUSAGE, LI_MSG_FORMAT_UNKNOWN, opts->format);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int e = errno;
        close(fd);
        return li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path,
                            S_ISDIR(sb.st_mode) ? "c'est un dossier"
                            : e                 ? strerror(e)
                                                : "ce n'est pas un fichier ordinaire");
    }
    if (sb.st_size == 0) {
        close(fd);
        return li_error_set(err, LI_EFORMAT, LI_MSG_FILE_EMPTY, path);
    }
    unsigned char magic[8] = {0};
    ssize_t n = pread(fd, magic, sizeof magic, 0);
    if (n >= 4 && memcmp(magic, "PK\x03\x04", 4) == 0) {
        close(fd);
        return li_error_set(err, LI_EFORMAT, LI_MSG_FORMAT_XLSX_UNSUPPORTED, path);
    }
    if (n >= 8 && memcmp(magic, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
        close(fd);
        return li_error_set(err, LI_EFORMAT, LI_MSG_FORMAT_XLS, path);
    }
    return li__csv_open(fd, path, (uint64_t)sb.st_size, opts, out, err);
}

const li_reader_info *li_reader_get_info(const li_reader *r) {
    return &r->info;
}

const li_slice *li_reader_header(const li_reader *r, size_t *n) {
    *n = r->nheader;
    return r->header;
}

li_status li_reader_next(li_reader *r, const li_row **row, li_error *err) {
    return r->vt->next(r, row, err);
}

uint64_t li_reader_position(const li_reader *r) {
    return r->vt->position(r);
}

void li_reader_free(li_reader *r) {
    if (r)
        r->vt->free(r);
}
