/*
 * dugout-load.c -- the load generator of issue 7 (bench/README.md).  Does
 * I/O: sockets, /proc, fork.
 *
 * Opens N Engine.IO v4 polling sessions (HTTP/1.1 keep-alive) against a
 * Socket.IO v5 server, authenticates each with its own JWT, joins them in
 * rooms of R, has one actor per room emit `bench` events at E/s in total
 * and measures every `bench_echo` delivery: latency from emit to receipt,
 * loss and duplicates.  Meanwhile it samples the server's CPU time and
 * memory from /proc.  One JSON line on stdout, a table on stderr.
 *
 * Processes: the parent forks --procs workers.  Worker k owns the rooms r
 * with r % P == k (a room never spans workers, so its sequence numbers
 * and expected deliveries are local) and runs one epoll loop.  Each client
 * holds its long-poll GET on its own keep-alive connection; its POSTs
 * (CONNECT, join, acks, pongs, emits) queue for a small pool of keep-alive
 * connections, one POST per session at a time (two concurrent POSTs on a
 * session are a protocol error, protocol.md §4), packets that pile up
 * meanwhile going out together in the next one.  The workers report
 * "ready" when every client has joined (or failed); the parent then picks
 * a common start time, samples the server while they run, and merges
 * their counters and latency histograms at the end.
 *
 * The codecs are dugout's own: eio_payload_decode / eio_payload_append
 * for Engine.IO, sio_packet_decode / sio_packet_encode for Socket.IO,
 * auth_issue for the tokens.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "auth.h"
#include "bounds.h"
#include "buf.h"
#include "eio.h"
#include "err.h"
#include "sio.h"
#include "span.h"

/* ---------------------------------------------------------------- bounds */

#define LOAD_MAX_HEAD		(64 * 1024)	/* response status + headers */
#define LOAD_MAX_LINE		1024		/* one chunk-size line */
/* packets waiting for a POST: below the default maxPayload */
#define LOAD_MAX_PEND		(512 * 1024)
#define LOAD_MAX_SID		64		/* an Engine.IO sid we accept */
#define LOAD_MAX_REQ		(LOAD_MAX_PEND + 4096)
#define LOAD_READ_CHUNK		(64 * 1024)
#define LOAD_MAX_GAMES		1000000
#define LOAD_MAX_PROCS		64
#define LOAD_MAX_CLIENTS	1000000
#define LOAD_TOKEN_TTL		(24 * 3600)	/* seconds */
#define LOAD_SAMPLE_NS		100000000LL	/* server sampling: 100 ms */
#define LOAD_RESCAN_NS		1000000000LL	/* server process list: 1 s */
#define LOAD_CLOSE_NS		20000000000LL	/* the polite close, at most */
#define LOAD_ERRORS_SHOWN	5		/* errors shown, per worker */

/*
 * The latency histogram: HDR-style log-linear buckets of microseconds.
 * Values below 2 * HIST_SUB are exact; above, each power of two is cut in
 * HIST_SUB buckets (relative error below 1 / HIST_SUB, 0.8 %).  Values
 * past HIST_MAX_US (about 38 minutes) land in the last bucket.
 */
#define HIST_SUB_BITS		7
#define HIST_SUB		(1 << HIST_SUB_BITS)
#define HIST_MAX_BITS		41
#define HIST_N			((HIST_MAX_BITS - HIST_SUB_BITS + 1) * HIST_SUB)
#define HIST_MAX_US		((1ULL << HIST_MAX_BITS) - 1)

_Static_assert(HIST_N == 4480, "histogram size");

/* ---------------------------------------------------------------- types */

struct opts {
	char		*host;		/* owned */
	char		*port;		/* owned */
	char		*path;		/* owned: "/socket.io/" */
	char		*hosthdr;	/* owned: host[:port] */
	unsigned	 clients, room_size, procs, post_conns;
	double		 rate, duration, warmup, drain, connect_rate;
	double		 ramp_timeout;
	size_t		 max_pending;	/* sessions being set up, per worker */
	const char	*games_file;
	char		*secret;	/* owned; NULL: no auth */
	const char	*server_pids, *server_pidfiles, *server_comm;
	const char	*stack_dir;
	const char	*label;
	int		 json_only, room_report, no_close;
	struct sockaddr_storage addr;
	socklen_t	 addrlen;
	char		**games;	/* owned; ngames entries, each owned */
	size_t		 ngames;
	long		 run_id;	/* the parent's pid: user ids */
};

/* What a worker reports when its clients are set up. */
struct ready_msg {
	uint64_t	 started, joined, active_rooms;
};

/* What the parent tells each worker to start. */
struct start_msg {
	int64_t		 t0_ns;		/* CLOCK_MONOTONIC */
	double		 rate;		/* this worker's events/s */
};

/* A worker's result; merged by adding every field (max for max_us). */
struct result {
	uint64_t	 clients;	/* clients this worker opened */
	uint64_t	 handshaken;	/* got an Engine.IO sid */
	uint64_t	 sio_connected;	/* got the CONNECT reply */
	uint64_t	 joined;	/* ever joined their room */
	uint64_t	 connected;	/* joined at the start of the window */
	uint64_t	 dead;		/* sessions that failed or ended */
	uint64_t	 refused;	/* CONNECT_ERROR */
	uint64_t	 server_errors;	/* `error` events */
	uint64_t	 http_errors;	/* non-200 answers */
	uint64_t	 conn_errors;	/* connections lost mid-request */
	uint64_t	 retries;	/* requests sent again */
	uint64_t	 events;	/* emitted in the window */
	uint64_t	 events_total;	/* emitted in all */
	uint64_t	 expected;	/* events x members joined */
	uint64_t	 deliveries;	/* of window events, first copies */
	uint64_t	 duplicates;	/* of window events, seq <= last seen */
	uint64_t	 gaps;		/* a seq jumped past last + 1 */
	uint64_t	 outside;	/* echoes of events outside it */
	uint64_t	 posts;		/* POST requests */
	uint64_t	 gets;		/* GET requests */
	uint64_t	 dropped;	/* packets that did not fit a POST */
	uint64_t	 max_us;
	uint64_t	 cpu_us;	/* this worker's CPU in the window */
	uint64_t	 cpu_total_us;	/* in all, to the result */
	uint64_t	 post_max_us;
	uint64_t	 queue_max;	/* sessions waiting for the pool */
	uint64_t	 hist[HIST_N];	/* delivery latency, window events */
	uint64_t	 post_hist[HIST_N];	/* POST round trips, window */
};

/* ---------------------------------------------------------------- time */

static int64_t
now_ns(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t
cpu_self_us(void)
{
	struct rusage	 ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	    (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* ---------------------------------------------------------------- histogram */

static size_t
hist_index(uint64_t us)
{
	unsigned	 b, shift;

	if (us > HIST_MAX_US)
		us = HIST_MAX_US;
	if (us < 2 * HIST_SUB)
		return (size_t)us;
	b = 63u - (unsigned)__builtin_clzll(us);	/* > HIST_SUB_BITS */
	shift = b - HIST_SUB_BITS;
	return (size_t)(shift + 1) * HIST_SUB + (size_t)((us >> shift) -
	    HIST_SUB);
}

/* The middle of bucket i, in microseconds. */
static double
hist_value(size_t i)
{
	unsigned	 shift;
	uint64_t	 m;

	if (i < 2 * HIST_SUB)
		return (double)i;
	shift = (unsigned)(i / HIST_SUB) - 1;
	m = (uint64_t)(i % HIST_SUB) + HIST_SUB;
	return (double)(m << shift) + (double)((1ULL << shift) - 1) / 2.0;
}

static void
hist_add(uint64_t *h, uint64_t *max_us, int64_t us)
{
	if (us < 0)
		us = 0;
	h[hist_index((uint64_t)us)]++;
	if ((uint64_t)us > *max_us)
		*max_us = (uint64_t)us;
}

/* The p-th percentile (0 < p <= 100) of h in milliseconds; 0 when empty.
 * Never above the exact maximum. */
static double
hist_pct(const uint64_t *h, uint64_t max_us, double p)
{
	uint64_t	 n = 0, want, seen = 0;
	size_t		 i;
	double		 v;

	for (i = 0; i < HIST_N; i++)
		n += h[i];
	if (n == 0)
		return 0;
	want = (uint64_t)((p / 100.0) * (double)n + 0.999999);
	if (want == 0)
		want = 1;
	for (i = 0; i < HIST_N; i++) {
		seen += h[i];
		if (seen >= want)
			break;
	}
	v = hist_value(i < HIST_N ? i : HIST_N - 1);
	if (v > (double)max_us)
		v = (double)max_us;
	return v / 1000.0;
}

static void
result_merge(struct result *into, const struct result *r)
{
	const uint64_t	*s = (const uint64_t *)r;
	uint64_t	*d = (uint64_t *)into;
	size_t		 i, n = sizeof(*r) / sizeof(uint64_t);

	_Static_assert(sizeof(struct result) % sizeof(uint64_t) == 0,
	    "result is all uint64_t");
	for (i = 0; i < n; i++) {
		if (&d[i] == &into->max_us || &d[i] == &into->post_max_us ||
		    &d[i] == &into->queue_max)
			d[i] = s[i] > d[i] ? s[i] : d[i];
		else
			d[i] += s[i];
	}
}

/* ---------------------------------------------------------------- HTTP */

enum conn_state { CONN_CLOSED, CONN_CONNECTING, CONN_OPEN };

/* Where the response parser stands; it resumes on partial input. */
enum resp_state {
	R_HEAD,		/* status line and headers */
	R_LEN,		/* Content-Length body */
	R_CHUNK_SIZE,	/* RFC 9112 §7.1: chunk-size line */
	R_CHUNK_DATA,
	R_CHUNK_CRLF,
	R_TRAILER,	/* trailer section up to the empty line */
	R_EOF		/* no length: the body ends with the connection */
};

struct worker;
struct client;

/*
 * One keep-alive HTTP/1.1 connection with at most one request in flight.
 * The request stays in `out` until its answer is complete, so that a
 * request lost to a keep-alive connection the server had just closed can
 * be sent again on a new one.
 */
struct conn {
	int		 fd;		/* -1 when closed */
	enum conn_state	 state;
	int		 is_poll;	/* the client's GET connection */
	struct client	*cl;		/* poll: owner; pool: whose POST */
	uint32_t	 events;	/* registered with epoll */
	int		 busy;		/* a request is in flight */
	int		 got;		/* answer bytes seen for it */
	int		 retried;
	unsigned	 nreq;		/* requests on this connection */
	struct buf	 out;		/* the request in flight */
	size_t		 out_off;	/* bytes of it written */
	struct buf	 in;		/* bytes read, from in_off unparsed */
	size_t		 in_off;
	size_t		 scan;		/* R_HEAD: where to look for CRLFCRLF */
	struct buf	 body;		/* chunked: the decoded body */
	enum resp_state	 rs;
	int		 status;
	int		 close_after;	/* Connection: close, HTTP/1.0, EOF */
	int		 stale;		/* the answer being handled ends the
					   connection: a request sent now goes
					   out on a new one */
	size_t		 need;		/* R_LEN, R_CHUNK_DATA: bytes to come */
	int64_t		 sent_at;	/* pool: when the POST went out */
	unsigned	 gen;		/* sockets closed so far: tells an
					   event of the old one from the new */
};

enum cl_state {
	CL_IDLE,	/* not started */
	CL_HANDSHAKE,	/* the Engine.IO handshake GET is out */
	CL_CONNECT,	/* CONNECT sent; waiting for 40 */
	CL_JOIN,	/* join_game sent; waiting for game_joined */
	CL_JOINED,
	CL_CLOSING,	/* leaving politely at the end */
	CL_DEAD
};

struct room {
	const char	*game_id;	/* borrowed from opts.games */
	struct client	*members;	/* borrowed: the worker's array */
	unsigned	 n;
	unsigned	 index;		/* global room number */
	int64_t		 seq;		/* the next seq to emit */
	int64_t		 m_first;	/* window events: [m_first, m_end) */
	int64_t		 m_end;
	unsigned	 joined_at_start;
};

struct client {
	struct worker	*w;
	struct room	*room;
	unsigned	 gidx;		/* global client number */
	int		 actor;		/* member 0 of its room */
	enum cl_state	 state;
	char		*sid;		/* owned: the Engine.IO session id */
	char		*sock_id;	/* owned: the Socket.IO socket id */
	char		*token;		/* owned; NULL without a secret */
	struct conn	 poll;
	struct buf	 pend;		/* packets for the next POST */
	int		 posting;	/* a POST of ours is in flight */
	int		 queued;	/* waiting in the worker's POST queue */
	struct client	*qnext;
	int64_t		 last_seq;	/* -1: none seen yet */
	int		 get_ready;	/* poll.out holds our poll GET: it is
					   the same every time */
};

enum phase { PH_RAMP, PH_WAIT, PH_WARMUP, PH_MEASURE, PH_DRAIN, PH_CLOSE,
	PH_EXIT };

struct worker {
	const struct opts *o;
	unsigned	 id;
	int		 ep;
	int		 to_parent, from_parent;
	struct client	*cl;		/* owned; ncl entries */
	size_t		 ncl;
	struct room	*rooms;		/* owned */
	size_t		 nrooms;
	struct conn	*pool;		/* owned; npool entries */
	size_t		 npool;
	struct client	*qhead, *qtail;	/* clients with packets to POST */
	size_t		 qlen;
	struct eio_packet *pk;		/* owned: decode scratch */
	size_t		 pkcap;
	struct buf	 scratch;
	enum phase	 phase;
	size_t		 next_start;	/* ramp: the next client to open */
	int64_t		 ramp_t0;
	int64_t		 ramp_progress;	/* when a client last settled */
	size_t		 ramp_settled;
	double		 ramp_rate;
	int64_t		 t0, t_measure, t_drain, t_end, t_close_end;
	double		 rate;
	int64_t		 next_emit, emit_interval;
	size_t		 rr;		/* round robin over rooms */
	uint64_t	 cpu_at_measure;
	unsigned	 errors_shown;
	size_t		 dead_unjoined;	/* died before joining */
	size_t		 dead_joined;	/* died after */
	struct result	*res;		/* owned */
};

static void	client_dead(struct client *, const char *why);
static void	client_on_answer(struct conn *, struct span body);
static void	post_on_answer(struct worker *, struct conn *, struct span);
static void	conn_failed(struct worker *, struct conn *, const char *);

/* -------------------------------------------------------- connections */

static void
conn_init(struct conn *c, int is_poll, struct client *cl)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->is_poll = is_poll;
	c->cl = cl;
	buf_init(&c->out, LOAD_MAX_REQ);
	buf_init(&c->in, EIO_MAX_RESPONSE + LOAD_MAX_HEAD);
	buf_init(&c->body, EIO_MAX_RESPONSE);
}

static void
conn_release(struct conn *c)
{
	if (c->fd >= 0)
		(void)close(c->fd);
	c->fd = -1;
	buf_free(&c->out);
	buf_free(&c->in);
	buf_free(&c->body);
}

/* Close the socket only (closing removes it from epoll). */
static void
conn_socket_close(struct conn *c)
{
	if (c->fd >= 0) {
		(void)close(c->fd);
		c->gen++;
	}
	c->fd = -1;
	c->state = CONN_CLOSED;
	c->events = 0;
	c->nreq = 0;
}

/* Close the socket and drop what was read; the buffers' memory stays for
 * the next connection. */
static void
conn_close(struct conn *c)
{
	conn_socket_close(c);
	buf_reset(&c->in);
	c->in_off = c->scan = 0;
	c->rs = R_HEAD;
}

static int
conn_want(struct worker *w, struct conn *c, uint32_t ev)
{
	struct epoll_event	 e;

	if (c->events == ev)
		return 0;
	memset(&e, 0, sizeof(e));
	e.events = ev;
	e.data.ptr = c;
	if (epoll_ctl(w->ep, c->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
	    c->fd, &e) != 0)
		return -1;
	c->events = ev;
	return 0;
}

/* Open a non-blocking connection to the server: 0, or -1 (errno). */
static int
conn_open(struct worker *w, struct conn *c)
{
	int	 one = 1;

	c->fd = socket(w->o->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->events = 0;
	c->nreq = 0;
	if (connect(c->fd, (const struct sockaddr *)&w->o->addr,
	    w->o->addrlen) == 0)
		c->state = CONN_OPEN;
	else if (errno == EINPROGRESS)
		c->state = CONN_CONNECTING;
	else
		return -1;
	return conn_want(w, c, EPOLLIN | EPOLLOUT);
}

/* Write what is pending of the request; EPOLLOUT only while some is. */
static void
conn_flush(struct worker *w, struct conn *c)
{
	ssize_t	 n;

	while (c->out_off < c->out.len) {
		n = write(c->fd, c->out.data + c->out_off,
		    c->out.len - c->out_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			conn_failed(w, c, "write");
			return;
		}
		c->out_off += (size_t)n;
	}
	if (conn_want(w, c, c->out_off < c->out.len ? EPOLLIN | EPOLLOUT :
	    EPOLLIN) != 0)
		conn_failed(w, c, "epoll");
}

/* Send the request in c->out (built by the caller), opening the
 * connection first when it is closed. */
static void
conn_send(struct worker *w, struct conn *c)
{
	c->busy = 1;
	c->got = 0;
	c->out_off = 0;
	c->rs = R_HEAD;
	c->status = 0;
	c->close_after = 0;
	if (c->stale) {
		conn_socket_close(c);
		c->stale = 0;
	}
	if (c->state == CONN_CLOSED && conn_open(w, c) != 0) {
		conn_failed(w, c, "connect");
		return;
	}
	c->nreq++;
	if (c->state == CONN_OPEN)
		conn_flush(w, c);
}

/*
 * The connection broke (or never came up).  A request that got no byte of
 * answer is sent once more, on a new connection: the server may close an
 * idle keep-alive connection just as we write to it.  (If it had read the
 * request after all, a POST is processed twice, which the duplicate count
 * shows.)  Else the request fails, and with it its client.
 */
static void
conn_failed(struct worker *w, struct conn *c, const char *why)
{
	struct client	*cl = c->cl;

	conn_close(c);
	if (!c->busy)
		return;
	if (!c->got && !c->retried) {
		c->retried = 1;
		w->res->retries++;
		conn_send(w, c);	/* fails over to the branch below */
		return;
	}
	c->busy = 0;
	w->res->conn_errors++;
	if (c->is_poll) {
		client_dead(cl, why);
	} else if (cl != NULL) {
		c->cl = NULL;
		cl->posting = 0;
		client_dead(cl, why);
	}
}

/* Find "\r\n\r\n" in s[from, len): its offset, or (size_t)-1. */
static size_t
find_head_end(const char *s, size_t from, size_t len)
{
	const char	*p;

	while (from < len) {
		p = memchr(s + from, '\n', len - from);
		if (p == NULL)
			break;
		from = (size_t)(p - s) + 1;
		if (from >= 4 && s[from - 2] == '\r' && s[from - 3] == '\n' &&
		    s[from - 4] == '\r')
			return from - 4;
	}
	return (size_t)-1;
}

static int
hdr_is(struct span name, const char *want)
{
	size_t	 n = strlen(want);

	return name.len == n && strncasecmp(name.p, want, n) == 0;
}

/* 1 when the comma-separated value holds token (case-insensitive). */
static int
hdr_has(struct span v, const char *token)
{
	size_t	 n = strlen(token), i;

	for (i = 0; i + n <= v.len; i++)
		if (strncasecmp(v.p + i, token, n) == 0)
			return 1;
	return 0;
}

/*
 * RFC 9112 §4 and §6: the status line and the headers in s[0, len) (no
 * final CRLFCRLF).  Sets status, close_after and the body framing.
 * -1 on a malformed head.
 */
static int
http_head(struct conn *c, const char *s, size_t len)
{
	const char	*eol, *colon, *end = s + len;
	struct span	 name, val;
	int		 chunked = 0, has_len = 0, http10;
	uint64_t	 clen = 0;
	size_t		 i;

	if (len < 12 || memcmp(s, "HTTP/1.", 7) != 0 ||
	    !isdigit((unsigned char)s[9]) || !isdigit((unsigned char)s[10]) ||
	    !isdigit((unsigned char)s[11]))
		return -1;
	http10 = s[7] == '0';
	c->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	c->close_after = http10;
	for (eol = memchr(s, '\n', len); eol != NULL && eol + 1 < end;
	    eol = memchr(eol + 1, '\n', (size_t)(end - eol - 1))) {
		const char	*line = eol + 1, *le;

		le = memchr(line, '\n', (size_t)(end - line));
		if (le == NULL)
			le = end;
		colon = memchr(line, ':', (size_t)(le - line));
		if (colon == NULL)
			continue;
		name = (struct span){ line, (size_t)(colon - line) };
		val.p = colon + 1;
		while (val.p < le && (*val.p == ' ' || *val.p == '\t'))
			val.p++;
		val.len = (size_t)(le - val.p);
		while (val.len > 0 &&
		    isspace((unsigned char)val.p[val.len - 1]))
			val.len--;
		if (hdr_is(name, "content-length")) {
			if (val.len == 0 || val.len > 10)
				return -1;
			for (i = 0, clen = 0; i < val.len; i++) {
				if (!isdigit((unsigned char)val.p[i]))
					return -1;
				clen = clen * 10 + (uint64_t)(val.p[i] - '0');
			}
			if (clen > EIO_MAX_RESPONSE)
				return -1;
			has_len = 1;
		} else if (hdr_is(name, "transfer-encoding")) {
			chunked = hdr_has(val, "chunked");
		} else if (hdr_is(name, "connection")) {
			if (hdr_has(val, "close"))
				c->close_after = 1;
			else if (http10 && hdr_has(val, "keep-alive"))
				c->close_after = 0;
		}
	}
	if (chunked) {
		buf_reset(&c->body);
		c->rs = R_CHUNK_SIZE;
	} else if (has_len || c->status == 204 || c->status == 304) {
		c->need = (size_t)clen;
		c->rs = R_LEN;
	} else {
		c->close_after = 1;
		c->rs = R_EOF;
	}
	return 0;
}

/*
 * Parse what has arrived of the answer.  1: complete, its body in *body
 * (borrowed until the next read on c); 0: more bytes needed; -1: malformed
 * or past a bound.
 */
static int
http_parse(struct conn *c, struct span *body)
{
	const char	*s = c->in.data, *nl;
	size_t		 len = c->in.len, e, take, v, i;

	for (;;) {
		switch (c->rs) {
		case R_HEAD:
			e = find_head_end(s, c->scan > c->in_off ? c->scan :
			    c->in_off, len);
			if (e == (size_t)-1) {
				if (len - c->in_off > LOAD_MAX_HEAD)
					return -1;
				c->scan = len;
				return 0;
			}
			if (http_head(c, s + c->in_off, e - c->in_off) != 0)
				return -1;
			c->in_off = e + 4;
			c->scan = 0;
			break;
		case R_LEN:
			if (len - c->in_off < c->need)
				return 0;
			*body = (struct span){ s + c->in_off, c->need };
			c->in_off += c->need;
			c->rs = R_HEAD;
			return 1;
		case R_CHUNK_SIZE:
		case R_TRAILER:
			nl = memchr(s + c->in_off, '\n', len - c->in_off);
			if (nl == NULL)
				return len - c->in_off > LOAD_MAX_LINE ? -1 : 0;
			e = (size_t)(nl - s);
			if (c->rs == R_TRAILER) {
				i = c->in_off;
				c->in_off = e + 1;
				if (e == i || (e == i + 1 && s[i] == '\r')) {
					*body = buf_span(&c->body);
					c->rs = R_HEAD;
					return 1;
				}
				break;
			}
			for (i = c->in_off, v = 0; i < e &&
			    isxdigit((unsigned char)s[i]); i++) {
				if (i - c->in_off >= 8)
					return -1;	/* past 4 GiB */
				v = v * 16 + (size_t)(isdigit((unsigned char)
				    s[i]) ? s[i] - '0' :
				    tolower((unsigned char)s[i]) - 'a' + 10);
			}
			if (i == c->in_off)
				return -1;
			c->in_off = e + 1;
			c->need = v;
			c->rs = v == 0 ? R_TRAILER : R_CHUNK_DATA;
			break;
		case R_CHUNK_DATA:
			take = len - c->in_off;
			if (take > c->need)
				take = c->need;
			if (buf_append(&c->body, s + c->in_off, take) != ERR_OK)
				return -1;
			c->in_off += take;
			c->need -= take;
			if (c->need > 0)
				return 0;
			c->rs = R_CHUNK_CRLF;
			break;
		case R_CHUNK_CRLF:
			if (len - c->in_off < 2)
				return 0;
			if (s[c->in_off] != '\r' || s[c->in_off + 1] != '\n')
				return -1;
			c->in_off += 2;
			c->rs = R_CHUNK_SIZE;
			break;
		case R_EOF:
			return 0;
		}
	}
}

/*
 * An answer is complete: hand it over, then drop the bytes it used.  The
 * handler may send the next request on c at once (a poll does), or end
 * the client.  1 when c->in may hold another answer for c.
 */
static int
conn_deliver(struct worker *w, struct conn *c, struct span body)
{
	int	 stale = c->close_after;

	c->busy = 0;
	c->retried = 0;
	c->stale = stale;
	if (c->is_poll)
		client_on_answer(c, body);
	else
		post_on_answer(w, c, body);
	c->stale = 0;
	if (c->fd < 0)
		return 0;
	if (stale) {
		if (!c->busy)
			conn_close(c);
		else {
			/* the next request went out on a new connection:
			 * what is left here belonged to the old one */
			buf_reset(&c->in);
			c->in_off = c->scan = 0;
		}
		return 0;
	}
	if (c->in_off == c->in.len) {
		buf_reset(&c->in);
		c->in_off = c->scan = 0;
	}
	return 1;
}

/* The socket is readable (or hung up).  One read per wakeup: epoll is
 * level-triggered, so what is left comes with the next. */
static void
conn_read(struct worker *w, struct conn *c)
{
	/* a read's bytes, copied at once into c->in */
	static char	 chunk[LOAD_READ_CHUNK];
	struct span	 body;
	ssize_t		 n;
	int		 r;

	n = read(c->fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n <= 0) {
		if (n == 0 && c->busy && c->rs == R_EOF) {
			body = (struct span){ c->in.data + c->in_off,
			    c->in.len - c->in_off };
			c->in_off = c->in.len;
			c->close_after = 1;
			(void)conn_deliver(w, c, body);
			return;
		}
		if (c->busy)
			conn_failed(w, c, n == 0 ? "connection closed" :
			    "read");
		else
			conn_close(c);	/* an idle keep-alive ended */
		return;
	}
	if (!c->busy) {
		conn_close(c);		/* bytes nobody asked for */
		return;
	}
	c->got = 1;
	if (buf_append(&c->in, chunk, (size_t)n) != ERR_OK) {
		conn_failed(w, c, "answer too large");
		return;
	}
	while (c->busy && (r = http_parse(c, &body)) != 0) {
		if (r < 0) {
			w->res->http_errors++;
			c->retried = 1;	/* a bad answer: not again */
			conn_failed(w, c, "malformed answer");
			return;
		}
		if (!conn_deliver(w, c, body))
			return;
	}
}

static void
conn_event(struct worker *w, struct conn *c, uint32_t ev)
{
	int		 err = 0;
	socklen_t	 elen = sizeof(err);

	if (c->fd < 0)
		return;
	if (c->state == CONN_CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 ||
		    err != 0) {
			conn_failed(w, c, "connect");
			return;
		}
		if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		c->state = CONN_OPEN;
	}
	if ((ev & EPOLLOUT) && c->out_off < c->out.len) {
		conn_flush(w, c);
		if (c->fd < 0)
			return;
	} else if ((ev & EPOLLOUT) && c->events != EPOLLIN &&
	    conn_want(w, c, EPOLLIN) != 0) {
		conn_failed(w, c, "epoll");
		return;
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_read(w, c);
}

/* ---------------------------------------------------------------- requests */

static enum err
req_get(const struct opts *o, struct buf *out, const char *sid)
{
	buf_reset(out);
	return buf_printf(out, "GET %s?EIO=4&transport=polling%s%s HTTP/1.1\r\n"
	    "Host: %s\r\nAccept: */*\r\n\r\n", o->path, sid ? "&sid=" : "",
	    sid ? sid : "", o->hosthdr);
}

static enum err
req_post(const struct opts *o, struct buf *out, const char *sid,
    struct span body)
{
	enum err	 er;

	buf_reset(out);
	if ((er = buf_printf(out, "POST %s?EIO=4&transport=polling&sid=%s "
	    "HTTP/1.1\r\nHost: %s\r\nAccept: */*\r\n"
	    "Content-Type: text/plain;charset=UTF-8\r\n"
	    "Content-Length: %zu\r\n\r\n", o->path, sid, o->hosthdr,
	    body.len)) != ERR_OK)
		return er;
	return buf_append(out, body.p, body.len);
}

/* ---------------------------------------------------------------- POST pool */

static void
post_enqueue(struct worker *w, struct client *cl)
{
	if (cl->queued || cl->posting || cl->pend.len == 0 ||
	    cl->state == CL_DEAD)
		return;
	cl->queued = 1;
	cl->qnext = NULL;
	if (w->qtail != NULL)
		w->qtail->qnext = cl;
	else
		w->qhead = cl;
	w->qtail = cl;
	w->qlen++;
	if (w->phase == PH_MEASURE && w->qlen > w->res->queue_max)
		w->res->queue_max = w->qlen;
}

/* Give every idle pool connection the next queued client's packets, all
 * of them in one POST. */
static void
pool_dispatch(struct worker *w)
{
	struct client	*cl;
	struct conn	*c;
	size_t		 i;

	for (i = 0; i < w->npool && w->qhead != NULL; i++) {
		c = &w->pool[i];
		if (c->busy)
			continue;
		cl = w->qhead;
		w->qhead = cl->qnext;
		if (w->qhead == NULL)
			w->qtail = NULL;
		w->qlen--;
		cl->queued = 0;
		if (cl->state == CL_DEAD || cl->pend.len == 0)
			continue;
		if (req_post(w->o, &c->out, cl->sid, buf_span(&cl->pend)) !=
		    ERR_OK) {
			client_dead(cl, "request too large");
			continue;
		}
		buf_reset(&cl->pend);
		cl->posting = 1;
		c->cl = cl;
		c->retried = 0;
		c->sent_at = now_ns();
		w->res->posts++;
		conn_send(w, c);
	}
}

static void
post_on_answer(struct worker *w, struct conn *c, struct span body)
{
	struct client	*cl = c->cl;

	(void)body;
	c->cl = NULL;
	if (cl == NULL)
		return;
	cl->posting = 0;
	if (cl->state == CL_DEAD)
		return;
	if (w->phase == PH_MEASURE)
		hist_add(w->res->post_hist, &w->res->post_max_us,
		    (now_ns() - c->sent_at) / 1000);
	if (c->status != 200) {
		w->res->http_errors++;
		if (cl->state != CL_CLOSING)
			client_dead(cl, "POST refused");
		else
			cl->state = CL_DEAD;
		return;
	}
	if (cl->state == CL_CLOSING && cl->pend.len == 0) {
		cl->state = CL_DEAD;	/* left politely: not a failure */
		return;
	}
	post_enqueue(w, cl);
}

/* ---------------------------------------------------------------- clients */

static void
client_dead(struct client *cl, const char *why)
{
	struct worker	*w = cl->w;

	if (cl->state == CL_DEAD)
		return;
	if (cl->state == CL_JOINED)
		w->dead_joined++;
	else if (cl->state != CL_CLOSING)
		w->dead_unjoined++;
	if (cl->state != CL_CLOSING) {
		w->res->dead++;
		if (w->errors_shown < LOAD_ERRORS_SHOWN) {
			w->errors_shown++;
			fprintf(stderr, "dugout-load: client %u: %s\n",
			    cl->gidx, why);
		}
	}
	cl->state = CL_DEAD;
	conn_close(&cl->poll);
	cl->poll.busy = 0;
}

/* Queue one Engine.IO packet for the next POST. */
static void
client_queue(struct client *cl, enum eio_type t, struct span data)
{
	if (eio_payload_append(&cl->pend, t, data) != ERR_OK)
		cl->w->res->dropped++;
	else
		post_enqueue(cl->w, cl);
}

/* Queue a Socket.IO packet (type, ack id, JSON data; data stays ours). */
static void
client_queue_sio(struct client *cl, enum sio_type t, int64_t ack,
    struct json_object *data)
{
	struct buf	*s = &cl->w->scratch;

	buf_reset(s);
	if (sio_packet_encode(s, t, SPAN_LIT("/"), ack, data) != ERR_OK) {
		cl->w->res->dropped++;
		return;
	}
	client_queue(cl, EIO_MESSAGE, buf_span(s));
}

static void
client_poll(struct client *cl)
{
	if (cl->state == CL_DEAD || cl->state == CL_CLOSING)
		return;
	if (!cl->get_ready && req_get(cl->w->o, &cl->poll.out, cl->sid) !=
	    ERR_OK) {
		client_dead(cl, "request");
		return;
	}
	cl->get_ready = 1;
	cl->w->res->gets++;
	conn_send(cl->w, &cl->poll);
}

static void
client_start(struct client *cl)
{
	cl->state = CL_HANDSHAKE;
	cl->w->res->clients++;
	if (req_get(cl->w->o, &cl->poll.out, NULL) != ERR_OK) {
		client_dead(cl, "request");
		return;
	}
	cl->w->res->gets++;
	conn_send(cl->w, &cl->poll);
}

/* Borrowed string member of obj, or NULL. */
static const char *
json_str(struct json_object *obj, const char *key)
{
	struct json_object	*v;	/* borrowed */

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* 1 when s is a sid we can put in a query as it is. */
static int
sid_ok(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > LOAD_MAX_SID)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/* §3: the open packet `0{"sid":…}`; then CONNECT (§8) with the token. */
static void
client_on_open(struct client *cl, struct span body)
{
	struct eio_packet	 pk[1];
	struct json_object	*o = NULL, *auth = NULL;
	const char		*sid;
	size_t			 n;

	if (eio_payload_decode(body, pk, 1, &n) != ERR_OK ||
	    pk[0].type != EIO_OPEN ||
	    sio_json_parse(pk[0].data, &o) != ERR_OK || o == NULL ||
	    (sid = json_str(o, "sid")) == NULL || !sid_ok(sid) ||
	    (cl->sid = strdup(sid)) == NULL) {
		json_object_put(o);
		client_dead(cl, "bad handshake");
		return;
	}
	json_object_put(o);
	cl->w->res->handshaken++;
	cl->state = CL_CONNECT;
	if ((auth = json_object_new_object()) == NULL ||
	    (cl->token != NULL && json_object_object_add(auth, "token",
	    json_object_new_string(cl->token)) != 0)) {
		json_object_put(auth);
		client_dead(cl, "out of memory");
		return;
	}
	client_queue_sio(cl, SIO_CONNECT, -1, auth);
	json_object_put(auth);
	client_poll(cl);
}

static void
client_join(struct client *cl)
{
	struct json_object	*a, *o;

	cl->state = CL_JOIN;
	if ((a = json_object_new_array()) == NULL ||
	    (o = json_object_new_object()) == NULL) {
		json_object_put(a);
		client_dead(cl, "out of memory");
		return;
	}
	(void)json_object_array_add(a, json_object_new_string("join_game"));
	(void)json_object_object_add(o, "game_id",
	    json_object_new_string(cl->room->game_id));
	(void)json_object_object_add(o, "role",
	    json_object_new_string("spectator"));
	(void)json_object_array_add(a, o);	/* steals o */
	client_queue_sio(cl, SIO_EVENT, -1, a);
	json_object_put(a);
}

/* A bench_echo: {from, payload: {t: "<ns>", s: <seq>}}. */
static void
client_on_echo(struct client *cl, struct json_object *arg, int64_t now)
{
	struct worker		*w = cl->w;
	struct room		*r = cl->room;
	struct json_object	*p, *t, *s;	/* borrowed */
	int64_t			 seq, sent, us;

	if (!json_object_object_get_ex(arg, "payload", &p) ||
	    !json_object_object_get_ex(p, "t", &t) ||
	    !json_object_object_get_ex(p, "s", &s) ||
	    !json_object_is_type(s, json_type_int))
		return;
	seq = json_object_get_int64(s);
	if (json_object_is_type(t, json_type_string))
		sent = strtoll(json_object_get_string(t), NULL, 10);
	else
		sent = json_object_get_int64(t);
	if (seq < r->m_first || seq >= r->m_end) {
		w->res->outside++;
		if (seq > cl->last_seq)
			cl->last_seq = seq;
		return;
	}
	if (seq <= cl->last_seq) {
		w->res->duplicates++;
		return;
	}
	if (cl->last_seq >= 0 && seq > cl->last_seq + 1)
		w->res->gaps++;
	cl->last_seq = seq;
	w->res->deliveries++;
	us = (now - sent) / 1000;
	hist_add(w->res->hist, &w->res->max_us, us);
}

static void
client_on_joined(struct client *cl, struct json_object *arg, int64_t now)
{
	(void)arg;
	(void)now;
	if (cl->state == CL_JOIN) {
		cl->state = CL_JOINED;
		cl->w->res->joined++;
	}
}

/* `error` {code, message}: counted and shown (a few); fatal to a join. */
static void
client_on_error(struct client *cl, struct json_object *arg, int64_t now)
{
	struct worker	*w = cl->w;
	const char	*code = arg != NULL ? json_str(arg, "code") : NULL;

	(void)now;
	w->res->server_errors++;
	if (w->errors_shown < LOAD_ERRORS_SHOWN) {
		w->errors_shown++;
		fprintf(stderr, "dugout-load: client %u: server error %s\n",
		    cl->gidx, json_object_to_json_string_ext(arg,
		    JSON_C_TO_STRING_PLAIN));
	}
	if (cl->state == CL_JOIN)
		client_dead(cl, code != NULL ? code : "join refused");
}

/* The events we act on; the others (game_state, user_connected, ...)
 * are only read. */
static const struct {
	const char	*name;
	void		(*fn)(struct client *, struct json_object *, int64_t);
} client_events[] = {
	{ "bench_echo", client_on_echo },
	{ "game_joined", client_on_joined },
	{ "error", client_on_error },
};

static void
client_on_event(struct client *cl, struct sio_packet *p, int64_t now)
{
	const char		*name = sio_event_name(p);
	struct json_object	*arg, *ack;	/* arg borrowed */
	size_t			 i;

	if (name == NULL)
		return;
	arg = json_object_array_get_idx(p->data, 1);
	for (i = 0; i < sizeof(client_events) / sizeof(client_events[0]); i++)
		if (strcmp(name, client_events[i].name) == 0) {
			client_events[i].fn(cl, arg, now);
			break;
		}
	/* an event asking for an ack (dugout's `connected`) is answered as
	 * socket.io-client's callers do: [{"ok":true}] */
	if (p->ack_id >= 0 && cl->state != CL_DEAD &&
	    (ack = json_object_new_array()) != NULL) {
		struct json_object	*ok = json_object_new_object();

		(void)json_object_object_add(ok, "ok",
		    json_object_new_boolean(1));
		(void)json_object_array_add(ack, ok);
		client_queue_sio(cl, SIO_ACK, p->ack_id, ack);
		json_object_put(ack);
	}
}

/* One Socket.IO packet from a poll (§8). */
static void
client_on_sio(struct client *cl, struct span data, int64_t now)
{
	struct worker		*w = cl->w;
	struct sio_packet	 p;
	const char		*id;

	memset(&p, 0, sizeof(p));
	if (sio_packet_decode(data, &p) != ERR_OK) {
		client_dead(cl, "malformed Socket.IO packet");
		return;
	}
	switch (p.type) {
	case SIO_CONNECT:
		if (cl->state == CL_CONNECT) {
			w->res->sio_connected++;
			id = p.data != NULL ? json_str(p.data, "sid") : NULL;
			free(cl->sock_id);
			cl->sock_id = id != NULL ? strdup(id) : NULL;
			client_join(cl);
		}
		break;
	case SIO_CONNECT_ERROR:
		w->res->refused++;
		client_dead(cl, "CONNECT refused");
		break;
	case SIO_DISCONNECT:
		client_dead(cl, "disconnected by the server");
		break;
	case SIO_EVENT:
		client_on_event(cl, &p, now);
		break;
	default:
		break;
	}
	sio_packet_reset(&p);
}

/* The answer to the client's GET: the handshake, or a poll (§4, §5). */
static void
client_on_answer(struct conn *c, struct span body)
{
	struct client	*cl = c->cl;
	struct worker	*w = cl->w;
	size_t		 n = 1, i;
	int64_t		 now;

	if (cl->state == CL_DEAD || cl->state == CL_CLOSING)
		return;
	if (c->status != 200) {
		w->res->http_errors++;
		client_dead(cl, "GET refused");
		return;
	}
	if (cl->state == CL_HANDSHAKE) {
		client_on_open(cl, body);
		return;
	}
	for (i = 0; i < body.len; i++)
		n += body.p[i] == '\x1e';
	if (n > w->pkcap) {
		struct eio_packet	*np;

		if ((np = realloc(w->pk, n * sizeof(*np))) == NULL) {
			client_dead(cl, "out of memory");
			return;
		}
		w->pk = np;
		w->pkcap = n;
	}
	if (eio_payload_decode(body, w->pk, n, &n) != ERR_OK) {
		client_dead(cl, "malformed payload");
		return;
	}
	now = now_ns();
	for (i = 0; i < n && cl->state != CL_DEAD; i++) {
		switch (w->pk[i].type) {
		case EIO_PING:
			client_queue(cl, EIO_PONG, SPAN_LIT(""));
			break;
		case EIO_CLOSE:
			client_dead(cl, "session closed by the server");
			break;
		case EIO_MESSAGE:
			if (!w->pk[i].binary)
				client_on_sio(cl, w->pk[i].data, now);
			break;
		default:
			break;
		}
	}
	client_poll(cl);
}

/* ---------------------------------------------------------------- emission */

/* The actor of room r emits ["bench", {"t": "<now ns>", "s": seq}]. */
static void
room_emit(struct worker *w, struct room *r, int64_t now)
{
	struct json_object	*a, *o;
	char			 t[24];	/* an int64 is at most 20 chars */
	int			 measured = w->phase == PH_MEASURE;

	if ((a = json_object_new_array()) == NULL ||
	    (o = json_object_new_object()) == NULL) {
		json_object_put(a);
		return;
	}
	(void)snprintf(t, sizeof(t), "%" PRId64, now);
	(void)json_object_array_add(a, json_object_new_string("bench"));
	(void)json_object_object_add(o, "t", json_object_new_string(t));
	(void)json_object_object_add(o, "s", json_object_new_int64(r->seq));
	(void)json_object_array_add(a, o);
	client_queue_sio(&r->members[0], SIO_EVENT, -1, a);
	json_object_put(a);
	r->seq++;
	w->res->events_total++;
	if (measured)
		w->res->events++;
}

/* Emit every event due by `until`, each from the next room whose actor
 * is in (round robin), so the rooms share the rate evenly in time.  The
 * payload's t is the time it really goes out. */
static void
worker_emit(struct worker *w, int64_t until)
{
	struct room	*r;
	size_t		 k;

	if (w->emit_interval <= 0 || w->nrooms == 0)
		return;
	while (w->next_emit <= until) {
		for (k = 0; k < w->nrooms; k++) {
			r = &w->rooms[w->rr++ % w->nrooms];
			if (r->members[0].state == CL_JOINED)
				break;
		}
		if (k < w->nrooms)
			room_emit(w, r, now_ns());
		w->next_emit += w->emit_interval;
	}
}

/* ---------------------------------------------------------------- worker */

static int
write_all(int fd, const void *p, size_t n)
{
	const char	*s = p;
	ssize_t		 k;

	while (n > 0) {
		k = write(fd, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

static int
read_all(int fd, void *p, size_t n)
{
	char	*s = p;
	ssize_t	 k;

	while (n > 0) {
		k = read(fd, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Clients that joined or failed; *joined: those in their room now. */
static size_t
worker_settled(const struct worker *w, size_t *joined)
{
	*joined = w->res->joined - w->dead_joined;
	return w->res->joined + w->dead_unjoined;
}

static void
worker_measure_start(struct worker *w)
{
	struct room	*r;
	size_t		 i, k;

	w->phase = PH_MEASURE;
	w->cpu_at_measure = cpu_self_us();
	for (i = 0; i < w->nrooms; i++) {
		r = &w->rooms[i];
		r->m_first = r->seq;
		r->joined_at_start = 0;
		for (k = 0; k < r->n; k++)
			if (r->members[k].state == CL_JOINED)
				r->joined_at_start++;
		w->res->connected += r->joined_at_start;
	}
}

static void
worker_drain_start(struct worker *w)
{
	struct room	*r;
	size_t		 i;

	w->phase = PH_DRAIN;
	w->res->cpu_us = cpu_self_us() - w->cpu_at_measure;
	for (i = 0; i < w->nrooms; i++) {
		r = &w->rooms[i];
		r->m_end = r->seq;
		w->res->expected += (uint64_t)(r->m_end - r->m_first) *
		    r->joined_at_start;
	}
}

/* Leave politely: Socket.IO DISCONNECT then Engine.IO close, in one POST
 * per session (§4 "Client close"). */
static void
worker_close_start(struct worker *w, int64_t now)
{
	struct client	*cl;
	size_t		 i;

	w->phase = PH_CLOSE;
	w->t_close_end = now + LOAD_CLOSE_NS;
	for (i = 0; i < w->ncl; i++) {
		cl = &w->cl[i];
		if (cl->state == CL_DEAD || cl->state == CL_IDLE ||
		    cl->sid == NULL) {
			if (cl->state != CL_DEAD)
				cl->state = CL_DEAD;
			continue;
		}
		if (w->o->no_close) {
			cl->state = CL_DEAD;
			conn_close(&cl->poll);
			cl->poll.busy = 0;
			continue;
		}
		/* the held GET stays: the server answers it when the session
		 * closes, and only then is the connection dropped */
		cl->state = CL_CLOSING;
		client_queue(cl, EIO_MESSAGE, SPAN_LIT("1"));
		client_queue(cl, EIO_CLOSE, SPAN_LIT(""));
	}
}

static int
worker_all_closed(const struct worker *w)
{
	size_t	 i;

	for (i = 0; i < w->ncl; i++)
		if (w->cl[i].state == CL_CLOSING || w->cl[i].poll.busy)
			return 0;
	return 1;
}

static void
worker_send_result(struct worker *w)
{
	w->res->cpu_total_us = cpu_self_us();
	if (write_all(w->to_parent, w->res, sizeof(*w->res)) != 0)
		fprintf(stderr, "dugout-load: worker %u: cannot report\n",
		    w->id);
}

/* Advance the phases, start clients on the ramp, emit what is due. */
static void
worker_tick(struct worker *w, int64_t now)
{
	struct ready_msg	 rm;
	size_t			 joined, settled, due;

	switch (w->phase) {
	case PH_RAMP:
		/* at the connect rate, and never more than max_pending
		 * sessions being set up at once: the ramp slows down to what
		 * the server takes, and the POST queue stays short enough
		 * for pongs to get through in time */
		due = (size_t)((double)(now - w->ramp_t0) / 1e9 *
		    w->ramp_rate) + 1;
		settled = worker_settled(w, &joined);
		while (w->next_start < w->ncl && w->next_start < due &&
		    w->next_start - settled < w->o->max_pending) {
			client_start(&w->cl[w->next_start++]);
			settled = worker_settled(w, &joined);
		}
		if (settled != w->ramp_settled) {
			w->ramp_settled = settled;
			w->ramp_progress = now;
		}
		if ((w->next_start == w->ncl && settled == w->ncl) ||
		    now - w->ramp_progress >= (int64_t)(w->o->ramp_timeout *
		    1e9)) {
			memset(&rm, 0, sizeof(rm));
			rm.started = w->next_start;
			rm.joined = joined;
			for (size_t i = 0; i < w->nrooms; i++)
				rm.active_rooms +=
				    w->rooms[i].members[0].state == CL_JOINED;
			if (write_all(w->to_parent, &rm, sizeof(rm)) != 0)
				w->phase = PH_EXIT;
			else
				w->phase = PH_WAIT;
		}
		break;
	case PH_WAIT:
		break;
	case PH_WARMUP:
		/* an event belongs to the phase it was due in, however late
		 * the loop comes to it */
		worker_emit(w, now < w->t_measure ? now : w->t_measure - 1);
		if (now < w->t_measure)
			break;
		worker_measure_start(w);
		/* FALLTHROUGH */
	case PH_MEASURE:
		worker_emit(w, now < w->t_drain ? now : w->t_drain - 1);
		if (now >= w->t_drain)
			worker_drain_start(w);
		break;
	case PH_DRAIN:
		if (w->res->deliveries >= w->res->expected ||
		    now >= w->t_end) {
			worker_send_result(w);
			worker_close_start(w, now);
		}
		break;
	case PH_CLOSE:
		if ((w->qhead == NULL && worker_all_closed(w)) ||
		    now >= w->t_close_end)
			w->phase = PH_EXIT;
		break;
	case PH_EXIT:
		break;
	}
}

static void
worker_on_start(struct worker *w)
{
	struct start_msg	 sm;
	const struct opts	*o = w->o;

	if (read_all(w->from_parent, &sm, sizeof(sm)) != 0) {
		/* the parent closes the pipe once it has every result; before
		 * the start, it went away */
		(void)epoll_ctl(w->ep, EPOLL_CTL_DEL, w->from_parent, NULL);
		if (w->phase < PH_WARMUP)
			w->phase = PH_EXIT;
		return;
	}
	if (w->phase != PH_WAIT)
		return;
	w->t0 = sm.t0_ns;
	w->rate = sm.rate;
	w->t_measure = w->t0 + (int64_t)(o->warmup * 1e9);
	w->t_drain = w->t_measure + (int64_t)(o->duration * 1e9);
	w->t_end = w->t_drain + (int64_t)(o->drain * 1e9);
	w->next_emit = w->t0;
	w->emit_interval = w->rate > 0 ? (int64_t)(1e9 / w->rate) : 0;
	w->phase = PH_WARMUP;
}

/* Milliseconds epoll may sleep: until the next thing due, rounded up. */
static int
worker_timeout(const struct worker *w, int64_t now)
{
	int64_t	 next = now + 1000000000LL;

	switch (w->phase) {
	case PH_RAMP:
		/* the next start is due within a millisecond, unless
		 * max_pending holds it back: then a client settling (an event)
		 * lets the next one go */
		if (w->next_start < w->ncl && w->next_start - w->ramp_settled <
		    w->o->max_pending)
			next = now + 1000000LL;
		break;
	case PH_WARMUP:
	case PH_MEASURE:
		if (w->emit_interval > 0 && w->next_emit < next)
			next = w->next_emit;
		if (w->phase == PH_WARMUP && w->t_measure < next)
			next = w->t_measure;
		if (w->phase == PH_MEASURE && w->t_drain < next)
			next = w->t_drain;
		break;
	case PH_DRAIN:
		next = now + 10000000LL;
		break;
	case PH_CLOSE:
		next = now + 10000000LL;
		break;
	default:
		break;
	}
	if (next <= now)
		return 0;
	return (int)((next - now + 999999) / 1000000);
}

static int
worker_loop(struct worker *w)
{
	struct epoll_event	 ev[512];
	unsigned		 gen[512];
	struct conn		*c;
	int			 n, i;
	int64_t			 now;

	for (;;) {
		now = now_ns();
		worker_tick(w, now);
		pool_dispatch(w);
		if (w->phase == PH_EXIT)
			return 0;
		n = epoll_wait(w->ep, ev, 512, worker_timeout(w, now));
		if (n < 0 && errno != EINTR)
			return -1;
		/* handling one event may close another's socket and open a
		 * new one in the same struct conn: the old one's events, later
		 * in this batch, are not for the new */
		for (i = 0; i < n; i++)
			if ((c = ev[i].data.ptr) != NULL)
				gen[i] = c->gen;
		for (i = 0; i < n; i++) {
			if ((c = ev[i].data.ptr) == NULL)
				worker_on_start(w);
			else if (c->gen == gen[i])
				conn_event(w, c, ev[i].events);
		}
	}
}

/*
 * Set up worker `id`: its rooms (r % procs == id), their clients and
 * tokens, the POST pool.  User ids are bench-<run>-<client>.
 */
static int
worker_init(struct worker *w, const struct opts *o, unsigned id)
{
	struct auth_key	 key = { "HS256", o->secret, NULL, NULL };
	size_t		 nrooms_all, r, k, ci = 0;
	struct client	*cl;
	char		 user[64];	/* "bench-" + 2 numbers: bounded */
	int64_t		 epoch = (int64_t)time(NULL);

	memset(w, 0, sizeof(w[0]));
	w->o = o;
	w->id = id;
	buf_init(&w->scratch, LOAD_MAX_PEND);
	if ((w->res = calloc(1, sizeof(*w->res))) == NULL)
		return -1;
	nrooms_all = (o->clients + o->room_size - 1) / o->room_size;
	for (r = id; r < nrooms_all; r += o->procs) {
		w->nrooms++;
		w->ncl += r + 1 < nrooms_all ? o->room_size :
		    o->clients - r * o->room_size;
	}
	if ((w->rooms = calloc(w->nrooms ? w->nrooms : 1,
	    sizeof(*w->rooms))) == NULL ||
	    (w->cl = calloc(w->ncl ? w->ncl : 1, sizeof(*w->cl))) == NULL ||
	    (w->pool = calloc(o->post_conns, sizeof(*w->pool))) == NULL)
		return -1;
	w->npool = o->post_conns;
	for (k = 0; k < w->npool; k++)
		conn_init(&w->pool[k], 0, NULL);
	for (r = id, w->nrooms = 0; r < nrooms_all; r += o->procs) {
		struct room	*rm = &w->rooms[w->nrooms++];

		rm->index = (unsigned)r;
		rm->game_id = o->games[r];
		rm->members = &w->cl[ci];
		rm->n = (unsigned)(r + 1 < nrooms_all ? o->room_size :
		    o->clients - r * o->room_size);
		rm->m_first = rm->m_end = INT64_MAX;
		for (k = 0; k < rm->n; k++, ci++) {
			cl = &w->cl[ci];
			cl->w = w;
			cl->room = rm;
			cl->gidx = (unsigned)(r * o->room_size + k);
			cl->actor = k == 0;
			cl->last_seq = -1;
			conn_init(&cl->poll, 1, cl);
			buf_init(&cl->pend, LOAD_MAX_PEND);
			if (o->secret == NULL)
				continue;
			(void)snprintf(user, sizeof(user), "bench-%ld-%u",
			    o->run_id, cl->gidx);
			if (auth_issue(&key, user, epoch, LOAD_TOKEN_TTL, 0,
			    &cl->token) != ERR_OK) {
				fprintf(stderr, "dugout-load: cannot sign a "
				    "token\n");
				return -1;
			}
		}
	}
	if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	w->ramp_rate = o->connect_rate / o->procs;
	w->ramp_t0 = w->ramp_progress = now_ns();
	return 0;
}

static void
worker_free(struct worker *w)
{
	size_t	 i;

	for (i = 0; i < w->ncl; i++) {
		conn_release(&w->cl[i].poll);
		buf_free(&w->cl[i].pend);
		free(w->cl[i].sid);
		free(w->cl[i].sock_id);
		free(w->cl[i].token);
	}
	for (i = 0; i < w->npool; i++)
		conn_release(&w->pool[i]);
	free(w->cl);
	free(w->rooms);
	free(w->pool);
	free(w->pk);
	free(w->res);
	buf_free(&w->scratch);
	if (w->ep >= 0)
		(void)close(w->ep);
}

/* --room-report: one line per room of this worker on fd, as JSON
 * objects the parent copies into its output. */
static void
worker_room_report(struct worker *w, int fd)
{
	struct buf	 b;
	struct json_object *o;
	size_t		 i;

	buf_init(&b, 64 * 1024 * 1024);
	for (i = 0; i < w->nrooms; i++) {
		struct room	*r = &w->rooms[i];

		if ((o = json_object_new_object()) == NULL)
			break;
		(void)json_object_object_add(o, "room",
		    json_object_new_int64(r->index));
		(void)json_object_object_add(o, "game_id",
		    json_object_new_string(r->game_id));
		(void)json_object_object_add(o, "actor_sid",
		    r->members[0].sock_id != NULL ?
		    json_object_new_string(r->members[0].sock_id) : NULL);
		(void)json_object_object_add(o, "emitted",
		    json_object_new_int64(r->seq));
		ERR_IGNORE(buf_puts(&b, json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN)));
		ERR_IGNORE(buf_putc(&b, '\n'));
		json_object_put(o);
	}
	if (b.len > 0 && write_all(fd, b.data, b.len) != 0)
		fprintf(stderr, "dugout-load: cannot write the room report\n");
	buf_free(&b);
}

static int
worker_main(const struct opts *o, unsigned id, int to_parent,
    int from_parent, int rooms_fd)
{
	struct worker		 w;
	struct epoll_event	 e;
	int			 rc = 1;

	if (worker_init(&w, o, id) != 0) {
		fprintf(stderr, "dugout-load: worker %u: setup failed\n", id);
		goto out;
	}
	w.to_parent = to_parent;
	w.from_parent = from_parent;
	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.ptr = NULL;
	if (epoll_ctl(w.ep, EPOLL_CTL_ADD, from_parent, &e) != 0)
		goto out;
	if (worker_loop(&w) != 0)
		goto out;
	if (rooms_fd >= 0)
		worker_room_report(&w, rooms_fd);
	rc = 0;
out:
	worker_free(&w);
	return rc;
}

/* ---------------------------------------------------- server sampling */

/*
 * The server's processes: the --server-pids / --server-pidfile / --stack
 * roots and every descendant of theirs, or every process whose comm is in
 * --server-comm (other than ours).  CPU is utime + stime from
 * /proc/PID/stat; memory from /proc/PID/status (sampler_sample).
 */
struct sproc {
	int		 pid;
	char		 comm[17];	/* the kernel's TASK_COMM_LEN is 16 */
	uint64_t	 start;		/* starttime, clock ticks since boot */
	uint64_t	 cpu;		/* utime + stime, ticks, last sample */
	uint64_t	 base;		/* at the window's start */
	int		 in_window;	/* base is set */
	int		 seen;		/* found by the last scan */
};

struct comm_stat {
	char		 comm[17];
	unsigned	 procs;
	double		 cpu_s;
	uint64_t	 peak_kb;
	uint64_t	 cur_kb;
	uint64_t	 cur_shm_kb;	/* the largest RssShmem now */
	uint64_t	 cur_file_kb;	/* the largest RssFile now */
};

struct sampler {
	int		*roots;		/* owned */
	size_t		 nroots;
	char		**comms;	/* owned */
	size_t		 ncomms;
	pid_t		*ours;		/* borrowed: the workers */
	size_t		 nours;
	struct sproc	*p;		/* owned */
	size_t		 np, cap;
	uint64_t	 peak_kb;
	int		 window;	/* 0 before, 1 in, 2 after */
	int64_t		 window_ns;	/* its length as sampled */
	int64_t		 window_t0;
	uint64_t	 window_start_ticks;
	double		 cpu_s;
	struct comm_stat cs[16];
	size_t		 ncs;
	long		 hz;
};

/* Read a small /proc file into b (reset first): 0 or -1. */
static int
read_proc(const char *path, struct buf *b)
{
	char	 chunk[4096];	/* a read's bytes, copied into b */
	ssize_t	 n;
	int	 fd;

	buf_reset(b);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (buf_append(b, chunk, (size_t)n) != ERR_OK)
			break;
	(void)close(fd);
	return b->len > 0 ? 0 : -1;
}

/* /proc/PID/stat: comm, ppid, utime + stime, starttime.  0 or -1. */
static int
stat_parse(int pid, struct buf *b, char comm[17], int *ppid, uint64_t *cpu,
    uint64_t *start)
{
	char		 path[64];	/* "/proc/" + an int: bounded */
	const char	*l, *r;
	char		*s, *end;
	unsigned long long f[22];
	size_t		 n, k;

	(void)snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_proc(path, b) != 0 || (l = strchr(b->data, '(')) == NULL ||
	    (r = strrchr(b->data, ')')) == NULL || r < l)
		return -1;
	n = (size_t)(r - l - 1);
	if (n > 16)
		n = 16;
	memcpy(comm, l + 1, n);
	comm[n] = '\0';
	/* fields 3.. follow ") "; f[k] is field k + 3 */
	s = (char *)r + 2;
	if (s >= b->data + b->len)
		return -1;
	s++;				/* the state letter */
	for (k = 0; k < 20; k++) {
		f[k] = strtoull(s, &end, 10);
		if (end == s)
			return -1;
		s = end;
	}
	*ppid = (int)f[0];		/* field 4 */
	*cpu = f[10] + f[11];		/* fields 14, 15 */
	*start = f[18];			/* field 22 */
	return 0;
}

static uint64_t
status_kb(const char *text, const char *key)
{
	const char	*p = strstr(text, key);

	return p == NULL ? 0 : strtoull(p + strlen(key), NULL, 10);
}

static int
sampler_wanted_comm(const struct sampler *s, const char *comm)
{
	size_t	 i;

	for (i = 0; i < s->ncomms; i++)
		if (strcmp(s->comms[i], comm) == 0)
			return 1;
	return 0;
}

static struct sproc *
sampler_find(struct sampler *s, int pid)
{
	size_t	 i;

	for (i = 0; i < s->np; i++)
		if (s->p[i].pid == pid)
			return &s->p[i];
	return NULL;
}

static int
sampler_is_ours(const struct sampler *s, int pid)
{
	size_t	 i;

	if (pid == (int)getpid())
		return 1;
	for (i = 0; i < s->nours; i++)
		if ((int)s->ours[i] == pid)
			return 1;
	return 0;
}

/* Rescan /proc: the set of server processes. */
static void
sampler_scan(struct sampler *s, struct buf *b)
{
	DIR		*d;
	struct dirent	*de;
	struct { int pid, ppid; char comm[17]; uint64_t cpu, start; } *all =
	    NULL, *na;
	size_t		 nall = 0, cap = 0, i, j, hops;
	int		 pid, anc, keep;
	struct sproc	*sp;

	if ((d = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (nall == cap) {
			cap = cap ? cap * 2 : 256;
			if ((na = realloc(all, cap * sizeof(*all))) == NULL)
				break;
			all = na;
		}
		pid = atoi(de->d_name);
		all[nall].pid = pid;
		if (stat_parse(pid, b, all[nall].comm, &all[nall].ppid,
		    &all[nall].cpu, &all[nall].start) == 0)
			nall++;
	}
	(void)closedir(d);
	for (i = 0; i < s->np; i++)
		s->p[i].seen = 0;
	for (i = 0; i < nall; i++) {
		if (sampler_is_ours(s, all[i].pid))
			continue;
		keep = s->ncomms > 0 && sampler_wanted_comm(s, all[i].comm);
		for (anc = all[i].pid, hops = 0; !keep && anc > 1 &&
		    hops < 64; hops++) {
			for (j = 0; j < s->nroots; j++)
				keep |= s->roots[j] == anc;
			for (j = 0; j < nall && all[j].pid != anc; j++)
				continue;
			anc = j < nall ? all[j].ppid : 0;
		}
		if (!keep)
			continue;
		if ((sp = sampler_find(s, all[i].pid)) == NULL) {
			if (s->np == s->cap) {
				struct sproc	*np;

				s->cap = s->cap ? s->cap * 2 : 32;
				if ((np = realloc(s->p, s->cap *
				    sizeof(*np))) == NULL)
					break;
				s->p = np;
			}
			sp = &s->p[s->np++];
			memset(sp, 0, sizeof(*sp));
			sp->pid = all[i].pid;
			memcpy(sp->comm, all[i].comm, sizeof(sp->comm));
			sp->start = all[i].start;
			sp->cpu = all[i].cpu;
			if (s->window == 1) {
				/* started in the window: all its CPU counts */
				sp->base = sp->start >= s->window_start_ticks ?
				    0 : sp->cpu;
				sp->in_window = 1;
			}
		} else if (sp->start == all[i].start) {
			sp->cpu = all[i].cpu;
		} else {
			continue;	/* the pid was reused */
		}
		sp->seen = 1;
	}
	free(all);
}

static struct comm_stat *
sampler_comm(struct sampler *s, const char *comm)
{
	size_t	 i;

	for (i = 0; i < s->ncs; i++)
		if (strcmp(s->cs[i].comm, comm) == 0)
			return &s->cs[i];
	if (s->ncs == sizeof(s->cs) / sizeof(s->cs[0]))
		return &s->cs[s->ncs - 1];	/* the rest share the last */
	memcpy(s->cs[s->ncs].comm, comm, sizeof(s->cs[0].comm));
	return &s->cs[s->ncs++];
}

/*
 * Sample every known process's memory and keep the peak of the sum; with
 * `full`, its CPU time too.  Memory is the resident set from
 * /proc/PID/status, its shared parts counted once per program: the sum
 * of the processes' RssAnon, plus the largest RssFile (the binary and
 * libraries every process maps) and the largest RssShmem (PostgreSQL's
 * shared buffers, which every backend maps).  PSS from smaps_rollup would
 * be finer, but reading it walks every backend's page tables, which cost
 * the parent more than the workers spent.
 */
static void
sampler_sample(struct sampler *s, struct buf *b, int full)
{
	char			 path[64], comm[17];	/* bounded: ours */
	struct sproc		*sp;
	struct comm_stat	*cs;
	uint64_t		 cpu, start, sum = 0, file, shm;
	int			 ppid;
	size_t			 i;

	for (i = 0; i < s->ncs; i++)
		s->cs[i].cur_kb = s->cs[i].cur_shm_kb =
		    s->cs[i].cur_file_kb = 0;
	for (i = 0; i < s->np; i++) {
		sp = &s->p[i];
		if (!sp->seen)
			continue;
		if (full && (stat_parse(sp->pid, b, comm, &ppid, &cpu,
		    &start) != 0 || start != sp->start)) {
			sp->seen = 0;	/* gone: keep its last CPU figure */
			continue;
		}
		if (full)
			sp->cpu = cpu;
		(void)snprintf(path, sizeof(path), "/proc/%d/status", sp->pid);
		if (read_proc(path, b) != 0) {
			sp->seen = 0;	/* gone */
			continue;
		}
		file = status_kb(b->data, "\nRssFile:");
		shm = status_kb(b->data, "\nRssShmem:");
		cs = sampler_comm(s, sp->comm);
		cs->cur_kb += status_kb(b->data, "\nRssAnon:");
		if (file > cs->cur_file_kb)
			cs->cur_file_kb = file;
		if (shm > cs->cur_shm_kb)
			cs->cur_shm_kb = shm;
	}
	for (i = 0; i < s->ncs; i++) {
		s->cs[i].cur_kb += s->cs[i].cur_file_kb + s->cs[i].cur_shm_kb;
		sum += s->cs[i].cur_kb;
		if (s->cs[i].cur_kb > s->cs[i].peak_kb)
			s->cs[i].peak_kb = s->cs[i].cur_kb;
	}
	if (sum > s->peak_kb)
		s->peak_kb = sum;
}

static uint64_t
boot_ticks(long hz)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * (uint64_t)hz +
	    (uint64_t)ts.tv_nsec / (1000000000u / (uint64_t)hz);
}

static void
sampler_window_start(struct sampler *s, struct buf *b)
{
	size_t	 i;

	sampler_sample(s, b, 1);
	s->window = 1;
	s->window_t0 = now_ns();
	s->window_start_ticks = boot_ticks(s->hz);
	for (i = 0; i < s->np; i++) {
		s->p[i].base = s->p[i].cpu;
		s->p[i].in_window = 1;
	}
}

static void
sampler_window_end(struct sampler *s, struct buf *b)
{
	struct comm_stat	*cs;
	size_t			 i;
	double			 d;

	sampler_sample(s, b, 1);
	s->window = 2;
	s->window_ns = now_ns() - s->window_t0;
	s->cpu_s = 0;
	for (i = 0; i < s->np; i++) {
		if (!s->p[i].in_window)
			continue;
		d = (double)(s->p[i].cpu - s->p[i].base) / (double)s->hz;
		s->cpu_s += d;
		cs = sampler_comm(s, s->p[i].comm);
		cs->cpu_s += d;
		cs->procs++;
	}
}

/* Roots from a devstack directory: lighttpd.pid, dugout-fcgi-*.pid and
 * the postmaster's pid (first line of pg/data/postmaster.pid). */
static void
sampler_add_root(struct sampler *s, int pid)
{
	int	*nr;

	if (pid <= 1 || (nr = realloc(s->roots, (s->nroots + 1) *
	    sizeof(*nr))) == NULL)
		return;
	s->roots = nr;
	s->roots[s->nroots++] = pid;
}

static void
sampler_add_pidfile(struct sampler *s, const char *path, struct buf *b)
{
	if (read_proc(path, b) == 0)
		sampler_add_root(s, atoi(b->data));
	else
		fprintf(stderr, "dugout-load: cannot read %s\n", path);
}

static void
sampler_add_stack(struct sampler *s, const char *dir, struct buf *b)
{
	DIR		*d;
	struct dirent	*de;
	struct buf	 path;

	buf_init(&path, 4096);
	if (buf_printf(&path, "%s/lighttpd.pid", dir) == ERR_OK)
		sampler_add_pidfile(s, path.data, b);
	buf_reset(&path);
	if (buf_printf(&path, "%s/pg/data/postmaster.pid", dir) == ERR_OK)
		sampler_add_pidfile(s, path.data, b);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			size_t	 n = strlen(de->d_name);

			if (strncmp(de->d_name, "dugout-fcgi-", 12) != 0 ||
			    n < 4 || strcmp(de->d_name + n - 4, ".pid") != 0)
				continue;
			buf_reset(&path);
			if (buf_printf(&path, "%s/%s", dir, de->d_name) ==
			    ERR_OK)
				sampler_add_pidfile(s, path.data, b);
		}
		(void)closedir(d);
	}
	buf_free(&path);
}

/* Split a comma list into owned strings. */
static char **
split_list(const char *list, size_t *n)
{
	char	**v = NULL, **nv, *copy, *tok, *save = NULL;

	*n = 0;
	if ((copy = strdup(list)) == NULL)
		return NULL;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((nv = realloc(v, (*n + 1) * sizeof(*v))) == NULL)
			break;
		v = nv;
		if ((v[*n] = strdup(tok)) == NULL)
			break;
		(*n)++;
	}
	free(copy);
	return v;
}

static void
strv_free(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

static void
sampler_init(struct sampler *s, const struct opts *o, struct buf *b)
{
	char	**v;
	size_t	 n, i;

	memset(s, 0, sizeof(*s));
	s->hz = sysconf(_SC_CLK_TCK);
	if (s->hz <= 0)
		s->hz = 100;
	if (o->server_pids != NULL && (v = split_list(o->server_pids, &n)) !=
	    NULL) {
		for (i = 0; i < n; i++)
			sampler_add_root(s, atoi(v[i]));
		strv_free(v, n);
	}
	if (o->server_pidfiles != NULL &&
	    (v = split_list(o->server_pidfiles, &n)) != NULL) {
		for (i = 0; i < n; i++)
			sampler_add_pidfile(s, v[i], b);
		strv_free(v, n);
	}
	if (o->stack_dir != NULL)
		sampler_add_stack(s, o->stack_dir, b);
	if (o->server_comm != NULL)
		s->comms = split_list(o->server_comm, &s->ncomms);
}

static void
sampler_free(struct sampler *s)
{
	free(s->roots);
	strv_free(s->comms, s->ncomms);
	free(s->p);
}

/* ---------------------------------------------------------------- options */

static void
usage(void)
{
	fprintf(stderr,
"usage: dugout-load --url http://HOST:PORT/socket.io/ [--clients N]\n"
"         [--room-size R] [--rate E] [--duration S] [--warmup S]\n"
"         [--drain S] [--games FILE|-] [--jwt-secret S | --jwt-secret-file F]\n"
"         [--procs P] [--post-conns K] [--connect-rate C] [--max-pending M]\n"
"         [--ramp-timeout S]\n"
"         [--server-pids PID,...] [--server-pidfile FILE,...]\n"
"         [--server-comm NAME,...] [--stack DIR] [--label TEXT]\n"
"         [--json-only] [--room-report] [--no-close]\n");
	exit(2);
}

static double
num_arg(const char *name, const char *v, double lo, double hi)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || end == v || *end != '\0' || !(d >= lo && d <= hi)) {
		fprintf(stderr, "dugout-load: --%s: want a number in "
		    "[%g, %g]\n", name, lo, hi);
		exit(2);
	}
	return d;
}

/* http://HOST[:PORT][/PATH]: host, port, path; resolves the address. */
static int
parse_url(struct opts *o, const char *url)
{
	const char	*h, *slash, *colon;
	struct addrinfo	 hints, *ai = NULL;
	struct buf	 hh;
	int		 rc;

	if (strncmp(url, "http://", 7) != 0)
		return -1;
	h = url + 7;
	slash = strchr(h, '/');
	if (slash == NULL)
		slash = h + strlen(h);
	colon = memchr(h, ':', (size_t)(slash - h));
	o->host = strndup(h, (size_t)((colon ? colon : slash) - h));
	o->port = colon ? strndup(colon + 1, (size_t)(slash - colon - 1)) :
	    strdup("80");
	o->path = strdup(*slash ? slash : "/socket.io/");
	buf_init(&hh, 1024);
	if (o->host == NULL || o->port == NULL || o->path == NULL ||
	    buf_printf(&hh, "%.*s", (int)(slash - h), h) != ERR_OK)
		return -1;
	o->hosthdr = buf_steal(&hh);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(o->host, o->port, &hints, &ai)) != 0) {
		fprintf(stderr, "dugout-load: %s: %s\n", o->host,
		    gai_strerror(rc));
		return -1;
	}
	memcpy(&o->addr, ai->ai_addr, ai->ai_addrlen);
	o->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* A file of game ids, one a line ('-': stdin); blank lines skipped. */
static int
load_games(struct opts *o, const char *file)
{
	FILE	*f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char	*line = NULL, **ng;
	size_t	 cap = 0, n;
	ssize_t	 len;

	if (f == NULL)
		return -1;
	while ((len = getline(&line, &cap, f)) >= 0) {
		n = (size_t)len;
		while (n > 0 && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (o->ngames == LOAD_MAX_GAMES || (ng = realloc(o->games,
		    (o->ngames + 1) * sizeof(*ng))) == NULL)
			break;
		o->games = ng;
		if ((o->games[o->ngames] = strdup(line)) == NULL)
			break;
		o->ngames++;
	}
	free(line);
	if (f != stdin)
		(void)fclose(f);
	return 0;
}

static char *
read_secret(const char *file)
{
	struct buf	 b;
	FILE		*f;
	char		 chunk[4096];	/* copied at once into b */
	size_t		 n;

	if ((f = fopen(file, "r")) == NULL)
		return NULL;
	buf_init(&b, 64 * 1024);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&b, chunk, n) != ERR_OK)
			break;
	(void)fclose(f);
	while (b.len > 0 && isspace((unsigned char)b.data[b.len - 1]))
		b.data[--b.len] = '\0';
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static void
parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "clients", required_argument, NULL, 'n' },
		{ "room-size", required_argument, NULL, 'r' },
		{ "rate", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "drain", required_argument, NULL, 'D' },
		{ "games", required_argument, NULL, 'g' },
		{ "jwt-secret", required_argument, NULL, 's' },
		{ "jwt-secret-file", required_argument, NULL, 'S' },
		{ "procs", required_argument, NULL, 'p' },
		{ "post-conns", required_argument, NULL, 'k' },
		{ "connect-rate", required_argument, NULL, 'c' },
		{ "ramp-timeout", required_argument, NULL, 'T' },
		{ "max-pending", required_argument, NULL, 'M' },
		{ "server-pids", required_argument, NULL, 'P' },
		{ "server-pidfile", required_argument, NULL, 'F' },
		{ "server-comm", required_argument, NULL, 'C' },
		{ "stack", required_argument, NULL, 'K' },
		{ "label", required_argument, NULL, 'l' },
		{ "json-only", no_argument, NULL, 'j' },
		{ "room-report", no_argument, NULL, 'R' },
		{ "no-close", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*url = NULL;
	int		 ch;

	memset(o, 0, sizeof(*o));
	o->clients = 100;
	o->room_size = 10;
	o->rate = 50;
	o->duration = 10;
	o->warmup = 2;
	o->drain = 10;
	o->procs = 1;
	o->post_conns = 256;
	o->connect_rate = 2000;
	o->ramp_timeout = 30;
	o->max_pending = 256;
	o->label = "";
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'u': url = optarg; break;
		case 'n': o->clients = (unsigned)num_arg("clients", optarg, 1,
		    LOAD_MAX_CLIENTS); break;
		case 'r': o->room_size = (unsigned)num_arg("room-size", optarg,
		    1, 100000); break;
		case 'e': o->rate = num_arg("rate", optarg, 0, 1e6); break;
		case 'd': o->duration = num_arg("duration", optarg, 0.1,
		    86400); break;
		case 'w': o->warmup = num_arg("warmup", optarg, 0, 3600);
			break;
		case 'D': o->drain = num_arg("drain", optarg, 0, 3600); break;
		case 'g': o->games_file = optarg; break;
		case 's':
			free(o->secret);
			o->secret = strdup(optarg);
			break;
		case 'S':
			free(o->secret);
			if ((o->secret = read_secret(optarg)) == NULL) {
				fprintf(stderr, "dugout-load: cannot read a "
				    "secret from %s\n", optarg);
				exit(2);
			}
			break;
		case 'p': o->procs = (unsigned)num_arg("procs", optarg, 1,
		    LOAD_MAX_PROCS); break;
		case 'k': o->post_conns = (unsigned)num_arg("post-conns",
		    optarg, 1, 1024); break;
		case 'c': o->connect_rate = num_arg("connect-rate", optarg, 1,
		    1e6); break;
		case 'M': o->max_pending = (size_t)num_arg("max-pending",
		    optarg, 1, 1e6); break;
		case 'T': o->ramp_timeout = num_arg("ramp-timeout", optarg, 0,
		    3600); break;
		case 'P': o->server_pids = optarg; break;
		case 'F': o->server_pidfiles = optarg; break;
		case 'C': o->server_comm = optarg; break;
		case 'K': o->stack_dir = optarg; break;
		case 'l': o->label = optarg; break;
		case 'j': o->json_only = 1; break;
		case 'R': o->room_report = 1; break;
		case 'N': o->no_close = 1; break;
		default: usage();
		}
	}
	if (optind != argc || url == NULL)
		usage();
	if (parse_url(o, url) != 0) {
		fprintf(stderr, "dugout-load: --url: want http://HOST[:PORT]"
		    "/PATH\n");
		exit(2);
	}
}

static void
opts_free(struct opts *o)
{
	free(o->host);
	free(o->port);
	free(o->path);
	free(o->hosthdr);
	free(o->secret);
	strv_free(o->games, o->ngames);
}

/* Without --games every room is named bench-room-<n>: the reference
 * servers take any name; dugout needs real game ids. */
static int
games_setup(struct opts *o)
{
	size_t	 need = (o->clients + o->room_size - 1) / o->room_size, i;
	char	 name[32];	/* "bench-room-" + a size_t: bounded */

	if (o->games_file != NULL) {
		if (load_games(o, o->games_file) != 0) {
			fprintf(stderr, "dugout-load: cannot read %s\n",
			    o->games_file);
			return -1;
		}
		if (o->ngames < need) {
			fprintf(stderr, "dugout-load: %zu rooms need %zu game "
			    "ids; %s has %zu\n", need, need, o->games_file,
			    o->ngames);
			return -1;
		}
		return 0;
	}
	if ((o->games = calloc(need, sizeof(*o->games))) == NULL)
		return -1;
	for (i = 0; i < need; i++) {
		(void)snprintf(name, sizeof(name), "bench-room-%zu", i);
		if ((o->games[i] = strdup(name)) == NULL)
			return -1;
		o->ngames++;
	}
	return 0;
}

/* ---------------------------------------------------------------- parent */

struct child {
	pid_t		 pid;
	int		 from;		/* worker -> parent */
	int		 to;		/* parent -> worker */
	int		 rooms;		/* --room-report lines; -1 */
	int		 ready;
	struct ready_msg rm;
	size_t		 got;		/* bytes of res read */
	struct result	*res;		/* owned */
	int		 done;
};

/* Read what a worker sent: the ready message, then its result.  -1 when
 * it went away early. */
static int
child_read(struct child *c)
{
	ssize_t	 n;

	if (!c->ready) {
		if (read_all(c->from, &c->rm, sizeof(c->rm)) != 0)
			return -1;
		c->ready = 1;
		return 0;
	}
	n = read(c->from, (char *)c->res + c->got, sizeof(*c->res) - c->got);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0)
		return -1;
	c->got += (size_t)n;
	c->done = c->got == sizeof(*c->res);
	return 0;
}

static void
json_num(struct json_object *o, const char *key, double v, int decimals)
{
	char	 s[64];		/* a %.*f of a bounded double */

	(void)snprintf(s, sizeof(s), "%.*f", decimals, v);
	(void)json_object_object_add(o, key, json_object_new_double_s(v, s));
}

static void
json_int(struct json_object *o, const char *key, uint64_t v)
{
	(void)json_object_object_add(o, key, json_object_new_int64(
	    (int64_t)v));
}

/* The figures a report shows, worked out once from the merged result. */
struct figures {
	uint64_t	 loss;
	double		 p50, p90, p99, max;	/* delivery latency, ms */
	double		 post_p50, post_p99, post_max;	/* POST round trip */
	double		 dps;		/* deliveries per second */
	double		 window_s;
	double		 cpu_pct;	/* the server's, of one core */
	double		 loadgen_cpu, loadgen_total;
	double		 ramp_s;	/* until every worker was ready */
};

/* The plain counters of the JSON line, in order. */
static const struct {
	const char	*name;
	size_t		 off;
} counters[] = {
	{ "handshaken", offsetof(struct result, handshaken) },
	{ "sio_connected", offsetof(struct result, sio_connected) },
	{ "joined", offsetof(struct result, joined) },
	{ "dead", offsetof(struct result, dead) },
	{ "refused", offsetof(struct result, refused) },
	{ "server_errors", offsetof(struct result, server_errors) },
	{ "http_errors", offsetof(struct result, http_errors) },
	{ "conn_errors", offsetof(struct result, conn_errors) },
	{ "retries", offsetof(struct result, retries) },
	{ "gaps", offsetof(struct result, gaps) },
	{ "outside", offsetof(struct result, outside) },
	{ "dropped", offsetof(struct result, dropped) },
	{ "events_total", offsetof(struct result, events_total) },
	{ "posts", offsetof(struct result, posts) },
	{ "gets", offsetof(struct result, gets) },
	{ "post_queue_max", offsetof(struct result, queue_max) },
};

static void
figures_init(struct figures *f, const struct result *r,
    const struct sampler *s, double window_s)
{
	memset(f, 0, sizeof(*f));
	f->loss = r->expected > r->deliveries ? r->expected - r->deliveries :
	    0;
	f->p50 = hist_pct(r->hist, r->max_us, 50);
	f->p90 = hist_pct(r->hist, r->max_us, 90);
	f->p99 = hist_pct(r->hist, r->max_us, 99);
	f->max = (double)r->max_us / 1000.0;
	f->post_p50 = hist_pct(r->post_hist, r->post_max_us, 50);
	f->post_p99 = hist_pct(r->post_hist, r->post_max_us, 99);
	f->post_max = (double)r->post_max_us / 1000.0;
	f->window_s = window_s;
	f->dps = window_s > 0 ? (double)r->deliveries / window_s : 0;
	f->cpu_pct = s->window_ns > 0 ? 100 * s->cpu_s * 1e9 /
	    (double)s->window_ns : 0;
}

/* The server's processes by command name: {procs, cpu_s, peak_mb}. */
static struct json_object *
report_procs(const struct sampler *s)
{
	struct json_object	*srv = json_object_new_object(), *one;
	size_t			 i;

	for (i = 0; srv != NULL && i < s->ncs; i++) {
		if ((one = json_object_new_object()) == NULL)
			break;
		json_int(one, "procs", s->cs[i].procs);
		json_num(one, "cpu_s", s->cs[i].cpu_s, 2);
		json_num(one, "peak_mb", (double)s->cs[i].peak_kb / 1024.0, 1);
		(void)json_object_object_add(srv, s->cs[i].comm, one);
	}
	return srv;
}

/* The JSON line on stdout (bench/README.md lists its fields).  Steals
 * rooms. */
static void
report_json(const struct opts *o, const struct result *r,
    const struct sampler *s, const struct figures *f,
    struct json_object *rooms)
{
	struct json_object	*j = json_object_new_object();
	size_t			 i;

	if (j == NULL) {
		json_object_put(rooms);
		return;
	}
	(void)json_object_object_add(j, "label",
	    json_object_new_string(o->label));
	json_int(j, "clients", o->clients);
	json_int(j, "connected", r->connected);
	json_int(j, "room_size", o->room_size);
	json_num(j, "rate", o->rate, 1);
	json_num(j, "duration", o->duration, 1);
	json_int(j, "procs", o->procs);
	json_int(j, "events", r->events);
	json_int(j, "deliveries", r->deliveries);
	json_int(j, "expected", r->expected);
	json_int(j, "loss", f->loss);
	json_num(j, "loss_pct", r->expected ? 100.0 * (double)f->loss /
	    (double)r->expected : 0, 3);
	json_int(j, "duplicates", r->duplicates);
	json_num(j, "p50_ms", f->p50, 2);
	json_num(j, "p90_ms", f->p90, 2);
	json_num(j, "p99_ms", f->p99, 2);
	json_num(j, "max_ms", f->max, 2);
	json_num(j, "deliveries_per_s", f->dps, 1);
	json_num(j, "post_p50_ms", f->post_p50, 2);
	json_num(j, "post_p99_ms", f->post_p99, 2);
	json_num(j, "post_max_ms", f->post_max, 2);
	json_num(j, "server_cpu_s", s->cpu_s, 2);
	json_num(j, "server_cpu_pct", f->cpu_pct, 1);
	json_num(j, "server_rss_mb", (double)s->peak_kb / 1024.0, 1);
	(void)json_object_object_add(j, "server_mem",
	    json_object_new_string("anon+shared_once"));
	json_num(j, "loadgen_cpu_s", f->loadgen_cpu, 2);
	json_num(j, "loadgen_cpu_total_s", f->loadgen_total, 2);
	(void)json_object_object_add(j, "server_procs", report_procs(s));
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		json_int(j, counters[i].name, *(const uint64_t *)(const void *)
		    ((const char *)r + counters[i].off));
	json_num(j, "window_s", f->window_s, 3);
	json_num(j, "ramp_s", f->ramp_s, 2);
	json_int(j, "post_conns", o->post_conns);
	if (rooms != NULL)
		(void)json_object_object_add(j, "rooms", rooms); /* steals */
	printf("%s\n", json_object_to_json_string_ext(j,
	    JSON_C_TO_STRING_PLAIN));
	(void)fflush(stdout);
	json_object_put(j);
}

/* The same for people, on stderr. */
static void
report_table(const struct opts *o, const struct result *r,
    const struct sampler *s, const struct figures *f)
{
	size_t	 i;

	fprintf(stderr, "%-22s %s\n", "label", o->label);
	fprintf(stderr, "%-22s %u (connected %" PRIu64 ", dead %" PRIu64
	    "; ramp %.1f s)\n", "clients", o->clients, r->connected, r->dead,
	    f->ramp_s);
	fprintf(stderr, "%-22s %u, rate %.1f/s, %.1f s (+%.1f warmup), %u "
	    "procs\n", "room size", o->room_size, o->rate, o->duration,
	    o->warmup, o->procs);
	fprintf(stderr, "%-22s %" PRIu64 " events, %" PRIu64 " / %" PRIu64
	    " deliveries, loss %" PRIu64 ", dup %" PRIu64 "\n", "window",
	    r->events, r->deliveries, r->expected, f->loss, r->duplicates);
	fprintf(stderr, "%-22s p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
	    "latency ms", f->p50, f->p90, f->p99, f->max);
	fprintf(stderr, "%-22s p50 %.2f  p99 %.2f  max %.2f\n",
	    "POST round trip ms", f->post_p50, f->post_p99, f->post_max);
	fprintf(stderr, "%-22s %.1f\n", "deliveries/s", f->dps);
	fprintf(stderr, "%-22s %.2f s (%.1f %% of a core), peak %.1f MB "
	    "(shared pages once)\n", "server cpu", s->cpu_s, f->cpu_pct,
	    (double)s->peak_kb / 1024.0);
	for (i = 0; i < s->ncs; i++)
		fprintf(stderr, "  %-20s %u procs, %.2f s cpu, peak %.1f MB\n",
		    s->cs[i].comm, s->cs[i].procs, s->cs[i].cpu_s,
		    (double)s->cs[i].peak_kb / 1024.0);
	fprintf(stderr, "%-22s %.2f s in the window (%.2f s in all)\n",
	    "loadgen cpu", f->loadgen_cpu, f->loadgen_total);
}

/* json_object_array_sort's comparison: by the `room` member. */
static int
room_cmp(const void *a, const void *b)
{
	struct json_object	*x = *(struct json_object *const *)a;
	struct json_object	*y = *(struct json_object *const *)b;
	struct json_object	*vx, *vy;	/* borrowed */
	int64_t			 ix = 0, iy = 0;

	if (json_object_object_get_ex(x, "room", &vx))
		ix = json_object_get_int64(vx);
	if (json_object_object_get_ex(y, "room", &vy))
		iy = json_object_get_int64(vy);
	return ix < iy ? -1 : ix > iy;
}

/* The workers' --room-report lines, as a JSON array sorted by room. */
static struct json_object *
rooms_collect(struct child *ch, unsigned n)
{
	struct json_object	*a = json_object_new_array(), *v;
	struct buf		 b;
	char			 chunk[4096];	/* copied at once into b */
	ssize_t			 k;
	unsigned		 i;
	char			*line, *save = NULL;

	buf_init(&b, 256 * 1024 * 1024);
	for (i = 0; i < n; i++) {
		if (ch[i].rooms < 0)
			continue;
		while ((k = read(ch[i].rooms, chunk, sizeof(chunk))) > 0)
			if (buf_append(&b, chunk, (size_t)k) != ERR_OK)
				break;
	}
	for (line = b.data ? strtok_r(b.data, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save))
		if (sio_json_parse(span_of(line), &v) == ERR_OK && v != NULL)
			(void)json_object_array_add(a, v);
	buf_free(&b);
	json_object_array_sort(a, room_cmp);
	return a;
}

/* The parent: its workers, the sampler, the common schedule. */
struct parent {
	const struct opts *o;
	struct child	*ch;		/* owned; o->procs entries */
	pid_t		*pids;		/* owned: the workers' pids */
	struct pollfd	*pf;		/* owned */
	struct sampler	 s;
	struct buf	 b;		/* /proc scratch */
	int		 started;
	int64_t		 t_fork, t_ready;	/* the ramp */
	int64_t		 t_measure, t_drain;
	int64_t		 next_sample, next_scan, next_full;
	uint64_t	 cpu0, cpu1;	/* our CPU at the window's edges */
};

/* Fork the workers, each with its pipes.  -1 on failure (the ones forked
 * are in p->ch, for parent_free). */
static int
parent_fork(struct parent *p)
{
	const struct opts	*o = p->o;
	struct child		*c;
	int			 up[2], down[2], rr[2];
	unsigned		 i;

	(void)fflush(NULL);
	p->t_fork = now_ns();
	for (i = 0; i < o->procs; i++) {
		c = &p->ch[i];
		c->rooms = -1;
		rr[0] = rr[1] = -1;
		if ((c->res = calloc(1, sizeof(*c->res))) == NULL ||
		    pipe(up) != 0)
			return -1;
		if (pipe(down) != 0) {
			(void)close(up[0]);
			(void)close(up[1]);
			return -1;
		}
		c->from = up[0];
		c->to = down[1];
		if (o->room_report && pipe(rr) != 0)
			rr[0] = rr[1] = -1;
		c->rooms = rr[0];
		if ((c->pid = fork()) < 0) {
			c->pid = 0;
			(void)close(up[1]);
			(void)close(down[0]);
			if (rr[1] >= 0)
				(void)close(rr[1]);
			return -1;
		}
		if (c->pid == 0) {
			(void)close(up[0]);
			(void)close(down[1]);
			if (rr[0] >= 0)
				(void)close(rr[0]);
			_exit(worker_main(o, i, up[1], down[0], rr[1]));
		}
		(void)close(up[1]);
		(void)close(down[0]);
		if (rr[1] >= 0)
			(void)close(rr[1]);
		p->pids[i] = c->pid;
	}
	return 0;
}

/* Every worker is ready: a common t0 a moment from now, and each worker's
 * share of the rate, in proportion to its rooms whose actor joined. */
static int
parent_start(struct parent *p, int64_t now)
{
	const struct opts	*o = p->o;
	struct start_msg	 sm;
	uint64_t		 active = 0;
	unsigned		 i;

	for (i = 0; i < o->procs; i++)
		active += p->ch[i].rm.active_rooms;
	p->t_ready = now;
	sm.t0_ns = now + 200000000LL;
	p->t_measure = sm.t0_ns + (int64_t)(o->warmup * 1e9);
	p->t_drain = p->t_measure + (int64_t)(o->duration * 1e9);
	for (i = 0; i < o->procs; i++) {
		sm.rate = active ? o->rate * (double)p->ch[i].rm.active_rooms /
		    (double)active : 0;
		if (write_all(p->ch[i].to, &sm, sizeof(sm)) != 0)
			return -1;
	}
	p->started = 1;
	return 0;
}

/* The server's processes: found once a second, sampled every 100 ms,
 * their CPU read at the window's edges. */
static void
parent_sample(struct parent *p, int64_t now)
{
	struct sampler	*s = &p->s;

	if (now >= p->next_scan) {
		sampler_scan(s, &p->b);
		p->next_scan = now + LOAD_RESCAN_NS;
	}
	if (!p->started)
		return;
	if (s->window == 0 && now >= p->t_measure) {
		sampler_window_start(s, &p->b);
		p->cpu0 = cpu_self_us();
	} else if (s->window == 1 && now >= p->t_drain) {
		sampler_window_end(s, &p->b);
		p->cpu1 = cpu_self_us();
	} else if (now >= p->next_sample) {
		sampler_sample(s, &p->b, now >= p->next_full);
		if (now >= p->next_full)
			p->next_full = now + LOAD_RESCAN_NS;
		p->next_sample = now + LOAD_SAMPLE_NS;
	}
}

/* Milliseconds until the next sample or window edge, rounded up. */
static int
parent_timeout(const struct parent *p, int64_t now)
{
	int64_t	 next = now + LOAD_SAMPLE_NS;

	if (p->started && p->next_sample < next)
		next = p->next_sample;
	if (p->started && p->s.window == 0 && p->t_measure < next)
		next = p->t_measure;
	if (p->started && p->s.window == 1 && p->t_drain < next)
		next = p->t_drain;
	return next <= now ? 0 : (int)((next - now + 999999) / 1000000);
}

/* Until every worker has sent its result.  -1 when one ended early. */
static int
parent_loop(struct parent *p)
{
	unsigned	 i, n = p->o->procs, nready, ndone = 0;

	while (ndone < n) {
		for (i = 0; i < n; i++) {
			p->pf[i].fd = p->ch[i].done ? -1 : p->ch[i].from;
			p->pf[i].events = POLLIN;
			p->pf[i].revents = 0;
		}
		if (poll(p->pf, n, parent_timeout(p, now_ns())) < 0 &&
		    errno != EINTR)
			return -1;
		for (i = 0; i < n; i++) {
			if (!(p->pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (child_read(&p->ch[i]) != 0) {
				fprintf(stderr, "dugout-load: worker %u ended "
				    "early\n", i);
				return -1;
			}
			ndone += p->ch[i].done;
		}
		for (i = 0, nready = 0; i < n; i++)
			nready += p->ch[i].ready;
		if (!p->started && nready == n && parent_start(p,
		    now_ns()) != 0)
			return -1;
		parent_sample(p, now_ns());
	}
	if (p->s.window == 1) {
		sampler_window_end(&p->s, &p->b);
		p->cpu1 = cpu_self_us();
	}
	return 0;
}

/* Merge, reap the workers, report.  The exit status: 0 when some client
 * was in its room at the window's start. */
static int
parent_finish(struct parent *p)
{
	const struct opts	*o = p->o;
	struct result		*total;
	struct json_object	*rooms = NULL;
	struct rusage		 ru;
	struct figures		 f;
	double			 all, window_s;
	unsigned		 i;
	int			 rc;

	if ((total = calloc(1, sizeof(*total))) == NULL)
		return 1;
	if (o->room_report)
		rooms = rooms_collect(p->ch, o->procs);
	for (i = 0; i < o->procs; i++) {
		result_merge(total, p->ch[i].res);
		(void)close(p->ch[i].to);	/* the workers may end now */
		p->ch[i].to = -1;
	}
	for (i = 0; i < o->procs; i++) {
		while (waitpid(p->ch[i].pid, NULL, 0) < 0 && errno == EINTR)
			continue;
		p->ch[i].pid = 0;
	}
	if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
		memset(&ru, 0, sizeof(ru));
	all = (double)cpu_self_us() / 1e6 + (double)(ru.ru_utime.tv_sec +
	    ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec +
	    ru.ru_stime.tv_usec) / 1e6;
	window_s = (double)(p->t_drain - p->t_measure) / 1e9;
	figures_init(&f, total, &p->s, window_s);
	f.loadgen_cpu = (double)total->cpu_us / 1e6 + (double)(p->cpu1 -
	    p->cpu0) / 1e6;
	f.loadgen_total = all;
	f.ramp_s = (double)(p->t_ready - p->t_fork) / 1e9;
	report_json(o, total, &p->s, &f, rooms);
	if (!o->json_only)
		report_table(o, total, &p->s, &f);
	rc = total->connected > 0 ? 0 : 1;
	free(total);
	return rc;
}

static void
parent_free(struct parent *p)
{
	struct child	*c;
	unsigned	 i;

	for (i = 0; p->ch != NULL && i < p->o->procs; i++) {
		c = &p->ch[i];
		if (c->pid > 0) {
			(void)kill(c->pid, SIGTERM);
			(void)waitpid(c->pid, NULL, 0);
		}
		free(c->res);
		if (c->from > 0)
			(void)close(c->from);
		if (c->to > 0)
			(void)close(c->to);
		if (c->rooms > 0)
			(void)close(c->rooms);
	}
	free(p->ch);
	free(p->pf);
	free(p->pids);
	sampler_free(&p->s);
	buf_free(&p->b);
}

static int
run(const struct opts *o)
{
	struct parent	 p;
	int		 rc = 1;

	memset(&p, 0, sizeof(p));
	p.o = o;
	buf_init(&p.b, 1024 * 1024);
	sampler_init(&p.s, o, &p.b);
	if ((p.ch = calloc(o->procs, sizeof(*p.ch))) == NULL ||
	    (p.pf = calloc(o->procs, sizeof(*p.pf))) == NULL ||
	    (p.pids = calloc(o->procs, sizeof(*p.pids))) == NULL)
		goto out;
	if (parent_fork(&p) != 0) {
		fprintf(stderr, "dugout-load: cannot start the workers: %s\n",
		    strerror(errno));
		goto out;
	}
	p.s.ours = p.pids;
	p.s.nours = o->procs;
	if (parent_loop(&p) != 0)
		goto out;
	rc = parent_finish(&p);
out:
	parent_free(&p);
	return rc;
}

/*
 * Each worker needs a descriptor per client of its rooms, plus its POST
 * pool and a few: raise --procs until that fits the descriptor limit (the
 * soft one, raised to the hard one first).
 */
static void
procs_fit(struct opts *o)
{
	struct rlimit	 rl;
	uint64_t	 rooms = (o->clients + o->room_size - 1) / o->room_size;
	uint64_t	 need = 0;
	unsigned	 asked = o->procs;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
			return;
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		return;
	for (;;) {
		need = (rooms + o->procs - 1) / o->procs * o->room_size +
		    o->post_conns + 64;
		if (need <= (uint64_t)rl.rlim_cur || o->procs == LOAD_MAX_PROCS)
			break;
		o->procs++;
	}
	if (need > (uint64_t)rl.rlim_cur)
		fprintf(stderr, "dugout-load: warning: a worker needs about "
		    "%" PRIu64 " descriptors; the limit is %llu\n", need,
		    (unsigned long long)rl.rlim_cur);
	else if (o->procs != asked)
		fprintf(stderr, "dugout-load: %u workers, not %u: each needs "
		    "about %" PRIu64 " descriptors and the limit is %llu\n",
		    o->procs, asked, need, (unsigned long long)rl.rlim_cur);
}

int
main(int argc, char **argv)
{
	struct opts	 o;
	int		 rc;

	parse_opts(&o, argc, argv);
	o.run_id = (long)getpid();
	if (games_setup(&o) != 0) {
		opts_free(&o);
		return 2;
	}
	(void)signal(SIGPIPE, SIG_IGN);
	procs_fit(&o);
	rc = run(&o);
	opts_free(&o);
	return rc;
}
