/*
 * db.c -- libpq adapter (see db.h).  The sole user of libpq-fe.h with
 * notify.c; every result passes through db_status and is cleared on every
 * path.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "db.h"
#include "log.h"
#include "metrics.h"

#define DB_TX_TRIES	5

struct db {
	PGconn		*conn;
	char		*conninfo;	/* owned */
	int		 in_tx;
	unsigned char	 prepared[Q__MAX];
	struct metrics	*metrics;	/* borrowed, or NULL */
};

static uint64_t
db_clock_ns(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

void
db_set_metrics(struct db *db, struct metrics *m)
{
	if (db != NULL)
		db->metrics = m;
}

struct db_rows {
	PGresult	*res;
};

/* Map a result to enum err (style.md R8). */
static enum err
db_status(const PGresult *res, ExecStatusType want)
{
	const char	*st;

	if (PQresultStatus(res) == want)
		return ERR_OK;
	if ((st = PQresultErrorField(res, PG_DIAG_SQLSTATE)) == NULL)
		return ERR_DB;
	if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0)
		return ERR_RETRY;
	if (strcmp(st, "23505") == 0)
		return ERR_CONFLICT;
	if (strcmp(st, "23503") == 0 || strcmp(st, "23514") == 0 ||
	    strcmp(st, "22P02") == 0)
		return ERR_NOTFOUND;	/* FK / CHECK / bad input value */
	return ERR_DB;
}

/*
 * After a failed statement: an error without SQLSTATE is libpq's own, the
 * connection lost (the server restarted or crashed), yet PQstatus may
 * still say CONNECTION_OK until the next call.  Close it then, so that
 * db_alive() is false and db_run() reopens it and retries at once.
 */
static void
db_check_lost(struct db *db, const PGresult *res)
{
	if (PQresultStatus(res) != PGRES_FATAL_ERROR ||
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) != NULL)
		return;
	PQfinish(db->conn);
	db->conn = NULL;
}

static enum err
db_connect(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	memset(db->prepared, 0, sizeof(db->prepared));
	db->in_tx = 0;
	db->conn = PQconnectdb(db->conninfo);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		log_warnx("db: connect: %s", db->conn == NULL ?
		    "out of memory" : PQerrorMessage(db->conn));
		return ERR_DB;
	}
	/* Pin the search path: every name in query.c is unqualified. */
	return db_script(db, "SET search_path = public", NULL);
}

enum err
db_open(const char *conninfo, struct db **out)
{
	struct db	*db;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->conninfo = strdup(conninfo)) == NULL) {
		free(db);
		return ERR_NOMEM;
	}
	*out = db;
	return db_connect(db);
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	free(db->conninfo);
	free(db);
}

static int
db_alive(const struct db *db)
{
	return db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK;
}

static enum err
db_prepare(struct db *db, enum query q)
{
	const struct query_def	*d = query_get(q);
	PGresult		*res;
	enum err		 er;

	if (db->prepared[q])
		return ERR_OK;
	res = PQprepare(db->conn, d->name, d->sql, d->nparams, NULL);
	if ((er = db_status(res, PGRES_COMMAND_OK)) != ERR_OK) {
		log_warnx("db: prepare %s: %s", d->name,
		    PQerrorMessage(db->conn));
		db_check_lost(db, res);
	} else
		db->prepared[q] = 1;
	PQclear(res);
	return er;
}

enum err
db_prepare_all(struct db *db, enum query *failed)
{
	enum query	 q;
	enum err	 er;

	if (!db_alive(db) && db_connect(db) != ERR_OK)
		return ERR_DB;
	for (q = 0; q < Q__MAX; q++)
		if ((er = db_prepare(db, q)) != ERR_OK) {
			*failed = q;
			return er;
		}
	return ERR_OK;
}

static enum err
db_run_once(struct db *db, enum query q, const char *const *params,
    struct db_rows **out)
{
	const struct query_def	*d = query_get(q);
	PGresult		*res = NULL;
	ExecStatusType		 st;
	uint64_t		 t0;
	enum err		 er;

	if ((er = db_prepare(db, q)) != ERR_OK)
		return er;
	t0 = db_clock_ns();
	res = PQexecPrepared(db->conn, d->name, d->nparams, params, NULL,
	    NULL, 0);
	metrics_observe(db->metrics, METRICS_DB, db_clock_ns() - t0);
	st = PQresultStatus(res);
	er = db_status(res, st == PGRES_TUPLES_OK ? PGRES_TUPLES_OK :
	    PGRES_COMMAND_OK);
	if (er != ERR_OK) {
		if (er == ERR_DB)
			log_warnx("db: %s: %s", d->name,
			    PQerrorMessage(db->conn));
		db_check_lost(db, res);
		PQclear(res);
		return er;
	}
	if (out != NULL) {
		if ((*out = malloc(sizeof(**out))) == NULL) {
			PQclear(res);
			return ERR_NOMEM;
		}
		(*out)->res = res;
	} else
		PQclear(res);
	return ERR_OK;
}

enum err
db_run(struct db *db, enum query q, const char *const *params,
    struct db_rows **out)
{
	enum err	 er;

	if (out != NULL)
		*out = NULL;
	if (!db_alive(db) && (db->in_tx || db_connect(db) != ERR_OK))
		return ERR_DB;
	er = db_run_once(db, q, params, out);
	/* A connection lost between statements: reopen once, outside a
	 * transaction only (inside, the transaction is gone anyway). */
	if (er == ERR_DB && !db->in_tx && !db_alive(db) &&
	    db_connect(db) == ERR_OK)
		er = db_run_once(db, q, params, out);
	return er;
}

size_t
db_rows_count(const struct db_rows *r)
{
	return r == NULL ? 0 : (size_t)PQntuples(r->res);
}

const char *
db_rows_get(const struct db_rows *r, size_t row, size_t col)
{
	if (r == NULL || row >= (size_t)PQntuples(r->res) ||
	    col >= (size_t)PQnfields(r->res) ||
	    PQgetisnull(r->res, (int)row, (int)col))
		return NULL;
	return PQgetvalue(r->res, (int)row, (int)col);
}

void
db_rows_free(struct db_rows *r)
{
	if (r == NULL)
		return;
	PQclear(r->res);
	free(r);
}

enum err
db_script(struct db *db, const char *sql, char **errmsg)
{
	PGresult	*res;
	uint64_t	 t0;
	enum err	 er;

	if (errmsg != NULL)
		*errmsg = NULL;
	if (!db_alive(db) && db_connect(db) != ERR_OK)
		return ERR_DB;
	t0 = db_clock_ns();
	res = PQexec(db->conn, sql);
	metrics_observe(db->metrics, METRICS_DB, db_clock_ns() - t0);
	er = db_status(res, PQresultStatus(res) == PGRES_TUPLES_OK ?
	    PGRES_TUPLES_OK : PGRES_COMMAND_OK);
	if (er != ERR_OK && errmsg != NULL)
		*errmsg = strdup(PQerrorMessage(db->conn));
	if (er != ERR_OK)
		db_check_lost(db, res);
	PQclear(res);
	return er;
}

enum err
db_tx_run(struct db *db, db_tx_fn fn, void *arg)
{
	enum err	 er = ERR_DB;
	int		 try;

	for (try = 0; try < DB_TX_TRIES; try++) {
		if (!db_alive(db) && db_connect(db) != ERR_OK)
			return ERR_DB;
		if ((er = db_script(db, "BEGIN", NULL)) != ERR_OK)
			continue;
		db->in_tx = 1;
		er = fn(db, arg);
		if (er == ERR_OK)
			er = db_script(db, "COMMIT", NULL);
		else
			ERR_IGNORE(db_script(db, "ROLLBACK", NULL));
		db->in_tx = 0;
		if (er != ERR_RETRY)
			break;
	}
	return er;
}
