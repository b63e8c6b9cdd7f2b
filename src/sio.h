/*
 * sio.h -- Socket.IO v5 packet codec.  Pure: no I/O.  Section numbers cite
 * ../shared/protocol.md §8.
 *
 * Format: <type>[<nAttachments>-][<nsp>,][<ackId>][<JSON>]
 */
#ifndef DUGOUT_SIO_H
#define DUGOUT_SIO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "span.h"

struct buf;
struct json_object;

enum sio_type {
	SIO_CONNECT = 0,
	SIO_DISCONNECT,
	SIO_EVENT,
	SIO_ACK,
	SIO_CONNECT_ERROR,
	SIO_BINARY_EVENT,
	SIO_BINARY_ACK,
	SIO__MAX
};

struct sio_packet {
	enum sio_type		 type;
	unsigned		 attachments;	/* types 5/6 only: 1..10 */
	struct span		 nsp;		/* "/" when absent; borrowed
						   from the input (or static) */
	int64_t			 ack_id;	/* -1 when absent */
	struct json_object	*data;		/* owned; NULL when absent */
};

/*
 * Decode one Socket.IO packet (the data of an Engine.IO message).  Strict,
 * as the reference parser: ERR_PROTO for an empty packet, an unknown type,
 * a bad attachment count (missing, 0, or > SIO_MAX_ATTACHMENTS, or present
 * on a non-binary type), a namespace not starting with '/', an ack id that
 * is not decimal or exceeds SIO_MAX_ACK_ID, invalid JSON or JSON nested
 * deeper than SIO_JSON_DEPTH, trailing garbage, and a payload of the wrong
 * shape for its type:
 *   CONNECT object or absent; DISCONNECT absent; EVENT/BINARY_EVENT a
 *   non-empty array whose first element is a string (without NUL, and
 *   not a reserved name: connect, connect_error, disconnect,
 *   disconnecting, newListener, removeListener) or a number;
 *   ACK/BINARY_ACK an array; CONNECT_ERROR an object or a string.
 * Stricter than the reference: EVENT, ACK (and binary forms) and
 * CONNECT_ERROR need a payload, and the JSON is checked token by token as
 * JSON.parse would (json-c alone takes NaN, single quotes, raw control
 * characters and overlong UTF-8).  A namespace ends at the first ',' and
 * is at most SIO_MAX_NSP bytes.  An ack id is accepted on every type, as
 * the reference does.
 * Binary packets must also carry exactly `attachments` placeholders
 * {"_placeholder":true,"num":i} with distinct integer i in
 * 0..attachments-1.
 * On success the caller owns p->data (sio_packet_reset releases it); on
 * failure nothing is owned and p is reset.
 */
enum err	 sio_packet_decode(struct span in,
		    struct sio_packet *p) MUSTCHECK;
void		 sio_packet_reset(struct sio_packet *);

/* The event name of an EVENT/BINARY_EVENT (borrowed from p->data), or NULL
 * when the first element is a number or p is another type. */
const char	*sio_event_name(const struct sio_packet *);

/*
 * Append the encoded packet (no Engine.IO prefix) to out: type digit,
 * for BINARY_EVENT/BINARY_ACK `<n>-` where n is the number of
 * {"_placeholder":true,...} objects in data (ERR_PROTO unless 1..
 * SIO_MAX_ATTACHMENTS), the namespace and ',' unless it is "/" or empty
 * (ERR_PROTO when it does not start with '/' or holds a ','), the ack id
 * when >= 0, then data as compact JSON (NULL: nothing).  JSON is written
 * with json-c's plain, no-slash-escape form, which escapes every control
 * character, so the result never holds 0x1e.  data stays the caller's.
 * All or nothing: on failure out is unchanged.
 */
enum err	 sio_packet_encode(struct buf *out, enum sio_type,
		    struct span nsp, int64_t ack_id,
		    struct json_object *data) MUSTCHECK;

/* Append compact JSON of v (json-c plain, no slash escaping; NULL is
 * "null").  ERR_LIMIT past out's cap, ERR_NOMEM. */
enum err	 sio_json_append(struct buf *out,
		    struct json_object *v) MUSTCHECK;

/*
 * Parse text as strict JSON (RFC 8259) with the SIO_JSON_DEPTH limit,
 * rejecting invalid UTF-8 and trailing bytes other than whitespace.  *out
 * is owned by the caller (json_object_put).  ERR_PROTO on any failure,
 * ERR_NOMEM.  Note that the JSON value null parses to *out == NULL.
 */
enum err	 sio_json_parse(struct span text,
		    struct json_object **out) MUSTCHECK;

#endif
