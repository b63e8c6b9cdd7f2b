/*
 * migrate.h -- apply sql/NNN_name.sql migrations in order, each in its
 * own transaction, recording each in schema_migration.  Does I/O (files,
 * and the database through db.h).  Used by `dugoutctl migrate` and the
 * database tests.
 */
#ifndef DUGOUT_MIGRATE_H
#define DUGOUT_MIGRATE_H

#include <stddef.h>

#include "err.h"

struct db;

/*
 * Apply what is not yet applied from dir.  Concurrent migrators wait on
 * an advisory lock.  *applied counts the files run; on failure *errmsg
 * (owned, free()) says which file and why.  A callback, when not NULL,
 * hears each file name as it is applied.
 */
enum err	 migrate_run(struct db *, const char *dir, size_t *applied,
		    void (*each)(const char *name), char **errmsg) MUSTCHECK;

/* Migrations in dir that are not applied yet (0 when current). */
enum err	 migrate_pending(struct db *, const char *dir,
		    size_t *pending, char **errmsg) MUSTCHECK;

#endif
