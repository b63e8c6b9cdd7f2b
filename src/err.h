/*
 * err.h -- the one error vocabulary of dugout.  Pure.
 *
 * Logic functions return enum err and pass results through out-parameters;
 * errno never leaves the adapters (db, front, auth).  err_str() names each
 * value for logs.
 */
#ifndef DUGOUT_ERR_H
#define DUGOUT_ERR_H

#define MUSTCHECK __attribute__((warn_unused_result))
/* For the few calls whose failure changes nothing (a best-effort message,
 * a handle that reconnects by itself): say so where it happens. */
#define ERR_IGNORE(e)	do { if ((e) != ERR_OK) { /* best effort */ } } while (0)

enum err {
	ERR_OK = 0,
	ERR_NOMEM,	/* allocation failed */
	ERR_PROTO,	/* the peer broke the protocol: answer, never assert */
	ERR_LIMIT,	/* a bound of bounds.h was exceeded */
	ERR_AUTH,	/* credentials missing, invalid or refused */
	ERR_EXPIRED,	/* credentials were valid but have expired */
	ERR_NOTFOUND,	/* no such row / session / key */
	ERR_CONFLICT,	/* unique violation, or a state that forbids it */
	ERR_RETRY,	/* serialization failure or deadlock: run again */
	ERR_DB,		/* database unreachable or failed */
	ERR_IO,		/* the web server side failed */
	ERR_CONFIG,	/* configuration is invalid */
	ERR__MAX
};

/* A short lowercase name for logs; never NULL. */
const char	*err_str(enum err);

#endif
