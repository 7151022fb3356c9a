/*
 * owner.c — is the owner of a lease a process of this host that is gone?
 *
 * Leases decide who runs what (backend.h); this is only their fast path
 * on one machine: a worker killed by SIGKILL costs nothing but its last
 * uncommitted batch, instead of waiting for its lease to expire. Backends
 * call it in C on the owners their queries return, never from SQL: the
 * database may be on another machine, where this process table means
 * nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "backend.h"

static char host_name[256];

static void read_host_name(void) {
    if (gethostname(host_name, sizeof host_name - 1) != 0)
        snprintf(host_name, sizeof host_name, "localhost");
}

int li__owner_alive(const char *owner) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, read_host_name);
    const char *last = owner ? strrchr(owner, ':') : NULL;
    if (!last || last == owner)
        return 1;
    const char *p = last - 1;
    while (p > owner && *p != ':')
        p--;
    if (*p != ':')
        return 1;
    size_t hlen = (size_t)(p - owner);
    if (hlen != strlen(host_name) || memcmp(owner, host_name, hlen) != 0)
        return 1;
    char *end = NULL;
    long pid = strtol(p + 1, &end, 10);
    if (end != last || pid <= 0)
        return 1;
    if ((pid_t)pid == getpid())
        return 1;
    if (kill((pid_t)pid, 0) != 0)
        return errno != ESRCH;
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *paren = strrchr(buf, ')'); /* "pid (comm) S ..." */
    return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}
