/*
 * eio.h -- Engine.IO v4 over HTTP long-polling: packet and payload codec,
 * request routing and the protocol's HTTP errors.  Pure: no I/O, no clock;
 * decoding never allocates (packets borrow from the input), encoding
 * appends to a struct buf.  Section numbers cite ../shared/protocol.md.
 */
#ifndef DUGOUT_EIO_H
#define DUGOUT_EIO_H

#include <stddef.h>

#include "err.h"
#include "span.h"

struct buf;

/* §5: the wire digit equals the value. */
enum eio_type {
	EIO_OPEN = 0,
	EIO_CLOSE,
	EIO_PING,
	EIO_PONG,
	EIO_MESSAGE,
	EIO_UPGRADE,
	EIO_NOOP,
	EIO__MAX
};

struct eio_packet {
	enum eio_type	 type;
	int		 binary;	/* 1: a `b` packet; data is base64 */
	struct span	 data;		/* borrowed from the decoder's input */
};

/*
 * §5: split a polling body (packets joined by 0x1e) into at most `max`
 * packets.  Fails with ERR_PROTO on an empty body, an empty packet, an
 * unknown type character, invalid UTF-8, a NUL byte, or a `b` packet whose
 * data is not
 * valid standard base64 (a trailing 0x1e is an empty packet); ERR_LIMIT
 * past `max` packets.  pk must hold `max` entries.  On ERR_OK *np is the
 * number of packets written to pk; on error *np is 0.
 */
enum err	eio_payload_decode(struct span in, struct eio_packet *pk,
		    size_t max, size_t *np) MUSTCHECK;

/*
 * 1 when s is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF).  Shared with sio's JSON checks.
 */
int		eio_utf8_valid(struct span s);

/* Decode the base64 of a `b` packet into out (appended, all or nothing).
 * ERR_PROTO on bad, truncated or non-canonical standard base64 (padding
 * required); ERR_LIMIT past out's cap. */
enum err	eio_base64_decode(struct span b64, struct buf *out) MUSTCHECK;

/*
 * Append one packet to a payload being built: a 0x1e first unless out is
 * empty, then the type digit and data.  The caller guarantees data holds no
 * 0x1e (our JSON encoder escapes control characters; asserted).  All or
 * nothing: on failure out is unchanged.
 */
enum err	eio_payload_append(struct buf *out, enum eio_type,
		    struct span data) MUSTCHECK;
/* Same for a binary message: `b` + base64 of the bytes. */
enum err	eio_payload_append_binary(struct buf *out, const void *p,
		    size_t n) MUSTCHECK;

/*
 * §3: the open packet, `0{"sid":…,"upgrades":[…],"pingInterval":…,
 * "pingTimeout":…,"maxPayload":…}`.  `upgrades` is a JSON array text
 * ("[]" for dugout; the conformance fixture sends ["websocket"]).  sid
 * must satisfy eio_sid_valid (asserted: we generate it).
 */
enum err	eio_open_encode(struct buf *out, const char *sid,
		    const char *upgrades, unsigned ping_interval_ms,
		    unsigned ping_timeout_ms, size_t max_payload) MUSTCHECK;

/* §7: the protocol's errors; the value is the wire code. */
enum eio_error {
	EIO_ERR_TRANSPORT_UNKNOWN = 0,
	EIO_ERR_SID_UNKNOWN = 1,
	EIO_ERR_BAD_HANDSHAKE_METHOD = 2,
	EIO_ERR_BAD_REQUEST = 3,
	EIO_ERR_FORBIDDEN = 4,
	EIO_ERR_UNSUPPORTED_PROTOCOL = 5,
	EIO_ERR__MAX
};

int		 eio_error_status(enum eio_error);	/* 400 or 403 */
const char	*eio_error_message(enum eio_error);	/* "Session ID unknown" */
/* `{"code":N,"message":"…"}`; message NULL means the standard one. */
enum err	 eio_error_encode(struct buf *out, enum eio_error,
		    const char *message) MUSTCHECK;

/* What a request to /socket.io/ asks for, decided from method and query
 * alone (§2, §3, §4, §7 check order). */
enum eio_route {
	EIO_ROUTE_PREFLIGHT,	/* OPTIONS: answer CORS, 204 */
	EIO_ROUTE_HANDSHAKE,	/* GET, no sid, EIO=4 */
	EIO_ROUTE_POLL,		/* GET with sid */
	EIO_ROUTE_SEND,		/* POST with sid */
	EIO_ROUTE_BAD_METHOD,	/* sid with another method: 500, empty */
	EIO_ROUTE_ERROR		/* answer eio_error_* of *errp */
};

enum eio_method { EIO_GET, EIO_POST, EIO_OPTIONS, EIO_OTHER };

/* The decoded query values; NULL when absent.  Borrowed from the caller. */
struct eio_request {
	enum eio_method	 method;
	const char	*eio;		/* "EIO" */
	const char	*transport;
	const char	*sid;
};

/* *errp is written only when the result is EIO_ROUTE_ERROR.  The caller
 * still checks Origin, looks the sid up (eio_sid_valid first) and applies
 * allowRequest. */
enum eio_route	 eio_route(const struct eio_request *, enum eio_error *errp);

/* 1 when s is shaped like a sid we issue (EIO_SID_LEN URL-safe base64
 * characters); a cheap filter before any database lookup. */
int		 eio_sid_valid(const char *s);

#endif
