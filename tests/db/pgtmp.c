/*
 * pgtmp.c -- private PostgreSQL cluster for the database tests.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "migrate.h"
#include "pgtmp.h"

static int
run(const char *cmd)
{
	int	 rc = system(cmd);

	if (rc != 0)
		fprintf(stderr, "pgtmp: failed (%d): %s\n", rc, cmd);
	return rc;
}

/* Apply sql/ as dugoutctl migrate does. */
static int
migrate(const char *conninfo)
{
	const char	*dir = getenv("DUGOUT_SQLDIR");
	struct db	*db = NULL;
	char		*msg = NULL;
	size_t		 n;
	int		 rc = 1;

	if (db_open(conninfo, &db) == ERR_OK &&
	    migrate_run(db, dir != NULL ? dir : "sql", &n, NULL, &msg) == ERR_OK)
		rc = 0;
	else
		fprintf(stderr, "pgtmp: migrate: %s\n", msg ? msg : "failed");
	free(msg);
	db_free(db);
	return rc;
}

int
pgtmp_start(struct pgtmp *t)
{
	char	 bindir[256] = "", cmd[2048], as[64] = "";
	FILE	*p;

	if ((p = popen("pg_config --bindir 2>/dev/null", "r")) == NULL ||
	    fgets(bindir, sizeof(bindir), p) == NULL) {
		if (p != NULL)
			pclose(p);
		return 77;
	}
	pclose(p);
	bindir[strcspn(bindir, "\n")] = '\0';
	snprintf(cmd, sizeof(cmd), "%s/initdb", bindir);
	if (access(cmd, X_OK) != 0)
		return 77;
	snprintf(t->dir, sizeof(t->dir), "/tmp/dugout-pgtest-XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return 1;
	if (geteuid() == 0) {
		snprintf(cmd, sizeof(cmd), "chown postgres %s", t->dir);
		if (run(cmd) != 0)
			return 1;
		snprintf(as, sizeof(as), "runuser -u postgres -- ");
	}
	snprintf(cmd, sizeof(cmd), "%s%s/initdb -D %s/data -A trust -U dugout "
	    "-E UTF8 >/dev/null", as, bindir, t->dir);
	if (run(cmd) != 0)
		return 1;
	snprintf(cmd, sizeof(cmd), "%s%s/pg_ctl -D %s/data -w -s -l %s/log "
	    "-o \"-k %s -c listen_addresses='' -c fsync=off\" start", as,
	    bindir, t->dir, t->dir, t->dir);
	if (run(cmd) != 0)
		return 1;
	snprintf(cmd, sizeof(cmd), "%s%s/createdb -h %s -U dugout dugout", as,
	    bindir, t->dir);
	if (run(cmd) != 0)
		return 1;
	snprintf(t->conninfo, sizeof(t->conninfo),
	    "host=%s user=dugout dbname=dugout", t->dir);
	return migrate(t->conninfo) == 0 ? 0 : 1;
}

void
pgtmp_stop(struct pgtmp *t)
{
	char	 bindir[256] = "", cmd[2048];
	FILE	*p;

	if ((p = popen("pg_config --bindir", "r")) != NULL) {
		if (fgets(bindir, sizeof(bindir), p) == NULL)
			bindir[0] = '\0';
		pclose(p);
	}
	bindir[strcspn(bindir, "\n")] = '\0';
	snprintf(cmd, sizeof(cmd), "%s%s/pg_ctl -D %s/data -s -m immediate "
	    "stop; rm -rf %s", geteuid() == 0 ? "runuser -u postgres -- " : "",
	    bindir, t->dir, t->dir);
	(void)run(cmd);
}
