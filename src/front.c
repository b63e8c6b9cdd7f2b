/*
 * front.c -- libfcgi and CGI adapter (see front.h).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "bounds.h"
#include "buf.h"
#include "front.h"
#include "log.h"
#include "service.h"

/* Past max_payload we drain up to this much so the web server is not cut
 * off mid-body (and shows the client our 413, not a 502). */
#define FRONT_DRAIN_MAX	(64 * 1024 * 1024)
/* Parked polls arrive in bursts (every client re-polls at once after a
 * broadcast): a short queue makes the web server answer 500/503.  The
 * kernel caps it at net.core.somaxconn. */
#define FRONT_BACKLOG	4096

struct front {
	int		 cgi;
	int		 listen_fd;
	FCGX_Request	 fr;
	int		 active;	/* fr holds an accepted request */
	/* front_park: libfcgi's buffers are freed; we answer by hand */
	int		 parked;
	int		 fd;		/* the web server's connection */
	int		 request_id;
	struct buf	 body;
	char		*path;		/* owned */
	FILE		*cgi_in, *cgi_out;
};

extern char **environ;

int
front_init(void)
{
	if (FCGX_Init() != 0)
		return -1;
	return FCGX_IsCGI();
}

int
front_listen(const char *spec)
{
	const char	*colon;
	char		*hostport = NULL;
	int		 fd = -1;

	if (strncmp(spec, "unix:", 5) == 0) {
		(void)unlink(spec + 5);	/* a stale socket from a kill -9 */
		fd = FCGX_OpenSocket(spec + 5, FRONT_BACKLOG);
		if (fd >= 0)
			(void)chmod(spec + 5, 0666);
	} else if (strncmp(spec, "tcp:", 4) == 0 &&
	    (colon = strrchr(spec + 4, ':')) != NULL) {
		/* libfcgi takes "host:port" or ":port". */
		if ((hostport = strdup(spec + 4)) != NULL)
			fd = FCGX_OpenSocket(hostport, FRONT_BACKLOG);
	} else {
		log_errorx("listen: %s: expected unix:PATH or tcp:HOST:PORT",
		    spec);
		return -1;
	}
	if (fd < 0)
		log_errorx("listen: %s: cannot open", spec);
	free(hostport);
	return fd;
}

struct front *
front_new(int listen_fd, int cgi)
{
	struct front	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->cgi = cgi;
	f->listen_fd = listen_fd;
	buf_init(&f->body, EIO_MAX_PAYLOAD_CEILING);
	if (!cgi && FCGX_InitRequest(&f->fr, listen_fd,
	    FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		free(f);
		return NULL;
	}
	return f;
}

void
front_free(struct front *f)
{
	if (f == NULL)
		return;
	if (f->active)
		front_abandon(f);
	if (!f->cgi)
		FCGX_Free(&f->fr, 1);
	buf_free(&f->body);
	free(f->path);
	free(f);
}

enum err
front_accept(struct front *f)
{
	int	 rc;

	if (f->cgi) {
		f->cgi_in = stdin;
		f->cgi_out = stdout;
		f->active = 1;
		return ERR_OK;
	}
	/* libfcgi: FCGX_Accept_r finishes the slot's previous request
	 * first; ours was already finished, so this only accepts. */
	if ((rc = FCGX_Accept_r(&f->fr)) < 0)	/* -errno */
		return rc == -EMFILE || rc == -ENFILE ? ERR_LIMIT : ERR_IO;
	f->active = 1;
	return ERR_OK;
}

int
front_ready(const struct front *f, int timeout_ms)
{
	struct pollfd	 pfd;

	if (f->cgi)
		return 1;
	pfd.fd = f->listen_fd;
	pfd.events = POLLIN;
	return poll(&pfd, 1, timeout_ms) > 0;
}

static const char *
param(struct front *f, const char *name)
{
	return f->cgi ? getenv(name) : FCGX_GetParam(name, f->fr.envp);
}

/* Read up to n bytes of the body; 0 at its end. */
static int
body_read(struct front *f, char *p, int n)
{
	if (f->cgi)
		return (int)fread(p, 1, (size_t)n, f->cgi_in);
	return FCGX_GetStr(p, n, f->fr.in);
}

static enum eio_method
method_of(const char *m)
{
	if (m == NULL)
		return EIO_OTHER;
	if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
		return strcmp(m, "GET") == 0 ? EIO_GET : EIO_OTHER;
	if (strcmp(m, "POST") == 0)
		return EIO_POST;
	if (strcmp(m, "OPTIONS") == 0)
		return EIO_OPTIONS;
	return EIO_OTHER;
}

enum err
front_read(struct front *f, size_t max, struct svc_req *q)
{
	const char	*uri, *v;
	char		 chunk[8192];
	size_t		 total = 0, len;
	int		 n;

	memset(q, 0, sizeof(*q));
	buf_reset(&f->body);
	free(f->path);
	f->path = NULL;
	q->method = method_of(param(f, "REQUEST_METHOD"));
	q->query = (v = param(f, "QUERY_STRING")) != NULL ? v : "";
	q->origin = param(f, "HTTP_ORIGIN");
	q->content_type = param(f, "CONTENT_TYPE");
	q->acr_headers = param(f, "HTTP_ACCESS_CONTROL_REQUEST_HEADERS");
	q->remote_addr = param(f, "REMOTE_ADDR");
	if ((uri = param(f, "REQUEST_URI")) == NULL)
		uri = param(f, "SCRIPT_NAME");
	if (uri == NULL)
		uri = "/";
	len = strcspn(uri, "?");
	if ((f->path = strndup(uri, len)) == NULL)
		return ERR_NOMEM;
	q->path = f->path;
	/* Read the body to its end even for a GET: that consumes the empty
	 * stdin record, so a parked request's socket stays quiet until the
	 * web server hangs up. */
	while ((n = body_read(f, chunk, sizeof(chunk))) > 0) {
		total += (size_t)n;
		if (total > max) {
			q->body_too_large = 1;
			if (total > FRONT_DRAIN_MAX)
				break;
			continue;
		}
		if (buf_append(&f->body, chunk, (size_t)n) != ERR_OK)
			return ERR_NOMEM;
	}
	q->body = buf_span(&f->body);
	return ERR_OK;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

/* One FastCGI record header (FastCGI 1.0, section 3.3). */
static enum err
record_head(struct buf *b, int type, int id, size_t len)
{
	unsigned char	 h[8] = { 1, (unsigned char)type,
		(unsigned char)(id >> 8), (unsigned char)id,
		(unsigned char)(len >> 8), (unsigned char)len, 0, 0 };

	return buf_append(b, (const char *)h, sizeof(h));
}

/* The STDOUT records carrying [p, p + n). */
static enum err
records_out(struct buf *b, int id, const char *p, size_t n)
{
	size_t	 k;
	enum err er = ERR_OK;

	for (; n > 0 && er == ERR_OK; p += k, n -= k) {
		k = n < 65535 ? n : 65535;
		if ((er = record_head(b, 6, id, k)) == ERR_OK)	/* STDOUT */
			er = buf_append(b, p, k);
	}
	return er;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		p += w;
		n -= (size_t)w;
	}
	return 1;
}

/* front_answer for a parked slot: headers and body as STDOUT records,
 * the empty STDOUT that ends the stream, END_REQUEST (status 0,
 * REQUEST_COMPLETE), then close, as FCGX_Finish_r does without
 * FCGI_KEEP_CONN. */
static int
answer_parked(struct front *f, const struct buf *h, const struct svc_resp *r)
{
	static const char	 end[8] = { 0 };
	struct buf		 b;
	int			 ok;

	buf_init(&b, 2 * (h->len + r->body.len) + 64);
	ok = records_out(&b, f->request_id, h->data, h->len) == ERR_OK &&
	    records_out(&b, f->request_id, r->body.data, r->body.len) ==
	    ERR_OK && record_head(&b, 6, f->request_id, 0) == ERR_OK &&
	    record_head(&b, 3, f->request_id, 8) == ERR_OK &&	/* END */
	    buf_append(&b, end, sizeof(end)) == ERR_OK &&
	    write_all(f->fd, b.data, b.len);
	buf_free(&b);
	return ok;
}

enum err
front_answer(struct front *f, const struct svc_resp *r)
{
	struct buf	 h;
	enum err	 er = ERR_IO;
	int		 ok;

	buf_init(&h, HTTP_MAX_HEADER * 8);
	if (buf_printf(&h, "Status: %d %s\r\n", r->status,
	    reason(r->status)) != ERR_OK ||
	    (r->content_type != NULL && buf_printf(&h, "Content-Type: %s\r\n",
	    r->content_type) != ERR_OK) ||
	    buf_printf(&h, "Content-Length: %zu\r\n", r->body.len) != ERR_OK ||
	    buf_append(&h, r->headers.data, r->headers.len) != ERR_OK ||
	    buf_puts(&h, "\r\n") != ERR_OK)
		goto out;
	if (f->parked) {
		ok = answer_parked(f, &h, r);
		(void)close(f->fd);
		f->fd = -1;
		f->parked = 0;
	} else if (f->cgi) {
		ok = fwrite(h.data, 1, h.len, f->cgi_out) == h.len &&
		    (r->body.len == 0 || fwrite(r->body.data, 1, r->body.len,
		    f->cgi_out) == r->body.len) && fflush(f->cgi_out) == 0;
	} else {
		ok = FCGX_PutStr(h.data, (int)h.len, f->fr.out) == (int)h.len &&
		    (r->body.len == 0 || FCGX_PutStr(r->body.data,
		    (int)r->body.len, f->fr.out) == (int)r->body.len);
		FCGX_Finish_r(&f->fr);
	}
	f->active = 0;
	er = ok ? ERR_OK : ERR_IO;
out:
	buf_free(&h);
	return er;
}

void
front_abandon(struct front *f)
{
	if (f->parked) {
		(void)close(f->fd);
		f->fd = -1;
		f->parked = 0;
	} else if (!f->cgi && f->active)
		FCGX_Finish_r(&f->fr);
	f->active = 0;
}

int
front_fd(const struct front *f)
{
	return f->cgi ? -1 : f->parked ? f->fd : f->fr.ipcFd;
}

void
front_park(struct front *f)
{
	/* With FCGI_KEEP_CONN the connection goes back to libfcgi after
	 * the answer, so libfcgi must keep its state. */
	if (f->cgi || !f->active || f->fr.keepConnection)
		return;
	f->fd = f->fr.ipcFd;
	f->request_id = f->fr.requestId;
	FCGX_Free(&f->fr, 0);		/* the streams and params, not the fd */
	f->fr.ipcFd = -1;
	f->parked = 1;
	buf_free(&f->body);
	free(f->path);
	f->path = NULL;
}

