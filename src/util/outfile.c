/*
 * outfile.c — output files written aside and renamed into place, with the
 * refusal of targets that would destroy data (see outfile.h).
 *
 * Why each step:
 *   - fopen(target, "w") truncates first: a disk full, a crash or a
 *     refusal halfway left an empty or half report where the previous one
 *     was, and `export -o leadimport.db` emptied the database. The
 *     temporary beside the target (same folder, so same file system) is
 *     renamed over it only when complete and fsync'ed.
 *   - O_EXCL | O_NOFOLLOW on the temporary: a name planted in the folder
 *     (a symbolic link to another file) is never followed nor reused.
 *   - fchmod(0600): the umask may only remove bits, but a umask of 0177
 *     would leave 0400 and 000 changes nothing; these files hold leads.
 */
#include "leadimport/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leadimport/msg.h"

struct li_outfile {
    char *target;
    char *tmp;  /* NULL when the target is written directly (a device, a FIFO) */
    FILE *f;
};

/* The folder part of path ("." for a bare name), malloc'ed. */
static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/*
 * path with its folder resolved (symbolic links, "..", relative parts),
 * the last component kept as written: comparable for a file that does not
 * exist yet. malloc'ed, or NULL when the folder does not exist.
 */
static char *resolved(const char *path) {
    char *dir = dir_of(path), *real = dir ? realpath(dir, NULL) : NULL, *out = NULL;
    if (real) {
        size_t n = strlen(real) + strlen(base_of(path)) + 2;
        if ((out = malloc(n)))
            snprintf(out, n, "%s%s%s", real, strcmp(real, "/") == 0 ? "" : "/", base_of(path));
    }
    free(dir);
    free(real);
    return out;
}

/* 1 if a and b name the same existing file (device and inode). */
static int same_file(const struct stat *a, const char *b) {
    struct stat sb;
    return b && stat(b, &sb) == 0 && sb.st_dev == a->st_dev && sb.st_ino == a->st_ino;
}

/* 1 if the resolved target is the database's file with suffix (which may not exist). */
static int db_file_named(const char *target_res, const char *db, const char *suffix) {
    char name[PATH_MAX + 16];
    int hit = 0;
    snprintf(name, sizeof name, "%s%s", db, suffix);
    char *r = resolved(name);
    hit = r && target_res && strcmp(r, target_res) == 0;
    free(r);
    if (!hit) { /* the database itself reached through a link: its real name's files */
        char *real_db = realpath(db, NULL);
        if (real_db) {
            snprintf(name, sizeof name, "%s%s", real_db, suffix);
            hit = target_res && strcmp(name, target_res) == 0;
        }
        free(real_db);
    }
    return hit;
}

/* 1 if the resolved target lies inside folder dir (at any depth). */
static int inside(const char *target_res, const char *dir) {
    char *real = realpath(dir, NULL);
    int hit = 0;
    if (real && target_res) {
        size_t n = strlen(real);
        hit = strncmp(target_res, real, n) == 0 && (target_res[n] == '/' || real[n - 1] == '/');
    }
    free(real);
    return hit;
}

li_status li_outfile_check(const char *target, const li_outfile_guard *g, li_error *err) {
    static const char *const db_suffix[] = {"", "-wal", "-journal", "-shm"};
    struct stat sb;
    int exists = lstat(target, &sb) == 0;
    if (exists && S_ISLNK(sb.st_mode))
        return li_error_set(err, LI_EUSAGE, LI_MSG_OUTPUT_SYMLINK, target);
    if (exists && S_ISDIR(sb.st_mode))
        return li_error_set(err, LI_EUSAGE, LI_MSG_OUTPUT_IS_DIR, target, target);
    if (!g)
        return LI_OK;
    const char *what = NULL;
    char *res = resolved(target);
    if (g->input && ((exists && same_file(&sb, g->input)) ||
                     (!exists && res && db_file_named(res, g->input, ""))))
        what = "le fichier importé";
    for (size_t i = 0; !what && g->db && i < sizeof db_suffix / sizeof db_suffix[0]; i++) {
        char name[PATH_MAX + 16];
        snprintf(name, sizeof name, "%s%s", g->db, db_suffix[i]);
        if ((exists && same_file(&sb, name)) || db_file_named(res, g->db, db_suffix[i]))
            what = i == 0 ? "la base de données" : "un fichier de la base de données";
    }
    for (size_t i = 0; !what && i < LI_OUTFILE_MAX_DIRS && g->dirs[i]; i++)
        if (inside(res, g->dirs[i]))
            what = "un fichier conservé par leadimport (copie d'un fichier importé ou rapport)";
    free(res);
    if (what)
        return li_error_set(err, LI_EUSAGE, LI_MSG_OUTPUT_PROTECTED, target, what);
    return LI_OK;
}

/* Opens a new temporary beside target: ".NAME.XXXXXXXX.tmp". fd, or -1 with errno. */
static int open_aside(const char *target, char **tmp) {
    char *dir = dir_of(target);
    size_t n = (dir ? strlen(dir) : 0) + strlen(base_of(target)) + 32;
    int fd = -1;
    if (!dir || !(*tmp = malloc(n))) {
        free(dir);
        errno = ENOMEM;
        return -1;
    }
    for (int tries = 0; tries < 100 && fd < 0; tries++) {
        unsigned int r = 0;
        if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
            r = (unsigned)getpid() * 2654435761u + (unsigned)tries;
        snprintf(*tmp, n, "%s/.%s.%08x.tmp", dir, base_of(target), r);
        fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd >= 0 && fchmod(fd, 0600) != 0) { /* whatever the umask */
        int e = errno;
        close(fd);
        unlink(*tmp);
        errno = e;
        fd = -1;
    }
    if (fd < 0) {
        free(*tmp);
        *tmp = NULL;
    }
    free(dir);
    return fd;
}

li_status li_outfile_open(const char *target, const li_outfile_guard *g, li_outfile **out,
                          li_error *err) {
    *out = NULL;
    li_status st = li_outfile_check(target, g, err);
    if (st != LI_OK)
        return st;
    li_outfile *o = calloc(1, sizeof *o);
    if (!o || !(o->target = strdup(target))) {
        free(o);
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    struct stat sb;
    int fd;
    if (lstat(target, &sb) == 0 && (S_ISCHR(sb.st_mode) || S_ISFIFO(sb.st_mode)))
        fd = open(target, O_WRONLY | O_NOFOLLOW | O_CLOEXEC); /* nothing to replace */
    else
        fd = open_aside(target, &o->tmp);
    if (fd < 0 || !(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        li_outfile_abort(o);
        return li_error_set(err, li_status_from_errno(e, LI_EIO), LI_MSG_FILE_UNWRITABLE, target,
                            li_msg_errno(e));
    }
    *out = o;
    return LI_OK;
}

FILE *li_outfile_stream(li_outfile *o) {
    return o->f;
}

/* fsync of the folder holding path: the rename itself survives a power cut. */
static void sync_dir(const char *path) {
    char *dir = dir_of(path);
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

li_status li_outfile_commit(li_outfile *o, li_error *err) {
    int e = 0;
    if (fflush(o->f) != 0 || (o->tmp && fsync(fileno(o->f)) != 0))
        e = errno ? errno : EIO;
    int closed = fclose(o->f);
    o->f = NULL;
    if (!e && closed != 0)
        e = errno ? errno : EIO;
    if (!e && o->tmp && rename(o->tmp, o->target) != 0)
        e = errno;
    if (e) {
        li_status st = li_error_set(err, li_status_from_errno(e, LI_EIO), LI_MSG_FILE_UNWRITABLE, o->target,
                                    li_msg_errno(e));
        li_outfile_abort(o);
        return st;
    }
    if (o->tmp)
        sync_dir(o->target);
    free(o->tmp);
    free(o->target);
    free(o);
    return LI_OK;
}

void li_outfile_abort(li_outfile *o) {
    if (!o)
        return;
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->target);
    free(o);
}

int li_outfile_mkdir_private(const char *path) {
    if (mkdir(path, 0700) != 0)
        return errno == EEXIST ? 0 : -1;
    return chmod(path, 0700); /* a umask of 0700 would have left 0000 */
}
