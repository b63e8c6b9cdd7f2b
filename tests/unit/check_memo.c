/*
 * check_memo.c -- unit tests of memo.c: scripts of puts, takes and drops
 * at given times, each step with what it must answer, then a table of
 * many sessions to see the expired ones go.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check_util.h"
#include "memo.h"

#define MS	1000000LL	/* ns */
#define T0	(1000 * MS)	/* a monotonic "now" well past 0 */
#define W0	5000000		/* a wall-clock "now", in ms */
#define A	"aaaaaaaaaaaaaaaaaaaa"
#define B	"bbbbbbbbbbbbbbbbbbbb"
#define A2	"aaaazzzzzzzzzzzzzzzz"	/* A's key, another session */

/* The wake key: the sid's first four characters, so that A and A2 share
 * one, as two sessions can share a NOTIFY key. */
static void
key4(const char *sid, char out[MEMO_KEY_MAX + 1])
{
	(void)snprintf(out, MEMO_KEY_MAX + 1, "k%.4s", sid);
}

/* One step: at T0 + at_ms (and W0 + at_ms on the wall clock), op on sid.
 * put: looked = T0 + at_ms - 1 ms, deadline = W0 + at_ms + ttl_ms.
 * take: want the answer, and for MEMO_HOLD that looked and deadline. */
struct step {
	char		 op;	/* 'p'ut, 't'ake, 'd'rop, 's'tale, a NOTIFY
				   of sid's key ('k'), 'n' (count) */
	const char	*sid;
	int64_t		 at_ms;
	int64_t		 ping_ms;	/* put: the next ping in */
	enum memo_take	 want;		/* take */
	int64_t		 want_put_at;	/* take HOLD: the put it returns */
	int64_t		 want_ping_ms;
	size_t		 want_n;	/* 'n' */
};

#define END	{ 0, NULL, 0, 0, MEMO_NONE, 0, 0, 0 }
#define PUT(s, at, ping)	{ 'p', s, at, ping, MEMO_NONE, 0, 0, 0 }
#define TAKE(s, at, w)		{ 't', s, at, 0, w, 0, 0, 0 }
#define HOLD(s, at, put, ping)	{ 't', s, at, 0, MEMO_HOLD, put, ping, 0 }
#define WOKEN(s, at, put, ping)	{ 't', s, at, 0, MEMO_WOKEN, put, ping, 0 }
#define DROP(s, at)		{ 'd', s, at, 0, MEMO_NONE, 0, 0, 0 }
#define STALE(s, at)		{ 's', s, at, 0, MEMO_NONE, 0, 0, 0 }
#define NOTIFY(s, at)		{ 'k', s, at, 0, MEMO_NONE, 0, 0, 0 }
#define COUNT(at, n)		{ 'n', NULL, at, 0, MEMO_NONE, 0, 0, n }

static const struct {
	const char	*name;
	struct step	 steps[10];
} scripts[] = {
	{ "nothing known", { TAKE(A, 0, MEMO_NONE), COUNT(0, 0), END } },
	{ "answered, then the next GET holds it", {
	    PUT(A, 0, 25000), HOLD(A, 3, 0, 25000), COUNT(3, 1), END } },
	{ "a second GET while held", {
	    PUT(A, 0, 25000), HOLD(A, 3, 0, 25000),
	    TAKE(A, 4, MEMO_HELD), TAKE(A, 5000, MEMO_HELD), END } },
	{ "held, answered again, held again: the newest answer", {
	    PUT(A, 0, 25000), HOLD(A, 3, 0, 25000), PUT(A, 40, 24000),
	    HOLD(A, 41, 40, 24000), END } },
	{ "one answer serves one GET", {
	    PUT(A, 0, 25000), HOLD(A, 1, 0, 25000), DROP(A, 2),
	    TAKE(A, 3, MEMO_NONE), END } },
	{ "too late: the next GET asks the database", {
	    PUT(A, 0, 25000), TAKE(A, MEMO_TTL_MS, MEMO_NONE), COUNT(MEMO_TTL_MS, 0),
	    END } },
	{ "just in time", {
	    PUT(A, 0, 25000), HOLD(A, MEMO_TTL_MS - 1, 0, 25000), END } },
	{ "ping due within the margin: the database answers it", {
	    PUT(A, 0, MEMO_MARGIN_MS + 10), TAKE(A, 10, MEMO_NONE),
	    COUNT(10, 0), END } },
	{ "ping due just past the margin", {
	    PUT(A, 0, MEMO_MARGIN_MS + 10), HOLD(A, 9, 0, MEMO_MARGIN_MS + 10),
	    END } },
	{ "a deadline already passed", {
	    PUT(A, 0, -5), TAKE(A, 1, MEMO_NONE), END } },
	{ "sessions apart", {
	    PUT(A, 0, 25000), PUT(B, 1, 20000), HOLD(B, 2, 1, 20000),
	    HOLD(A, 3, 0, 25000), TAKE(B, 4, MEMO_HELD), COUNT(4, 2), END } },
	{ "dropped: gone, held or not", {
	    PUT(A, 0, 25000), DROP(A, 1), TAKE(A, 2, MEMO_NONE),
	    PUT(B, 3, 25000), HOLD(B, 4, 3, 25000), DROP(B, 5),
	    TAKE(B, 6, MEMO_NONE), COUNT(6, 0), END } },
	{ "a held poll outlives the time to live", {
	    PUT(A, 0, 25000), HOLD(A, 1, 0, 25000), PUT(B, 10 * MEMO_TTL_MS, 1000),
	    TAKE(A, 10 * MEMO_TTL_MS, MEMO_HELD), COUNT(10 * MEMO_TTL_MS, 2),
	    END } },
	{ "expired ones go at the next put", {
	    PUT(A, 0, 25000), PUT(B, MEMO_TTL_MS + 1, 25000),
	    COUNT(MEMO_TTL_MS + 1, 1), END } },
	{ "a put renews", {
	    PUT(A, 0, 25000), PUT(A, MEMO_TTL_MS - 1, 25000),
	    HOLD(A, 2 * MEMO_TTL_MS - 2, MEMO_TTL_MS - 1, 25000), END } },
	{ "a NOTIFY since the answer: held, to be looked at at once", {
	    PUT(A, 0, 25000), NOTIFY(A, 1), WOKEN(A, 2, 0, 25000),
	    TAKE(A, 3, MEMO_HELD), COUNT(3, 1), END } },
	{ "a NOTIFY wakes every session of its key, and no other", {
	    PUT(A, 0, 25000), PUT(A2, 0, 25000), PUT(B, 0, 25000),
	    NOTIFY(A2, 1), WOKEN(A, 2, 0, 25000), WOKEN(A2, 2, 0, 25000),
	    HOLD(B, 3, 0, 25000), END } },
	{ "an answer after the NOTIFY: its own read counts", {
	    PUT(A, 0, 25000), NOTIFY(A, 1), PUT(A, 5, 25000),
	    HOLD(A, 6, 5, 25000), END } },
	{ "a NOTIFY, then too late: the database", {
	    PUT(A, 0, 25000), NOTIFY(A, 1), TAKE(A, MEMO_TTL_MS, MEMO_NONE),
	    END } },
	{ "a NOTIFY leaves a held GET to the parking thread", {
	    PUT(A, 0, 25000), HOLD(A, 1, 0, 25000), NOTIFY(A, 2),
	    TAKE(A, 3, MEMO_HELD), END } },
	{ "a pong: the next ping is later than remembered", {
	    PUT(A, 0, 20000), STALE(A, 1), TAKE(A, 2, MEMO_NONE), END } },
	{ "a pong while a GET is held: still held", {
	    PUT(A, 0, 20000), HOLD(A, 1, 0, 20000), STALE(A, 2),
	    TAKE(A, 3, MEMO_HELD), END } },
	{ "a sid too long is not kept", {
	    PUT(A "x", 0, 25000), TAKE(A "x", 1, MEMO_NONE), COUNT(1, 0),
	    END } },
};

START_TEST(test_script)
{
	struct memo		*m = NULL;
	const struct step	*s;
	int64_t			 looked, deadline;

	ck_assert_err(memo_new(key4, &m), ERR_OK);
	for (s = scripts[_i].steps; s->op != 0; s++) {
		int64_t	 ns = T0 + s->at_ms * MS, ms = W0 + s->at_ms;

		switch (s->op) {
		case 'p':
			memo_put(m, s->sid, ns - MS, ms + s->ping_ms, ns);
			break;
		case 't':
			looked = deadline = -1;
			ck_assert_msg(memo_take(m, s->sid, ns, ms, &looked,
			    &deadline) == s->want, "%s: step %td: take %d",
			    scripts[_i].name, s - scripts[_i].steps,
			    (int)s->want);
			if (s->want == MEMO_HOLD) {
				ck_assert_int_eq(looked,
				    T0 + s->want_put_at * MS - MS);
				ck_assert_int_eq(deadline,
				    W0 + s->want_put_at + s->want_ping_ms);
			} else if (s->want == MEMO_WOKEN) {
				ck_assert_int_eq(looked, 0);
				ck_assert_int_eq(deadline,
				    W0 + s->want_put_at + s->want_ping_ms);
			} else {
				ck_assert_int_eq(looked, -1);
				ck_assert_int_eq(deadline, -1);
			}
			break;
		case 'd':
			memo_drop(m, s->sid);
			break;
		case 's':
			memo_stale(m, s->sid);
			break;
		case 'k': {
			char	 key[MEMO_KEY_MAX + 1];

			key4(s->sid, key);
			memo_notify(m, key);
			break;
		}
		case 'n':
			/* a take of nobody purges, as a put does */
			(void)memo_take(m, "nobody", ns, ms, &looked,
			    &deadline);
			ck_assert_msg(memo_count(m) == s->want_n,
			    "%s: %zu remembered, want %zu", scripts[_i].name,
			    memo_count(m), s->want_n);
			break;
		}
	}
	memo_free(m);
}
END_TEST

/* Many sessions, answered 1 ms apart: the table grows past its first
 * size, every one is found, and those past the time to live go. */
START_TEST(test_many)
{
	struct memo	*m = NULL;
	char		 sid[EIO_SID_LEN + 1];
	int64_t		 looked, deadline;
	int		 i, n = 5000;

	ck_assert_err(memo_new(key4, &m), ERR_OK);
	for (i = 0; i < n; i++) {
		(void)snprintf(sid, sizeof(sid), "s%019d", i);
		memo_put(m, sid, T0 + i * MS, W0 + 25000, T0 + i * MS);
	}
	ck_assert_uint_eq(memo_count(m), MEMO_TTL_MS);
	for (i = n - MEMO_TTL_MS; i < n; i++) {
		(void)snprintf(sid, sizeof(sid), "s%019d", i);
		ck_assert_int_eq(memo_take(m, sid, T0 + (n - 1) * MS, W0,
		    &looked, &deadline), MEMO_HOLD);
		ck_assert_int_eq(looked, T0 + i * MS);
	}
	(void)snprintf(sid, sizeof(sid), "s%019d", n - MEMO_TTL_MS - 1);
	ck_assert_int_eq(memo_take(m, sid, T0 + (n - 1) * MS, W0, &looked,
	    &deadline), MEMO_NONE);
	memo_free(m);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("memo");
	TCase	*tc = tcase_create("memo");

	tcase_add_table(tc, test_script, scripts);
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);
	return check_main(s);
}
