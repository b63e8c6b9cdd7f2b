/*
 * park.c -- parked long-polls (see park.h).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "db.h"
#include "front.h"
#include "log.h"
#include "memo.h"
#include "metrics.h"
#include "notify.h"
#include "park.h"

#define TAG_WAKE	1	/* epoll data: the hand-over eventfd */
#define TAG_NOTIFY	2	/* epoll data: the LISTEN socket */
#define SWEEP_MS	1000
#define VACUUM_SWEEPS	5	/* svc_vacuum every that many sweeps */
#define ANALYZE_VACUUMS	12	/* ...with ANALYZE every that many */
#define IDLE_MS		60000	/* longest epoll wait with nothing parked */
#define RECONNECT_MS	1000
#define PARK_BATCH	256	/* polls answered per database round trip */
#define RECENT		4096	/* NOTIFYs remembered (a power of two) */

struct parked {
	struct front	*f;
	struct svc_resp	 resp;
	struct svc_park	 p;
	char		 key[NOTIFY_KEY_LEN + 1];	/* p.sid's wake key */
	int64_t		 notified_ns;	/* when that NOTIFY came (monotonic);
					   0: none since the last look */
	int		 hungup;	/* the web server dropped it */
	int		 queued;	/* in park.ready: a NOTIFY named its
					   session, or the web server hung up */
	size_t		 vi;		/* index in park.v */
	size_t		 hi;		/* index in park.heap; NOT_IN_HEAP */
	struct parked	*hnext;		/* wake-key table chain */
	struct parked	*next;		/* hand-over list only */
};

#define NOT_IN_HEAP	SIZE_MAX

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
	/*
	 * Owned by the thread.  Every parked poll is in v (any order), in
	 * heap (a min-heap on deadline_ms, unless it is being answered) and
	 * in tab (chained on its wake key); the woken ones also in ready.
	 * So a NOTIFY costs one table look-up and a loop one heap peek,
	 * however many polls are parked (issue 7: 10,000 per process).
	 */
	struct parked	**v, **heap, **ready;
	size_t		 n, nheap, nready, cap;
	struct parked	**tab;
	size_t		 tabsize;	/* a power of two, or 0 */
	/* The last RECENT wake keys NOTIFY named, and when they came: a
	 * poll handed over is looked at again only when its key came after
	 * the worker read its queue (see take_incoming). */
	struct recent {
		char	 key[NOTIFY_KEY_LEN + 1];
		int64_t	 at_ns;
	}		*recent;
	uint64_t	 nrecent;	/* ever received; recent[n % RECENT] */
	int64_t		 listen_since_ns; /* LISTEN unbroken since then */
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

/* ------------------------------------------------------------ the set */

static void
heap_swap(struct park *k, size_t a, size_t b)
{
	struct parked	*t = k->heap[a];

	k->heap[a] = k->heap[b];
	k->heap[b] = t;
	k->heap[a]->hi = a;
	k->heap[b]->hi = b;
}

/* Restore the heap order around i, in whichever direction it is broken. */
static void
heap_fix(struct park *k, size_t i)
{
	size_t	 c;

	while (i > 0 && k->heap[(i - 1) / 2]->p.deadline_ms >
	    k->heap[i]->p.deadline_ms) {
		heap_swap(k, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		c = 2 * i + 1;
		if (c >= k->nheap)
			break;
		if (c + 1 < k->nheap && k->heap[c + 1]->p.deadline_ms <
		    k->heap[c]->p.deadline_ms)
			c++;
		if (k->heap[i]->p.deadline_ms <= k->heap[c]->p.deadline_ms)
			break;
		heap_swap(k, i, c);
		i = c;
	}
}

static void
heap_push(struct park *k, struct parked *e)
{
	e->hi = k->nheap;
	k->heap[k->nheap++] = e;
	heap_fix(k, e->hi);
}

static void
heap_remove(struct park *k, struct parked *e)
{
	size_t	 i = e->hi;

	if (i == NOT_IN_HEAP)
		return;
	e->hi = NOT_IN_HEAP;
	if (i != --k->nheap) {
		k->heap[i] = k->heap[k->nheap];
		k->heap[i]->hi = i;
		heap_fix(k, i);
	}
}

static void
tab_link(struct park *k, struct parked *e)
{
	size_t	 b = memo_key_hash(e->key) & (k->tabsize - 1);

	e->hnext = k->tab[b];
	k->tab[b] = e;
}

static void
tab_unlink(struct park *k, struct parked *e)
{
	struct parked	**pp;

	pp = &k->tab[memo_key_hash(e->key) & (k->tabsize - 1)];
	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
}

/* Room for one more poll: v, heap and ready grow together, the table at
 * one chain per poll on average. */
static enum err
set_reserve(struct park *k)
{
	struct parked	**nv, **nt;
	size_t		 cap, i;

	if (k->n == k->cap) {
		cap = k->cap ? k->cap * 2 : 64;
		if ((nv = realloc(k->v, cap * sizeof(*nv))) == NULL)
			return ERR_NOMEM;
		k->v = nv;
		if ((nv = realloc(k->heap, cap * sizeof(*nv))) == NULL)
			return ERR_NOMEM;
		k->heap = nv;
		if ((nv = realloc(k->ready, cap * sizeof(*nv))) == NULL)
			return ERR_NOMEM;
		k->ready = nv;
		k->cap = cap;
	}
	if (k->n < k->tabsize)
		return ERR_OK;
	cap = k->tabsize ? k->tabsize * 2 : 256;
	if ((nt = calloc(cap, sizeof(*nt))) == NULL)
		return ERR_NOMEM;
	free(k->tab);
	k->tab = nt;
	k->tabsize = cap;
	for (i = 0; i < k->n; i++)
		tab_link(k, k->v[i]);
	return ERR_OK;
}

/* Look at e at the next delivery. */
static void
wake(struct park *k, struct parked *e)
{
	if (!e->queued) {
		e->queued = 1;
		k->ready[k->nready++] = e;
	}
}

/* Answer e (or release its claim when the web server hung up) and forget
 * it.  It is in no batch and not in ready. */
static void
park_answer(struct park *k, struct parked *e)
{
	size_t	 i = e->vi;

	(void)epoll_ctl(k->ep, EPOLL_CTL_DEL, front_fd(e->f), NULL);
	if (e->hungup) {
		front_abandon(e->f);
		svc_poll_abandon(k->svc, k->db, e->p.sid);
	} else if (front_answer(e->f, &e->resp) != ERR_OK)
		log_infox("session %.6s…: poll answer not delivered",
		    e->p.sid);
	else if (e->notified_ns != 0)
		/* The NOTIFY carries only the wake key, no send time: this
		 * is from its arrival here to the answer written. */
		metrics_observe(k->svc->metrics, METRICS_WAKE,
		    (uint64_t)(svc_mono_ns() - e->notified_ns));
	metrics_gauge_add(k->svc->metrics, METRICS_POLLS_PARKED, -1);
	heap_remove(k, e);
	tab_unlink(k, e);
	k->v[i] = k->v[--k->n];
	k->v[i]->vi = i;
	parked_free(e);
}

/* Send the batch's polls to the database together; answer the answered,
 * put the others back in the heap at their (maybe new) deadlines. */
static void
park_flush(struct park *k, struct parked **batch, size_t n, int force)
{
	struct svc_park	*pp[PARK_BATCH];
	struct svc_resp	*rr[PARK_BATCH];
	enum svc_result	 res[PARK_BATCH];
	size_t		 j, m = 0;

	for (j = 0; j < n; j++)
		if (!batch[j]->hungup) {
			pp[m] = &batch[j]->p;
			rr[m++] = &batch[j]->resp;
		}
	if (m > 0)
		svc_poll_many(k->svc, k->db, pp, rr, res, m, force);
	for (j = m = 0; j < n; j++) {
		struct parked	*e = batch[j];

		if (e->hungup || res[m++] == SVC_ANSWER) {
			park_answer(k, e);
			continue;
		}
		e->notified_ns = 0;	/* it found nothing */
		heap_remove(k, e);
		heap_push(k, e);
	}
}

/*
 * Deliver to every parked poll a NOTIFY (or a hang-up) woke, then answer
 * every one whose deadline passed (with a ping when due, else a noop),
 * PARK_BATCH polls per round trip.
 */
static void
park_deliver(struct park *k, int64_t now)
{
	struct parked	*batch[PARK_BATCH], *e;
	size_t		 n = 0;

	while (k->nready > 0) {
		e = k->ready[--k->nready];
		e->queued = 0;
		batch[n++] = e;
		if (n == PARK_BATCH) {
			park_flush(k, batch, n, 0);
			n = 0;
		}
	}
	park_flush(k, batch, n, 0);
	for (;;) {
		for (n = 0; n < PARK_BATCH && k->nheap > 0 &&
		    k->heap[0]->p.deadline_ms <= now; n++) {
			batch[n] = k->heap[0];
			heap_remove(k, batch[n]);
		}
		if (n == 0)
			break;
		park_flush(k, batch, n, 1);
	}
}

/*
 * Could a NOTIFY for e have come before e was in the table, and after
 * its worker read the queue (so that the worker did not see what it
 * announced)?  A NOTIFY is sent at commit; if the commit came before the
 * worker's read, the worker saw the packets, and if after, the NOTIFY
 * arrived here after looked_ns.  So only keys that arrived since
 * looked_ns matter -- a handful, newest first.  Unsure (nothing known of
 * the read, the LISTEN connection down since, or the ring overwritten
 * since) means yes.
 */
static int
missed(const struct park *k, const struct parked *e)
{
	uint64_t	 i;

	if (e->p.looked_ns == 0 || e->p.looked_ns < k->listen_since_ns)
		return 1;
	for (i = k->nrecent; i > 0; i--) {
		const struct recent	*r = &k->recent[(i - 1) % RECENT];

		if (k->nrecent - i >= RECENT)
			return 1;	/* forgotten: cannot tell */
		if (r->at_ns < e->p.looked_ns)
			return 0;
		if (strcmp(r->key, e->key) == 0)
			return 1;
	}
	return 0;
}

static void
take_incoming(struct park *k)
{
	struct parked		*list, *e;
	struct epoll_event	 ev;
	uint64_t		 junk;

	(void)read(k->wake, &junk, sizeof(junk));
	pthread_mutex_lock(&k->mu);
	list = k->incoming;
	k->incoming = NULL;
	pthread_mutex_unlock(&k->mu);
	while ((e = list) != NULL) {
		list = e->next;
		if (set_reserve(k) != ERR_OK) {
			/* Cannot hold it: answer now with what is queued (or
			 * a noop), releasing its claim. */
			(void)svc_poll(k->svc, k->db, &e->p, 1, &e->resp);
			ERR_IGNORE(front_answer(e->f, &e->resp));
			parked_free(e);
			continue;
		}
		e->vi = k->n;
		k->v[k->n++] = e;
		heap_push(k, e);
		tab_link(k, e);
		metrics_gauge_add(k->svc->metrics, METRICS_POLLS_PARKED, 1);
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.ptr = e;
		(void)epoll_ctl(k->ep, EPOLL_CTL_ADD, front_fd(e->f), &ev);
		/* A NOTIFY that came between the worker's look and this
		 * moment is not lost. */
		if (missed(k, e))
			wake(k, e);
	}
}

static void
on_notify(const char *payload, void *arg)
{
	struct park	*k = arg;
	struct parked	*e;
	struct recent	*r = &k->recent[k->nrecent++ % RECENT];

	(void)snprintf(r->key, sizeof(r->key), "%s", payload);
	r->at_ns = svc_mono_ns();
	if (k->svc->memo != NULL)
		memo_notify(k->svc->memo, payload);
	if (k->tabsize == 0)
		return;
	for (e = k->tab[memo_key_hash(payload) & (k->tabsize - 1)]; e != NULL;
	    e = e->hnext)
		if (strcmp(e->key, payload) == 0) {
			wake(k, e);
			if (e->notified_ns == 0)
				e->notified_ns = svc_mono_ns();
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
	/* Anything may have been missed meanwhile: by the polls parked, and
	 * by those whose queue was read before now (missed()). */
	k->listen_since_ns = svc_mono_ns();
	for (i = 0; i < k->n; i++)
		wake(k, k->v[i]);
}

/* How long to wait for events: not at all when a poll is already marked
 * woken (notify_check marks them all after a reconnect, and no NOTIFY may
 * follow to end the wait), else until the next deadline or, while the
 * LISTEN connection is down, until its next reconnect attempt. */
static int
park_timeout(const struct park *k, int64_t now, int64_t next_try)
{
	int64_t	 t = now + IDLE_MS;

	if (k->nready > 0)
		return 0;
	if (k->nheap > 0 && k->heap[0]->p.deadline_ms < t)
		t = k->heap[0]->p.deadline_ms;
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
			wake(k, e);
		}
	}
}

/* Shutdown (design.md pitfalls): release a parked poll with a noop. */
static void
park_release(struct park *k, struct parked *e)
{
	/* Keep the CORS headers: a browser must be able to read the noop. */
	e->notified_ns = 0;	/* not a wake: no latency to record */
	e->resp.status = 200;
	e->resp.content_type = "text/plain; charset=UTF-8";
	buf_reset(&e->resp.body);
	if (buf_putc(&e->resp.body, '6') != ERR_OK)
		e->hungup = 1;
	park_answer(k, e);
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
	k->nready = 0;		/* every one is answered below */
	while (k->n > 0)
		park_release(k, k->v[k->n - 1]);
	return NULL;
}

static void	park_stop_thread(struct park *);

/* Once a second, expire dead sessions, on a thread and connection of its
 * own: a sweep waiting for a game's row lock never delays a wake-up.
 * Every VACUUM_SWEEPS seconds, vacuum the transport tables (query.c
 * query_vacuum says why), and analyze them at the first and then every
 * ANALYZE_VACUUMS-th. */
static void *
sweeper_main(void *arg)
{
	struct park	*k = arg;
	struct timespec	 until;
	int		 stop;
	unsigned	 n = 0;

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
		if (++n % VACUUM_SWEEPS == 0)
			ERR_IGNORE(svc_vacuum(k->svc, k->sweep_db,
			    n % (VACUUM_SWEEPS * ANALYZE_VACUUMS) ==
			    VACUUM_SWEEPS));
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
	if ((k->recent = calloc(RECENT, sizeof(*k->recent))) == NULL) {
		free(k);
		return ERR_NOMEM;
	}
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
	free(k->recent);
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
	/* A copy, not the worker's buffers: those keep the capacity of the
	 * largest answer it wrote, and a parked poll lives long. */
	svc_resp_init(&e->resp);
	e->resp.status = resp->status;
	e->resp.content_type = resp->content_type;
	if (buf_append(&e->resp.headers, resp->headers.data,
	    resp->headers.len) != ERR_OK) {
		svc_resp_free(&e->resp);
		free(e);
		return ERR_NOMEM;
	}
	front_park(f);
	e->f = f;
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
	free(k->heap);
	free(k->ready);
	free(k->tab);
	free(k->recent);
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
