/*
 * metrics.c -- counters, gauges, histograms and their Prometheus text
 * exposition (see metrics.h).  Format: the Prometheus "text-based format"
 * 0.0.4 (exposition_formats.md): `# HELP name text`, `# TYPE name kind`,
 * then `name{label="value"} number` lines.
 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "metrics.h"

/* Finite bounds of one histogram (the tables below). */
#define METRICS_MAX_BUCKETS	16

/* A bucket's upper bound: in nanoseconds to compare, as text for `le`
 * (written once here, so no float formatting decides the label). */
struct bound {
	uint64_t	 ns;
	const char	*le;
};

/* Polls are answered in well under a second when all is well; a wake
 * past 1 s means the parking thread or the database is struggling. */
static const struct bound wake_bounds[] = {
	{ 1000000, "0.001" }, { 2500000, "0.0025" }, { 5000000, "0.005" },
	{ 10000000, "0.01" }, { 25000000, "0.025" }, { 50000000, "0.05" },
	{ 100000000, "0.1" }, { 250000000, "0.25" }, { 500000000, "0.5" },
	{ 1000000000, "1" }, { 2500000000ULL, "2.5" }, { 5000000000ULL, "5" },
	{ 0, NULL }
};

/* A prepared statement on a local socket takes ~0.1-1 ms; a COMMIT with
 * NOTIFY waits for the WAL flush. */
static const struct bound db_bounds[] = {
	{ 100000, "0.0001" }, { 250000, "0.00025" }, { 500000, "0.0005" },
	{ 1000000, "0.001" }, { 2500000, "0.0025" }, { 5000000, "0.005" },
	{ 10000000, "0.01" }, { 25000000, "0.025" }, { 50000000, "0.05" },
	{ 100000000, "0.1" }, { 250000000, "0.25" }, { 500000000, "0.5" },
	{ 1000000000, "1" }, { 0, NULL }
};

_Static_assert(sizeof(wake_bounds) / sizeof(wake_bounds[0]) - 1 <=
    METRICS_MAX_BUCKETS, "wake buckets");
_Static_assert(sizeof(db_bounds) / sizeof(db_bounds[0]) - 1 <=
    METRICS_MAX_BUCKETS, "db buckets");

struct family {
	pthread_mutex_t	 mu;		/* serialises additions */
	int		 closed;	/* under mu */
	_Atomic size_t	 n;		/* published; [0] is "other" */
	char		 value[METRICS_MAX_LABELS][METRICS_MAX_LABEL_LEN + 1];
	_Atomic uint64_t count[METRICS_MAX_LABELS];
};

struct hist {
	const struct bound	*bounds;	/* ends with a NULL le */
	size_t			 nb;
	/* Per bucket, not cumulative; the last one is +Inf. */
	_Atomic uint64_t	 bucket[METRICS_MAX_BUCKETS + 1];
	_Atomic uint64_t	 sum_ns;
};

struct metrics {
	struct family		 fam[METRICS_COUNTER__MAX];
	_Atomic int64_t		 gauge[METRICS_GAUGE__MAX];
	struct hist		 hist[METRICS_HIST__MAX];
};

/* The text of each metric: name, HELP, and the label of a family. */
static const struct {
	const char	*name;
	const char	*label;
	const char	*help;
} counters[METRICS_COUNTER__MAX] = {
	[METRICS_EVENTS] = { "dugout_events_total", "event",
	    "Socket.IO events handled by this process, by event name "
	    "(names not in the event table count as other)." },
	[METRICS_ERRORS] = { "dugout_errors_total", "code",
	    "Error codes this process sent to clients (error events, failed "
	    "acks, CONNECT refusals), by code." },
	[METRICS_GETS] = { "dugout_polls_total", "from",
	    "Long-poll GETs this process began, by what said whether they "
	    "wait: the database (dugout_get_take) or what it remembered of "
	    "the poll it answered just before (memo.h)." },
};

static const struct {
	const char	*name;
	const char	*help;
} gauges[METRICS_GAUGE__MAX] = {
	[METRICS_POLLS_PARKED] = { "dugout_polls_parked",
	    "Long-poll GETs this process holds, waiting for something to "
	    "deliver or for their deadline." },
};

static const struct {
	const char		*name;
	const char		*help;
	const struct bound	*bounds;
} hists[METRICS_HIST__MAX] = {
	[METRICS_WAKE] = { "dugout_notify_wake_seconds",
	    "From a NOTIFY reaching this process to the parked poll it woke "
	    "being answered, in seconds.", wake_bounds },
	[METRICS_DB] = { "dugout_db_seconds",
	    "Round trip of each database statement this process ran "
	    "(prepared statements, BEGIN, COMMIT), in seconds.", db_bounds },
};

enum err
metrics_new(struct metrics **out)
{
	struct metrics	*m;
	size_t		 i, b;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < METRICS_COUNTER__MAX; i++) {
		pthread_mutex_init(&m->fam[i].mu, NULL);
		(void)strcpy(m->fam[i].value[0], "other");
		atomic_init(&m->fam[i].n, 1);
	}
	for (i = 0; i < METRICS_HIST__MAX; i++) {
		m->hist[i].bounds = hists[i].bounds;
		for (b = 0; hists[i].bounds[b].le != NULL; b++)
			continue;
		m->hist[i].nb = b;
	}
	*out = m;
	return ERR_OK;
}

void
metrics_free(struct metrics *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	for (i = 0; i < METRICS_COUNTER__MAX; i++)
		pthread_mutex_destroy(&m->fam[i].mu);
	free(m);
}

/* 1 when v may be a label value: [A-Za-z0-9_-]{1,METRICS_MAX_LABEL_LEN}. */
static int
label_ok(const char *v)
{
	size_t	 i;

	if (v == NULL)
		return 0;
	for (i = 0; v[i] != '\0'; i++) {
		if (i >= METRICS_MAX_LABEL_LEN)
			return 0;
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= 'A' && v[i] <= 'Z') ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '_' || v[i] == '-'))
			return 0;
	}
	return i > 0;
}

/* Index of v among the first n published values, or 0 ("other"). */
static size_t
label_find(const struct family *f, size_t n, const char *v)
{
	size_t	 i;

	for (i = 1; i < n; i++)
		if (strcmp(f->value[i], v) == 0)
			return i;
	return 0;
}

/*
 * Index of v, adding it when allowed (declare: always until full; count:
 * while the family is open).  Readers scan without the lock: a value is
 * written before n is raised (release), and read after n (acquire).
 */
static size_t
label_index(struct family *f, const char *v, int declare, enum err *er)
{
	size_t	 n, i;

	*er = ERR_OK;
	n = atomic_load_explicit(&f->n, memory_order_acquire);
	if ((i = label_find(f, n, v)) != 0 || strcmp(v, "other") == 0)
		return i;
	pthread_mutex_lock(&f->mu);
	n = atomic_load_explicit(&f->n, memory_order_relaxed);
	if ((i = label_find(f, n, v)) == 0) {
		if (n == METRICS_MAX_LABELS)
			*er = ERR_LIMIT;
		else if (declare || !f->closed) {
			/* label_ok bounded v: it fits */
			(void)strcpy(f->value[n], v);
			atomic_store_explicit(&f->n, n + 1,
			    memory_order_release);
			i = n;
		}
	}
	pthread_mutex_unlock(&f->mu);
	return i;
}

enum err
metrics_label_add(struct metrics *m, enum metrics_counter c, const char *v)
{
	enum err	 er;

	if (m == NULL)
		return ERR_OK;
	if (!label_ok(v))
		return ERR_PROTO;
	(void)label_index(&m->fam[c], v, 1, &er);
	return er;
}

void
metrics_label_close(struct metrics *m, enum metrics_counter c)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->fam[c].mu);
	m->fam[c].closed = 1;
	pthread_mutex_unlock(&m->fam[c].mu);
}

void
metrics_count(struct metrics *m, enum metrics_counter c, const char *v)
{
	struct family	*f;
	size_t		 i = 0;
	enum err	 er;

	if (m == NULL)
		return;
	f = &m->fam[c];
	if (label_ok(v))
		i = label_index(f, v, 0, &er);	/* full: "other" */
	atomic_fetch_add_explicit(&f->count[i], 1, memory_order_relaxed);
}

void
metrics_gauge_add(struct metrics *m, enum metrics_gauge g, int64_t delta)
{
	if (m != NULL)
		atomic_fetch_add_explicit(&m->gauge[g], delta,
		    memory_order_relaxed);
}

void
metrics_observe(struct metrics *m, enum metrics_hist h, uint64_t ns)
{
	struct hist	*t;
	size_t		 b;

	if (m == NULL)
		return;
	t = &m->hist[h];
	/* `le` is inclusive: a value equal to a bound is in that bucket. */
	for (b = 0; b < t->nb && ns > t->bounds[b].ns; b++)
		continue;
	atomic_fetch_add_explicit(&t->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&t->sum_ns, ns, memory_order_relaxed);
}

/* ---------------------------------------------------------- rendering */

static enum err
head(struct buf *out, const char *name, const char *type, const char *help)
{
	return buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

static enum err
render_counter(struct metrics *m, enum metrics_counter c, struct buf *out)
{
	struct family	*f = &m->fam[c];
	size_t		 i, n;
	enum err	 er;

	if ((er = head(out, counters[c].name, "counter",
	    counters[c].help)) != ERR_OK)
		return er;
	n = atomic_load_explicit(&f->n, memory_order_acquire);
	/* Declared values first, in order; "other" last. */
	for (i = 1; i <= n && er == ERR_OK; i++)
		er = buf_printf(out, "%s{%s=\"%s\"} %" PRIu64 "\n",
		    counters[c].name, counters[c].label, f->value[i % n],
		    atomic_load_explicit(&f->count[i % n],
		    memory_order_relaxed));
	return er;
}

static enum err
render_hist(struct metrics *m, enum metrics_hist h, struct buf *out)
{
	struct hist	*t = &m->hist[h];
	const char	*name = hists[h].name;
	uint64_t	 cum = 0, sum;
	size_t		 b;
	enum err	 er;

	if ((er = head(out, name, "histogram", hists[h].help)) != ERR_OK)
		return er;
	for (b = 0; b <= t->nb && er == ERR_OK; b++) {
		cum += atomic_load_explicit(&t->bucket[b],
		    memory_order_relaxed);
		er = buf_printf(out, "%s_bucket{le=\"%s\"} %" PRIu64 "\n",
		    name, b < t->nb ? t->bounds[b].le : "+Inf", cum);
	}
	if (er != ERR_OK)
		return er;
	sum = atomic_load_explicit(&t->sum_ns, memory_order_relaxed);
	/* Seconds as integer digits: no float rounding in the text. */
	return buf_printf(out, "%s_sum %" PRIu64 ".%09" PRIu64 "\n"
	    "%s_count %" PRIu64 "\n", name, sum / 1000000000,
	    sum % 1000000000, name, cum);
}

static enum err
render_shared(const struct metrics_scrape *sc, struct buf *out)
{
	enum err	 er = ERR_OK;

	if (sc->db_ok && ((er = head(out, "dugout_sessions_open", "gauge",
	    "Engine.IO sessions open in the database (every process "
	    "shares them).")) != ERR_OK ||
	    (er = buf_printf(out, "dugout_sessions_open %" PRId64 "\n",
	    sc->sessions_open)) != ERR_OK))
		return er;
	if ((er = head(out, "dugout_database_up", "gauge", "1 when this "
	    "scrape could read the database, else 0.")) != ERR_OK)
		return er;
	return buf_printf(out, "dugout_database_up %d\n", sc->db_ok ? 1 : 0);
}

enum err
metrics_render(struct metrics *m, const struct metrics_scrape *sc,
    struct buf *out)
{
	size_t		 i;
	enum err	 er;

	if (m == NULL)
		return ERR_OK;
	if ((er = render_shared(sc, out)) != ERR_OK)
		return er;
	for (i = 0; i < METRICS_GAUGE__MAX; i++)
		if ((er = head(out, gauges[i].name, "gauge",
		    gauges[i].help)) != ERR_OK ||
		    (er = buf_printf(out, "%s %" PRId64 "\n", gauges[i].name,
		    atomic_load_explicit(&m->gauge[i],
		    memory_order_relaxed))) != ERR_OK)
			return er;
	for (i = 0; i < METRICS_COUNTER__MAX; i++)
		if ((er = render_counter(m, (enum metrics_counter)i,
		    out)) != ERR_OK)
			return er;
	for (i = 0; i < METRICS_HIST__MAX; i++)
		if ((er = render_hist(m, (enum metrics_hist)i, out)) != ERR_OK)
			return er;
	return ERR_OK;
}
