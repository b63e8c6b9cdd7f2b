/*
 * bounds.h -- every limit of dugout, named once, next to its source.
 */
#ifndef DUGOUT_BOUNDS_H
#define DUGOUT_BOUNDS_H

/* Engine.IO v4 "maxPayload" (protocol.md §3): the largest POST body
 * accepted; configurable up to this hard ceiling. */
#define EIO_MAX_PAYLOAD_DEFAULT	1000000
#define EIO_MAX_PAYLOAD_CEILING	(16 * 1024 * 1024)
/* Packets the codec tests decode at once; the server sizes its array
 * from the body instead (the protocol bounds bodies by bytes only). */
#define EIO_MAX_PACKETS		1024
/* Bytes in a response we build: responses are unbounded by the spec, but
 * a session's queue is bounded in the database; this guards memory. */
#define EIO_MAX_RESPONSE	(64 * 1024 * 1024)
/* Session id: 15 random bytes -> 20 URL-safe base64 chars (120 bits). */
#define EIO_SID_BYTES		15
#define EIO_SID_LEN		20

/* Socket.IO v5 (protocol.md §8). */
#define SIO_MAX_ATTACHMENTS	10	/* [ref] socket.io-parser */
#define SIO_MAX_NSP		256
#define SIO_JSON_DEPTH		32	/* json_tokener_new_ex depth */
#define SIO_MAX_ACK_ID		999999999999LL

/* HTTP side. */
#define HTTP_MAX_QUERY		4096	/* QUERY_STRING bytes we parse */
#define HTTP_MAX_HEADER		8192	/* one header value we look at */

/* Config file. */
#define CONF_MAX_FILE		(256 * 1024)
#define CONF_MAX_LINE		4096

/* JWT: a token longer than this is refused before decoding. */
#define AUTH_MAX_TOKEN		8192
#define AUTH_MAX_USER_ID	128
#define AUTH_MAX_EXP		253402300799LL	/* 9999-12-31T23:59:59Z */

#endif
