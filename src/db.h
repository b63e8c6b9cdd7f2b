/*
 * db.h -- PostgreSQL connections, prepared statements and transactions.
 * Does I/O.  The only module (with notify.c) that includes libpq-fe.h;
 * callers see opaque struct db and struct db_rows.
 *
 * Every statement is one entry of query.h, prepared once per connection
 * and run with $n parameters.  SQLSTATEs map to enum err: 40001/40P01 ->
 * ERR_RETRY, 23505 -> ERR_CONFLICT, a lost connection -> ERR_DB (the next
 * call reconnects).
 */
#ifndef DUGOUT_DB_H
#define DUGOUT_DB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "query.h"

struct db;
struct db_rows;
struct metrics;

/* Connect (and prepare lazily).  The conninfo is copied.  On failure the
 * reason is logged and *out is still a usable handle that reconnects on
 * its next use, so a process survives a database restart. */
enum err	 db_open(const char *conninfo, struct db **out) MUSTCHECK;
void		 db_free(struct db *);

/* Time every statement's round trip into m's dugout_db_seconds (m is
 * borrowed and must outlive db; NULL stops). */
void		 db_set_metrics(struct db *, struct metrics *m);

/*
 * Run query q with its parameters (NULL entries are SQL NULLs; the count
 * is the query's).  On ERR_OK *out (if out is not NULL) holds the rows,
 * owned by the caller (db_rows_free).  Outside a transaction a lost
 * connection is reopened once and the statement retried.
 */
enum err	 db_run(struct db *, enum query q, const char *const *params,
		    struct db_rows **out) MUSTCHECK;

size_t		 db_rows_count(const struct db_rows *);
/* Borrowed until db_rows_free; NULL for SQL NULL or out of range. */
const char	*db_rows_get(const struct db_rows *, size_t row, size_t col);
void		 db_rows_free(struct db_rows *);

/*
 * Run fn inside BEGIN/COMMIT; ROLLBACK when fn fails.  On ERR_RETRY
 * (serialization failure, deadlock) the whole transaction runs again, a
 * bounded number of times, so fn must have no effects outside the
 * database before it returns.
 */
typedef enum err (*db_tx_fn)(struct db *, void *arg);
enum err	 db_tx_run(struct db *, db_tx_fn fn, void *arg) MUSTCHECK;

/* Prepare every statement of query.h now (it is otherwise done on first
 * use): proves the C and the schema agree.  *failed names the first
 * statement that did not prepare. */
enum err	 db_prepare_all(struct db *, enum query *failed) MUSTCHECK;

/* Run a whole SQL script (no parameters) outside the prepared set; for
 * migrations and VACUUM only.  The error text goes to errmsg when not
 * NULL. */
enum err	 db_script(struct db *, const char *sql, char **errmsg) MUSTCHECK;

#endif
