/*
 * check_buf.c -- unit tests of buf.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check_util.h"

/* ------------------------------------------------------------- core */

/* Appends in sequence and the contents expected after them. */
static const struct {
	const char	*parts[4];
	const char	*want;
} appends[] = {
	{ { "", NULL }, "" },
	{ { "a", NULL }, "a" },
	{ { "ab", "cd", NULL }, "abcd" },
	{ { "", "x", "", NULL }, "x" },
	{ { "hello", " ", "world", NULL }, "hello world" },
};

START_TEST(test_append)
{
	struct buf	 b;
	size_t		 k;

	buf_init(&b, 1024);
	for (k = 0; appends[_i].parts[k] != NULL; k++)
		ck_assert_err(buf_puts(&b, appends[_i].parts[k]), ERR_OK);
	ck_assert_span_eq(buf_span(&b), appends[_i].want);
	ck_assert_uint_eq(b.len, strlen(appends[_i].want));
	if (b.data != NULL)
		ck_assert_int_eq(b.data[b.len], '\0');
	buf_free(&b);
}
END_TEST

/* Values for the literal format "%d[%s]%05u" (literal, for -Wformat=2). */
static const struct {
	int		 n;
	const char	*s;
	unsigned	 u;
	const char	*want;
} printfs[] = {
	{ 42, "", 0, "42[]00000" },
	{ -7, "x", 12, "-7[x]00012" },
	{ 0, "hello world", 123456, "0[hello world]123456" },
};

START_TEST(test_printf)
{
	struct buf	 b;

	buf_init(&b, 64);
	ck_assert_err(buf_puts(&b, ">"), ERR_OK);
	ck_assert_err(buf_printf(&b, "%d[%s]%05u", printfs[_i].n,
	    printfs[_i].s, printfs[_i].u), ERR_OK);
	ck_assert_str_eq(b.data + 1, printfs[_i].want);
	ck_assert_uint_eq(b.len, 1 + strlen(printfs[_i].want));
	buf_free(&b);
}
END_TEST

START_TEST(test_binary_and_growth)
{
	struct buf	 b;
	char		 chunk[100];
	size_t		 i;

	memset(chunk, 0, sizeof(chunk));
	chunk[50] = 'z';
	buf_init(&b, 100000);
	for (i = 0; i < 1000; i++)
		ck_assert_err(buf_append(&b, chunk, sizeof(chunk)), ERR_OK);
	ck_assert_uint_eq(b.len, 100000);
	ck_assert_uint_ge(b.cap, b.len + 1);
	ck_assert_int_eq(b.data[b.len], '\0');
	ck_assert_int_eq(b.data[50], 'z');
	ck_assert_int_eq(b.data[99950], 'z');
	ck_assert_int_eq(b.data[49], '\0');
	buf_free(&b);
}
END_TEST

START_TEST(test_reset_and_steal)
{
	struct buf	 b;
	char		*p;

	buf_init(&b, 16);
	ck_assert_err(buf_puts(&b, "abc"), ERR_OK);
	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	ck_assert_err(buf_putc(&b, 'x'), ERR_OK);
	p = buf_steal(&b);
	ck_assert_str_eq(p, "x");
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	free(p);
	/* Stealing an empty buffer yields an owned "" */
	p = buf_steal(&b);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "");
	free(p);
	/* The buffer is usable after a steal */
	ck_assert_err(buf_puts(&b, "again"), ERR_OK);
	ck_assert_span_eq(buf_span(&b), "again");
	buf_free(&b);
	buf_free(&b);	/* twice is harmless */
}
END_TEST

START_TEST(test_empty_span)
{
	struct buf	 b;
	struct span	 s;

	buf_init(&b, 8);
	s = buf_span(&b);
	ck_assert_ptr_nonnull(s.p);
	ck_assert_uint_eq(s.len, 0);
	buf_free(&b);
	buf_free(NULL);
}
END_TEST

/* ----------------------------------------------------------- limits */

/* max, first append, second append and its expected result. */
static const struct {
	size_t		 max;
	const char	*first;
	const char	*second;
	enum err	 want;
	const char	*after;
} caps[] = {
	{ 0, "", "", ERR_OK, "" },
	{ 0, "", "a", ERR_LIMIT, "" },
	{ 3, "ab", "c", ERR_OK, "abc" },
	{ 3, "ab", "cd", ERR_LIMIT, "ab" },
	{ 3, "abc", "", ERR_OK, "abc" },
	{ 4, "", "abcde", ERR_LIMIT, "" },
	{ 256, "", "x", ERR_OK, "x" },
};

START_TEST(test_cap)
{
	struct buf	 b;

	buf_init(&b, caps[_i].max);
	ck_assert_err(buf_puts(&b, caps[_i].first), ERR_OK);
	ck_assert_err(buf_puts(&b, caps[_i].second), caps[_i].want);
	ck_assert_span_eq(buf_span(&b), caps[_i].after);
	ck_assert_uint_le(b.len, b.max);
	buf_free(&b);
}
END_TEST

START_TEST(test_printf_cap)
{
	struct buf	 b;

	buf_init(&b, 5);
	ck_assert_err(buf_printf(&b, "%d", 1234), ERR_OK);
	ck_assert_err(buf_printf(&b, "%d", 56), ERR_LIMIT);
	ck_assert_span_eq(buf_span(&b), "1234");
	ck_assert_err(buf_printf(&b, "%d", 5), ERR_OK);
	ck_assert_span_eq(buf_span(&b), "12345");
	ck_assert_err(buf_putc(&b, 'x'), ERR_LIMIT);
	ck_assert_str_eq(b.data, "12345");
	buf_free(&b);
}
END_TEST

START_TEST(test_huge_append)
{
	struct buf	 b;
	char		 c = 'x';

	buf_init(&b, 10);
	ck_assert_err(buf_putc(&b, c), ERR_OK);
	/* Subtraction-form check: SIZE_MAX must not wrap. */
	ck_assert_err(buf_append(&b, &c, (size_t)-1), ERR_LIMIT);
	ck_assert_span_eq(buf_span(&b), "x");
	buf_free(&b);
}
END_TEST

static Suite *
buf_suite(void)
{
	Suite	*s = suite_create("buf");
	TCase	*tc;

	tc = tcase_create("core");
	tcase_add_table(tc, test_append, appends);
	tcase_add_table(tc, test_printf, printfs);
	tcase_add_test(tc, test_binary_and_growth);
	tcase_add_test(tc, test_reset_and_steal);
	tcase_add_test(tc, test_empty_span);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_table(tc, test_cap, caps);
	tcase_add_test(tc, test_printf_cap);
	tcase_add_test(tc, test_huge_append);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(buf_suite());
}
