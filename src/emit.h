/*
 * emit.h -- queue what a client will receive.  Does I/O through db.h: every
 * function inserts into the outbox (and NOTIFYs) in the caller's
 * transaction, so nothing is sent unless that transaction commits.
 */
#ifndef DUGOUT_EMIT_H
#define DUGOUT_EMIT_H

#include <stdint.h>

#include "err.h"
#include "span.h"

struct db;
struct json_object;

/* One raw Engine.IO packet (type digit + data). */
enum err	 emit_packet(struct db *, const char *sid, const char *packet) MUSTCHECK;

/* EVENT `name` with one argument (data may be NULL: no argument), asking
 * for an ack when ack_id >= 0. */
enum err	 emit_event(struct db *, const char *sid, struct span nsp,
		    int64_t ack_id, const char *name,
		    struct json_object *data) MUSTCHECK;

/* EVENT whose whole argument array ([name, arg...]) is given. */
enum err	 emit_event_args(struct db *, const char *sid, struct span nsp,
		    int64_t ack_id, struct json_object *args) MUSTCHECK;

/* ACK ack_id with the elements of args (a JSON array) as its arguments;
 * nothing when ack_id < 0. */
enum err	 emit_ack(struct db *, const char *sid, struct span nsp,
		    int64_t ack_id, struct json_object *args) MUSTCHECK;

/* EVENT to every session in the game's room except except_sid (NULL:
 * all).  The caller holds the game row lock. */
enum err	 emit_room(struct db *, const char *game_id, const char *name,
		    struct json_object *data, const char *except_sid) MUSTCHECK;

/* The events.md `error` event {message, code, field?}, and when ack_id >=
 * 0 also the ack {ok:false, error:{message, code, field?}}. */
enum err	 emit_error(struct db *, const char *sid, struct span nsp,
		    int64_t ack_id, const char *code, const char *message,
		    const char *field) MUSTCHECK;

/*
 * The code of the last refusal (emit_error, emit_refusal*) this thread
 * queued since emit_refusal_clear, or NULL: how the event log line and
 * the error counter (service.c) learn every handler's outcome without
 * each handler reporting it.  Borrowed until the thread's next refusal.
 */
void		 emit_refusal_clear(void);
const char	*emit_refusal_last(void);

/* The message of that refusal (cut to 255 bytes), NULL when there is none:
 * for the audit trail (service.c).  Borrowed like emit_refusal_last. */
const char	*emit_refusal_last_message(void);

/* The same refusal under another event name: `outcome_rejected` and
 * `substitution_error` carry {message, code, field?} too. */
enum err	 emit_refusal(struct db *, const char *sid, struct span nsp,
		    int64_t ack_id, const char *event, const char *code,
		    const char *message, const char *field) MUSTCHECK;

/* ... with the original service's "errors" list (borrowed; may be NULL). */
enum err	 emit_refusal_errors(struct db *, const char *sid,
		    struct span nsp, int64_t ack_id, const char *event,
		    const char *code, const char *message, const char *field,
		    struct json_object *errors) MUSTCHECK;

#endif
