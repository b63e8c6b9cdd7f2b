/*
 * metrics.h -- this process's counters, gauges and histograms, and their
 * Prometheus text exposition (format 0.0.4).  Pure: no I/O and no clock;
 * callers measure durations themselves and pass nanoseconds.
 *
 * Thread-safe: every update is a relaxed atomic, so the workers, the
 * parking thread and each db.c connection update while another thread
 * renders.  A rendering is not a snapshot across series (a counter may move
 * between two lines), but each histogram's +Inf bucket always equals its
 * _count, since both come from the same reads.
 *
 * Every function accepts a NULL struct metrics and then does nothing, so
 * code shared with dugoutctl (db.c, service.c) needs no special case.
 *
 * Labelled counters have a bounded label set (METRICS_MAX_LABELS values
 * each, "other" included): a family is either closed (only the values
 * declared with metrics_label_add get their own series) or open until
 * full; every other value counts as "other".  Values are restricted to
 * [A-Za-z0-9_-], so they never need escaping.
 */
#ifndef DUGOUT_METRICS_H
#define DUGOUT_METRICS_H

#include <stdint.h>

#include "err.h"

struct buf;
struct metrics;

/* Labelled counters. */
enum metrics_counter {
	METRICS_EVENTS,		/* dugout_events_total{event} */
	METRICS_ERRORS,		/* dugout_errors_total{code} */
	METRICS_GETS,		/* dugout_polls_total{from} */
	METRICS_COUNTER__MAX
};

/* Gauges this process keeps itself. */
enum metrics_gauge {
	METRICS_POLLS_PARKED,	/* dugout_polls_parked */
	METRICS_GAUGE__MAX
};

/* Histograms of durations. */
enum metrics_hist {
	METRICS_WAKE,		/* dugout_notify_wake_seconds */
	METRICS_DB,		/* dugout_db_seconds */
	METRICS_HIST__MAX
};

/* Label values per family, "other" included; bytes of one value. */
#define METRICS_MAX_LABELS	64
#define METRICS_MAX_LABEL_LEN	64

/* What the caller read from the database for one scrape: shared state,
 * which every process sees the same. */
struct metrics_scrape {
	int		 db_ok;		/* the reads below worked */
	int64_t		 sessions_open;	/* live eio_session rows */
};

/* A zeroed set: every family holds only "other"; every counter family
 * is open.  ERR_NOMEM. */
enum err	 metrics_new(struct metrics **out) MUSTCHECK;
void		 metrics_free(struct metrics *);

/*
 * Declare a label value of family c, so that its series is shown (at 0)
 * before its first count.  Declaring a value twice is ERR_OK.  ERR_PROTO
 * when value is empty, longer than METRICS_MAX_LABEL_LEN or has a byte
 * outside [A-Za-z0-9_-]; ERR_LIMIT when the family is full.
 */
enum err	 metrics_label_add(struct metrics *, enum metrics_counter c,
		    const char *value) MUSTCHECK;

/* From now on only declared values of c get their own series. */
void		 metrics_label_close(struct metrics *,
		    enum metrics_counter c);

/* Add one to c{value}; value NULL, invalid, undeclared in a closed family
 * or past the family's bound counts as "other". */
void		 metrics_count(struct metrics *, enum metrics_counter c,
		    const char *value);

void		 metrics_gauge_add(struct metrics *, enum metrics_gauge g,
		    int64_t delta);

/* One observation of h, in nanoseconds. */
void		 metrics_observe(struct metrics *, enum metrics_hist h,
		    uint64_t ns);

/*
 * Append the whole exposition to out: for each metric `# HELP`, `# TYPE`
 * and its samples; histograms as cumulative _bucket{le} lines ending with
 * le="+Inf", then _sum (seconds) and _count.  dugout_sessions_open is
 * shown only when sc->db_ok; dugout_database_up says which.  ERR_LIMIT or
 * ERR_NOMEM from out (partly written).
 */
enum err	 metrics_render(struct metrics *,
		    const struct metrics_scrape *sc, struct buf *out) MUSTCHECK;

#endif
