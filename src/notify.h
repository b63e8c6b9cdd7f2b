/*
 * notify.h -- the LISTEN side of LISTEN/NOTIFY.  Does I/O (libpq).
 *
 * One connection LISTENs on channel "dugout"; payloads are session ids
 * (style.md R11: ids only).  The owner polls notify_fd() for input and
 * then calls notify_drain().  After a lost connection, notify_fd() is -1
 * until notify_reconnect() succeeds; the caller must then treat every
 * waiter as possibly woken (a NOTIFY may have been missed meanwhile).
 */
#ifndef DUGOUT_NOTIFY_H
#define DUGOUT_NOTIFY_H

#include "err.h"

struct notify;

typedef void (*notify_cb)(const char *payload, void *arg);

enum err	 notify_open(const char *conninfo, struct notify **out) MUSTCHECK;
void		 notify_free(struct notify *);
int		 notify_fd(const struct notify *);
enum err	 notify_reconnect(struct notify *) MUSTCHECK;
/* Read what arrived and call cb for every notification, in order.
 * ERR_DB when the connection is lost. */
enum err	 notify_drain(struct notify *, notify_cb cb, void *arg) MUSTCHECK;

#endif
