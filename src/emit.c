/*
 * emit.c -- build Socket.IO packets and queue them (see emit.h).
 */
#include "config.h"

#include <stdio.h>

#include <json-c/json.h>

#include "bounds.h"
#include "buf.h"
#include "db.h"
#include "emit.h"
#include "sio.h"

/* Codes are ours (events.md), short upper-case words: one longer than
 * this is cut, which only shortens a log line and a metrics label. */
#define EMIT_MAX_CODE	63
#define EMIT_MAX_MESSAGE	255

static _Thread_local char	 last_refusal[EMIT_MAX_CODE + 1];
/* Its message, for the audit trail (ours: built by the handlers, at most
 * a few hundred bytes; a longer one is cut). */
static _Thread_local char	 last_message[EMIT_MAX_MESSAGE + 1];

void
emit_refusal_clear(void)
{
	last_refusal[0] = '\0';
	last_message[0] = '\0';
}

const char *
emit_refusal_last_message(void)
{
	return last_refusal[0] != '\0' ? last_message : NULL;
}

const char *
emit_refusal_last(void)
{
	return last_refusal[0] != '\0' ? last_refusal : NULL;
}

enum err
emit_packet(struct db *db, const char *sid, const char *packet)
{
	const char	*params[2] = { sid, packet };

	return db_run(db, Q_QUEUE, params, NULL);
}

/* "4" + the encoded Socket.IO packet, into b. */
static enum err
encode(struct buf *b, enum sio_type t, struct span nsp, int64_t ack_id,
    struct json_object *data)
{
	enum err	 er;

	if ((er = buf_putc(b, '4')) != ERR_OK)
		return er;
	return sio_packet_encode(b, t, nsp, ack_id, data);
}

/* [name, data?]: owned by the caller (json_object_put). */
static struct json_object *
event_args(const char *name, struct json_object *data)
{
	struct json_object	*a;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	/* json_object_array_add steals; data is shared, so take a ref. */
	if (json_object_array_add(a, json_object_new_string(name)) != 0 ||
	    (data != NULL &&
	    json_object_array_add(a, json_object_get(data)) != 0)) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

enum err
emit_event(struct db *db, const char *sid, struct span nsp, int64_t ack_id,
    const char *name, struct json_object *data)
{
	struct json_object	*a = NULL;
	struct buf		 b;
	enum err		 er = ERR_NOMEM;

	buf_init(&b, EIO_MAX_RESPONSE);
	if ((a = event_args(name, data)) == NULL)
		goto out;
	if ((er = encode(&b, SIO_EVENT, nsp, ack_id, a)) != ERR_OK)
		goto out;
	er = emit_packet(db, sid, b.data);
out:
	json_object_put(a);
	buf_free(&b);
	return er;
}

enum err
emit_event_args(struct db *db, const char *sid, struct span nsp,
    int64_t ack_id, struct json_object *args)
{
	struct buf	 b;
	enum err	 er;

	buf_init(&b, EIO_MAX_RESPONSE);
	if ((er = encode(&b, SIO_EVENT, nsp, ack_id, args)) == ERR_OK)
		er = emit_packet(db, sid, b.data);
	buf_free(&b);
	return er;
}

enum err
emit_ack(struct db *db, const char *sid, struct span nsp, int64_t ack_id,
    struct json_object *args)
{
	struct buf	 b;
	enum err	 er;

	if (ack_id < 0)
		return ERR_OK;
	buf_init(&b, EIO_MAX_RESPONSE);
	if ((er = encode(&b, SIO_ACK, nsp, ack_id, args)) == ERR_OK)
		er = emit_packet(db, sid, b.data);
	buf_free(&b);
	return er;
}

enum err
emit_room(struct db *db, const char *game_id, const char *name,
    struct json_object *data, const char *except_sid)
{
	struct json_object	*a = NULL;
	struct buf		 b;
	const char		*params[3];
	enum err		 er = ERR_NOMEM;

	buf_init(&b, EIO_MAX_RESPONSE);
	if ((a = event_args(name, data)) == NULL)
		goto out;
	if ((er = encode(&b, SIO_EVENT, SPAN_LIT("/"), -1, a)) != ERR_OK)
		goto out;
	params[0] = game_id;
	params[1] = b.data;
	params[2] = except_sid;
	er = db_run(db, Q_ROOM_EMIT, params, NULL);
out:
	json_object_put(a);
	buf_free(&b);
	return er;
}

enum err
emit_error(struct db *db, const char *sid, struct span nsp, int64_t ack_id,
    const char *code, const char *message, const char *field)
{
	return emit_refusal(db, sid, nsp, ack_id, "error", code, message,
	    field);
}

enum err
emit_refusal(struct db *db, const char *sid, struct span nsp, int64_t ack_id,
    const char *event, const char *code, const char *message,
    const char *field)
{
	return emit_refusal_errors(db, sid, nsp, ack_id, event, code, message,
	    field, NULL);
}

enum err
emit_refusal_errors(struct db *db, const char *sid, struct span nsp,
    int64_t ack_id, const char *event, const char *code, const char *message,
    const char *field, struct json_object *errors)
{
	struct json_object	*e = NULL, *ack = NULL, *args = NULL;
	enum err		 er = ERR_NOMEM;

	(void)snprintf(last_refusal, sizeof(last_refusal), "%s", code);
	(void)snprintf(last_message, sizeof(last_message), "%s", message);
	if ((e = json_object_new_object()) == NULL ||
	    json_object_object_add(e, "message",
	    json_object_new_string(message)) != 0 ||
	    json_object_object_add(e, "code",
	    json_object_new_string(code)) != 0 ||
	    (field != NULL && json_object_object_add(e, "field",
	    json_object_new_string(field)) != 0) ||
	    (errors != NULL && json_object_object_add(e, "errors",
	    json_object_get(errors)) != 0))
		goto out;
	if ((er = emit_event(db, sid, nsp, -1, event, e)) != ERR_OK ||
	    ack_id < 0)
		goto out;
	er = ERR_NOMEM;
	if ((ack = json_object_new_object()) == NULL ||
	    json_object_object_add(ack, "ok",
	    json_object_new_boolean(0)) != 0 ||
	    json_object_object_add(ack, "error", json_object_get(e)) != 0 ||
	    (args = json_object_new_array()) == NULL ||
	    json_object_array_add(args, json_object_get(ack)) != 0)
		goto out;
	er = emit_ack(db, sid, nsp, ack_id, args);
out:
	json_object_put(args);
	json_object_put(ack);
	json_object_put(e);
	return er;
}
