/*
 * conf.h -- dugout's configuration: one `key = value` file, every key
 * overridable by an environment variable DUGOUT_<KEY> (upper case).
 *
 * conf_parse and conf_apply_env are pure (text and an environment array
 * in, struct out); conf_load reads the file named by DUGOUT_CONFIG, the
 * given path, or the installed default.
 */
#ifndef DUGOUT_CONF_H
#define DUGOUT_CONF_H

#include <stddef.h>

#include "err.h"
#include "span.h"

struct buf;

struct conf {
	char		*database;	/* libpq conninfo */
	char		*jwt_algorithm;	/* HS256 (default), HS384, HS512, RS256,
					   RS384, RS512, ES256, ES384, ES512 */
	char		*jwt_key;	/* HS*: the secret; never logged */
	char		*jwt_public_key_file;	/* RS*, ES*: PEM that verifies */
	char		*jwt_private_key_file;	/* RS*, ES*: PEM that signs
						   (dugoutctl token only) */
	char		*jwt_public_key;	/* contents, read by conf_load */
	char		*jwt_private_key;	/* contents, when the file is set */
	unsigned	 ping_interval;	/* ms */
	unsigned	 ping_timeout;	/* ms */
	unsigned	 connect_timeout; /* ms: SIO CONNECT must follow */
	unsigned	 roll_expiry;	/* ms a pending at-bat roll stays usable */
	unsigned	 rate_limit;	/* events/s per socket and event name */
	unsigned	 rate_burst;	/* ...and how many may come at once */
	unsigned	 rate_roll_dice; /* roll_dice/s per socket (burst the same) */
	unsigned	 max_queued;	/* packets queued for one session; past
					   it the session is ended */
	unsigned	 max_sessions_per_user;	/* sessions with a socket of
						   one user */
	unsigned	 max_sockets_per_session; /* namespaces joined on one
						     session */
	size_t		 max_payload;	/* bytes of one POST body */
	char		**cors_origins;	/* NULL-terminated; "*" allows any */
	size_t		 ncors;
	int		 log_level;	/* enum log_level */
	int		 conformance;	/* serve the protocol test fixture */
	int		 bench_events;	/* answer `bench` (bench/README.md) */
	unsigned	 workers;	/* request threads in daemon mode */
	unsigned	 db_pool;	/* database connections in daemon mode */
	char		*listen;	/* "unix:PATH", "tcp:HOST:PORT" or NULL */
	int		 health;	/* answer GET /healthz */
	int		 metrics;	/* answer GET /metrics */
	char		**status_allow;	/* NULL-terminated CIDR blocks (or bare
					   addresses) that may read them */
	size_t		 nstatus_allow;
};

/* Fill with the defaults; allocates (conf_free releases). */
enum err	 conf_init(struct conf *) MUSTCHECK;
void		 conf_free(struct conf *);

/*
 * Apply `key = value` lines (# comments, blank lines, surrounding spaces
 * ignored; unknown keys, malformed lines and out-of-range values are
 * errors).  On failure a one-line reason naming the line is appended to
 * errmsg and the struct may be partly updated.
 */
enum err	 conf_parse(struct conf *, struct span text,
		    struct buf *errmsg) MUSTCHECK;

/* Apply DUGOUT_<KEY> variables of envp (NULL-terminated "K=V" strings);
 * DUGOUT_JWT_SECRET also sets jwt_key. */
enum err	 conf_apply_env(struct conf *, char *const *envp,
		    struct buf *errmsg) MUSTCHECK;

/* Set one key from its text value; the same validation as the file. */
enum err	 conf_set(struct conf *, const char *key, const char *value,
		    struct buf *errmsg) MUSTCHECK;

/* Check the combination: a database and a supported algorithm are
 * required, with an HMAC key of at least 32 characters (HS*) or a public
 * key loaded from its file (RS*, ES*).  Reason in errmsg. */
enum err	 conf_validate(const struct conf *, struct buf *errmsg) MUSTCHECK;

/*
 * 1 when the client address addr (REMOTE_ADDR: dotted IPv4, or IPv6, an
 * IPv4-mapped IPv6 address counting as its IPv4) is inside one of
 * c->status_allow; 0 for NULL, unparsable addresses and an empty list.
 * Pure.
 */
int		 conf_status_allowed(const struct conf *, const char *addr);

/*
 * The whole load: defaults, then the file (path, else $DUGOUT_CONFIG,
 * else SYSCONFDIR/dugout/dugout.conf if it exists), then the environment,
 * then the key files, then conf_validate.  Does I/O.
 */
enum err	 conf_load(struct conf *, const char *path, char *const *envp,
		    struct buf *errmsg) MUSTCHECK;

#endif
