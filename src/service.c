/*
 * service.c -- Engine.IO v4 polling and Socket.IO v5 over the database (see
 * service.h).  Section numbers cite ../shared/protocol.md.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sodium.h>

#include "auth.h"
#include "conf.h"
#include "db.h"
#include "emit.h"
#include "events.h"
#include "http.h"
#include "log.h"
#include "service.h"
#include "sio.h"

#define LEASE_SLACK_MS	5000	/* a held GET's claim outlives its deadline */
#define POST_LEASE_MS	30000	/* a POST is processed well within this */

/* What one request carries around while it is processed. */
struct rq {
	struct svc		*s;
	struct db		*db;
	const struct conf	*c;
	const char		*sid;
	int			 eio_only;	/* bare Engine.IO echo */
	int			 stop;		/* the session ended or closed */
};

int64_t
svc_now_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
svc_init(struct svc *s, const struct conf *c)
{
	char		 host[64];	/* gethostname bounded: ours */
	unsigned char	 nonce[6];
	char		 hex[sizeof(nonce) * 2 + 1];

	s->conf = c;
	if (gethostname(host, sizeof(host)) != 0)
		(void)strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	randombytes_buf(nonce, sizeof(nonce));
	(void)sodium_bin2hex(hex, sizeof(hex), nonce, sizeof(nonce));
	(void)snprintf(s->owner, sizeof(s->owner), "%.40s:%ld:%s", host,
	    (long)getpid(), hex);
}

void
svc_resp_init(struct svc_resp *r)
{
	r->status = 200;
	r->content_type = NULL;
	buf_init(&r->headers, HTTP_MAX_HEADER * 4);
	buf_init(&r->body, EIO_MAX_RESPONSE);
}

void
svc_resp_reset(struct svc_resp *r)
{
	r->status = 200;
	r->content_type = NULL;
	buf_reset(&r->headers);
	buf_reset(&r->body);
}

void
svc_resp_free(struct svc_resp *r)
{
	if (r == NULL)
		return;
	buf_free(&r->headers);
	buf_free(&r->body);
}

static char *
itoa_ms(char *b, size_t n, long long v)
{
	(void)snprintf(b, n, "%lld", v);
	return b;
}

/* ---------------------------------------------------------- responses */

static void
answer_text(struct svc_resp *r, int status, const char *ctype,
    const char *body)
{
	r->status = status;
	r->content_type = ctype;
	buf_reset(&r->body);
	if (body != NULL && buf_puts(&r->body, body) != ERR_OK)
		r->status = 500;
}

/* §7: the JSON error body with its status. */
static void
answer_error(struct svc_resp *r, enum eio_error e)
{
	r->status = eio_error_status(e);
	r->content_type = "application/json";
	buf_reset(&r->body);
	if (eio_error_encode(&r->body, e, NULL) != ERR_OK)
		r->status = 500;
}

/* The poll answer (§4): packets joined by 0x1e. */
static void
answer_payload(struct svc_resp *r, const char *payload)
{
	answer_text(r, 200, "text/plain; charset=UTF-8", payload);
	if (buf_puts(&r->headers, "Cache-Control: no-store\r\n") != ERR_OK)
		r->status = 500;
}

/* §9: CORS headers.  Returns 0 when the Origin is malformed. */
static int
cors(const struct svc *s, const struct svc_req *q, struct svc_resp *r)
{
	const struct conf	*c = s->conf;
	static char		*any[] = { "*", NULL };

	if (q->origin == NULL)
		return 1;
	if (!http_origin_valid(q->origin))
		return 0;
	if (!http_origin_allowed(q->origin, c->conformance ? any :
	    c->cors_origins, c->conformance ? 1 : c->ncors))
		return 1;
	/* Echo the exact origin: credentials forbid "*". */
	if (buf_printf(&r->headers, "Access-Control-Allow-Origin: %s\r\n"
	    "Access-Control-Allow-Credentials: true\r\nVary: Origin\r\n",
	    q->origin) != ERR_OK)
		r->status = 500;
	return 1;
}

static void
preflight(const struct svc_req *q, struct svc_resp *r)
{
	r->status = 204;
	r->content_type = NULL;
	if (buf_puts(&r->headers, "Access-Control-Allow-Methods: GET, POST, "
	    "OPTIONS\r\nAccess-Control-Max-Age: 86400\r\n") != ERR_OK ||
	    (q->acr_headers != NULL && buf_printf(&r->headers, "Access-Control-Allow-Headers: %.*s\r\n",
	    (int)strcspn(q->acr_headers, "\r\n"), q->acr_headers) != ERR_OK))
		r->status = 500;
}

/* --------------------------------------------------------- handshake */

static void
handshake(struct rq *x, struct svc_resp *r)
{
	unsigned char	 raw[EIO_SID_BYTES];
	char		 sid[EIO_SID_LEN + 1];
	char		 pi[24], pt[24];
	const char	*params[3];
	_Static_assert(sizeof(sid) == sodium_base64_ENCODED_LEN(EIO_SID_BYTES,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING), "sid length");

	randombytes_buf(raw, sizeof(raw));
	(void)sodium_bin2base64(sid, sizeof(sid), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	params[0] = sid;
	params[1] = itoa_ms(pi, sizeof(pi), x->c->ping_interval);
	params[2] = itoa_ms(pt, sizeof(pt), x->c->ping_timeout);
	if (db_run(x->db, Q_SESSION_NEW, params, NULL) != ERR_OK) {
		answer_text(r, 503, "text/plain", "database unavailable");
		return;
	}
	r->status = 200;
	r->content_type = "text/plain; charset=UTF-8";
	if (eio_open_encode(&r->body, sid, x->c->conformance ?
	    "[\"websocket\"]" : "[]", x->c->ping_interval,
	    x->c->ping_timeout, x->c->max_payload) != ERR_OK)
		r->status = 500;
}

/* The server closes the session (§4 "Server close"); the held or next
 * GET carries the close packet. */
static void
session_close(struct rq *x, const char *why)
{
	char		 grace[24];
	const char	*params[2] = { x->sid, itoa_ms(grace, sizeof(grace),
	    (long long)x->c->ping_interval + x->c->ping_timeout) };

	log_infox("session %.6s…: closed: %s", x->sid, why);
	if (db_run(x->db, Q_SESSION_CLOSE, params, NULL) != ERR_OK)
		log_warnx("session %.6s…: close failed", x->sid);
	x->stop = 1;
}

/* An Engine.IO-level error ends the session at once ([ref] "transport
 * error"): later requests get 400 code 1, a held GET a noop. */
static void
session_abort(struct rq *x, const char *why)
{
	const char	*params[1] = { x->sid };

	log_infox("session %.6s…: ended: %s", x->sid, why);
	if (db_run(x->db, Q_SESSION_END, params, NULL) != ERR_OK)
		log_warnx("session %.6s…: end failed", x->sid);
	x->stop = 1;
}

/* ------------------------------------------------------------- polling */

/* One row of dugout_poll_take: an answer now, or a later deadline.
 * wait_ms is relative to the database's clock, so it is added to ours. */
static enum svc_result
poll_result(const struct svc *s, const char *state, const char *payload,
    const char *wait_ms, int force, struct svc_park *p, struct svc_resp *r)
{
	int64_t	 now = svc_now_ms(), wait = s->conf->ping_interval;

	if (state == NULL || strcmp(state, "gone") == 0 || payload == NULL) {
		/* No session: a noop releases the client, whose next request
		 * meets the real state. */
		answer_payload(r, "6");
		return SVC_ANSWER;
	}
	if (*payload != '\0' || force) {
		answer_payload(r, *payload != '\0' ? payload : "6");
		return SVC_ANSWER;
	}
	if (wait_ms != NULL && strtoll(wait_ms, NULL, 10) < wait)
		wait = strtoll(wait_ms, NULL, 10);
	/* wait_ms is rounded to the nearest millisecond: one more makes sure
	 * the ping is due when the deadline comes, or the poll would be
	 * answered a needless noop just before it */
	p->deadline_ms = now + wait + 1;
	return SVC_PARK;
}

/* The fixed parameters of a poll take: owner, timers, release. */
static void
poll_params(const struct svc *s, const char **params, char *pi, char *pt,
    int force)
{
	params[1] = s->owner;
	params[2] = itoa_ms(pi, 24, s->conf->ping_interval);
	params[3] = itoa_ms(pt, 24, s->conf->ping_timeout);
	params[4] = force ? "true" : "false";
}

enum svc_result
svc_poll(struct svc *s, struct db *db, struct svc_park *p, int force,
    struct svc_resp *r)
{
	struct db_rows	*rows = NULL;
	char		 pi[24], pt[24];
	const char	*params[5];
	enum svc_result	 res;

	params[0] = p->sid;
	poll_params(s, params, pi, pt, force);
	if (db_run(db, Q_POLL_TAKE, params, &rows) != ERR_OK) {
		/* Release the claim too, or the client's next GET would be
		 * taken for a second one and close the session. */
		svc_poll_abandon(s, db, p->sid);
		answer_payload(r, "6");
		return SVC_ANSWER;
	}
	res = poll_result(s, db_rows_get(rows, 0, 0), db_rows_get(rows, 0, 1),
	    db_rows_get(rows, 0, 2), force, p, r);
	db_rows_free(rows);
	return res;
}

void
svc_poll_many(struct svc *s, struct db *db, struct svc_park *const *p,
    struct svc_resp *const *r, enum svc_result *res, size_t n, int force)
{
	struct db_rows	*rows = NULL;
	struct buf	 sids;
	char		 pi[24], pt[24];
	const char	*params[5];
	size_t		 i, row;
	long long	 ord;

	/* A text[] literal; sids are [A-Za-z0-9_-] (eio_sid_valid), so no
	 * element needs quoting.  It is a parameter, never SQL text. */
	buf_init(&sids, n * (EIO_SID_LEN + 1) + 3);
	ERR_IGNORE(buf_putc(&sids, '{'));
	for (i = 0; i < n; i++)
		ERR_IGNORE(buf_printf(&sids, "%s%s", i ? "," : "", p[i]->sid));
	ERR_IGNORE(buf_putc(&sids, '}'));
	params[0] = sids.data;
	poll_params(s, params, pi, pt, force);
	/* One row per sid, in order; on failure no rows, and every poll is
	 * released (claim and request) with a noop. */
	ERR_IGNORE(db_run(db, Q_POLL_TAKE_MANY, params, &rows));
	for (i = 0; i < n; i++) {
		ord = i < db_rows_count(rows) ?
		    strtoll(db_rows_get(rows, i, 0), NULL, 10) : 0;
		row = (size_t)ord == i + 1 ? i : SIZE_MAX;
		if (row == SIZE_MAX)
			svc_poll_abandon(s, db, p[i]->sid);
		res[i] = poll_result(s, db_rows_get(rows, row, 1),
		    db_rows_get(rows, row, 2), db_rows_get(rows, row, 3),
		    force, p[i], r[i]);
	}
	db_rows_free(rows);
	buf_free(&sids);
}

static enum svc_result
poll_begin(struct rq *x, struct svc_resp *r, struct svc_park *p)
{
	struct db_rows	*rows = NULL;
	char		 lease[24];
	const char	*params[3], *v;
	enum svc_result	 res = SVC_ANSWER;

	params[0] = x->sid;
	params[1] = x->s->owner;
	params[2] = itoa_ms(lease, sizeof(lease),
	    (long long)x->c->ping_interval + LEASE_SLACK_MS);
	if (db_run(x->db, Q_GET_BEGIN, params, &rows) != ERR_OK ||
	    (v = db_rows_get(rows, 0, 0)) == NULL) {
		answer_text(r, 503, "text/plain", "database unavailable");
		goto out;
	}
	if (strcmp(v, "unknown") == 0)
		answer_error(r, EIO_ERR_SID_UNKNOWN);
	else if (strcmp(v, "conflict") == 0) {
		/* §4: the second GET gets 400 with an empty body. */
		log_infox("session %.6s…: closed: concurrent GET", x->sid);
		answer_text(r, 400, NULL, NULL);
	} else {
		(void)snprintf(p->sid, sizeof(p->sid), "%s", x->sid);
		res = svc_poll(x->s, x->db, p, 0, r);
	}
out:
	db_rows_free(rows);
	return res;
}

void
svc_poll_abandon(struct svc *s, struct db *db, const char *sid)
{
	const char	*params[2] = { sid, s->owner };

	if (db_run(db, Q_GET_RELEASE, params, NULL) != ERR_OK)
		log_warnx("session %.6s…: release failed", sid);
}

void
svc_release_all(struct svc *s, struct db *db)
{
	const char	*params[1] = { s->owner };

	if (db_run(db, Q_GET_RELEASE_OWNER, params, NULL) != ERR_OK)
		log_warnx("shutdown: could not release the held polls' claims");
}

enum err
svc_sweep(struct svc *s, struct db *db)
{
	struct db_rows	*rows = NULL;
	char		 ct[24];
	const char	*params[1] = { itoa_ms(ct, sizeof(ct),
	    s->conf->connect_timeout) }, *v;
	enum err	 er;

	if ((er = db_run(db, Q_SESSION_SWEEP, params, &rows)) == ERR_OK &&
	    (v = db_rows_get(rows, 0, 0)) != NULL && strcmp(v, "0") != 0)
		log_infox("sweep: %s sessions expired", v);
	db_rows_free(rows);
	return er;
}

/* ------------------------------------------------------ Socket.IO (§8) */

/* Queue a Socket.IO packet built from parts, with the "4" prefix. */
static enum err
queue_sio(struct rq *x, enum sio_type t, struct span nsp, int64_t ack,
    struct json_object *data)
{
	struct buf	 b;
	enum err	 er;

	buf_init(&b, EIO_MAX_RESPONSE);
	if ((er = buf_putc(&b, '4')) == ERR_OK &&
	    (er = sio_packet_encode(&b, t, nsp, ack, data)) == ERR_OK)
		er = emit_packet(x->db, x->sid, b.data);
	buf_free(&b);
	return er;
}

/* Queue one Engine.IO packet: a type character and its data as given. */
static enum err
queue_raw(struct rq *x, char type, struct span data)
{
	struct buf	 b;
	enum err	 er;

	buf_init(&b, EIO_MAX_RESPONSE);
	if ((er = buf_putc(&b, type)) == ERR_OK &&
	    (er = buf_append(&b, data.p, data.len)) == ERR_OK)
		er = emit_packet(x->db, x->sid, b.data);
	buf_free(&b);
	return er;
}

/* CONNECT_ERROR {message, data: {code}} (code may be NULL). */
static enum err
refuse_connect(struct rq *x, struct span nsp, const char *message,
    const char *code)
{
	struct json_object	*o = NULL, *d = NULL;
	enum err		 er = ERR_NOMEM;

	if ((o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "message",
	    json_object_new_string(message)) != 0)
		goto out;
	if (code != NULL) {
		if ((d = json_object_new_object()) == NULL ||
		    json_object_object_add(d, "code",
		    json_object_new_string(code)) != 0 ||
		    json_object_object_add(o, "data", d) != 0)
			goto out;
		d = NULL;	/* stolen by o */
	}
	er = queue_sio(x, SIO_CONNECT_ERROR, nsp, -1, o);
out:
	json_object_put(d);
	json_object_put(o);
	return er;
}

struct connect_tx {
	struct rq		*x;
	struct span		 nsp;
	char			*nspz;
	const char		*user_id;
	int			 admin;
	int64_t			 exp;
	struct json_object	*auth;	/* the CONNECT payload, borrowed */
};

static enum err
connect_run(struct db *db, void *arg)
{
	struct connect_tx	*t = arg;
	struct rq		*x = t->x;
	struct json_object	*o = NULL, *who = NULL;
	struct db_rows		*rows = NULL;
	unsigned char		 raw[EIO_SID_BYTES];
	char			 id[EIO_SID_LEN + 1], exp[24];
	const char		*params[6], *ack;
	enum err		 er = ERR_NOMEM;

	randombytes_buf(raw, sizeof(raw));
	(void)sodium_bin2base64(id, sizeof(id), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	params[0] = id;
	params[1] = x->sid;
	params[2] = t->nspz;
	params[3] = t->user_id;
	params[4] = t->admin ? "true" : "false";
	params[5] = itoa_ms(exp, sizeof(exp), (long long)t->exp);
	if ((er = db_run(db, Q_SOCKET_NEW, params, NULL)) != ERR_OK)
		goto out;
	er = ERR_NOMEM;
	if ((o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "sid", json_object_new_string(id)) != 0)
		goto out;
	if ((er = queue_sio(x, SIO_CONNECT, t->nsp, -1, o)) != ERR_OK)
		goto out;
	if (x->c->conformance) {
		/* The fixture: emit `auth` with the CONNECT payload. */
		er = ERR_NOMEM;
		if (t->auth == NULL && (who = json_object_new_object()) == NULL)
			goto out;
		er = emit_event(db, x->sid, t->nsp, -1, "auth",
		    t->auth != NULL ? t->auth : who);
		goto out;
	}
	/* `connected` asks for an ack: the client's answer is recorded in
	 * sio_ack_pending, which is how the server learns it was handled. */
	params[1] = "connected";
	if ((er = db_run(db, Q_ACK_REQUEST, params, &rows)) != ERR_OK)
		goto out;
	er = ERR_NOMEM;
	if ((ack = db_rows_get(rows, 0, 0)) == NULL ||
	    (who = json_object_new_object()) == NULL ||
	    json_object_object_add(who, "user_id",
	    json_object_new_string(t->user_id)) != 0)
		goto out;
	er = emit_event(db, x->sid, t->nsp, strtoll(ack, NULL, 10),
	    "connected", who);
out:
	db_rows_free(rows);
	json_object_put(who);
	json_object_put(o);
	return er;
}

static enum err
sio_connect(struct rq *x, struct sio_packet *p, const char *nspz)
{
	struct connect_tx	 t;
	struct auth_claims	 cl = { NULL, 0, 0 };
	struct auth_key		 key = { x->c->jwt_algorithm, x->c->jwt_key,
	    x->c->jwt_public_key, NULL };
	struct json_object	*tok = NULL;	/* borrowed from p->data */
	enum err		 er;

	memset(&t, 0, sizeof(t));
	t.x = x;
	t.nsp = p->nsp;
	t.nspz = (char *)nspz;
	t.auth = p->data;
	if (!span_eq(p->nsp, "/") && !(x->c->conformance &&
	    span_eq(p->nsp, "/custom")))
		return refuse_connect(x, p->nsp, "Invalid namespace", NULL);
	if (x->c->conformance) {
		t.user_id = "anonymous";
		t.exp = (int64_t)time(NULL) + 86400;
	} else {
		if (p->data == NULL ||
		    !json_object_object_get_ex(p->data, "token", &tok) ||
		    !json_object_is_type(tok, json_type_string))
			return refuse_connect(x, p->nsp, "Authentication "
			    "required: connect with auth: {token}",
			    "AUTH_MISSING");
		er = auth_verify(&key, json_object_get_string(tok),
		    (int64_t)time(NULL), &cl);
		if (er == ERR_EXPIRED || er != ERR_OK) {
			auth_claims_reset(&cl);
			return refuse_connect(x, p->nsp, er == ERR_EXPIRED ?
			    "Token expired" : "Invalid token",
			    er == ERR_EXPIRED ? "AUTH_EXPIRED" :
			    "AUTH_INVALID");
		}
		t.user_id = cl.user_id;
		t.admin = cl.admin;
		t.exp = cl.exp;
	}
	er = db_tx_run(x->db, connect_run, &t);
	if (er == ERR_CONFLICT) {
		/* §8 [ref]: a CONNECT for a namespace already joined. */
		session_close(x, "namespace joined twice");
		er = ERR_OK;
	} else if (er == ERR_NOTFOUND) {
		x->stop = 1;	/* the session ended meanwhile */
		er = ERR_OK;
	} else if (er == ERR_OK)
		log_infox("session %.6s…: user %s connected", x->sid,
		    t.user_id);
	auth_claims_reset(&cl);
	return er;
}

/* The socket of this session on nsp; *found 0 when none. */
struct sock {
	char	*id, *user_id;
	int	 admin, expired, found;
};

static enum err
sock_get(struct rq *x, const char *nspz, struct sock *k)
{
	struct db_rows	*rows = NULL;
	const char	*params[2] = { x->sid, nspz };
	enum err	 er;

	memset(k, 0, sizeof(*k));
	if ((er = db_run(x->db, Q_SOCKET_GET, params, &rows)) != ERR_OK)
		goto out;
	if (db_rows_count(rows) == 1) {
		k->found = 1;
		k->id = strdup(db_rows_get(rows, 0, 0));
		k->user_id = strdup(db_rows_get(rows, 0, 1));
		k->admin = strcmp(db_rows_get(rows, 0, 2), "t") == 0;
		k->expired = strcmp(db_rows_get(rows, 0, 3), "t") == 0;
		if (k->id == NULL || k->user_id == NULL)
			er = ERR_NOMEM;
	}
out:
	db_rows_free(rows);
	return er;
}

static void
sock_free(struct sock *k)
{
	free(k->id);
	free(k->user_id);
}

static enum err
socket_end(struct rq *x, const char *id)
{
	const char	*params[1] = { id };

	return db_run(x->db, Q_SOCKET_END, params, NULL);
}

/* An event from an established socket. */
static enum err
sio_event(struct rq *x, struct sio_packet *p, struct sock *k)
{
	struct ev_ctx	 ctx;
	unsigned char	 raw[4];
	char		 ref[sizeof(raw) * 2 + 1], msg[64];
	enum err	 er;

	if (k->expired) {
		/* events.md: an expired token ends the socket at its next
		 * action: error AUTH_EXPIRED, then DISCONNECT. */
		if ((er = emit_error(x->db, x->sid, p->nsp, p->ack_id,
		    "AUTH_EXPIRED", "Token expired: reconnect with a fresh "
		    "token", NULL)) != ERR_OK ||
		    (er = queue_sio(x, SIO_DISCONNECT, p->nsp, -1,
		    NULL)) != ERR_OK)
			return er;
		return socket_end(x, k->id);
	}
	ctx.db = x->db;
	ctx.conf = x->c;
	ctx.sid = x->sid;
	ctx.nsp = p->nsp;
	ctx.socket_id = k->id;
	ctx.user_id = k->user_id;
	ctx.admin = k->admin;
	ctx.ack_id = p->ack_id;
	ctx.args = p->data;
	er = x->c->conformance ? events_dispatch_conformance(&ctx) :
	    events_dispatch(&ctx);
	if (er == ERR_OK)
		return ERR_OK;
	/* Our failure, not the client's: log with a reference the client
	 * sees, never the SQL or the cause. */
	randombytes_buf(raw, sizeof(raw));
	(void)sodium_bin2hex(ref, sizeof(ref), raw, sizeof(raw));
	log_errorx("session %.6s…: event %s failed: %s (ref %s)", x->sid,
	    sio_event_name(p) ? sio_event_name(p) : "?", err_str(er), ref);
	(void)snprintf(msg, sizeof(msg), "Internal error (ref %s)", ref);
	return emit_error(x->db, x->sid, p->nsp, p->ack_id, "INTERNAL", msg,
	    NULL);
}

/*
 * The conformance fixture echoes binary events: `message` comes back as
 * `message-back`, `message-with-ack` as the ack, each with the same
 * placeholders; the attachments follow as they arrive.  Returns 1 when
 * the packet is echoed.
 */
static int
conformance_binary(struct rq *x, struct sio_packet *p, enum err *er)
{
	struct json_object	*args = NULL, *name;
	const char		*ev = sio_event_name(p);
	size_t			 i, n;

	*er = ERR_OK;
	if (!x->c->conformance || p->type != SIO_BINARY_EVENT || ev == NULL)
		return 0;
	if (strcmp(ev, "message") != 0 && (strcmp(ev, "message-with-ack") !=
	    0 || p->ack_id < 0))
		return 0;
	*er = ERR_NOMEM;
	if ((args = json_object_new_array()) == NULL)
		return 1;
	if (strcmp(ev, "message") == 0 &&
	    ((name = json_object_new_string("message-back")) == NULL ||
	    json_object_array_add(args, name) != 0))
		goto out;
	n = json_object_array_length(p->data);
	for (i = 1; i < n; i++)
		if (json_object_array_add(args, json_object_get(
		    json_object_array_get_idx(p->data, i))) != 0)
			goto out;
	*er = strcmp(ev, "message") == 0 ?
	    queue_sio(x, SIO_BINARY_EVENT, p->nsp, -1, args) :
	    queue_sio(x, SIO_BINARY_ACK, p->nsp, p->ack_id, args);
out:
	json_object_put(args);
	return 1;
}

/* A binary packet announced its attachments (§8): remember how many are
 * due, and whether they are echoed or the whole packet refused. */
static enum err
sio_binary_expect(struct rq *x, struct sio_packet *p, const char *nspz)
{
	char		 n[24], ack[24];
	const char	*params[5] = { x->sid, n, nspz, NULL, "false" };
	enum err	 er;

	(void)snprintf(n, sizeof(n), "%u", p->attachments);
	if (conformance_binary(x, p, &er)) {
		if (er != ERR_OK)
			return er;
		params[4] = "true";
	} else if (p->type == SIO_BINARY_EVENT && p->ack_id >= 0) {
		(void)snprintf(ack, sizeof(ack), "%" PRId64, p->ack_id);
		params[3] = ack;
	}
	return db_run(x->db, Q_BINARY_EXPECT, params, NULL);
}

/* One Socket.IO packet from an Engine.IO message. */
static enum err
sio_process(struct rq *x, struct span data)
{
	struct sio_packet	 p;
	struct sock		 k = { NULL, NULL, 0, 0, 0 };
	char			*nspz = NULL;
	const char		*params[2];
	char			 ack[24];
	enum err		 er = ERR_OK;

	if (sio_packet_decode(data, &p) != ERR_OK) {
		session_close(x, "malformed socket.io packet");
		return ERR_OK;
	}
	if ((nspz = strndup(p.nsp.p, p.nsp.len)) == NULL) {
		er = ERR_NOMEM;
		goto out;
	}
	if (p.type == SIO_CONNECT) {
		er = sio_connect(x, &p, nspz);
		goto out;
	}
	if (p.type == SIO_CONNECT_ERROR) {
		session_close(x, "connect_error from a client");
		goto out;
	}
	if ((er = sock_get(x, nspz, &k)) != ERR_OK)
		goto out;
	if (!k.found) {
		/* §8 [ref]: a packet for a namespace not joined. */
		session_close(x, "packet for a namespace not joined");
		goto out;
	}
	switch (p.type) {
	case SIO_DISCONNECT:
		er = socket_end(x, k.id);
		break;
	case SIO_EVENT:
		er = sio_event(x, &p, &k);
		break;
	case SIO_ACK:
		params[0] = k.id;
		(void)snprintf(ack, sizeof(ack), "%" PRId64, p.ack_id);
		params[1] = ack;
		er = db_run(x->db, Q_ACK_RECEIVED, params, NULL);
		break;
	case SIO_BINARY_EVENT:
	case SIO_BINARY_ACK:
		er = sio_binary_expect(x, &p, nspz);
		break;
	default:
		break;
	}
out:
	sock_free(&k);
	free(nspz);
	sio_packet_reset(&p);
	return er;
}

/* A `b` attachment arrived (§8 BINARY_EVENT): echo it (conformance
 * fixture), or when the last one is in refuse the whole binary packet
 * with an error event. */
static enum err
sio_attachment(struct rq *x, const struct eio_packet *pk)
{
	struct db_rows	*rows = NULL;
	const char	*params[1] = { x->sid }, *left, *nsp, *ack, *echo;
	enum err	 er;

	if ((er = db_run(x->db, Q_BINARY_ARRIVED, params, &rows)) != ERR_OK)
		goto out;
	if (db_rows_count(rows) != 1) {
		session_close(x, "binary attachment not announced");
		goto out;
	}
	left = db_rows_get(rows, 0, 0);
	nsp = db_rows_get(rows, 0, 1);
	ack = db_rows_get(rows, 0, 2);
	echo = db_rows_get(rows, 0, 3);
	if (echo != NULL && strcmp(echo, "t") == 0) {
		er = queue_raw(x, 'b', pk->data);
		goto out;
	}
	if (left == NULL || strcmp(left, "0") != 0 || nsp == NULL)
		goto out;
	er = emit_error(x->db, x->sid, span_of(nsp), ack == NULL ? -1 :
	    strtoll(ack, NULL, 10), "INVALID_PAYLOAD",
	    "Binary payloads are not supported: send JSON", NULL);
out:
	db_rows_free(rows);
	return er;
}

/* ------------------------------------------------------ POST (§4, §5) */

static enum err
eio_process(struct rq *x, const struct eio_packet *pk)
{
	char		 pi[24], pt[24];
	const char	*params[3];
	enum err	 er = ERR_OK;

	if (pk->binary)	/* the echo fixture sends it back as it came */
		return x->eio_only ? queue_raw(x, 'b', pk->data) :
		    sio_attachment(x, pk);
	switch (pk->type) {
	case EIO_CLOSE:
		/* Client close: the held GET gets a noop (it finds the
		 * session gone), later requests 400 code 1. */
		params[0] = x->sid;
		er = db_run(x->db, Q_SESSION_END, params, NULL);
		x->stop = 1;
		break;
	case EIO_PONG:
		params[0] = x->sid;
		params[1] = itoa_ms(pi, sizeof(pi), x->c->ping_interval);
		params[2] = itoa_ms(pt, sizeof(pt), x->c->ping_timeout);
		er = db_run(x->db, Q_PONG, params, NULL);
		break;
	case EIO_MESSAGE:
		er = x->eio_only ? queue_raw(x, '4', pk->data) :
		    sio_process(x, pk->data);
		break;
	case EIO_NOOP:
		break;
	case EIO_PING:
		/* §6: a client ping is the wrong heartbeat direction in v4. */
		session_abort(x, "client ping (invalid heartbeat direction)");
		break;
	default:
		session_abort(x, "unexpected packet type from client");
		break;
	}
	return er;
}

/* Claim the session's POST (§4: one at a time).  1 when claimed; else r
 * holds the answer. */
static int
post_begin(struct rq *x, struct svc_resp *r)
{
	struct db_rows	*rows = NULL;
	char		 lease[24];
	const char	*params[2] = { x->sid, itoa_ms(lease, sizeof(lease),
	    POST_LEASE_MS) }, *v;
	int		 ok = 0;

	if (db_run(x->db, Q_POST_BEGIN, params, &rows) != ERR_OK ||
	    (v = db_rows_get(rows, 0, 0)) == NULL)
		answer_text(r, 503, "text/plain", "database unavailable");
	else if (strcmp(v, "unknown") == 0)
		answer_error(r, EIO_ERR_SID_UNKNOWN);
	else if (strcmp(v, "conflict") == 0) {
		log_infox("session %.6s…: closed: concurrent POST", x->sid);
		answer_text(r, 400, NULL, NULL);
	} else
		ok = 1;
	db_rows_free(rows);
	return ok;
}

/* Decode the body and handle its packets in order (§5); fills r. */
static void
post_packets(struct rq *x, const struct svc_req *q, struct svc_resp *r)
{
	struct eio_packet	*pk = NULL;
	size_t			 n = 1, i;
	const char		*c = q->body.p, *end = q->body.p + q->body.len;
	enum err		 er;

	if (q->content_type != NULL &&
	    strncmp(q->content_type, "application/octet-stream", 24) == 0) {
		/* §5 [ref]: v4 polling never posts binary bodies. */
		session_abort(x, "binary POST body");
		answer_error(r, EIO_ERR_BAD_REQUEST);
		return;
	}
	/* The protocol bounds a body by bytes, not packets: room for every
	 * packet a body of this size can hold. */
	while (c < end && (c = memchr(c, '\x1e', (size_t)(end - c))) != NULL) {
		n++;
		c++;
	}
	if ((pk = calloc(n, sizeof(*pk))) == NULL ||
	    eio_payload_decode(q->body, pk, n, &n) != ERR_OK) {
		session_abort(x, "malformed engine.io payload");
		answer_error(r, EIO_ERR_BAD_REQUEST);
		free(pk);
		return;
	}
	answer_text(r, 200, "text/html", "ok");
	for (i = 0; i < n && !x->stop; i++)
		if ((er = eio_process(x, &pk[i])) != ERR_OK) {
			log_warnx("session %.6s…: packet failed: %s", x->sid,
			    err_str(er));
			if (er == ERR_DB) {
				answer_text(r, 503, "text/plain",
				    "database unavailable");
				break;
			}
		}
	free(pk);
}

static void
send_post(struct rq *x, const struct svc_req *q, struct svc_resp *r)
{
	const char	*params[1] = { x->sid };

	if (q->body_too_large) {
		/* §5 [ref]: 413, the session stays open. */
		answer_text(r, 413, NULL, NULL);
		return;
	}
	if (!post_begin(x, r))
		return;
	post_packets(x, q, r);
	/* Whatever happened, the claim goes with the request. */
	if (!x->stop)
		ERR_IGNORE(db_run(x->db, Q_POST_END, params, NULL));
}

/* ------------------------------------------------------------- routing */

/* Decode one query parameter into b; NULL when absent. */
static const char *
query_value(const char *qs, const char *key, struct buf *b, int *bad)
{
	enum err	 er;

	er = http_query_get(span_of(qs), key, b);
	if (er == ERR_NOTFOUND)
		return NULL;
	if (er != ERR_OK) {
		*bad = 1;
		return NULL;
	}
	return b->data == NULL ? "" : b->data;
}

enum svc_result
svc_handle(struct svc *s, struct db *db, const struct svc_req *q,
    struct svc_resp *r, struct svc_park *p)
{
	struct rq		 x = { s, db, s->conf, NULL, 0, 0 };
	struct buf		 beio, btr, bsid;
	struct eio_request	 er;
	enum eio_error		 e = EIO_ERR_BAD_REQUEST;
	enum svc_result		 res = SVC_ANSWER;
	int			 bad = 0;

	buf_init(&beio, HTTP_MAX_QUERY);
	buf_init(&btr, HTTP_MAX_QUERY);
	buf_init(&bsid, HTTP_MAX_QUERY);
	x.eio_only = s->conf->conformance && q->path != NULL &&
	    strstr(q->path, "/engine.io") != NULL;
	if (!x.eio_only && (q->path == NULL ||
	    strstr(q->path, "/socket.io") == NULL)) {
		answer_text(r, 404, "text/plain", "not found");
		goto out;
	}
	if (!cors(s, q, r)) {
		answer_error(r, EIO_ERR_BAD_REQUEST);
		goto out;
	}
	er.method = q->method;
	er.eio = query_value(q->query, "EIO", &beio, &bad);
	er.transport = query_value(q->query, "transport", &btr, &bad);
	er.sid = query_value(q->query, "sid", &bsid, &bad);
	if (bad) {
		answer_error(r, EIO_ERR_BAD_REQUEST);
		goto out;
	}
	x.sid = er.sid;
	switch (eio_route(&er, &e)) {
	case EIO_ROUTE_PREFLIGHT:
		preflight(q, r);
		break;
	case EIO_ROUTE_ERROR:
		answer_error(r, e);
		break;
	case EIO_ROUTE_BAD_METHOD:
		answer_text(r, 500, NULL, NULL);
		break;
	case EIO_ROUTE_HANDSHAKE:
		handshake(&x, r);
		break;
	case EIO_ROUTE_POLL:
		if (!eio_sid_valid(x.sid))
			answer_error(r, EIO_ERR_SID_UNKNOWN);
		else
			res = poll_begin(&x, r, p);
		break;
	case EIO_ROUTE_SEND:
		if (!eio_sid_valid(x.sid))
			answer_error(r, EIO_ERR_SID_UNKNOWN);
		else
			send_post(&x, q, r);
		break;
	}
out:
	buf_free(&beio);
	buf_free(&btr);
	buf_free(&bsid);
	return res;
}
