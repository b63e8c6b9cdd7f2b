/*
 * migrate.c -- numbered SQL migrations (see migrate.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "migrate.h"

#define MIGRATE_MAX_FILE	(16 * 1024 * 1024)

static const char BOOTSTRAP[] =
    "CREATE TABLE IF NOT EXISTS schema_migration ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now());"
    "COMMENT ON TABLE schema_migration IS 'Migrations of sql/ applied by "
    "dugoutctl migrate, one row each.';"
    "COMMENT ON COLUMN schema_migration.version IS 'The number that "
    "starts the file name (001_... is 1).';"
    "COMMENT ON COLUMN schema_migration.name IS 'The file name.';"
    "COMMENT ON COLUMN schema_migration.applied_at IS 'When it ran.';";

struct files {
	char	**v;
	size_t	  n;
};

/* *out = the formatted message, owned (NULL when out of memory). */
static void __attribute__((format(printf, 2, 3)))
msgf(char **out, const char *fmt, ...)
{
	struct buf	 b;
	va_list		 ap;
	char		 line[1024];	/* ours: a message, cut if longer */

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	buf_init(&b, sizeof(line));
	*out = buf_puts(&b, line) == ERR_OK ? buf_steal(&b) : NULL;
	buf_free(&b);
}

static void
files_free(struct files *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum err
files_list(const char *dir, struct files *f, char **errmsg)
{
	DIR		*dp;
	struct dirent	*de;
	char		**nv;
	size_t		 l;
	enum err	 er = ERR_OK;

	memset(f, 0, sizeof(*f));
	if ((dp = opendir(dir)) == NULL) {
		msgf(errmsg, "%s: %s", dir, strerror(errno));
		return ERR_NOTFOUND;
	}
	while ((de = readdir(dp)) != NULL) {
		l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".sql") != 0 ||
		    de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if ((nv = realloc(f->v, (f->n + 1) * sizeof(*nv))) == NULL ||
		    (nv[f->n] = strdup(de->d_name)) == NULL) {
			if (nv != NULL)
				f->v = nv;
			er = ERR_NOMEM;
			break;
		}
		f->v = nv;
		f->n++;
	}
	(void)closedir(dp);
	if (er == ERR_OK && f->n > 1)	/* qsort(NULL, 0) is undefined */
		qsort(f->v, f->n, sizeof(*f->v), name_cmp);
	return er;
}

static char *
slurp(const char *path)
{
	FILE		*fp;
	struct buf	 b;
	char		 chunk[4096];
	size_t		 n;
	int		 ok = 1;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	buf_init(&b, MIGRATE_MAX_FILE);
	while (ok && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ok = buf_append(&b, chunk, n) == ERR_OK;
	(void)fclose(fp);
	if (!ok) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static int
is_applied(const struct db_rows *rows, long v)
{
	size_t	 i;

	for (i = 0; i < db_rows_count(rows); i++)
		if (strtol(db_rows_get(rows, i, 0), NULL, 10) == v)
			return 1;
	return 0;
}

/* Run one file and record it, in one transaction. */
static enum err
apply_one(struct db *db, const char *dir, const char *name, char **errmsg)
{
	char		 path[4096], num[24], *sql = NULL, *msg = NULL;
	const char	*params[2] = { num, name };
	enum err	 er = ERR_NOTFOUND;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	(void)snprintf(num, sizeof(num), "%ld", strtol(name, NULL, 10));
	if ((sql = slurp(path)) == NULL) {
		msg = strdup("cannot read the file");
		goto out;
	}
	if ((er = db_script(db, "BEGIN", &msg)) != ERR_OK)
		goto out;
	if ((er = db_script(db, sql, &msg)) != ERR_OK ||
	    (er = db_run(db, Q_MIGRATION_ADD, params, NULL)) != ERR_OK) {
		ERR_IGNORE(db_script(db, "ROLLBACK", NULL));
		goto out;
	}
	er = db_script(db, "COMMIT", &msg);
out:
	if (er != ERR_OK)
		msgf(errmsg, "%s: %s", name, msg != NULL ? msg : err_str(er));
	free(msg);
	free(sql);
	return er;
}

enum err
migrate_run(struct db *db, const char *dir, size_t *applied,
    void (*each)(const char *), char **errmsg)
{
	struct files	 f;
	struct db_rows	*rows = NULL;
	size_t		 i;
	enum err	 er;

	*applied = 0;
	*errmsg = NULL;
	if ((er = files_list(dir, &f, errmsg)) != ERR_OK)
		goto out;
	if ((er = db_run(db, Q_MIGRATION_LOCK, NULL, NULL)) != ERR_OK ||
	    (er = db_script(db, BOOTSTRAP, errmsg)) != ERR_OK ||
	    (er = db_run(db, Q_MIGRATION_LIST, NULL, &rows)) != ERR_OK)
		goto out;
	for (i = 0; i < f.n; i++) {
		if (is_applied(rows, strtol(f.v[i], NULL, 10)))
			continue;
		if ((er = apply_one(db, dir, f.v[i], errmsg)) != ERR_OK)
			goto out;
		if (each != NULL)
			each(f.v[i]);
		(*applied)++;
	}
out:
	ERR_IGNORE(db_run(db, Q_MIGRATION_UNLOCK, NULL, NULL));
	db_rows_free(rows);
	files_free(&f);
	return er;
}

enum err
migrate_pending(struct db *db, const char *dir, size_t *pending,
    char **errmsg)
{
	struct files	 f;
	struct db_rows	*rows = NULL;
	size_t		 i;
	enum err	 er;

	*pending = 0;
	*errmsg = NULL;
	if ((er = files_list(dir, &f, errmsg)) != ERR_OK)
		goto out;
	if ((er = db_run(db, Q_MIGRATION_LIST, NULL, &rows)) != ERR_OK) {
		*pending = f.n;	/* no schema_migration: nothing applied */
		er = ERR_OK;
		goto out;
	}
	for (i = 0; i < f.n; i++)
		if (!is_applied(rows, strtol(f.v[i], NULL, 10)))
			(*pending)++;
out:
	db_rows_free(rows);
	files_free(&f);
	return er;
}

/* ------------------------------------------------------ dugoutctl check */

void
migrate_state_reset(struct migrate_state *st)
{
	size_t	 i;

	for (i = 0; i < st->npending; i++)
		free(st->pending[i]);
	for (i = 0; i < st->nunknown; i++)
		free(st->unknown[i]);
	free(st->pending);
	free(st->unknown);
	memset(st, 0, sizeof(*st));
}

/* Append a copy of s to the owned array *v of *n strings. */
static enum err
strv_add(char ***v, size_t *n, const char *s)
{
	char	**nv;

	if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL)
		return ERR_NOMEM;
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
		return ERR_NOMEM;
	(*n)++;
	return ERR_OK;
}

/* Is version v among the files of f? */
static int
has_file(const struct files *f, long v)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		if (strtol(f->v[i], NULL, 10) == v)
			return 1;
	return 0;
}

/* The applied rows (version, name) against the files, into st. */
static enum err
state_compare(const struct files *f, const struct db_rows *rows,
    struct migrate_state *st)
{
	const char	*name;
	size_t		 i;
	long		 v;
	enum err	 er = ERR_OK;

	for (i = 0; er == ERR_OK && i < f->n; i++)
		if (rows == NULL || !is_applied(rows, strtol(f->v[i], NULL, 10)))
			er = strv_add(&st->pending, &st->npending, f->v[i]);
	for (i = 0; er == ERR_OK && i < db_rows_count(rows); i++) {
		v = strtol(db_rows_get(rows, i, 0), NULL, 10);
		if (v > st->newest_applied)
			st->newest_applied = v;
		if (has_file(f, v))
			continue;
		name = db_rows_get(rows, i, 1);
		er = strv_add(&st->unknown, &st->nunknown,
		    name != NULL ? name : "?");
	}
	return er;
}

enum err
migrate_state_get(struct db *db, const char *dir, struct migrate_state *st,
    char **errmsg)
{
	struct files	 f;
	struct db_rows	*rows = NULL;
	const char	*t;
	size_t		 i;
	enum err	 er;

	memset(st, 0, sizeof(*st));
	*errmsg = NULL;
	if ((er = files_list(dir, &f, errmsg)) != ERR_OK)
		goto out;
	st->nfiles = f.n;
	for (i = 0; i < f.n; i++)
		if (strtol(f.v[i], NULL, 10) > st->newest_file)
			st->newest_file = strtol(f.v[i], NULL, 10);
	if ((er = db_run(db, Q_MIGRATION_TABLE, NULL, &rows)) != ERR_OK)
		goto out;
	t = db_rows_get(rows, 0, 0);
	st->has_schema = t != NULL && t[0] == 't';
	db_rows_free(rows);
	rows = NULL;
	if (st->has_schema &&
	    (er = db_run(db, Q_MIGRATION_APPLIED, NULL, &rows)) != ERR_OK)
		goto out;
	er = state_compare(&f, rows, st);
out:
	if (er != ERR_OK) {
		migrate_state_reset(st);
		if (*errmsg == NULL)
			msgf(errmsg, "%s", er == ERR_NOMEM ? "out of memory" :
			    "cannot read schema_migration");
	}
	db_rows_free(rows);
	files_free(&f);
	return er;
}

enum err
migrate_dir_check(const char *dir, size_t *nfiles, char **errmsg)
{
	struct files	 f;
	FILE		*fp;
	char		 path[4096];
	size_t		 i;
	enum err	 er;

	*nfiles = 0;
	*errmsg = NULL;
	if ((er = files_list(dir, &f, errmsg)) != ERR_OK)
		goto out;
	if (f.n == 0) {
		msgf(errmsg, "%s: no migrations (NNN_name.sql files) in it", dir);
		er = ERR_NOTFOUND;
		goto out;
	}
	for (i = 0; i < f.n; i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, f.v[i]);
		if ((fp = fopen(path, "r")) == NULL) {
			msgf(errmsg, "%s: %s", path, strerror(errno));
			er = ERR_NOTFOUND;
			goto out;
		}
		(void)fclose(fp);
	}
	*nfiles = f.n;
out:
	files_free(&f);
	return er;
}
