/*
 * notify.h -- the LISTEN side of LISTEN/NOTIFY.  Does I/O (libpq).
 *
 * One connection LISTENs on channel "dugout"; a payload names a session by
 * its wake key (style.md R11: ids only), never by its id: any role of the
 * database may LISTEN, and a session id is a bearer secret.  The owner polls notify_fd() for input and
 * then calls notify_drain().  After a lost connection, notify_fd() is -1
 * until notify_reconnect() succeeds; the caller must then treat every
 * waiter as possibly woken (a NOTIFY may have been missed meanwhile).
 */
#ifndef DUGOUT_NOTIFY_H
#define DUGOUT_NOTIFY_H

#include "err.h"

struct notify;

/*
 * The wake key of a session: the first 128 bits of SHA-256(sid), in hex.
 * sql/010_wake_key.sql's dugout_wake_key() computes the same, and every
 * NOTIFY carries it.  One-way, so a listener learns nothing it could use.
 */
#define NOTIFY_KEY_LEN	32
void		 notify_wake_key(const char *sid, char out[NOTIFY_KEY_LEN + 1]);

typedef void (*notify_cb)(const char *key, void *arg);

enum err	 notify_open(const char *conninfo, struct notify **out) MUSTCHECK;
void		 notify_free(struct notify *);
int		 notify_fd(const struct notify *);
enum err	 notify_reconnect(struct notify *) MUSTCHECK;
/* Read what arrived and call cb for every wake key it names, in order
 * (one NOTIFY may carry several, space separated).  ERR_DB when the
 * connection is lost. */
enum err	 notify_drain(struct notify *, notify_cb cb, void *arg) MUSTCHECK;

#endif
