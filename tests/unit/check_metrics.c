/*
 * check_metrics.c -- unit tests of metrics.c: what each update does to the
 * exposition, the bounds of the label sets, and that every rendering is
 * well-formed Prometheus text (format 0.0.4): each sample line matches the
 * grammar, each metric has HELP and TYPE before its samples, histogram
 * buckets are cumulative and end with le="+Inf" equal to _count.
 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check_util.h"
#include "metrics.h"

#define OUT_MAX	(1024 * 1024)

/* ------------------------------------------------ the format checker */

static int
name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || (!first && c >= '0' && c <= '9');
}

/* Length of the metric or label name at s (0: none). */
static size_t
name_len(const char *s)
{
	size_t	 i;

	for (i = 0; name_char(s[i], i == 0); i++)
		continue;
	return i;
}

/* A Go ParseFloat-style number, or +Inf/-Inf/NaN. */
static int
number_ok(const char *s)
{
	char	*end;

	if (strcmp(s, "+Inf") == 0 || strcmp(s, "-Inf") == 0 ||
	    strcmp(s, "NaN") == 0)
		return 1;
	if (*s == '\0')
		return 0;
	(void)strtod(s, &end);
	return *end == '\0';
}

struct family {
	char	 name[128];
	char	 type[16];
	int	 help;
};

/* The family a sample belongs to: its name, less a histogram suffix. */
static const struct family *
family_of(const struct family *f, size_t n, const char *sample, size_t len)
{
	static const char *const sfx[] = { "_bucket", "_sum", "_count" };
	size_t	 i, j, l;

	for (i = 0; i < n; i++) {
		l = strlen(f[i].name);
		if (l == len && strncmp(f[i].name, sample, len) == 0)
			return &f[i];
		if (strcmp(f[i].type, "histogram") != 0 || len <= l ||
		    strncmp(f[i].name, sample, l) != 0)
			continue;
		for (j = 0; j < NELEM(sfx); j++)
			if (len - l == strlen(sfx[j]) &&
			    strncmp(sample + l, sfx[j], len - l) == 0)
				return &f[i];
	}
	return NULL;
}

/* Check the labels {a="b",...} at *p; advance past them. */
static void
labels_check(const char **p, const char *line)
{
	const char	*s = *p + 1;
	size_t		 l;

	for (;;) {
		ck_assert_msg((l = name_len(s)) > 0, "label name: %s", line);
		s += l;
		ck_assert_msg(s[0] == '=' && s[1] == '"', "label =\": %s", line);
		for (s += 2; *s != '"'; s++) {
			ck_assert_msg(*s != '\0' && *s != '\n', "label: %s",
			    line);
			if (*s == '\\')
				s++;
		}
		s++;
		if (*s == '}')
			break;
		ck_assert_msg(*s == ',', "label separator: %s", line);
		s++;
	}
	*p = s + 1;
}

/* Histogram state while its samples go by. */
struct hstate {
	char		 name[128];
	double		 last;		/* previous cumulative bucket count */
	double		 inf;		/* the +Inf bucket, -1 until seen */
	int		 buckets;
};

static void
hist_sample(struct hstate *h, const char *line, const char *labels,
    const char *value)
{
	double	 v = strtod(value, NULL);

	if (strstr(line, "_bucket{") != NULL) {
		ck_assert_msg(h->inf < 0, "bucket after +Inf: %s", line);
		ck_assert_msg(v >= h->last, "buckets not cumulative: %s", line);
		h->last = v;
		h->buckets++;
		if (strstr(labels, "le=\"+Inf\"") != NULL)
			h->inf = v;
	} else if (strstr(line, "_count ") != NULL) {
		ck_assert_msg(h->inf >= 0, "no +Inf bucket before %s", line);
		ck_assert_msg(v == h->inf, "+Inf != _count: %s", line);
	}
}

/*
 * Assert text is a well-formed exposition; returns the number of sample
 * lines.  A copy is cut into lines.
 */
static size_t
expo_check(const char *text)
{
	struct family	 fam[32];
	struct hstate	 h = { "", 0, -1, 0 };
	const struct family *f;
	char		*copy, *line, *save = NULL, *sp;
	const char	*p, *labels;
	size_t		 n = 0, l, samples = 0, i;

	ck_assert_ptr_nonnull(text);
	l = strlen(text);
	ck_assert_msg(l > 0 && text[l - 1] == '\n', "ends with a newline");
	ck_assert_ptr_nonnull(copy = strdup(text));
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0 ||
		    strncmp(line, "# TYPE ", 7) == 0) {
			ck_assert_uint_gt(l = name_len(line + 7), 0);
			ck_assert_msg(line[7 + l] == ' ', "%s", line);
			for (i = 0; i < n && (strlen(fam[i].name) != l ||
			    strncmp(fam[i].name, line + 7, l) != 0); i++)
				continue;
			if (i == n) {
				ck_assert_uint_lt(n, NELEM(fam));
				memset(&fam[n], 0, sizeof(fam[n]));
				(void)snprintf(fam[n].name, sizeof(fam[n].name),
				    "%.*s", (int)l, line + 7);
				n++;
			}
			if (line[2] == 'H') {
				ck_assert_msg(!fam[i].help, "two HELP: %s", line);
				fam[i].help = 1;
			} else {
				sp = line + 8 + l;
				ck_assert_msg(strcmp(sp, "counter") == 0 ||
				    strcmp(sp, "gauge") == 0 ||
				    strcmp(sp, "histogram") == 0, "%s", line);
				ck_assert_msg(fam[i].type[0] == '\0', "%s", line);
				(void)snprintf(fam[i].type, sizeof(fam[i].type),
				    "%s", sp);
			}
			continue;
		}
		ck_assert_msg(line[0] != '#', "unknown comment: %s", line);
		ck_assert_msg((l = name_len(line)) > 0, "sample: %s", line);
		f = family_of(fam, n, line, l);
		ck_assert_msg(f != NULL && f->help && f->type[0] != '\0',
		    "no HELP and TYPE before: %s", line);
		p = line + l;
		labels = p;
		if (*p == '{')
			labels_check(&p, line);
		ck_assert_msg(*p == ' ', "value separator: %s", line);
		ck_assert_msg(number_ok(p + 1), "value: %s", line);
		if (strcmp(f->type, "histogram") == 0) {
			if (strcmp(h.name, f->name) != 0) {
				ck_assert_msg(h.name[0] == '\0' || h.inf >= 0,
				    "histogram %s without +Inf", h.name);
				(void)snprintf(h.name, sizeof(h.name), "%s",
				    f->name);
				h.last = 0;
				h.inf = -1;
				h.buckets = 0;
			}
			hist_sample(&h, line, labels, p + 1);
		}
		samples++;
	}
	free(copy);
	return samples;
}

/* ------------------------------------------------------------- core */

/*
 * Apply a script of updates, space separated:
 *   d:NAME  declare event NAME       c       close the event family
 *   e:NAME  count event NAME         e       count a NULL event name
 *   r:CODE  count error CODE         g:N     add N to polls_parked
 *   w:NS    observe a wake (ns)      b:NS    observe a db round trip
 * ("Q" in NAME/CODE stands for a double quote).
 */
static void
script_run(struct metrics *m, const char *script)
{
	char	*copy, *op, *save = NULL, *arg, *q;

	ck_assert_ptr_nonnull(copy = strdup(script));
	for (op = strtok_r(copy, " ", &save); op != NULL;
	    op = strtok_r(NULL, " ", &save)) {
		arg = op[1] == ':' ? op + 2 : NULL;
		for (q = arg; q != NULL && *q != '\0'; q++)
			if (*q == 'Q')
				*q = '"';
		switch (op[0]) {
		case 'd':
			ck_assert_err(metrics_label_add(m, METRICS_EVENTS, arg),
			    ERR_OK);
			break;
		case 'c':
			metrics_label_close(m, METRICS_EVENTS);
			break;
		case 'e':
			metrics_count(m, METRICS_EVENTS, arg);
			break;
		case 'r':
			metrics_count(m, METRICS_ERRORS, arg);
			break;
		case 'g':
			metrics_gauge_add(m, METRICS_POLLS_PARKED,
			    strtoll(arg, NULL, 10));
			break;
		case 'w':
			metrics_observe(m, METRICS_WAKE,
			    strtoull(arg, NULL, 10));
			break;
		case 'b':
			metrics_observe(m, METRICS_DB, strtoull(arg, NULL, 10));
			break;
		default:
			ck_abort_msg("bad op %s", op);
		}
	}
	free(copy);
}

#define EV	"dugout_events_total"
#define ER	"dugout_errors_total"
#define WK	"dugout_notify_wake_seconds"
#define DB	"dugout_db_seconds"

/* A script, the scrape, and lines that must (want) and must not (absent)
 * be in the rendering, each a whole line. */
static const struct {
	const char	*script;
	int		 db_ok;
	int64_t		 sessions;
	const char	*want[8];
	const char	*absent[4];
} cases[] = {
	{ "", 1, 0, { "dugout_sessions_open 0", "dugout_database_up 1",
	    "dugout_polls_parked 0", EV "{event=\"other\"} 0",
	    ER "{code=\"other\"} 0", WK "_bucket{le=\"+Inf\"} 0",
	    WK "_sum 0.000000000", DB "_count 0" }, { NULL } },
	{ "", 1, 1234, { "dugout_sessions_open 1234" }, { NULL } },
	/* The database could not be read: no session count at all. */
	{ "", 0, 99, { "dugout_database_up 0" },
	    { "dugout_sessions_open 99", "dugout_sessions_open 0",
	    "# TYPE dugout_sessions_open gauge" } },
	{ "g:1 g:1 g:1 g:-1", 1, 0, { "dugout_polls_parked 2" }, { NULL } },
	/* Declared events show at 0; a closed family sends the rest to
	 * other. */
	{ "d:join_game d:roll_dice c", 1, 0, { EV "{event=\"join_game\"} 0",
	    EV "{event=\"roll_dice\"} 0", EV "{event=\"other\"} 0" },
	    { NULL } },
	{ "d:join_game c e:join_game e:join_game e:nope e", 1, 0,
	    { EV "{event=\"join_game\"} 2", EV "{event=\"other\"} 2" },
	    { EV "{event=\"nope\"} 0", EV "{event=\"nope\"} 1" } },
	{ "d:join_game d:join_game e:join_game", 1, 0,
	    { EV "{event=\"join_game\"} 1" }, { NULL } },
	/* An open family grows with what it counts. */
	{ "r:NOT_IN_GAME r:RATE_LIMITED r:NOT_IN_GAME", 1, 0,
	    { ER "{code=\"NOT_IN_GAME\"} 2", ER "{code=\"RATE_LIMITED\"} 1",
	    ER "{code=\"other\"} 0" }, { NULL } },
	{ "r:other r:other", 1, 0, { ER "{code=\"other\"} 2" }, { NULL } },
	/* Label text that would need escaping is never a label. */
	{ "r:aQb r:a\\b r:", 1, 0, { ER "{code=\"other\"} 3" },
	    { ER "{code=\"a\\\"b\"} 1" } },
	/* `le` is inclusive; past the last bound is only +Inf. */
	{ "w:1000000", 1, 0, { WK "_bucket{le=\"0.001\"} 1",
	    WK "_bucket{le=\"+Inf\"} 1", WK "_sum 0.001000000",
	    WK "_count 1" }, { NULL } },
	{ "w:1000001", 1, 0, { WK "_bucket{le=\"0.001\"} 0",
	    WK "_bucket{le=\"0.0025\"} 1", WK "_sum 0.001000001" },
	    { NULL } },
	{ "w:0", 1, 0, { WK "_bucket{le=\"0.001\"} 1", WK "_count 1" },
	    { NULL } },
	{ "w:10000000000 w:5000000000", 1, 0, { WK "_bucket{le=\"5\"} 1",
	    WK "_bucket{le=\"+Inf\"} 2", WK "_sum 15.000000000",
	    WK "_count 2" }, { NULL } },
	{ "b:50000 b:300000 b:300000 b:2000000000", 1, 0,
	    { DB "_bucket{le=\"0.0001\"} 1", DB "_bucket{le=\"0.00025\"} 1",
	    DB "_bucket{le=\"0.0005\"} 3", DB "_bucket{le=\"1\"} 3",
	    DB "_bucket{le=\"+Inf\"} 4", DB "_sum 2.000650000",
	    DB "_count 4" }, { WK "_count 4" } },
};

/* 1 when line is a whole line of text. */
static int
has_line(const char *text, const char *line)
{
	size_t		 l = strlen(line);
	const char	*p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[l] == '\n')
			return 1;
	return 0;
}

START_TEST(test_render)
{
	struct metrics		*m = NULL;
	struct metrics_scrape	 sc = { cases[_i].db_ok, cases[_i].sessions };
	struct buf		 out;
	size_t			 i;

	buf_init(&out, OUT_MAX);
	ck_assert_err(metrics_new(&m), ERR_OK);
	script_run(m, cases[_i].script);
	ck_assert_err(metrics_render(m, &sc, &out), ERR_OK);
	ck_assert_uint_gt(expo_check(out.data), 0);
	for (i = 0; i < NELEM(cases[_i].want) && cases[_i].want[i]; i++)
		ck_assert_msg(has_line(out.data, cases[_i].want[i]),
		    "no line \"%s\" in:\n%s", cases[_i].want[i], out.data);
	for (i = 0; i < NELEM(cases[_i].absent) && cases[_i].absent[i]; i++)
		ck_assert_msg(!has_line(out.data, cases[_i].absent[i]),
		    "line \"%s\" in:\n%s", cases[_i].absent[i], out.data);
	metrics_free(m);
	buf_free(&out);
}
END_TEST

/* The whole first rendering, to see the order and every HELP text. */
START_TEST(test_render_order)
{
	static const char *const order[] = {
		"# TYPE dugout_sessions_open gauge",
		"# TYPE dugout_database_up gauge",
		"# TYPE dugout_polls_parked gauge",
		"# TYPE dugout_events_total counter",
		EV "{event=\"join_game\"} 0",
		EV "{event=\"other\"} 0",
		"# TYPE dugout_errors_total counter",
		"# TYPE dugout_polls_total counter",
		"dugout_polls_total{from=\"other\"} 0",
		"# TYPE dugout_notify_wake_seconds histogram",
		WK "_bucket{le=\"0.001\"} 0",
		WK "_bucket{le=\"5\"} 0",
		WK "_bucket{le=\"+Inf\"} 0",
		WK "_sum 0.000000000",
		WK "_count 0",
		"# TYPE dugout_db_seconds histogram",
		DB "_bucket{le=\"0.0001\"} 0",
		DB "_bucket{le=\"1\"} 0",
		DB "_count 0",
	};
	struct metrics		*m = NULL;
	struct metrics_scrape	 sc = { 1, 5 };
	struct buf		 out;
	const char		*p;
	size_t			 i;

	buf_init(&out, OUT_MAX);
	ck_assert_err(metrics_new(&m), ERR_OK);
	script_run(m, "d:join_game");
	ck_assert_err(metrics_render(m, &sc, &out), ERR_OK);
	p = out.data;
	for (i = 0; i < NELEM(order); i++) {
		ck_assert_msg((p = strstr(p, order[i])) != NULL,
		    "\"%s\" missing or out of order in:\n%s", order[i],
		    out.data);
		p += strlen(order[i]);
	}
	metrics_free(m);
	buf_free(&out);
}
END_TEST

/* A NULL set does nothing and renders nothing. */
START_TEST(test_null)
{
	struct metrics_scrape	 sc = { 1, 1 };
	struct buf		 out;

	buf_init(&out, OUT_MAX);
	metrics_count(NULL, METRICS_EVENTS, "x");
	metrics_gauge_add(NULL, METRICS_POLLS_PARKED, 1);
	metrics_observe(NULL, METRICS_DB, 1);
	metrics_label_close(NULL, METRICS_EVENTS);
	ck_assert_err(metrics_label_add(NULL, METRICS_EVENTS, "x"), ERR_OK);
	ck_assert_err(metrics_render(NULL, &sc, &out), ERR_OK);
	ck_assert_uint_eq(out.len, 0);
	metrics_free(NULL);
	buf_free(&out);
}
END_TEST

/* Counts from several threads at once all land. */
#define THREADS	4
#define PER	20000

static void *
hammer(void *arg)
{
	struct metrics	*m = arg;
	char		 code[16];
	int		 i;

	for (i = 0; i < PER; i++) {
		metrics_count(m, METRICS_EVENTS, "join_game");
		(void)snprintf(code, sizeof(code), "C%d", i % 100);
		metrics_count(m, METRICS_ERRORS, code);
		metrics_observe(m, METRICS_DB, (uint64_t)i * 1000);
		metrics_gauge_add(m, METRICS_POLLS_PARKED, i % 2 ? -1 : 1);
	}
	return NULL;
}

START_TEST(test_threads)
{
	struct metrics		*m = NULL;
	struct metrics_scrape	 sc = { 1, 0 };
	struct buf		 out;
	pthread_t		 th[THREADS];
	const char		*p;
	uint64_t		 total = 0;
	size_t			 i;

	buf_init(&out, OUT_MAX);
	ck_assert_err(metrics_new(&m), ERR_OK);
	ck_assert_err(metrics_label_add(m, METRICS_EVENTS, "join_game"),
	    ERR_OK);
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, hammer, m), 0);
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	ck_assert_err(metrics_render(m, &sc, &out), ERR_OK);
	expo_check(out.data);
	ck_assert(has_line(out.data, EV "{event=\"join_game\"} 80000"));
	ck_assert(has_line(out.data, DB "_count 80000"));
	ck_assert(has_line(out.data, "dugout_polls_parked 0"));
	/* 100 codes (C0..C99) fit the family's 63 own series at most: the
	 * rest counted as other; every count is somewhere. */
	for (p = out.data; (p = strstr(p, ER "{code=")) != NULL; p++)
		total += strtoull(strchr(p, ' ') + 1, NULL, 10);
	ck_assert_uint_eq(total, THREADS * PER);
	metrics_free(m);
	buf_free(&out);
}
END_TEST

/* ----------------------------------------------------------- limits */

/* The label set of a family is bounded: METRICS_MAX_LABELS - 1 values
 * of its own, then ERR_LIMIT (declared) or "other" (counted). */
START_TEST(test_label_bound)
{
	struct metrics		*m = NULL;
	struct metrics_scrape	 sc = { 1, 0 };
	struct buf		 out;
	char			 v[16];
	size_t			 i;

	buf_init(&out, OUT_MAX);
	ck_assert_err(metrics_new(&m), ERR_OK);
	for (i = 1; i < METRICS_MAX_LABELS; i++) {
		(void)snprintf(v, sizeof(v), "ev%zu", i);
		ck_assert_err(metrics_label_add(m, METRICS_EVENTS, v), ERR_OK);
	}
	ck_assert_err(metrics_label_add(m, METRICS_EVENTS, "one_more"),
	    ERR_LIMIT);
	ck_assert_err(metrics_label_add(m, METRICS_EVENTS, "ev1"), ERR_OK);
	metrics_count(m, METRICS_EVENTS, "one_more");
	metrics_count(m, METRICS_EVENTS, "ev63");
	ck_assert_err(metrics_render(m, &sc, &out), ERR_OK);
	expo_check(out.data);
	ck_assert(has_line(out.data, EV "{event=\"other\"} 1"));
	ck_assert(has_line(out.data, EV "{event=\"ev63\"} 1"));
	ck_assert(!has_line(out.data, EV "{event=\"one_more\"} 1"));
	metrics_free(m);
	buf_free(&out);
}
END_TEST

/* The longest label value is accepted, one byte more is not. */
static const struct {
	size_t		 len;
	enum err	 want;
} lens[] = {
	{ 1, ERR_OK },
	{ METRICS_MAX_LABEL_LEN, ERR_OK },
	{ METRICS_MAX_LABEL_LEN + 1, ERR_PROTO },
};

START_TEST(test_label_len)
{
	struct metrics	*m = NULL;
	char		 v[METRICS_MAX_LABEL_LEN + 2];

	memset(v, 'a', lens[_i].len);
	v[lens[_i].len] = '\0';
	ck_assert_err(metrics_new(&m), ERR_OK);
	ck_assert_err(metrics_label_add(m, METRICS_ERRORS, v), lens[_i].want);
	metrics_free(m);
}
END_TEST

/* An output buffer too small for the rendering: ERR_LIMIT, no crash. */
static const size_t smalls[] = { 0, 1, 100, 1000 };

START_TEST(test_render_small)
{
	struct metrics		*m = NULL;
	struct metrics_scrape	 sc = { 1, 0 };
	struct buf		 out;

	buf_init(&out, smalls[_i]);
	ck_assert_err(metrics_new(&m), ERR_OK);
	ck_assert_err(metrics_render(m, &sc, &out), ERR_LIMIT);
	ck_assert_uint_le(out.len, smalls[_i]);
	metrics_free(m);
	buf_free(&out);
}
END_TEST

/* -------------------------------------------------------- malformed */

static const char *const bad_labels[] = {
	"", "a b", "a\"b", "a\\b", "a\nb", "a{b", "a}b", "a=b", "é", "a,b",
};

START_TEST(test_label_bad)
{
	struct metrics		*m = NULL;
	struct metrics_scrape	 sc = { 1, 0 };
	struct buf		 out;

	buf_init(&out, OUT_MAX);
	ck_assert_err(metrics_new(&m), ERR_OK);
	ck_assert_err(metrics_label_add(m, METRICS_EVENTS, bad_labels[_i]),
	    ERR_PROTO);
	metrics_count(m, METRICS_ERRORS, bad_labels[_i]);
	ck_assert_err(metrics_render(m, &sc, &out), ERR_OK);
	expo_check(out.data);
	ck_assert(has_line(out.data, ER "{code=\"other\"} 1"));
	metrics_free(m);
	buf_free(&out);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite	*s = suite_create("metrics");
	TCase	*tc;

	tc = tcase_create("core");
	tcase_add_table(tc, test_render, cases);
	tcase_add_test(tc, test_render_order);
	tcase_add_test(tc, test_null);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_label_bound);
	tcase_add_table(tc, test_label_len, lens);
	tcase_add_table(tc, test_render_small, smalls);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_table(tc, test_label_bad, bad_labels);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(metrics_suite());
}
