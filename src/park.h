/*
 * park.h -- parked long-polls: a GET with nothing to deliver waits here,
 * holding no thread (design.md decision 4).  Does I/O.
 *
 * Daemon mode: one thread owns the LISTEN connection, an epoll set and
 * every parked request.  A NOTIFY naming a session wakes its poll; its
 * deadline answers it (with a ping when one is due, else a noop); the web
 * server hanging up frees it.  A second thread, with its own connection,
 * sweeps expired sessions once a second.
 *
 * CGI and one-request-at-a-time mode: park_wait_inline LISTENs on its own
 * connection until the poll can be answered.
 */
#ifndef DUGOUT_PARK_H
#define DUGOUT_PARK_H

#include <stddef.h>

#include "err.h"
#include "service.h"

struct park;
struct front;

/* Start the parking thread with its own database and LISTEN connections. */
enum err	 park_start(struct svc *, const char *conninfo,
		    struct park **out) MUSTCHECK;

/* Hand over a request to wait: park takes f (front_park) and copies
 * resp's status and headers (resp stays the caller's).  On ERR_NOMEM
 * nothing was taken: the caller answers the poll itself. */
enum err	 park_add(struct park *, struct front *f, struct svc_resp *resp,
		    const struct svc_park *p) MUSTCHECK;

/* Answer every parked poll with a noop, stop the thread, free all. */
void		 park_stop(struct park *);

/* Async-signal-safe: make inline waits (now and later) end at once with
 * a noop; for SIGTERM in CGI and one-at-a-time mode. */
void		 park_inline_stop(void);
int		 park_inline_stopped(void);

/* Wait on this thread until the poll can be answered; fills resp. */
void		 park_wait_inline(struct svc *, struct db *,
		    const char *conninfo, struct svc_park *,
		    struct svc_resp *);

#endif
