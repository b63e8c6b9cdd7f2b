/*
 * check_conf.c -- unit tests of conf.c: the file syntax, the environment
 * overrides, the combined checks and the load from a file.
 *
 * Results are compared as a dump of every field ("key=value" lines), so a
 * stray change to any other field fails the test too.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "buf.h"
#include "check_util.h"
#include "conf.h"

#define K32	"0123456789abcdef0123456789abcdef"	/* 32 chars */
#define K31	"0123456789abcdef0123456789abcde"

/* The dump of a conf fresh from conf_init. */
#define DEFAULTS						\
	"database=(null)\n"					\
	"jwt_algorithm=HS256\n"					\
	"jwt_key=(null)\n"					\
	"ping_interval=25000\n"					\
	"ping_timeout=20000\n"					\
	"connect_timeout=45000\n"				\
	"roll_expiry=600000\n"					\
	"rate_limit=20\n"					\
	"rate_burst=40\n"					\
	"rate_roll_dice=2\n"					\
	"max_queued=1000\n"					\
	"max_sessions_per_user=20\n"				\
	"max_sockets_per_session=10\n"				\
	"max_payload=1000000\n"					\
	"cors_origins=[]\n"					\
	"log_level=2\n"						\
	"conformance=0\n"					\
	"workers=4\n"						\
	"db_pool=4\n"						\
	"listen=(null)\n"					\
	"health=0\n"						\
	"metrics=0\n"						\
	"status_allow=[127.0.0.1/8|::1]\n"

#define NOTKV	"expected key = value"
#define PI_NUM	"ping_interval: expected a whole number from 50 to 3600000"
#define WK_NUM	"workers: expected a whole number from 1 to 12"
#define LL_BAD	"log_level: expected error, warn, info or debug"
#define SA_BAD	"\" is not an IPv4 or IPv6 address or CIDR block (e.g. " \
		"127.0.0.1/8, ::1)"

static const char *
str_or_null(const char *s)
{
	return s == NULL ? "(null)" : s;
}

/* Every field of c as "key=value\n" lines, in struct order. */
static void
conf_dump(const struct conf *c, struct buf *b)
{
	size_t	 i;

	ck_assert_ptr_nonnull(c->cors_origins);
	ck_assert_err(buf_printf(b, "database=%s\njwt_algorithm=%s\n"
	    "jwt_key=%s\nping_interval=%u\nping_timeout=%u\n"
	    "connect_timeout=%u\nroll_expiry=%u\nrate_limit=%u\n"
	    "rate_burst=%u\nrate_roll_dice=%u\nmax_queued=%u\n"
	    "max_sessions_per_user=%u\nmax_sockets_per_session=%u\n"
	    "max_payload=%zu\ncors_origins=[",
	    str_or_null(c->database), str_or_null(c->jwt_algorithm),
	    str_or_null(c->jwt_key), c->ping_interval, c->ping_timeout,
	    c->connect_timeout, c->roll_expiry, c->rate_limit, c->rate_burst,
	    c->rate_roll_dice, c->max_queued, c->max_sessions_per_user,
	    c->max_sockets_per_session, c->max_payload), ERR_OK);
	for (i = 0; c->cors_origins[i] != NULL; i++)
		ck_assert_err(buf_printf(b, "%s%s", i ? "|" : "",
		    c->cors_origins[i]), ERR_OK);
	ck_assert_uint_eq(i, c->ncors);
	ck_assert_err(buf_printf(b, "]\nlog_level=%d\nconformance=%d\n"
	    "workers=%u\ndb_pool=%u\nlisten=%s\nhealth=%d\nmetrics=%d\n"
	    "status_allow=[", c->log_level, c->conformance, c->workers,
	    c->db_pool, str_or_null(c->listen), c->health, c->metrics),
	    ERR_OK);
	ck_assert_ptr_nonnull(c->status_allow);
	for (i = 0; c->status_allow[i] != NULL; i++)
		ck_assert_err(buf_printf(b, "%s%s", i ? "|" : "",
		    c->status_allow[i]), ERR_OK);
	ck_assert_uint_eq(i, c->nstatus_allow);
	ck_assert_err(buf_puts(b, "]\n"), ERR_OK);
}

/* Assert the dump of c is exactly want. */
static void
conf_assert_dump(const struct conf *c, const char *want)
{
	struct buf	 b;

	buf_init(&b, 64 * 1024);
	conf_dump(c, &b);
	ck_assert_str_eq(b.data, want);
	buf_free(&b);
}

/* Assert that field `key` of c reads `want` in the dump. */
static void
conf_assert_field(const struct conf *c, const char *key, const char *want)
{
	struct buf	 b;
	const char	*p, *nl;
	size_t		 klen = strlen(key);

	buf_init(&b, 64 * 1024);
	ck_assert_err(buf_putc(&b, '\n'), ERR_OK);
	conf_dump(c, &b);
	for (p = b.data; (p = strstr(p, "\n")) != NULL; p++)
		if (strncmp(p + 1, key, klen) == 0 && p[1 + klen] == '=')
			break;
	ck_assert_msg(p != NULL, "no field %s", key);
	p += 1 + klen + 1;
	ck_assert_ptr_nonnull(nl = strchr(p, '\n'));
	ck_assert_msg(strlen(want) == (size_t)(nl - p) &&
	    strncmp(p, want, (size_t)(nl - p)) == 0, "%s=%.*s, want %s", key,
	    (int)(nl - p), p, want);
	buf_free(&b);
}

/* Text of a table row: len 0 means strlen (rows with a NUL give len). */
static struct span
text_of(const char *s, size_t len)
{
	return (struct span){ s, len ? len : strlen(s) };
}

/* ------------------------------------------------------------- core */

START_TEST(test_defaults)
{
	struct conf	 c;
	struct buf	 em;

	buf_init(&em, 1024);
	ck_assert_err(conf_init(&c), ERR_OK);
	conf_assert_dump(&c, DEFAULTS);
	/* Nothing to apply changes nothing. */
	ck_assert_err(conf_parse(&c, SPAN_LIT(""), &em), ERR_OK);
	ck_assert_err(conf_apply_env(&c, NULL, &em), ERR_OK);
	conf_assert_dump(&c, DEFAULTS);
	ck_assert_uint_eq(em.len, 0);
	conf_free(&c);
	conf_free(&c);		/* free leaves a state free accepts */
	conf_free(NULL);
	buf_free(&em);
}
END_TEST

/* One value of every key of conf.c's table. */
static const char sample[] =
	"# dugout.conf sample\n"
	"database = host=/run/postgresql dbname=dugout\n"
	"jwt_algorithm = HS512\n"
	"jwt_key = " K32 "\n"
	"ping_interval = 300\n"
	"ping_timeout = 200\n"
	"connect_timeout = 1000\n"
	"roll_expiry = 90000\n"
	"rate_limit = 5\n"
	"rate_burst = 7\n"
	"rate_roll_dice = 100000\n"
	"max_queued = 16\n"
	"max_sessions_per_user = 100000\n"
	"max_sockets_per_session = 1\n"
	"max_payload = 65536\n"
	"cors_origins = https://a.example, https://b.example\n"
	"log_level = debug\n"
	"conformance = on\n"
	"workers = 12\n"
	"db_pool = 64\n"
	"listen = unix:/run/dugout.sock\n"
	"health = on\n"
	"metrics = on\n"
	"status_allow = 10.0.0.0/8, 2001:db8::/32\n";

START_TEST(test_sample)
{
	struct conf	 c;
	struct buf	 em;

	buf_init(&em, 1024);
	ck_assert_err(conf_init(&c), ERR_OK);
	ck_assert_err(conf_parse(&c, SPAN_LIT(sample), &em), ERR_OK);
	conf_assert_dump(&c,
	    "database=host=/run/postgresql dbname=dugout\n"
	    "jwt_algorithm=HS512\n"
	    "jwt_key=" K32 "\n"
	    "ping_interval=300\n"
	    "ping_timeout=200\n"
	    "connect_timeout=1000\n"
	    "roll_expiry=90000\n"
	    "rate_limit=5\n"
	    "rate_burst=7\n"
	    "rate_roll_dice=100000\n"
	    "max_queued=16\n"
	    "max_sessions_per_user=100000\n"
	    "max_sockets_per_session=1\n"
	    "max_payload=65536\n"
	    "cors_origins=[https://a.example|https://b.example]\n"
	    "log_level=3\n"
	    "conformance=1\n"
	    "workers=12\n"
	    "db_pool=64\n"
	    "listen=unix:/run/dugout.sock\n"
	    "health=1\n"
	    "metrics=1\n"
	    "status_allow=[10.0.0.0/8|2001:db8::/32]\n");
	ck_assert_err(conf_validate(&c, &em), ERR_OK);
	ck_assert_uint_eq(em.len, 0);
	conf_free(&c);
	buf_free(&em);
}
END_TEST

/* Text that parses, and one field it must set. */
static const struct {
	const char	*text;
	const char	*key;
	const char	*value;
} parses[] = {
	{ "# c\n\n   \n\t ping_interval \t=\t 300 \t\n  # x = y\n",
	    "ping_interval", "300" },
	{ "ping_interval=300", "ping_interval", "300" },
	{ "ping_interval = 300\r\n", "ping_interval", "300" },
	{ "#ping_interval = 300\n", "ping_interval", "25000" },
	{ "\n\n\nworkers = 7\n\n", "workers", "7" },
	{ "workers = 2\nworkers = 3\n", "workers", "3" },
	{ "workers = 007", "workers", "7" },
	{ "database = host=/tmp dbname=dugout", "database",
	    "host=/tmp dbname=dugout" },
	{ "database = a # not a comment", "database", "a # not a comment" },
	{ "listen = unix:/x\nlisten =\n", "listen", "(null)" },
	{ "listen = tcp:127.0.0.1:9000", "listen", "tcp:127.0.0.1:9000" },
	{ "jwt_algorithm = HS384", "jwt_algorithm", "HS384" },
	{ "conformance = on", "conformance", "1" },
	{ "conformance = true", "conformance", "1" },
	{ "conformance = yes", "conformance", "1" },
	{ "conformance = 1", "conformance", "1" },
	{ "conformance = on\nconformance = off", "conformance", "0" },
	{ "conformance = on\nconformance = false", "conformance", "0" },
	{ "conformance = on\nconformance = no", "conformance", "0" },
	{ "conformance = on\nconformance = 0", "conformance", "0" },
	{ "log_level = error", "log_level", "0" },
	{ "log_level = warn", "log_level", "1" },
	{ "log_level = info", "log_level", "2" },
	{ "log_level = debug", "log_level", "3" },
	{ "cors_origins = https://a.example, https://b.example",
	    "cors_origins", "[https://a.example|https://b.example]" },
	{ "cors_origins = *", "cors_origins", "[*]" },
	{ "cors_origins = a,b c", "cors_origins", "[a|b|c]" },
	{ "cors_origins = ,, a ,,", "cors_origins", "[a]" },
	{ "cors_origins = a, b\ncors_origins = c", "cors_origins", "[c]" },
	{ "cors_origins = a, b\ncors_origins =", "cors_origins", "[]" },
	{ "cors_origins = , ,", "cors_origins", "[]" },
	{ "health = on", "health", "1" },
	{ "health = on\nhealth = off", "health", "0" },
	{ "metrics = yes", "metrics", "1" },
	{ "metrics = 0", "metrics", "0" },
	{ "status_allow = 192.0.2.7", "status_allow", "[192.0.2.7]" },
	{ "status_allow = 0.0.0.0/0, ::/0", "status_allow",
	    "[0.0.0.0/0|::/0]" },
	{ "status_allow = 10.1.2.3/8 fd00::1/8", "status_allow",
	    "[10.1.2.3/8|fd00::1/8]" },
	{ "status_allow = ::ffff:127.0.0.1/104", "status_allow",
	    "[::ffff:127.0.0.1/104]" },
	{ "status_allow = 127.0.0.1/008", "status_allow", "[127.0.0.1/008]" },
	{ "status_allow =", "status_allow", "[]" },
	{ "status_allow = ::1\nstatus_allow = 10.0.0.0/8", "status_allow",
	    "[10.0.0.0/8]" },
};

START_TEST(test_parse)
{
	struct conf	 c;
	struct buf	 em;

	buf_init(&em, 1024);
	ck_assert_err(conf_init(&c), ERR_OK);
	ck_assert_err(conf_parse(&c, span_of(parses[_i].text), &em), ERR_OK);
	conf_assert_field(&c, parses[_i].key, parses[_i].value);
	ck_assert_uint_eq(em.len, 0);
	conf_free(&c);
	buf_free(&em);
}
END_TEST

/* A fake environment, and one field it must set (key NULL: nothing may
 * change). */
static const struct {
	const char	*env[4];
	const char	*key;
	const char	*value;
} envs[] = {
	{ { "DUGOUT_PING_INTERVAL=300", NULL }, "ping_interval", "300" },
	{ { "DUGOUT_JWT_SECRET=" K32, NULL }, "jwt_key", K32 },
	{ { "DUGOUT_JWT_KEY=" K31, NULL }, "jwt_key", K31 },
	{ { "DUGOUT_DATABASE=dbname=x", NULL }, "database", "dbname=x" },
	{ { "DUGOUT_CORS_ORIGINS=https://a.example, https://b.example",
	    NULL }, "cors_origins", "[https://a.example|https://b.example]" },
	{ { "DUGOUT_CONFORMANCE=yes", NULL }, "conformance", "1" },
	{ { "DUGOUT_HEALTH=on", NULL }, "health", "1" },
	{ { "DUGOUT_METRICS=on", NULL }, "metrics", "1" },
	{ { "DUGOUT_STATUS_ALLOW=10.0.0.0/8", NULL }, "status_allow",
	    "[10.0.0.0/8]" },
	{ { "DUGOUT_LOG_LEVEL=error", NULL }, "log_level", "0" },
	{ { "DUGOUT_MAX_QUEUED=50", NULL }, "max_queued", "50" },
	{ { "DUGOUT_MAX_SESSIONS_PER_USER=3", NULL }, "max_sessions_per_user",
	    "3" },
	{ { "DUGOUT_MAX_SOCKETS_PER_SESSION=2", NULL },
	    "max_sockets_per_session", "2" },
	{ { "DUGOUT_WORKERS=2", "DUGOUT_WORKERS=3", NULL }, "workers", "3" },
	{ { "HOME=/root", "DUGOUT_DB_POOL=9", "PATH=/bin", NULL }, "db_pool",
	    "9" },
	{ { "DUGOUT_CONFIG=/nonexistent/dugout.conf", NULL }, NULL, NULL },
	{ { "DUGOUT_BUILD_DIR=/tmp", NULL }, NULL, NULL },
	{ { "DUGOUT_FOO=1", "DUGOUT_=1", "DUGOUT_PING_INTERVAL", NULL },
	    NULL, NULL },
	{ { "PING_INTERVAL=300", "dugout_ping_interval=300",
	    "XDUGOUT_PING_INTERVAL=300", NULL }, NULL, NULL },
	{ { "DUGOUT_PING_INTERVAL_X=1", "DUGOUT_LISTEN_=1", NULL },
	    NULL, NULL },
	{ { NULL }, NULL, NULL },
};

START_TEST(test_env)
{
	struct conf	 c;
	struct buf	 em;

	buf_init(&em, 1024);
	ck_assert_err(conf_init(&c), ERR_OK);
	ck_assert_err(conf_apply_env(&c, (char *const *)envs[_i].env, &em),
	    ERR_OK);
	if (envs[_i].key != NULL)
		conf_assert_field(&c, envs[_i].key, envs[_i].value);
	else
		conf_assert_dump(&c, DEFAULTS);
	ck_assert_uint_eq(em.len, 0);
	conf_free(&c);
	buf_free(&em);
}
END_TEST

/* The combined checks, on a conf set by text. */
static const struct {
	const char	*text;
	enum err	 want;
	const char	*msg;		/* exact */
} validates[] = {
	{ "database = x\njwt_key = " K32, ERR_OK, "" },
	{ "database = x\njwt_key = " K32 "\njwt_algorithm = HS384", ERR_OK,
	    "" },
	{ "database = x\njwt_key = " K32 "\njwt_algorithm = HS512", ERR_OK,
	    "" },
	{ "", ERR_CONFIG, "database is not set (set database in the config "
	    "file or DUGOUT_DATABASE)" },
	{ "database =\njwt_key = " K32, ERR_CONFIG, "database is not set "
	    "(set database in the config file or DUGOUT_DATABASE)" },
	{ "database = x", ERR_CONFIG, "jwt_key must be set and at least 32 "
	    "characters (or DUGOUT_JWT_SECRET)" },
	{ "database = x\njwt_key = " K31, ERR_CONFIG, "jwt_key must be set "
	    "and at least 32 characters (or DUGOUT_JWT_SECRET)" },
	{ "database = x\njwt_key = " K32 "\njwt_algorithm = RS256",
	    ERR_CONFIG, "jwt_algorithm RS256 needs jwt_public_key_file (a PEM "
	    "public key)" },
	{ "database = x\njwt_algorithm = ES256", ERR_CONFIG,
	    "jwt_algorithm ES256 needs jwt_public_key_file (a PEM public "
	    "key)" },
	{ "database = x\njwt_key = " K32 "\njwt_algorithm = none",
	    ERR_CONFIG, "jwt_algorithm: none is not supported (HS256, HS384, "
	    "HS512, RS256, RS384, RS512, ES256, ES384 or ES512)" },
	{ "database = x\njwt_key = " K32 "\njwt_algorithm = hs256",
	    ERR_CONFIG, "jwt_algorithm: hs256 is not supported (HS256, HS384, "
	    "HS512, RS256, RS384, RS512, ES256, ES384 or ES512)" },
};

START_TEST(test_validate)
{
	struct conf	 c;
	struct buf	 em;

	buf_init(&em, 1024);
	ck_assert_err(conf_init(&c), ERR_OK);
	ck_assert_err(conf_parse(&c, span_of(validates[_i].text), &em),
	    ERR_OK);
	ck_assert_err(conf_validate(&c, &em), validates[_i].want);
	ck_assert_span_eq(buf_span(&em), validates[_i].msg);
	conf_free(&c);
	buf_free(&em);
}
END_TEST

/*
 * An empty jwt_algorithm (file or DUGOUT_JWT_ALGORITHM=) must be refused,
 * by conf_set or conf_validate, with a message naming the key.
 */
static const char *const noalgs[] = {
	"database = x\njwt_key = " K32 "\njwt_algorithm =",
	"database = x\njwt_key = " K32 "\njwt_algorithm = \t ",
};

START_TEST(test_validate_noalg)
{
	struct conf	 c;
	struct buf	 em;
	enum err	 er;

	buf_init(&em, 1024);
	ck_assert_err(conf_init(&c), ERR_OK);
	if ((er = conf_parse(&c, span_of(noalgs[_i]), &em)) == ERR_OK)
		er = conf_validate(&c, &em);
	ck_assert_err(er, ERR_CONFIG);
	ck_assert_ptr_nonnull(em.data);
	ck_assert_msg(strstr(em.data, "jwt_algorithm") != NULL,
	    "message \"%s\"", em.data);
	conf_free(&c);
	buf_free(&em);
}
END_TEST

/* Writes text to a new temporary file; its path into path (owned by the
 * caller, unlink it). */
static void
tmpfile_make(char *path, size_t sz, const char *text)
{
	int	 fd;
	size_t	 n = strlen(text);

	ck_assert_int_lt(snprintf(path, sz, "/tmp/check_conf.XXXXXX"), sz);
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	ck_assert_int_eq(close(fd), 0);
}

/* Replace each '@' in tmpl by path. */
static void
subst(struct buf *b, const char *tmpl, const char *path)
{
	for (; *tmpl != '\0'; tmpl++)
		if (*tmpl == '@')
			ck_assert_err(buf_puts(b, path), ERR_OK);
		else
			ck_assert_err(buf_putc(b, *tmpl), ERR_OK);
}

#define LOADFILE	"database = file\njwt_key = " K32 "\n" \
			"workers = 2\nping_interval = 1000\n"

/*
 * conf_load of a temporary file.  "@" in env and msg stands for the file's
 * path; by_env passes the path as DUGOUT_CONFIG (and NULL as path).
 */
static const struct {
	const char	*file;
	int		 by_env;
	const char	*env[4];
	enum err	 want;
	const char	*msg;		/* exact, '@' is the path */
	const char	*key;		/* on ERR_OK: one field to check */
	const char	*value;
} loads[] = {
	{ LOADFILE, 0, { NULL }, ERR_OK, "", "ping_interval", "1000" },
	{ LOADFILE, 0, { NULL }, ERR_OK, "", "workers", "2" },
	{ LOADFILE, 0, { "DUGOUT_PING_INTERVAL=300", NULL }, ERR_OK, "",
	    "ping_interval", "300" },
	{ LOADFILE, 0, { "DUGOUT_DATABASE=env", NULL }, ERR_OK, "",
	    "database", "env" },
	{ LOADFILE, 1, { NULL }, ERR_OK, "", "database", "file" },
	{ LOADFILE, 1, { "DUGOUT_WORKERS=5", NULL }, ERR_OK, "", "workers",
	    "5" },
	/* An explicit path wins over DUGOUT_CONFIG. */
	{ LOADFILE, 0, { "DUGOUT_CONFIG=/nonexistent/dugout.conf", NULL },
	    ERR_OK, "", "database", "file" },
	{ "database = file\nworkers = 99\n", 0, { NULL }, ERR_CONFIG,
	    WK_NUM " (line 2) in @", NULL, NULL },
	{ "database = file\nworkers = 99\n", 1, { NULL }, ERR_CONFIG,
	    WK_NUM " (line 2) in @", NULL, NULL },
	{ LOADFILE, 0, { "DUGOUT_WORKERS=13", NULL }, ERR_CONFIG,
	    WK_NUM " (environment DUGOUT_WORKERS)", NULL, NULL },
	{ "database = file\n", 0, { NULL }, ERR_CONFIG, "jwt_key must be "
	    "set and at least 32 characters (or DUGOUT_JWT_SECRET)", NULL,
	    NULL },
	{ "database = file\n", 0, { "DUGOUT_JWT_SECRET=" K32, NULL },
	    ERR_OK, "", "jwt_key", K32 },
	{ "", 0, { "DUGOUT_DATABASE=d", "DUGOUT_JWT_SECRET=" K32, NULL },
	    ERR_OK, "", "database", "d" },
};

START_TEST(test_load)
{
	struct conf	 c;
	struct buf	 em, want, ev;
	char		 path[64];
	const char	*env[6] = { NULL };
	size_t		 i, n = 0;
	enum err	 er;

	buf_init(&em, 1024);
	buf_init(&want, 1024);
	buf_init(&ev, 1024);
	tmpfile_make(path, sizeof(path), loads[_i].file);
	if (loads[_i].by_env) {
		subst(&ev, "DUGOUT_CONFIG=@", path);
		env[n++] = ev.data;
	}
	for (i = 0; loads[_i].env[i] != NULL; i++)
		env[n++] = loads[_i].env[i];
	ck_assert_err(conf_init(&c), ERR_OK);
	er = conf_load(&c, loads[_i].by_env ? NULL : path,
	    (char *const *)env, &em);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_err(er, loads[_i].want);
	subst(&want, loads[_i].msg, path);
	ck_assert_str_eq(em.len ? em.data : "", want.len ? want.data : "");
	if (loads[_i].key != NULL)
		conf_assert_field(&c, loads[_i].key, loads[_i].value);
	conf_free(&c);
	buf_free(&em);
	buf_free(&want);
	buf_free(&ev);
}
END_TEST

/* RS256 / ES256: the public key file is read by conf_load; a missing one
 * names its path. */
START_TEST(test_load_pem)
{
	struct conf	 c;
	struct buf	 em;
	char		 path[64];
	const char	*ok_env[] = { "DUGOUT_JWT_PUBLIC_KEY_FILE=" FIXTUREDIR
	    "/test-es256.pub", NULL };
	const char	*bad_env[] = { "DUGOUT_JWT_PUBLIC_KEY_FILE=/nonexistent.pem",
	    NULL };

	buf_init(&em, 1024);
	tmpfile_make(path, sizeof(path), "database = d\njwt_algorithm = ES256\n");
	ck_assert_err(conf_init(&c), ERR_OK);
	ck_assert_err(conf_load(&c, path, (char *const *)ok_env, &em), ERR_OK);
	ck_assert_ptr_nonnull(c.jwt_public_key);
	ck_assert_int_eq(strncmp(c.jwt_public_key, "-----BEGIN PUBLIC KEY-----",
	    26), 0);
	ck_assert_ptr_null(c.jwt_private_key);
	conf_free(&c);
	ck_assert_err(conf_init(&c), ERR_OK);
	ck_assert_err(conf_load(&c, path, (char *const *)bad_env, &em),
	    ERR_CONFIG);
	ck_assert_str_eq(em.data, "/nonexistent.pem: No such file or directory");
	conf_free(&c);
	buf_reset(&em);
	ck_assert_err(conf_init(&c), ERR_OK);
	ck_assert_err(conf_load(&c, path, NULL, &em), ERR_CONFIG);
	ck_assert_str_eq(em.data, "jwt_algorithm ES256 needs "
	    "jwt_public_key_file (a PEM public key)");
	conf_free(&c);
	ck_assert_int_eq(unlink(path), 0);
	buf_free(&em);
}
END_TEST

/* A path that does not exist, given directly or as DUGOUT_CONFIG. */
static const int missing_by_env[] = { 0, 1 };

START_TEST(test_load_missing)
{
	struct conf	 c;
	struct buf	 em, want, ev;
	char		 path[64];
	const char	*env[2] = { NULL };

	buf_init(&em, 1024);
	buf_init(&want, 1024);
	buf_init(&ev, 1024);
	tmpfile_make(path, sizeof(path), "");
	ck_assert_int_eq(unlink(path), 0);	/* a fresh name, now free */
	if (missing_by_env[_i]) {
		subst(&ev, "DUGOUT_CONFIG=@", path);
		env[0] = ev.data;
	}
	ck_assert_err(conf_init(&c), ERR_OK);
	ck_assert_err(conf_load(&c, missing_by_env[_i] ? NULL : path,
	    (char *const *)env, &em), ERR_CONFIG);
	subst(&want, "@: ", path);
	ck_assert_err(buf_puts(&want, strerror(ENOENT)), ERR_OK);
	ck_assert_str_eq(em.data, want.data);
	conf_free(&c);
	buf_free(&em);
	buf_free(&want);
	buf_free(&ev);
}
END_TEST

/* Who may read /healthz and /metrics: an allow list, a REMOTE_ADDR. */
static const struct {
	const char	*allow;		/* NULL: the default */
	const char	*addr;
	int		 want;
} allows[] = {
	{ NULL, "127.0.0.1", 1 },
	{ NULL, "127.255.255.254", 1 },
	{ NULL, "::1", 1 },
	{ NULL, "::ffff:127.0.0.1", 1 },	/* dual-stack web server */
	{ NULL, "128.0.0.1", 0 },
	{ NULL, "10.0.0.1", 0 },
	{ NULL, "::2", 0 },
	{ NULL, "0:0:0:0:0:0:0:1", 1 },
	{ "10.0.0.0/8", "10.255.0.1", 1 },
	{ "10.0.0.0/8", "11.0.0.1", 0 },
	{ "10.0.0.0/8", "::ffff:10.1.1.1", 1 },
	{ "10.0.0.0/8", "::ffff:11.1.1.1", 0 },
	{ "192.168.1.128/25", "192.168.1.128", 1 },
	{ "192.168.1.128/25", "192.168.1.255", 1 },
	{ "192.168.1.128/25", "192.168.1.127", 0 },
	{ "192.168.1.77", "192.168.1.77", 1 },
	{ "192.168.1.77", "192.168.1.78", 0 },
	{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
	{ "2001:db8::/32", "2001:db9::1", 0 },
	{ "2001:db8::/33", "2001:db8:8000::1", 0 },
	{ "2001:db8::/33", "2001:db8:7fff::1", 1 },
	{ "0.0.0.0/0", "203.0.113.9", 1 },
	{ "0.0.0.0/0", "2001:db8::1", 0 },	/* families never mix */
	{ "::/0", "2001:db8::1", 1 },
	{ "::/0", "203.0.113.9", 0 },
	{ "::ffff:10.0.0.0/104", "10.2.3.4", 1 },
	{ "", "127.0.0.1", 0 },			/* empty: nobody */
	{ "10.0.0.0/8, 127.0.0.1", "127.0.0.1", 1 },
	/* Whatever the web server hands us that is not an address. */
	{ NULL, NULL, 0 },
	{ NULL, "", 0 },
	{ NULL, "localhost", 0 },
	{ NULL, "127.0.0.1/8", 0 },
	{ NULL, "127.0.0.1 ", 0 },
	{ NULL, "127.0.0.1:80", 0 },
	{ "0.0.0.0/0", "1.2.3", 0 },
};

START_TEST(test_status_allowed)
{
	struct conf	 c;
	struct buf	 em;

	buf_init(&em, 1024);
	ck_assert_err(conf_init(&c), ERR_OK);
	if (allows[_i].allow != NULL)
		ck_assert_err(conf_set(&c, "status_allow", allows[_i].allow,
		    &em), ERR_OK);
	ck_assert_int_eq(conf_status_allowed(&c, allows[_i].addr),
	    allows[_i].want);
	conf_free(&c);
	buf_free(&em);
}
END_TEST

/* ----------------------------------------------------------- limits */

/* Each numeric key at and just past both ends of its range. */
static const struct {
	const char	*key;
	const char	*value;
	enum err	 want;
} ranges[] = {
	{ "ping_interval", "50", ERR_OK },
	{ "ping_interval", "49", ERR_CONFIG },
	{ "ping_interval", "3600000", ERR_OK },
	{ "ping_interval", "3600001", ERR_CONFIG },
	{ "ping_timeout", "50", ERR_OK },
	{ "ping_timeout", "49", ERR_CONFIG },
	{ "ping_timeout", "3600000", ERR_OK },
	{ "ping_timeout", "3600001", ERR_CONFIG },
	{ "connect_timeout", "100", ERR_OK },
	{ "connect_timeout", "99", ERR_CONFIG },
	{ "connect_timeout", "3600000", ERR_OK },
	{ "connect_timeout", "3600001", ERR_CONFIG },
	{ "roll_expiry", "1000", ERR_OK },
	{ "roll_expiry", "999", ERR_CONFIG },
	{ "roll_expiry", "86400000", ERR_OK },
	{ "roll_expiry", "86400001", ERR_CONFIG },
	{ "rate_limit", "1", ERR_OK },
	{ "rate_limit", "0", ERR_CONFIG },
	{ "rate_limit", "100000", ERR_OK },
	{ "rate_limit", "100001", ERR_CONFIG },
	{ "rate_burst", "0", ERR_CONFIG },
	{ "rate_burst", "100001", ERR_CONFIG },
	{ "rate_roll_dice", "1", ERR_OK },
	{ "rate_roll_dice", "0", ERR_CONFIG },
	{ "max_queued", "16", ERR_OK },
	{ "max_queued", "15", ERR_CONFIG },
	{ "max_queued", "0", ERR_CONFIG },
	{ "max_queued", "1000000", ERR_OK },
	{ "max_queued", "1000001", ERR_CONFIG },
	{ "max_queued", "-1", ERR_CONFIG },
	{ "max_queued", "4294967312", ERR_CONFIG },
	{ "max_sessions_per_user", "1", ERR_OK },
	{ "max_sessions_per_user", "0", ERR_CONFIG },
	{ "max_sessions_per_user", "100000", ERR_OK },
	{ "max_sessions_per_user", "100001", ERR_CONFIG },
	{ "max_sockets_per_session", "1", ERR_OK },
	{ "max_sockets_per_session", "0", ERR_CONFIG },
	{ "max_sockets_per_session", "1000", ERR_OK },
	{ "max_sockets_per_session", "1001", ERR_CONFIG },
	{ "max_sockets_per_session", "ten", ERR_CONFIG },
	{ "max_payload", "16", ERR_OK },
	{ "max_payload", "15", ERR_CONFIG },
	{ "max_payload", "16777216", ERR_OK },
	{ "max_payload", "16777217", ERR_CONFIG },
	{ "workers", "1", ERR_OK },
	{ "workers", "0", ERR_CONFIG },
	{ "workers", "12", ERR_OK },
	{ "workers", "13", ERR_CONFIG },
	{ "db_pool", "1", ERR_OK },
	{ "db_pool", "0", ERR_CONFIG },
	{ "db_pool", "64", ERR_OK },
	{ "db_pool", "65", ERR_CONFIG },
	/* Past unsigned and past unsigned long: no wrap to a small value. */
	{ "ping_interval", "4294967346", ERR_CONFIG },
	{ "ping_interval", "18446744073709551666", ERR_CONFIG },
	{ "max_payload", "18446744073709551632", ERR_CONFIG },
};

START_TEST(test_range)
{
	struct conf	 c;
	struct buf	 em;

	buf_init(&em, 1024);
	ck_assert_err(conf_init(&c), ERR_OK);
	ck_assert_err(conf_set(&c, ranges[_i].key, ranges[_i].value, &em),
	    ranges[_i].want);
	if (ranges[_i].want == ERR_OK) {
		conf_assert_field(&c, ranges[_i].key, ranges[_i].value);
		ck_assert_uint_eq(em.len, 0);
	} else {
		ck_assert_ptr_nonnull(em.data);
		ck_assert_msg(strncmp(em.data, ranges[_i].key,
		    strlen(ranges[_i].key)) == 0, "message \"%s\"", em.data);
		conf_assert_dump(&c, DEFAULTS);
	}
	conf_free(&c);
	buf_free(&em);
}
END_TEST

/* A line of exactly n bytes: "database = " and n - 11 'x'. */
static const struct {
	size_t		 n;
	enum err	 want;
} lines[] = {
	{ 12, ERR_OK },
	{ CONF_MAX_LINE, ERR_OK },
	{ CONF_MAX_LINE + 1, ERR_CONFIG },
	{ 2 * CONF_MAX_LINE, ERR_CONFIG },
};

START_TEST(test_line_len)
{
	struct conf	 c;
	struct buf	 em, text;
	size_t		 i;

	buf_init(&em, 1024);
	buf_init(&text, 4 * CONF_MAX_LINE);
	ck_assert_err(buf_puts(&text, "\ndatabase = "), ERR_OK);
	for (i = 11; i < lines[_i].n; i++)
		ck_assert_err(buf_putc(&text, 'x'), ERR_OK);
	ck_assert_err(buf_putc(&text, '\n'), ERR_OK);
	ck_assert_err(conf_init(&c), ERR_OK);
	ck_assert_err(conf_parse(&c, buf_span(&text), &em), lines[_i].want);
	if (lines[_i].want == ERR_OK) {
		ck_assert_uint_eq(strlen(c.database), lines[_i].n - 11);
		ck_assert_uint_eq(em.len, 0);
	} else
		ck_assert_str_eq(em.data, "line 2: " NOTKV);
	conf_free(&c);
	buf_free(&em);
	buf_free(&text);
}
END_TEST

/* A file of exactly n bytes of comment lines. */
static const struct {
	size_t		 n;
	enum err	 want;
} files[] = {
	{ CONF_MAX_FILE, ERR_OK },
	{ CONF_MAX_FILE + 1, ERR_CONFIG },
};

START_TEST(test_file_len)
{
	struct conf	 c;
	struct buf	 em;
	char		*text;
	size_t		 i;

	buf_init(&em, 1024);
	ck_assert_ptr_nonnull(text = malloc(files[_i].n));
	for (i = 0; i < files[_i].n; i++)
		text[i] = i % 64 == 0 ? '#' : i % 64 == 63 ? '\n' : 'c';
	ck_assert_err(conf_init(&c), ERR_OK);
	ck_assert_err(conf_parse(&c, (struct span){ text, files[_i].n }, &em),
	    files[_i].want);
	ck_assert_str_eq(em.len ? em.data : "", files[_i].want == ERR_OK ?
	    "" : "configuration file too large");
	conf_assert_dump(&c, DEFAULTS);
	conf_free(&c);
	free(text);
	buf_free(&em);
}
END_TEST

/* -------------------------------------------------------- malformed */

/* Every error is ERR_CONFIG with a message that names the line. */
static const struct {
	const char	*text;
	size_t		 len;		/* 0: strlen; set for embedded NULs */
	const char	*msg;		/* exact */
} errors[] = {
	{ "nosuch = 1", 0, "unknown key \"nosuch\" (line 1)" },
	{ "# ok\n\nnosuch = 1\nworkers = 2", 0,
	    "unknown key \"nosuch\" (line 3)" },
	{ "Workers = 4", 0, "unknown key \"Workers\" (line 1)" },
	{ "data base = x", 0, "unknown key \"data base\" (line 1)" },
	{ "workers: 4", 0, "line 1: " NOTKV },
	{ "workers = 4\nping_interval 300", 0, "line 2: " NOTKV },
	{ "workers", 0, "line 1: " NOTKV },
	{ "= 5", 0, "line 1: " NOTKV },
	{ " \t= 5", 0, "line 1: " NOTKV },
	{ "=", 0, "line 1: " NOTKV },
	{ "ping_interval = abc", 0, PI_NUM " (line 1)" },
	{ "ping_interval = -5", 0, PI_NUM " (line 1)" },
	{ "ping_interval = +5", 0, PI_NUM " (line 1)" },
	{ "ping_interval = 0", 0, PI_NUM " (line 1)" },
	{ "ping_interval = 49", 0, PI_NUM " (line 1)" },
	{ "ping_interval = 99999999999", 0, PI_NUM " (line 1)" },
	{ "ping_interval = 300ms", 0, PI_NUM " (line 1)" },
	{ "ping_interval = 3 00", 0, PI_NUM " (line 1)" },
	{ "ping_interval = 0x100", 0, PI_NUM " (line 1)" },
	{ "ping_interval = 1e3", 0, PI_NUM " (line 1)" },
	{ "ping_interval =", 0, PI_NUM " (line 1)" },
	{ "log_level = loud", 0, LL_BAD " (line 1)" },
	{ "log_level = INFO", 0, LL_BAD " (line 1)" },
	{ "log_level =", 0, LL_BAD " (line 1)" },
	{ "conformance = maybe", 0, "conformance: expected on or off (line 1)" },
	{ "conformance = ON", 0, "conformance: expected on or off (line 1)" },
	{ "workers = 0", 0, WK_NUM " (line 1)" },
	{ "workers = 13", 0, WK_NUM " (line 1)" },
	{ "workers = 2\n\n# x\nworkers = 13\n", 0, WK_NUM " (line 4)" },
	{ "workers = 2\r\nworkers = 13\r\n", 0, WK_NUM " (line 2)" },
	{ "health = maybe", 0, "health: expected on or off (line 1)" },
	{ "metrics = ON", 0, "metrics: expected on or off (line 1)" },
	{ "status_allow = localhost", 0, "status_allow: \"localhost" SA_BAD
	    " (line 1)" },
	{ "status_allow = ::1, 10.0.0.0/33", 0, "status_allow: \"10.0.0.0/33"
	    SA_BAD " (line 1)" },
	{ "status_allow = ::/129", 0, "status_allow: \"::/129" SA_BAD
	    " (line 1)" },
	{ "status_allow = 10.0.0.0/", 0, "status_allow: \"10.0.0.0/" SA_BAD
	    " (line 1)" },
	{ "status_allow = 10.0.0.0/-1", 0, "status_allow: \"10.0.0.0/-1"
	    SA_BAD " (line 1)" },
	{ "status_allow = 10.0.0.0/+8", 0, "status_allow: \"10.0.0.0/+8"
	    SA_BAD " (line 1)" },
	{ "status_allow = 10.0.0/8", 0, "status_allow: \"10.0.0/8" SA_BAD
	    " (line 1)" },
	{ "status_allow = 256.0.0.1", 0, "status_allow: \"256.0.0.1" SA_BAD
	    " (line 1)" },
	{ "status_allow = /8", 0, "status_allow: \"/8" SA_BAD " (line 1)" },
	{ "status_allow = 10.0.0.0/8/8", 0, "status_allow: \"10.0.0.0/8/8"
	    SA_BAD " (line 1)" },
	{ "status_allow = fe80::1%eth0", 0, "status_allow: \"fe80::1%eth0"
	    SA_BAD " (line 1)" },
	{ "database = a\0b", 14, "line 1: " NOTKV },
	/* A NUL in the key must not cut it to a valid key name. */
	{ "database\0x = a", 14, "line 1: " NOTKV },
};

START_TEST(test_error)
{
	struct conf	 c;
	struct buf	 em;

	buf_init(&em, 1024);
	ck_assert_err(conf_init(&c), ERR_OK);
	ck_assert_err(conf_parse(&c, text_of(errors[_i].text, errors[_i].len),
	    &em), ERR_CONFIG);
	ck_assert_str_eq(em.len ? em.data : "", errors[_i].msg);
	conf_free(&c);
	buf_free(&em);
}
END_TEST

/* A bad environment value is ERR_CONFIG naming the variable. */
static const struct {
	const char	*env[4];
	const char	*msg;		/* exact */
} enverrs[] = {
	{ { "DUGOUT_PING_INTERVAL=abc", NULL },
	    PI_NUM " (environment DUGOUT_PING_INTERVAL)" },
	{ { "DUGOUT_PING_INTERVAL=", NULL },
	    PI_NUM " (environment DUGOUT_PING_INTERVAL)" },
	{ { "DUGOUT_LOG_LEVEL=loud", NULL },
	    LL_BAD " (environment DUGOUT_LOG_LEVEL)" },
	{ { "DUGOUT_WORKERS=2", "DUGOUT_WORKERS=0", NULL },
	    WK_NUM " (environment DUGOUT_WORKERS)" },
	{ { "DUGOUT_CONFORMANCE=maybe", NULL },
	    "conformance: expected on or off (environment DUGOUT_CONFORMANCE)" },
	{ { "DUGOUT_STATUS_ALLOW=10.0.0.0/99", NULL }, "status_allow: "
	    "\"10.0.0.0/99" SA_BAD " (environment DUGOUT_STATUS_ALLOW)" },
};

START_TEST(test_env_error)
{
	struct conf	 c;
	struct buf	 em;

	buf_init(&em, 1024);
	ck_assert_err(conf_init(&c), ERR_OK);
	ck_assert_err(conf_apply_env(&c, (char *const *)enverrs[_i].env,
	    &em), ERR_CONFIG);
	ck_assert_str_eq(em.len ? em.data : "", enverrs[_i].msg);
	conf_free(&c);
	buf_free(&em);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_sample);
	tcase_add_table(tc, test_parse, parses);
	tcase_add_table(tc, test_env, envs);
	tcase_add_table(tc, test_validate, validates);
	tcase_add_table(tc, test_validate_noalg, noalgs);
	tcase_add_table(tc, test_load, loads);
	tcase_add_test(tc, test_load_pem);
	tcase_add_table(tc, test_load_missing, missing_by_env);
	tcase_add_table(tc, test_status_allowed, allows);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_table(tc, test_range, ranges);
	tcase_add_table(tc, test_line_len, lines);
	tcase_add_table(tc, test_file_len, files);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_table(tc, test_error, errors);
	tcase_add_table(tc, test_env_error, enverrs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(conf_suite());
}
