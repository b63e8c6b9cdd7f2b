/*
 * service.h -- the server side of Engine.IO v4 polling and Socket.IO v5,
 * over the database.  Does I/O through db.h only: no sockets, no libfcgi;
 * front.c turns FastCGI/CGI requests into struct svc_req and writes
 * struct svc_resp back.
 *
 * A GET with nothing to deliver is not answered: svc_handle returns
 * SVC_PARK with the session and the deadline, and the caller waits (park.c
 * in daemon mode, an inline LISTEN in CGI / one-at-a-time mode) and then
 * calls svc_poll until it answers.
 */
#ifndef DUGOUT_SERVICE_H
#define DUGOUT_SERVICE_H

#include <stdint.h>

#include "bounds.h"
#include "buf.h"
#include "eio.h"
#include "err.h"
#include "span.h"

struct conf;
struct db;
struct memo;
struct metrics;

struct svc {
	const struct conf	*conf;		/* borrowed */
	char			 owner[96];	/* this process: host:pid:nonce */
	struct metrics		*metrics;	/* borrowed; NULL: none kept */
	struct memo		*memo;		/* borrowed; NULL: every GET
						   asks the database (memo.h;
						   daemon mode only) */
};

struct svc_req {
	enum eio_method	 method;
	const char	*path;		/* request path without the query */
	const char	*query;		/* QUERY_STRING ("" when none) */
	const char	*origin;	/* Origin header or NULL */
	const char	*content_type;	/* or NULL */
	const char	*acr_headers;	/* Access-Control-Request-Headers */
	const char	*remote_addr;	/* REMOTE_ADDR, or NULL */
	struct span	 body;		/* POST body, at most max_payload */
	int		 body_too_large;/* the body exceeded max_payload */
};

struct svc_resp {
	int		 status;
	const char	*content_type;	/* static; NULL: none */
	struct buf	 headers;	/* extra "Name: value\r\n" lines */
	struct buf	 body;
};

/* A poll to wait for: the session and when to answer it at the latest. */
struct svc_park {
	char		 sid[EIO_SID_LEN + 1];
	int64_t		 deadline_ms;	/* CLOCK_REALTIME milliseconds */
	int64_t		 looked_ns;	/* svc_mono_ns() just before the
					   queue was last read for it */
	int		 unseen;	/* a GET held from memo after a NOTIFY
					   (memo.h MEMO_WOKEN): the database
					   has not seen it yet */
};

enum svc_result { SVC_ANSWER, SVC_PARK };

/* Fill s->owner; conf is borrowed for the life of s. */
void		 svc_init(struct svc *, const struct conf *);

void		 svc_resp_init(struct svc_resp *);
void		 svc_resp_reset(struct svc_resp *);	/* for reuse */
void		 svc_resp_free(struct svc_resp *);

/*
 * Answer one HTTP request to /socket.io/ (or /engine.io/ in conformance
 * mode), or to /healthz and /metrics when the configuration turns them on
 * (404 when off, 403 to an address outside status_allow).  Always fills resp (status, CORS headers); on SVC_PARK the body
 * is empty and *park says what to wait for; resp's headers are still to
 * be sent with the eventual answer.
 */
enum svc_result	 svc_handle(struct svc *, struct db *, const struct svc_req *,
		    struct svc_resp *, struct svc_park *);

/*
 * A parked poll of park->sid woke (a NOTIFY, or its deadline when force
 * is set): deliver what is queued.  SVC_ANSWER fills resp's status,
 * content type and body (a noop when forced and empty, or when the
 * session is gone); SVC_PARK updates park->deadline_ms.
 */
enum svc_result	 svc_poll(struct svc *, struct db *, struct svc_park *,
		    int force, struct svc_resp *);

/* svc_poll for n parked polls in one database round trip (a broadcast
 * wakes a room's polls together).  res[i] is the result for p[i], r[i]. */
void		 svc_poll_many(struct svc *, struct db *,
		    struct svc_park *const *p, struct svc_resp *const *r,
		    enum svc_result *res, size_t n, int force);

/* A parked poll ended without an answer (the web server dropped it):
 * release its claim on the session. */
void		 svc_poll_abandon(struct svc *, struct db *, const char *sid);

/* This process stops: release every GET claim it holds, before its parked
 * polls are answered with a noop. */
void		 svc_release_all(struct svc *, struct db *);

/* Vacuum the transport tables (query.h query_vacuum), and analyze them
 * too when `analyze` is set; the daemon's sweeper calls it every few
 * seconds. */
enum err	 svc_vacuum(struct svc *, struct db *, int analyze);

/* Expire dead sessions (each broadcasts user_disconnected). */
enum err	 svc_sweep(struct svc *, struct db *) MUSTCHECK;

/* Milliseconds since the epoch (CLOCK_REALTIME, as PostgreSQL's). */
int64_t		 svc_now_ms(void);

/* Nanoseconds of CLOCK_MONOTONIC, to measure durations. */
int64_t		 svc_mono_ns(void);

#endif
