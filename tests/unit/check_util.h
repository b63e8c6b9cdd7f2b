/*
 * check_util.h -- helpers shared by the Check unit tests.  Header only.
 */
#ifndef DUGOUT_CHECK_UTIL_H
#define DUGOUT_CHECK_UTIL_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "span.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Run fn once per row of the case table tab; _i is the row index. */
#define tcase_add_table(tc, fn, tab) \
	tcase_add_loop_test((tc), (fn), 0, (int)NELEM(tab))

/* Assert a struct span holds exactly the bytes of the C string e; binary
 * spans print up to their length. */
#define ck_assert_span_eq(sp, e) do {					\
	struct span	 ck_s_ = (sp);					\
	const char	*ck_e_ = (e);					\
	ck_assert_msg(span_eq(ck_s_, ck_e_),				\
	    "span \"%.*s\" (len %zu) != \"%s\" (len %zu)",		\
	    (int)ck_s_.len, ck_s_.p, ck_s_.len, ck_e_, strlen(ck_e_));	\
} while (0)

/* Assert two enum err values are equal, naming both on failure. */
#define ck_assert_err(got, want) do {					\
	enum err	 ck_g_ = (got), ck_w_ = (want);			\
	ck_assert_msg(ck_g_ == ck_w_, "err %s (%d) != %s (%d)",		\
	    err_str(ck_g_), (int)ck_g_, err_str(ck_w_), (int)ck_w_);	\
} while (0)

/* Run every test of s; EXIT_SUCCESS when none failed.  Suite is freed. */
static inline int
check_main(Suite *s)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
