/*
 * main.c -- dugout-fcgi: configuration, the three run modes (design.md
 * decision 5) and shutdown.
 *
 *   daemon   FastCGI socket (--listen, or fd 0 from spawn-fcgi / lighttpd
 *            bin-path / mod_fcgid): worker threads accept and answer; polls
 *            with nothing to deliver go to the parking thread.
 *   single   --single: one request at a time (mod_fcgid); a poll waits
 *            inline.
 *   cgi      no FastCGI at all: one request, then exit.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "db.h"
#include "events.h"
#include "front.h"
#include "log.h"
#include "memo.h"
#include "metrics.h"
#include "notify.h"
#include "park.h"
#include "service.h"

extern char **environ;

struct daemon {
	struct svc	*svc;
	struct park	*park;
	int		 listen_fd;
	pthread_mutex_t	 accept_mu;
	volatile int	 stopping;
	pthread_mutex_t	 exit_mu;	/* guards exited */
	unsigned	 exited;	/* workers that have returned */
};

#define ACCEPT_BACKOFF_MS	100	/* out of descriptors: wait, retry */

_Static_assert(NOTIFY_KEY_LEN <= MEMO_KEY_MAX, "a wake key fits a memo");

/* SIGUSR2 only interrupts a worker's accept() (no SA_RESTART), so it can
 * see that the process is stopping. */
static void
on_wake_worker(int sig)
{
	(void)sig;
}

/* CGI and one-at-a-time mode: stop waiting and accepting.  Installed
 * before FCGX_Init so libfcgi keeps its own handler out (it installs one
 * only over SIG_DFL); no SA_RESTART, so accept() and poll() return EINTR. */
static void
on_stop_signal(int sig)
{
	(void)sig;
	park_inline_stop();
}

static void
usage(void)
{
	(void)fprintf(stderr, "usage: dugout-fcgi [--config FILE] "
	    "[--listen unix:PATH|tcp:HOST:PORT] [--single]\n");
	exit(2);
}

/* One request on a slot: answer it, or hand it to the parking thread.
 * Returns the slot to use next (NULL when it was parked). */
static struct front *
serve(struct daemon *d, struct db *db, struct front *f,
    struct svc_resp *resp)
{
	struct svc_req	 q;
	struct svc_park	 p;

	memset(&p, 0, sizeof(p));	/* looked_ns 0: not known */
	svc_resp_reset(resp);
	if (front_read(f, d->svc->conf->max_payload, &q) != ERR_OK) {
		front_abandon(f);
		return f;
	}
	if (svc_handle(d->svc, db, &q, resp, &p) == SVC_PARK) {
		if (d->park != NULL && park_add(d->park, f, resp, &p) == ERR_OK)
			return NULL;
		if (d->park != NULL)	/* cannot park: answer what there is */
			(void)svc_poll(d->svc, db, &p, 1, resp);
		else
			park_wait_inline(d->svc, db, d->svc->conf->database,
			    &p, resp);
	}
	if (front_answer(f, resp) != ERR_OK)
		log_infox("answer not delivered (client gone)");
	return f;
}

static void *
worker(void *arg)
{
	struct daemon	*d = arg;
	struct db	*db = NULL;
	struct front	*f = NULL;
	struct svc_resp	 resp;
	enum err	 er;

	svc_resp_init(&resp);
	/* db_open returns a handle that reconnects unless memory ran out. */
	ERR_IGNORE(db_open(d->svc->conf->database, &db));
	db_set_metrics(db, d->svc->metrics);
	while (db != NULL && !d->stopping) {
		if (f == NULL && (f = front_new(d->listen_fd, 0)) == NULL)
			break;
		pthread_mutex_lock(&d->accept_mu);
		er = d->stopping ? ERR_IO : front_accept(f);
		pthread_mutex_unlock(&d->accept_mu);
		if (er == ERR_LIMIT) {
			/* Out of descriptors (parked polls hold many): the
			 * connection waits in the backlog; no spinning. */
			log_warnx("accept: out of file descriptors; waiting");
			(void)usleep(ACCEPT_BACKOFF_MS * 1000);
			continue;
		}
		if (er != ERR_OK) {
			/* design.md pitfall: a failed accept is shutdown or
			 * fatal, never retried. */
			if (!d->stopping) {
				log_errorx("accept failed: shutting down");
				(void)kill(getpid(), SIGTERM);
			}
			break;
		}
		f = serve(d, db, f, &resp);
	}
	front_free(f);
	db_free(db);
	svc_resp_free(&resp);
	pthread_mutex_lock(&d->exit_mu);
	d->exited++;
	pthread_mutex_unlock(&d->exit_mu);
	return NULL;
}

/* Stop the workers: each one blocked in accept() is interrupted (again
 * and again, in case one was just about to block) until all have
 * returned.  The listening socket itself is left alone: other processes
 * may share it (spawn-fcgi -F, lighttpd max-procs). */
static void
workers_stop(struct daemon *d, pthread_t *th, unsigned n)
{
	unsigned	 i, gone;

	d->stopping = 1;
	for (;;) {
		pthread_mutex_lock(&d->exit_mu);
		gone = d->exited;
		pthread_mutex_unlock(&d->exit_mu);
		if (gone >= n)
			break;
		for (i = 0; i < n; i++)
			(void)pthread_kill(th[i], SIGUSR2);
		(void)usleep(50 * 1000);
	}
	for (i = 0; i < n; i++)
		(void)pthread_join(th[i], NULL);
}

static int
run_daemon(struct svc *svc, int listen_fd)
{
	struct daemon	 d;
	pthread_t	 th[16];
	sigset_t	 set;
	struct sigaction sa;
	unsigned	 i, n = svc->conf->workers;
	int		 sig;

	memset(&d, 0, sizeof(d));
	d.svc = svc;
	d.listen_fd = listen_fd;
	pthread_mutex_init(&d.accept_mu, NULL);
	pthread_mutex_init(&d.exit_mu, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake_worker;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGUSR2, &sa, NULL);
	/* Stop signals go to this thread only, through sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* Without it every GET asks the database, as in the other modes. */
	if (memo_new(notify_wake_key, &svc->memo) != ERR_OK)
		log_warnx("no memory for the poll memo: every GET asks the "
		    "database");
	if (park_start(svc, svc->conf->database, &d.park) != ERR_OK) {
		log_errorx("cannot start the parking thread");
		memo_free(svc->memo);
		svc->memo = NULL;
		return 1;
	}
	if (n > sizeof(th) / sizeof(th[0]))
		n = sizeof(th) / sizeof(th[0]);
	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, worker, &d) != 0) {
			log_errorx("cannot start worker %u", i);
			n = i;
			break;
		}
	log_infox("serving: %u workers, parked polls on one thread", n);
	(void)sigwait(&set, &sig);
	log_infox("signal %d: shutting down", sig);
	/* Workers first, then the parked polls: their claims are released
	 * and each is answered with a noop, so clients poll again, here or
	 * on another process. */
	workers_stop(&d, th, n);
	park_stop(d.park);
	memo_free(svc->memo);
	svc->memo = NULL;
	pthread_mutex_destroy(&d.accept_mu);
	pthread_mutex_destroy(&d.exit_mu);
	return 0;
}

/*
 * This process's metrics (metrics.h), with every event of the table
 * declared so that each shows from the first scrape, and no other name
 * ever getting a series of its own.  NULL when out of memory: the server
 * runs without them.
 */
static struct metrics *
metrics_start(void)
{
	struct metrics	*m = NULL;
	const char	*name;
	size_t		 i;

	if (metrics_new(&m) != ERR_OK)
		return NULL;
	for (i = 0; (name = events_name_at(i)) != NULL; i++)
		if (metrics_label_add(m, METRICS_EVENTS, name) != ERR_OK)
			log_warnx("metrics: event %s counts as other", name);
	metrics_label_close(m, METRICS_EVENTS);
	if (metrics_label_add(m, METRICS_GETS, "database") != ERR_OK ||
	    metrics_label_add(m, METRICS_GETS, "memo") != ERR_OK)
		log_warnx("metrics: polls count as other");
	metrics_label_close(m, METRICS_GETS);
	return m;
}

static int
run_single(struct svc *svc, int listen_fd, int cgi)
{
	struct daemon	 d;
	struct db	*db = NULL;
	struct front	*f;
	struct svc_resp	 resp;
	int		 rc = 0;

	memset(&d, 0, sizeof(d));
	d.svc = svc;
	d.listen_fd = listen_fd;
	if ((f = front_new(listen_fd, cgi)) == NULL)
		return 1;
	svc_resp_init(&resp);
	ERR_IGNORE(db_open(svc->conf->database, &db));
	db_set_metrics(db, svc->metrics);
	do {
		/* Wait in short steps, so a SIGTERM that lands just before
		 * accept() is seen within a second instead of at the next
		 * request. */
		while (!park_inline_stopped() && !front_ready(f, 1000))
			continue;
		if (park_inline_stopped() || front_accept(f) != ERR_OK)
			break;	/* SIGTERM, or fatal: never retried */
		(void)serve(&d, db, f, &resp);
		/* No parking thread here: each request sweeps. */
		if (svc_sweep(svc, db) != ERR_OK)
			rc = cgi ? 0 : rc;
	} while (!cgi);
	front_free(f);
	db_free(db);
	svc_resp_free(&resp);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "single", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct conf	 conf;
	struct buf	 em;
	struct svc	 svc;
	struct sigaction sa;
	const char	*path = NULL, *listen = NULL;
	int		 ch, single = 0, cgi, fd = 0, rc;

	while ((ch = getopt_long(argc, argv, "c:l:sh", longopts,
	    NULL)) != -1)
		switch (ch) {
		case 'c': path = optarg; break;
		case 'l': listen = optarg; break;
		case 's': single = 1; break;
		default: usage();
		}
	if (sodium_init() < 0) {
		(void)fprintf(stderr, "dugout-fcgi: libsodium init failed\n");
		return 1;
	}
	(void)signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	buf_init(&em, 1024);
	if (conf_init(&conf) != ERR_OK ||
	    conf_load(&conf, path, environ, &em) != ERR_OK) {
		(void)fprintf(stderr, "dugout-fcgi: %s\n",
		    em.data ? em.data : "out of memory");
		return 1;
	}
	buf_free(&em);
	if (conf.conformance) {
		/* The public protocol suites' fixture (issue 2, item 10). */
		conf.ping_interval = 300;
		conf.ping_timeout = 200;
		conf.connect_timeout = 1000;
		conf.max_payload = 1000000;
	}
	log_set_level((enum log_level)conf.log_level);
	if (listen == NULL)
		listen = conf.listen;
	cgi = listen == NULL ? front_init() : (front_init(), 0);
	if (cgi < 0) {
		(void)fprintf(stderr, "dugout-fcgi: FastCGI init failed\n");
		return 1;
	}
	if (listen != NULL && (fd = front_listen(listen)) < 0)
		return 1;
	svc_init(&svc, &conf);
	svc.metrics = metrics_start();
	if (cgi || single)
		rc = run_single(&svc, fd, cgi);
	else
		rc = run_daemon(&svc, fd);
	metrics_free(svc.metrics);
	conf_free(&conf);
	return rc;
}
