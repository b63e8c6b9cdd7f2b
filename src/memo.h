/*
 * memo.h -- what this process remembers of the polls it answered a moment
 * ago, so that a session's next GET can wait without asking the database
 * (issue 7).  No I/O; safe to share between threads (one mutex inside).
 *
 * A long-polling client sends its next GET as soon as a poll is
 * answered.  dugout_get_take would claim the session, find its queue
 * empty and leave it waiting: a database round trip and a row update
 * for nothing, one for every delivery.  When this process answered the
 * previous poll itself, it already knows what that call would say: the
 * queue was read at a known moment (looked_ns), the next ping is due at a
 * known deadline, and a NOTIFY names the session if anything was queued
 * since, or if it ended.  So the GET is parked at once with that moment
 * and deadline.  When such a NOTIFY came first (memo_notify), the GET is
 * still parked, but to be looked at at once: the parking thread takes
 * the queues of many such polls in one call, where each GET asking the
 * database would be a call of its own.  A session found gone then gets
 * the protocol's answer to a GET with an unknown sid (400 code 1), not
 * the noop a poll held before the end gets.
 *
 * A poll held this way has no claim in eio_session (get_owner).  A
 * second GET for the same session in this process still closes it: the
 * memo says a poll is held here (MEMO_HELD).  One landing in another
 * process is not seen; see docs/architecture.md "Polls from memory".
 */
#ifndef DUGOUT_MEMO_H
#define DUGOUT_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "err.h"

struct memo;

/* FNV-1a of a wake key: the hash of the tables on wake keys, here and
 * in park.c. */
static inline uint32_t
memo_key_hash(const char *key)
{
	uint32_t	 h = 2166136261u;

	while (*key != '\0')
		h = (h ^ (unsigned char)*key++) * 16777619u;
	return h;
}

/* Longest wake key (notify.h NOTIFY_KEY_LEN must fit). */
#define MEMO_KEY_MAX		32
/* Write sid's wake key (the NOTIFY payload naming it) into out. */
typedef void	(*memo_key_fn)(const char *sid, char out[MEMO_KEY_MAX + 1]);

/* How long after an answer its memo can serve the next GET.  A client
 * polls again within milliseconds; anything later asks the database. */
#define MEMO_TTL_MS		2000
/* A memo whose ping is due within this is not used: the poll would be
 * answered at once anyway, and the database says what to send. */
#define MEMO_MARGIN_MS		100

enum memo_take {
	MEMO_NONE,	/* ask the database (dugout_get_take) */
	MEMO_HOLD,	/* park now with *looked_ns and *deadline_ms */
	MEMO_WOKEN,	/* park now, to be looked at at once (a NOTIFY came
			   since the answer; *looked_ns is 0) */
	MEMO_HELD	/* a poll of this session is held here already */
};

/* key_of: notify_wake_key, or the tests' own. */
enum err	 memo_new(memo_key_fn key_of, struct memo **out) MUSTCHECK;
void		 memo_free(struct memo *);

/*
 * A poll of sid was answered and its session is alive: its queue was read
 * at looked_ns (svc_mono_ns), and its next poll is to be answered by
 * deadline_ms (svc_now_ms) at the latest.  now_ns: svc_mono_ns().
 * Replaces what was known of sid (a held poll included: it is answered).
 * Out of memory, nothing is kept (the next GET asks the database).
 */
void		 memo_put(struct memo *, const char *sid, int64_t looked_ns,
		    int64_t deadline_ms, int64_t now_ns);

/*
 * A GET for sid.  MEMO_HOLD and MEMO_WOKEN mark the session as held here
 * until memo_put or memo_drop; an expired memo, or one whose deadline is
 * within MEMO_MARGIN_MS of now_ms, is forgotten and gives MEMO_NONE.
 */
enum memo_take	 memo_take(struct memo *, const char *sid, int64_t now_ns,
		    int64_t now_ms, int64_t *looked_ns, int64_t *deadline_ms);

/* The session's poll ended without an answer to remember (the web
 * server hung up, the session is gone): forget sid. */
void		 memo_drop(struct memo *, const char *sid);

/* The session's timers moved (a pong: the next ping is due later than
 * the memo says): forget sid, unless a GET is held on it (that one is
 * answered at the memo's deadline, and its answer is remembered anew). */
void		 memo_stale(struct memo *, const char *sid);

/* A NOTIFY named key: something was queued for the sessions of that key,
 * or they ended.  Their next GET is to look at once (MEMO_WOKEN); a GET
 * held on them already is the parking thread's to wake. */
void		 memo_notify(struct memo *, const char *key);

/* Sessions remembered (held or not); for the tests. */
size_t		 memo_count(struct memo *);

#endif
