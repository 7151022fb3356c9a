/*
 * storeInt.h — what the files of the store module share.
 */
#ifndef LEADIMPORT_STORE_INT_H
#define LEADIMPORT_STORE_INT_H

/* NULL-terminated list of SQLite migrations; entry i brings version i to i+1. */
extern const char *const li__sqlite_migrations[];

#endif
