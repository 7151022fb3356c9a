/*
 * sqlite_ckpt.c — the checkpoints of a bulk load, on a thread of their own.
 *
 * In WAL mode every page is written twice: appended to the WAL at commit,
 * then copied into the database by a checkpoint. SQLite runs that
 * checkpoint inside the COMMIT that makes the WAL pass its threshold, on
 * the writing thread: during the load of a million leads the writer spent
 * about a fifth of its time there (its load took 3.8 s with checkpoints,
 * 3.05 s without), while the reading thread's core idled half the time.
 * SQLite's documentation names the remedy: no automatic checkpoint on the
 * writing connection, and passive checkpoints from another connection, on
 * another thread (https://sqlite.org/wal.html, "Application-Initiated
 * Checkpoints").
 *
 * For the time of a bulk load (li__sqlite_bulk_begin to _end), or of a
 * review's big parse (li_store_heavy_writes), the writing
 * connection's WAL hook only wakes this thread when the WAL holds
 * CKPT_FRAMES frames more than at its last wake-up; the thread runs a
 * PASSIVE checkpoint on its own connection, which never waits for the
 * writer nor blocks it.
 *
 * The WAL is started over only by a write transaction that begins when
 * every frame has been copied, which a writer committing all the time
 * never meets by chance: the file would grow with the whole load (627 MiB
 * for a million leads, against 111 MiB). So once it passes FULL_FRAMES,
 * the hook waits, after that commit, for one checkpoint that copies what
 * is left (the rest of what the thread was copying anyway), at most
 * FULL_WAIT_S (the database file synced meanwhile, so that this wait is
 * short: sync_copied). A reader of an old snapshot can hold frames back: then the
 * WAL is not started over and grows until a later try, as it would with
 * SQLite's own checkpoints; the writer never waits for a reader.
 *
 * Durability is SQLite's: the checkpoint syncs what it copies
 * (synchronous=NORMAL), and a crash at any point leaves a WAL that the
 * next opening replays. A failed checkpoint is not the load's failure: the
 * WAL keeps those frames, and the writer's own checkpoint, restored at the
 * end, copies them.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <time.h>

#include "storeInt.h"

/* Frames (pages) the WAL gains between two wake-ups: 4 MiB of 4 KiB pages. */
#define CKPT_FRAMES 1024

/*
 * The WAL's size at which a commit waits for it to be copied whole, then
 * started over: where SQLite's automatic checkpoint would run (64 MiB).
 * Each wait is the copy and the sync of the last frames, 6-10 ms here
 * (40-55 ms before sync_copied; at 128 MiB it took 80-90 ms: the same in
 * all). At most FULL_WAIT_S.
 */
#define FULL_FRAMES LI__SQLITE_AUTO_FRAMES
#define FULL_WAIT_S 2

struct li__sqlite_ckpt {
    sqlite3 *db; /* the checkpointer's own connection */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int wake, stop;
    int want_full;   /* the writer waits for a checkpoint of every frame it committed */
    int full_done;   /* ... which is over */
    int last_frames; /* the WAL's size at the last wake-up (the writer's thread) */
};

/*
 * SQLite syncs the database file only in a checkpoint that copies the
 * whole WAL: the one the writer waits for at FULL_FRAMES, which then
 * flushed every page the passive ones had copied since the last (about
 * 45 MiB): 40-55 ms of each wait, eight times per million leads. Synced
 * here after each passive checkpoint, on this thread, the flush is spread
 * over the load and the writer's wait is the last few pages: 6-10 ms
 * (measured on the 1M-row bench file). It only adds syncs: durability and
 * the WAL's restart are SQLite's as before. Through the connection's own
 * file: a descriptor of our own on the database, once closed, would drop
 * the process's POSIX locks on it (SQLite's locks).
 */
static void sync_copied(li__sqlite_ckpt *c) {
    sqlite3_file *f = NULL;
    if (sqlite3_file_control(c->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) == SQLITE_OK && f &&
        f->pMethods)
        (void)f->pMethods->xSync(f, SQLITE_SYNC_NORMAL); /* a failure: the full one syncs */
}

static void *ckpt_main(void *arg) {
    li__sqlite_ckpt *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->wake && !c->stop)
            pthread_cond_wait(&c->cv, &c->mu);
        if (c->stop)
            break;
        c->wake = 0;
        int full = c->want_full; /* asked before this checkpoint: it sees the frames asked for */
        pthread_mutex_unlock(&c->mu);
        /* a failure is not the load's: the WAL keeps the frames (see above) */
        (void)sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        if (!full)
            sync_copied(c);
        pthread_mutex_lock(&c->mu);
        if (full) { /* all it could: a reader of an old snapshot may hold frames back */
            c->want_full = 0;
            c->full_done = 1;
            pthread_cond_broadcast(&c->cv);
        }
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* The writer's WAL hook, after each commit: nframes is the WAL's size. */
static int ckpt_hook(void *arg, sqlite3 *db, const char *name, int nframes) {
    (void)db, (void)name;
    li__sqlite_ckpt *c = arg;
    if (nframes < c->last_frames) /* the writer started the WAL over */
        c->last_frames = 0;
    if (nframes >= FULL_FRAMES) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += FULL_WAIT_S;
        pthread_mutex_lock(&c->mu);
        c->want_full = 1;
        c->full_done = 0;
        c->wake = 1;
        pthread_cond_broadcast(&c->cv);
        while (!c->full_done && !c->stop &&
               pthread_cond_timedwait(&c->cv, &c->mu, &until) == 0)
            ;
        c->want_full = 0;
        pthread_mutex_unlock(&c->mu);
        c->last_frames = nframes;
    } else if (nframes - c->last_frames >= CKPT_FRAMES) {
        c->last_frames = nframes;
        pthread_mutex_lock(&c->mu);
        c->wake = 1;
        pthread_cond_broadcast(&c->cv);
        pthread_mutex_unlock(&c->mu);
    }
    return SQLITE_OK;
}

void li__sqlite_ckpt_start(li__sqlite *s) {
    if (s->ckpt)
        return;
    li__sqlite_ckpt *c = calloc(1, sizeof *c);
    if (!c)
        return; /* the writer checkpoints, as without a bulk load */
    const char *vfs = sqlite3_vfs_find(LI__SQLITE_VFS_NAME) ? LI__SQLITE_VFS_NAME : NULL;
    int ok = sqlite3_open_v2(s->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, vfs) ==
                 SQLITE_OK &&
             sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-256;", NULL, NULL,
                          NULL) == SQLITE_OK;
    if (ok && pthread_mutex_init(&c->mu, NULL) != 0)
        ok = 0;
    else if (ok && pthread_cond_init(&c->cv, NULL) != 0) {
        pthread_mutex_destroy(&c->mu);
        ok = 0;
    }
    if (ok && pthread_create(&c->thread, NULL, ckpt_main, c) != 0) {
        pthread_cond_destroy(&c->cv);
        pthread_mutex_destroy(&c->mu);
        ok = 0;
    }
    if (!ok) {
        sqlite3_close(c->db);
        free(c);
        return;
    }
    (void)pthread_setname_np(c->thread, "li-checkpoint");
    s->ckpt = c;
    sqlite3_wal_hook(s->db, ckpt_hook, c); /* replaces the automatic checkpoint */
}

void li__sqlite_heavy_writes(li_store *store, int on) {
    if (on)
        li__sqlite_ckpt_start(li__sq(store));
    else
        li__sqlite_ckpt_stop(li__sq(store));
}

void li__sqlite_ckpt_stop(li__sqlite *s) {
    li__sqlite_ckpt *c = s->ckpt;
    if (!c)
        return;
    sqlite3_wal_autocheckpoint(s->db, LI__SQLITE_AUTO_FRAMES); /* the writer's own, hook removed */
    pthread_mutex_lock(&c->mu);
    c->stop = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    sqlite3_close(c->db);
    free(c);
    s->ckpt = NULL;
}
