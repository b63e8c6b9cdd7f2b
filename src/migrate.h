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

/*
 * The migrations of dir against the database's schema_migration, for
 * `dugoutctl check`.  Reads only (no lock, no bootstrap): a database
 * without schema_migration has has_schema 0 and every file pending.
 * Every string is owned by the struct (migrate_state_reset frees).
 */
struct migrate_state {
	int		  has_schema;	/* schema_migration exists */
	size_t		  nfiles;	/* migration files in dir */
	long		  newest_file;	/* highest version in dir, 0 if none */
	long		  newest_applied; /* highest applied version, 0 if none */
	char		**pending;	/* files not applied, in order */
	size_t		  npending;
	char		**unknown;	/* applied names with no file in dir */
	size_t		  nunknown;
};

/* Fill *st (reset first; on error it is left empty and *errmsg, owned,
 * says why: ERR_NOTFOUND for the directory, ERR_DB for the database). */
enum err	 migrate_state_get(struct db *, const char *dir,
		    struct migrate_state *st, char **errmsg) MUSTCHECK;
void		 migrate_state_reset(struct migrate_state *);

/*
 * Is dir usable by migrate_run: it can be listed, holds at least one
 * NNN_name.sql file, and every one of them can be read.  *nfiles counts
 * them; on failure *errmsg (owned) names the directory or the file.
 * Reads the file system only.
 */
enum err	 migrate_dir_check(const char *dir, size_t *nfiles,
		    char **errmsg) MUSTCHECK;

#endif
