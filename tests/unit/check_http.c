/*
 * check_http.c -- unit tests of http.c (protocol.md §2, §9).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "buf.h"
#include "check_util.h"
#include "http.h"

#define HS_QS	"EIO=4&transport=polling&t=N8hyd6w"

/* ---------------------------------------------------- query strings */

static const struct {
	const char	*qs;
	const char	*key;
	enum err	 want;
	const char	*value;		/* when ERR_OK */
} queries[] = {
	{ HS_QS, "EIO", ERR_OK, "4" },
	{ HS_QS, "transport", ERR_OK, "polling" },
	{ HS_QS, "t", ERR_OK, "N8hyd6w" },
	{ HS_QS, "sid", ERR_NOTFOUND, NULL },
	{ "EIO=4&transport=polling&sid=lv_VI97HAXpY6yYWAAAC", "sid", ERR_OK,
	    "lv_VI97HAXpY6yYWAAAC" },
	{ "a=hello%20world", "a", ERR_OK, "hello world" },
	{ "a=x+y", "a", ERR_OK, "x y" },
	{ "a=%2B%26%3d%25", "a", ERR_OK, "+&=%" },
	{ "a=%C3%A9t%c3%a9", "a", ERR_OK, "\xc3\xa9t\xc3\xa9" },
	{ "a", "a", ERR_OK, "" },
	{ "a&b=1", "a", ERR_OK, "" },
	{ "b=1&a", "a", ERR_OK, "" },
	{ "a=", "a", ERR_OK, "" },
	{ "a=1&a=2", "a", ERR_OK, "1" },		/* first wins */
	{ "a&a=2", "a", ERR_OK, "" },
	{ "a=1=2", "a", ERR_OK, "1=2" },
	{ "%61=1", "a", ERR_OK, "1" },			/* names decode */
	{ "a+b=1", "a b", ERR_OK, "1" },
	{ "&&a=1&", "a", ERR_OK, "1" },
	{ "x=%zz&a=1", "a", ERR_OK, "1" },		/* others unchecked */
	{ "%zz=1&a=2", "a", ERR_OK, "2" },
	{ "%6=1&a=2", "a", ERR_OK, "2" },
	{ "ab=1", "a", ERR_NOTFOUND, NULL },
	{ "a=1", "ab", ERR_NOTFOUND, NULL },
	{ "A=1", "a", ERR_NOTFOUND, NULL },
	{ "", "a", ERR_NOTFOUND, NULL },
	{ "=1", "a", ERR_NOTFOUND, NULL },
	{ "&", "a", ERR_NOTFOUND, NULL },
	{ "a%3D1=2", "a", ERR_NOTFOUND, NULL },
	{ "a%3D1=2", "a=1", ERR_OK, "2" },
};

START_TEST(test_query)
{
	struct buf	 b;

	buf_init(&b, 256);
	ck_assert_err(buf_puts(&b, ">"), ERR_OK);
	ck_assert_err(http_query_get(span_of(queries[_i].qs),
	    queries[_i].key, &b), queries[_i].want);
	if (queries[_i].want == ERR_OK)
		ck_assert_str_eq(b.data + 1, queries[_i].value);
	else
		ck_assert_span_eq(buf_span(&b), ">");
	buf_free(&b);
}
END_TEST

/* The query is a span: bytes after its end are not part of it. */
START_TEST(test_query_span)
{
	struct buf	 b;

	buf_init(&b, 256);
	ck_assert_err(http_query_get((struct span){ "a=12345", 4 }, "a", &b),
	    ERR_OK);
	ck_assert_span_eq(buf_span(&b), "12");
	buf_free(&b);
}
END_TEST

static const struct {
	const char	*qs;
	const char	*key;
} bad_queries[] = {
	{ "a=%", "a" },
	{ "a=%2", "a" },
	{ "a=x%", "a" },
	{ "a=%zz", "a" },
	{ "a=%0g", "a" },
	{ "a=%g0", "a" },
	{ "a=%%41", "a" },
	{ "a=%00", "a" },
	{ "a=x%00y", "a" },
	{ "a=%00&a=1", "a" },		/* first wins, even when bad */
	{ "b=1&a=%", "a" },
};

START_TEST(test_query_malformed)
{
	struct buf	 b;

	buf_init(&b, 256);
	ck_assert_err(buf_puts(&b, "keep"), ERR_OK);
	ck_assert_err(http_query_get(span_of(bad_queries[_i].qs),
	    bad_queries[_i].key, &b), ERR_PROTO);
	ck_assert_span_eq(buf_span(&b), "keep");
	buf_free(&b);
}
END_TEST

/* Values against out's cap (`max` bytes). */
static const struct {
	const char	*qs;
	size_t		 max;
	enum err	 want;
} query_caps[] = {
	{ "a=1234", 4, ERR_OK },
	{ "a=12345", 4, ERR_LIMIT },
	{ "a=%41%42%43%44", 4, ERR_OK },	/* decoded size counts */
	{ "a=%41%42%43%44%45", 4, ERR_LIMIT },
	{ "a=", 0, ERR_OK },
	{ "a=1", 0, ERR_LIMIT },
};

START_TEST(test_query_cap)
{
	struct buf	 b;

	buf_init(&b, query_caps[_i].max);
	ck_assert_err(http_query_get(span_of(query_caps[_i].qs), "a", &b),
	    query_caps[_i].want);
	if (query_caps[_i].want != ERR_OK)
		ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------ CORS */

static char *const allow_one[] = { "https://example.org" };
static char *const allow_two[] = { "https://other.org",
    "https://example.org" };
static char *const allow_any[] = { "*" };
static char *const allow_null[] = { "null" };
static char *const allow_path[] = { "https://example.org/" };

#define LIST(a)	(a), NELEM(a)

static const struct {
	const char	*origin;
	char *const	*allow;
	size_t		 nallow;
	int		 want;
} origins[] = {
	{ "https://example.org", LIST(allow_one), 1 },
	{ "https://example.org", LIST(allow_two), 1 },
	{ "https://other.org", LIST(allow_two), 1 },
	{ "https://example.org:443", LIST(allow_one), 0 },
	{ "http://example.org", LIST(allow_one), 0 },
	{ "https://EXAMPLE.org", LIST(allow_one), 0 },
	{ "https://example.org.evil", LIST(allow_one), 0 },
	{ "https://example.or", LIST(allow_one), 0 },
	{ "https://example.org", NULL, 0, 0 },
	{ NULL, LIST(allow_one), 0 },
	{ NULL, LIST(allow_any), 0 },		/* no Origin: no CORS */
	{ "https://any.example", LIST(allow_any), 1 },
	{ "http://localhost:3000", LIST(allow_any), 1 },
	{ "null", LIST(allow_any), 1 },
	{ "null", LIST(allow_one), 0 },
	{ "null", LIST(allow_null), 1 },
	{ "https://evil.org\r\nX-A: b", LIST(allow_any), 0 },
	{ "https://example.org/", LIST(allow_path), 0 },	/* invalid */
	{ "", LIST(allow_any), 0 },
};

START_TEST(test_origin_allowed)
{
	ck_assert_int_eq(http_origin_allowed(origins[_i].origin,
	    origins[_i].allow, origins[_i].nallow), origins[_i].want);
}
END_TEST

static const struct {
	const char	*origin;
	int		 valid;
} valid_origins[] = {
	{ "null", 1 },
	{ "https://example.org", 1 },
	{ "http://localhost:3000", 1 },
	{ "http://127.0.0.1:8080", 1 },
	{ "http://[::1]:3000", 1 },
	{ "http://[2001:db8::1]", 1 },
	{ "app+x-y.z://host", 1 },
	{ "https://a_b-c.example", 1 },
	{ "https://example.org:65535", 1 },
	{ "https://example.org:1", 1 },
	{ "chrome-extension://abcdefghijklmnop", 1 },
	{ NULL, 0 },
	{ "", 0 },
	{ "Null", 0 },
	{ "null ", 0 },
	{ "example.org", 0 },
	{ "https://", 0 },
	{ "https:/example.org", 0 },
	{ "https:example.org", 0 },
	{ "://example.org", 0 },
	{ "1http://example.org", 0 },
	{ "https://example.org/", 0 },
	{ "https://example.org/path", 0 },
	{ "https://example.org?x=1", 0 },
	{ "https://example.org#x", 0 },
	{ "https://user@example.org", 0 },
	{ "https://example.org:", 0 },
	{ "https://example.org:65536", 0 },
	{ "https://example.org:123456", 0 },
	{ "https://example.org:80a", 0 },
	{ "https://example.org:-1", 0 },
	{ "https://exa mple.org", 0 },
	{ "https://example.org\r\n", 0 },
	{ "https://example.org\t", 0 },
	{ "https://ex\xc3\xa9.org", 0 },
	{ "http://[::1", 0 },
	{ "http://[]", 0 },
	{ "http://[::g]", 0 },
	{ "https://example.org,https://other.org", 0 },
	{ "https://\"x\"", 0 },
};

START_TEST(test_origin_valid)
{
	ck_assert_int_eq(http_origin_valid(valid_origins[_i].origin),
	    valid_origins[_i].valid);
}
END_TEST

/* An Origin of exactly HTTP_MAX_HEADER bytes is looked at; one more is
 * refused before parsing. */
static const struct {
	size_t	 len;
	int	 valid;
} origin_lengths[] = {
	{ HTTP_MAX_HEADER, 1 },
	{ HTTP_MAX_HEADER + 1, 0 },
	{ 4 * HTTP_MAX_HEADER, 0 },
};

START_TEST(test_origin_length)
{
	char	*s;
	size_t	 n = origin_lengths[_i].len;

	s = malloc(n + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, "https://", 8);
	memset(s + 8, 'a', n - 8);
	s[n] = '\0';
	ck_assert_int_eq(http_origin_valid(s), origin_lengths[_i].valid);
	free(s);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite	*s = suite_create("http");
	TCase	*tc;

	tc = tcase_create("core");
	tcase_add_table(tc, test_query, queries);
	tcase_add_test(tc, test_query_span);
	tcase_add_table(tc, test_origin_allowed, origins);
	tcase_add_table(tc, test_origin_valid, valid_origins);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_table(tc, test_query_cap, query_caps);
	tcase_add_table(tc, test_origin_length, origin_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_table(tc, test_query_malformed, bad_queries);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(http_suite());
}
