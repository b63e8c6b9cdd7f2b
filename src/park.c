/*
 * park.c -- parked long-polls (see park.h).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "db.h"
#include "front.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "park.h"

#define TAG_WAKE	1	/* epoll data: the hand-over eventfd */
#define TAG_NOTIFY	2	/* epoll data: the LISTEN socket */
#define SWEEP_MS	1000
#define IDLE_MS		60000	/* longest epoll wait with nothing parked */
#define RECONNECT_MS	1000
#define PARK_BATCH	256	/* polls answered per database round trip */

struct parked {
	struct front	*f;
	struct svc_resp	 resp;
	struct svc_park	 p;
	char		 key[NOTIFY_KEY_LEN + 1];	/* p.sid's wake key */
	int		 woken;		/* a NOTIFY named its session */
	int64_t		 notified_ns;	/* when that NOTIFY came (monotonic);
					   0: none since the last look */
	int		 hungup;	/* the web server dropped it */
	int		 done;		/* answered: to be removed */
	struct parked	*next;		/* hand-over list only */
};

struct park {
	struct svc	*svc;
	struct db	*db;
	struct notify	*nt;
	pthread_t	 thread;
	pthread_t	 sweeper;	/* expires sessions; own connection */
	struct db	*sweep_db;
	pthread_cond_t	 stop_cv;	/* with mu: wakes the sweeper */
	int		 ep, wake;
	pthread_mutex_t	 mu;		/* guards incoming and stop */
	struct parked	*incoming;
	int		 stop;
	/* Owned by the thread: */
	struct parked	**v;
	size_t		 n, cap;
	int		 notify_in_ep;
};

static void
parked_free(struct parked *e)
{
	if (e == NULL)
		return;
	front_free(e->f);
	svc_resp_free(&e->resp);
	free(e);
}

/* Answer and forget v[i] (swap with the last). */
static void
park_answer(struct park *k, size_t i)
{
	struct parked	*e = k->v[i];

	(void)epoll_ctl(k->ep, EPOLL_CTL_DEL, front_fd(e->f), NULL);
	if (e->hungup) {
		front_abandon(e->f);
		svc_poll_abandon(k->svc, k->db, e->p.sid);
	} else if (front_answer(e->f, &e->resp) != ERR_OK)
		log_infox("session %.6s…: poll answer not delivered",
		    e->p.sid);
	else if (e->notified_ns != 0)
		/* The NOTIFY carries only the sid (R11), no send time: this
		 * is from its arrival here to the answer written. */
		metrics_observe(k->svc->metrics, METRICS_WAKE,
		    (uint64_t)(svc_mono_ns() - e->notified_ns));
	metrics_gauge_add(k->svc->metrics, METRICS_POLLS_PARKED, -1);
	parked_free(e);
	k->v[i] = k->v[--k->n];
}

/* Remove every entry marked done, answering it (or releasing its claim
 * when the web server hung up). */
static void
park_remove_done(struct park *k)
{
	size_t	 i = 0;

	while (i < k->n)
		if (k->v[i]->done)
			park_answer(k, i);	/* moves the last entry to i */
		else
			i++;
}

/* Send the batch's polls to the database together; mark the answered. */
static void
park_flush(struct park *k, struct parked **batch, size_t n, int force)
{
	struct svc_park	*pp[PARK_BATCH];
	struct svc_resp	*rr[PARK_BATCH];
	enum svc_result	 res[PARK_BATCH];
	size_t		 j;

	if (n == 0)
		return;
	for (j = 0; j < n; j++) {
		pp[j] = &batch[j]->p;
		rr[j] = &batch[j]->resp;
	}
	svc_poll_many(k->svc, k->db, pp, rr, res, n, force);
	for (j = 0; j < n; j++)
		if (res[j] == SVC_ANSWER)
			batch[j]->done = 1;
		else
			batch[j]->notified_ns = 0;	/* it found nothing */
}

/*
 * Deliver to every parked poll a NOTIFY woke, then answer every one whose
 * deadline passed (with a ping when due, else a noop), PARK_BATCH polls per
 * round trip; drop the ones the web server hung up.
 */
static void
park_deliver(struct park *k, int64_t now)
{
	struct parked	*batch[PARK_BATCH], *e;
	size_t		 i, n;
	int		 force;

	for (force = 0; force <= 1; force++) {
		for (i = n = 0; i < k->n; i++) {
			e = k->v[i];
			if (e->hungup)
				e->done = 1;
			if (e->done || !(force ? e->p.deadline_ms <= now :
			    e->woken))
				continue;
			e->woken = 0;
			batch[n++] = e;
			if (n == PARK_BATCH) {
				park_flush(k, batch, n, force);
				n = 0;
			}
		}
		park_flush(k, batch, n, force);
	}
	park_remove_done(k);
}

static void
take_incoming(struct park *k)
{
	struct parked		*list, *e, **nv;
	struct epoll_event	 ev;
	uint64_t		 junk;

	(void)read(k->wake, &junk, sizeof(junk));
	pthread_mutex_lock(&k->mu);
	list = k->incoming;
	k->incoming = NULL;
	pthread_mutex_unlock(&k->mu);
	while ((e = list) != NULL) {
		list = e->next;
		if (k->n == k->cap) {
			nv = realloc(k->v, (k->cap ? k->cap * 2 : 64) *
			    sizeof(*nv));
			if (nv == NULL) {
				/* Cannot hold it: answer now with what is
				 * queued (or a noop), releasing its claim. */
				(void)svc_poll(k->svc, k->db, &e->p, 1,
				    &e->resp);
				ERR_IGNORE(front_answer(e->f, &e->resp));
				parked_free(e);
				continue;
			}
			k->v = nv;
			k->cap = k->cap ? k->cap * 2 : 64;
		}
		k->v[k->n++] = e;
		metrics_gauge_add(k->svc->metrics, METRICS_POLLS_PARKED, 1);
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.ptr = e;
		(void)epoll_ctl(k->ep, EPOLL_CTL_ADD, front_fd(e->f), &ev);
		/* Re-check once now that we LISTEN for it: a NOTIFY that
		 * came between the worker's look and this moment is not
		 * lost. */
		e->woken = 1;
	}
}

static void
on_notify(const char *payload, void *arg)
{
	struct park	*k = arg;
	size_t		 i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->v[i]->key, payload) == 0) {
			k->v[i]->woken = 1;
			if (k->v[i]->notified_ns == 0)
				k->v[i]->notified_ns = svc_mono_ns();
		}
}

static void
notify_check(struct park *k, int64_t now, int64_t *next_try)
{
	struct epoll_event	 ev;
	size_t			 i;

	if (notify_fd(k->nt) >= 0 && k->notify_in_ep)
		return;
	if (notify_fd(k->nt) < 0) {
		if (now < *next_try)
			return;
		*next_try = now + RECONNECT_MS;
		if (notify_reconnect(k->nt) != ERR_OK)
			return;
		log_infox("notify: listening again");
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = TAG_NOTIFY;
	if (epoll_ctl(k->ep, EPOLL_CTL_ADD, notify_fd(k->nt), &ev) != 0 &&
	    errno != EEXIST)
		return;		/* tried again next time round */
	k->notify_in_ep = 1;
	/* Anything may have been missed meanwhile. */
	for (i = 0; i < k->n; i++)
		k->v[i]->woken = 1;
}

/* How long to wait for events: not at all when a poll is already marked
 * woken (notify_check marks them all after a reconnect, and no NOTIFY may
 * follow to end the wait), else until the next deadline or, while the
 * LISTEN connection is down, until its next reconnect attempt. */
static int
park_timeout(const struct park *k, int64_t now, int64_t next_try)
{
	int64_t	 t = now + IDLE_MS;
	size_t	 i;

	for (i = 0; i < k->n; i++) {
		if (k->v[i]->woken)
			return 0;
		if (k->v[i]->p.deadline_ms < t)
			t = k->v[i]->p.deadline_ms;
	}
	if (notify_fd(k->nt) < 0 && next_try < t)
		t = next_try;
	return t <= now ? 0 : (int)(t - now);
}

static void
park_events(struct park *k, struct epoll_event *evs, int nev)
{
	struct parked	*e;
	int		 j;

	for (j = 0; j < nev; j++) {
		if (evs[j].data.u64 == TAG_WAKE)
			take_incoming(k);
		else if (evs[j].data.u64 == TAG_NOTIFY) {
			if (notify_drain(k->nt, on_notify, k) != ERR_OK)
				k->notify_in_ep = 0;
		} else {
			/* The web server hung up (client gone). */
			e = evs[j].data.ptr;
			e->hungup = 1;
			e->woken = 1;
		}
	}
}

/* Shutdown (design.md pitfalls): release a parked poll with a noop. */
static void
park_release(struct park *k, size_t i)
{
	struct parked	*e = k->v[i];

	/* Keep the CORS headers: a browser must be able to read the noop. */
	e->notified_ns = 0;	/* not a wake: no latency to record */
	e->resp.status = 200;
	e->resp.content_type = "text/plain; charset=UTF-8";
	buf_reset(&e->resp.body);
	if (buf_putc(&e->resp.body, '6') != ERR_OK)
		e->hungup = 1;
	park_answer(k, i);
}

static void *
park_main(void *arg)
{
	struct park		*k = arg;
	struct epoll_event	 evs[64];
	int64_t			 now, next_try = 0;
	int			 nev, stop;

	for (;;) {
		now = svc_now_ms();
		notify_check(k, now, &next_try);
		nev = epoll_wait(k->ep, evs, 64,
		    park_timeout(k, now, next_try));
		park_events(k, evs, nev < 0 ? 0 : nev);
		pthread_mutex_lock(&k->mu);
		stop = k->stop;
		pthread_mutex_unlock(&k->mu);
		if (stop)
			break;
		park_deliver(k, svc_now_ms());
	}
	take_incoming(k);
	/* Claims first: the clients' next polls, wherever they land, must
	 * not be taken for second GETs. */
	svc_release_all(k->svc, k->db);
	while (k->n > 0)
		park_release(k, k->n - 1);
	return NULL;
}

static void	park_stop_thread(struct park *);

/* Once a second, expire dead sessions, on a thread and connection of its
 * own: a sweep waiting for a game's row lock never delays a wake-up. */
static void *
sweeper_main(void *arg)
{
	struct park	*k = arg;
	struct timespec	 until;
	int		 stop;

	for (;;) {
		(void)clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += SWEEP_MS / 1000;
		pthread_mutex_lock(&k->mu);
		if (!k->stop)
			(void)pthread_cond_timedwait(&k->stop_cv, &k->mu,
			    &until);
		stop = k->stop;
		pthread_mutex_unlock(&k->mu);
		if (stop)
			break;
		if (svc_sweep(k->svc, k->sweep_db) != ERR_OK)
			log_warnx("sweep: failed");
	}
	return NULL;
}

enum err
park_start(struct svc *svc, const char *conninfo, struct park **out)
{
	struct park		*k;
	struct epoll_event	 ev;
	enum err		 er = ERR_NOMEM;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return ERR_NOMEM;
	k->svc = svc;
	k->ep = k->wake = -1;
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->stop_cv, NULL);
	/* The connections come back by themselves after an outage. */
	ERR_IGNORE(db_open(conninfo, &k->db));
	ERR_IGNORE(db_open(conninfo, &k->sweep_db));
	db_set_metrics(k->db, svc->metrics);
	db_set_metrics(k->sweep_db, svc->metrics);
	ERR_IGNORE(notify_open(conninfo, &k->nt));
	if (k->db == NULL || k->sweep_db == NULL || k->nt == NULL)
		goto fail;
	er = ERR_IO;
	if ((k->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (k->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = TAG_WAKE;
	if (epoll_ctl(k->ep, EPOLL_CTL_ADD, k->wake, &ev) != 0 ||
	    pthread_create(&k->thread, NULL, park_main, k) != 0)
		goto fail;
	if (pthread_create(&k->sweeper, NULL, sweeper_main, k) != 0) {
		park_stop_thread(k);
		goto fail;
	}
	*out = k;
	return ERR_OK;
fail:
	if (k->ep >= 0)
		(void)close(k->ep);
	if (k->wake >= 0)
		(void)close(k->wake);
	db_free(k->db);
	db_free(k->sweep_db);
	notify_free(k->nt);
	pthread_cond_destroy(&k->stop_cv);
	pthread_mutex_destroy(&k->mu);
	free(k);
	return er;
}

enum err
park_add(struct park *k, struct front *f, struct svc_resp *resp,
    const struct svc_park *p)
{
	struct parked	*e;
	uint64_t	 one = 1;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return ERR_NOMEM;
	e->f = f;
	e->resp = *resp;	/* moves the buffers */
	svc_resp_init(resp);
	e->p = *p;
	notify_wake_key(e->p.sid, e->key);
	pthread_mutex_lock(&k->mu);
	e->next = k->incoming;
	k->incoming = e;
	pthread_mutex_unlock(&k->mu);
	(void)write(k->wake, &one, sizeof(one));
	return ERR_OK;
}

/* Tell both threads to stop and wait for the parking thread. */
static void
park_stop_thread(struct park *k)
{
	uint64_t	 one = 1;

	pthread_mutex_lock(&k->mu);
	k->stop = 1;
	pthread_cond_broadcast(&k->stop_cv);
	pthread_mutex_unlock(&k->mu);
	(void)write(k->wake, &one, sizeof(one));
	(void)pthread_join(k->thread, NULL);
}

void
park_stop(struct park *k)
{
	if (k == NULL)
		return;
	park_stop_thread(k);
	(void)pthread_join(k->sweeper, NULL);
	(void)close(k->ep);
	(void)close(k->wake);
	free(k->v);
	db_free(k->db);
	db_free(k->sweep_db);
	notify_free(k->nt);
	pthread_cond_destroy(&k->stop_cv);
	pthread_mutex_destroy(&k->mu);
	free(k);
}

static volatile sig_atomic_t	 inline_stop;

void
park_inline_stop(void)
{
	inline_stop = 1;
}

int
park_inline_stopped(void)
{
	return inline_stop != 0;
}

struct inline_wake {
	char		 key[NOTIFY_KEY_LEN + 1];	/* the session's */
	int		 hit;
};

static void
on_inline_notify(const char *payload, void *arg)
{
	struct inline_wake	*w = arg;

	if (strcmp(payload, w->key) == 0)
		w->hit = 1;
}

void
park_wait_inline(struct svc *svc, struct db *db, const char *conninfo,
    struct svc_park *p, struct svc_resp *resp)
{
	struct notify		*nt = NULL;
	struct pollfd		 pfd;
	struct inline_wake	 w = { "", 0 };
	int64_t			 now, t0;
	int			 rc;

	notify_wake_key(p->sid, w.key);
	metrics_gauge_add(svc->metrics, METRICS_POLLS_PARKED, 1);
	ERR_IGNORE(notify_open(conninfo, &nt));
	/* Listening now: look once more before waiting. */
	if (svc_poll(svc, db, p, 0, resp) == SVC_ANSWER)
		goto out;
	for (;;) {
		now = svc_now_ms();
		if (now >= p->deadline_ms || inline_stop)
			break;
		pfd.fd = nt == NULL ? -1 : notify_fd(nt);
		pfd.events = POLLIN;
		rc = poll(&pfd, 1, (int)(p->deadline_ms - now));
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		w.hit = 0;
		t0 = svc_mono_ns();
		if (notify_drain(nt, on_inline_notify, &w) != ERR_OK) {
			notify_free(nt);	/* lost: wait out the deadline */
			nt = NULL;
			continue;
		}
		if (w.hit && svc_poll(svc, db, p, 0, resp) == SVC_ANSWER) {
			/* To the answer being ready; the caller writes it
			 * next. */
			metrics_observe(svc->metrics, METRICS_WAKE,
			    (uint64_t)(svc_mono_ns() - t0));
			goto out;
		}
	}
	(void)svc_poll(svc, db, p, 1, resp);
out:
	metrics_gauge_add(svc->metrics, METRICS_POLLS_PARKED, -1);
	notify_free(nt);
}
