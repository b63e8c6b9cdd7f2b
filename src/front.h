/*
 * front.h -- the web server side: FastCGI requests (libfcgi) or one plain
 * CGI request, turned into struct svc_req and answered from struct
 * svc_resp.  Does I/O; the sole user of fcgiapp.h.
 *
 * A struct front is one request slot.  In daemon mode many exist at once:
 * a parked poll keeps its slot (and its connection to the web server)
 * until it is answered, while the accepting thread takes a fresh slot.
 */
#ifndef DUGOUT_FRONT_H
#define DUGOUT_FRONT_H

#include <stddef.h>

#include "err.h"

struct front;
struct svc_req;
struct svc_resp;

/* Process-wide setup (FCGX_Init); 1 when we run as plain CGI. */
int		 front_init(void);

/* Open a FastCGI listening socket: "unix:PATH" or "tcp:HOST:PORT"; -1 on
 * error (logged).  Without --listen the socket is fd 0. */
int		 front_listen(const char *spec);

/* A request slot on listen_fd (FastCGI), or the CGI request when cgi. */
struct front	*front_new(int listen_fd, int cgi);
void		 front_free(struct front *);

/* Wait for the next request on the slot.  ERR_LIMIT when the process is
 * out of file descriptors (retry after a pause); ERR_IO when accepting
 * failed otherwise: shutdown or a fatal error, never retried in a loop. */
enum err	 front_accept(struct front *) MUSTCHECK;

/*
 * Read the request: parameters and the whole body, which is kept only up
 * to max_payload bytes (q->body_too_large is set past that; the rest is
 * drained).  q borrows from the slot until front_finish.
 */
enum err	 front_read(struct front *, size_t max_payload,
		    struct svc_req *q) MUSTCHECK;

/* 1 when a connection is waiting on the slot's listening socket, 0 after
 * timeout_ms or an interrupting signal; always 1 in CGI mode. */
int		 front_ready(const struct front *, int timeout_ms);

/* Write the response and end the request (the slot may be reused). */
enum err	 front_answer(struct front *, const struct svc_resp *) MUSTCHECK;

/* The request is parked (its poll waits, park.h): keep only what
 * front_answer needs -- the connection and the FastCGI request id -- and
 * free libfcgi's buffers (some 17 KB a request), so that thousands of
 * parked polls cost little.  Does nothing in CGI mode or when the web
 * server asked to keep the connection (FCGI_KEEP_CONN). */
void		 front_park(struct front *);

/* End the request without an answer (the peer is gone). */
void		 front_abandon(struct front *);

/* The connection to the web server, to watch for its hang-up while a poll
 * is parked; -1 in CGI mode. */
int		 front_fd(const struct front *);

#endif
