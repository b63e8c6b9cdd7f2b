/*
 * check_auth.c -- unit tests of auth.c, the libjwt 1.10 adapter (style.md
 * R18).  Tokens are built by hand (libsodium HMAC + base64url) so that the
 * tests do not trust the library under test to forge its own attacks.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "bounds.h"
#include "check_util.h"

#define NOW	((int64_t)1700000000)
#define SECRET	"0123456789abcdef0123456789abcdef"	/* 32 chars */
#define B64V	sodium_base64_VARIANT_URLSAFE_NO_PADDING

#define H256	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define H512	"{\"alg\":\"HS512\",\"typ\":\"JWT\"}"
#define HNONE	"{\"alg\":\"none\",\"typ\":\"JWT\"}"

/* 128 and 129 characters: AUTH_MAX_USER_ID and one past it. */
#define S16	"0123456789abcdef"
#define S128	S16 S16 S16 S16 S16 S16 S16 S16
#define S129	S128 "x"
_Static_assert(sizeof(S128) - 1 == AUTH_MAX_USER_ID, "S128 is the bound");

static const struct auth_key key256 = { .alg = "HS256", .secret = SECRET };

/* ---------------------------------------------------- token forging */

enum sig {
	SIG_HS256,	/* h.p.HMAC-SHA256(h.p) */
	SIG_HS512,	/* h.p.HMAC-SHA512(h.p) */
	SIG_EMPTY,	/* h.p. (unsigned, trailing dot) */
	SIG_NONE	/* h.p  (unsigned, no dot) */
};

/* base64url of n bytes, without padding, appended at t + *len. */
static void
b64_put(char *t, size_t cap, size_t *len, const void *p, size_t n)
{
	ck_assert_ptr_nonnull(sodium_bin2base64(t + *len, cap - *len,
	    (const unsigned char *)p, n, B64V));
	*len += strlen(t + *len);
}

/* Length of base64url without padding of n bytes. */
static size_t
b64_len(size_t n)
{
	return 4 * (n / 3) + (n % 3 ? n % 3 + 1 : 0);
}

/*
 * base64url(hdr) "." base64url(payload) and the signature `sig` made with
 * `secret`, then `suffix`.  Owned (free()).
 */
static char *
token_make(const char *hdr, const char *pl, enum sig sig,
    const char *secret, const char *suffix)
{
	crypto_auth_hmacsha256_state	 s256;
	crypto_auth_hmacsha512_state	 s512;
	unsigned char			 mac[crypto_auth_hmacsha512_BYTES];
	size_t				 maclen = 0, len = 0, cap;
	char				*t;

	cap = sodium_base64_ENCODED_LEN(strlen(hdr), B64V) +
	    sodium_base64_ENCODED_LEN(strlen(pl), B64V) +
	    sodium_base64_ENCODED_LEN(sizeof(mac), B64V) + strlen(suffix) + 2;
	ck_assert_ptr_nonnull(t = malloc(cap));
	b64_put(t, cap, &len, hdr, strlen(hdr));
	t[len++] = '.';
	b64_put(t, cap, &len, pl, strlen(pl));
	if (sig == SIG_HS256) {
		crypto_auth_hmacsha256_init(&s256, (const unsigned char *)secret,
		    strlen(secret));
		crypto_auth_hmacsha256_update(&s256, (unsigned char *)t, len);
		crypto_auth_hmacsha256_final(&s256, mac);
		maclen = crypto_auth_hmacsha256_BYTES;
	} else if (sig == SIG_HS512) {
		crypto_auth_hmacsha512_init(&s512, (const unsigned char *)secret,
		    strlen(secret));
		crypto_auth_hmacsha512_update(&s512, (unsigned char *)t, len);
		crypto_auth_hmacsha512_final(&s512, mac);
		maclen = crypto_auth_hmacsha512_BYTES;
	}
	if (sig != SIG_NONE)
		t[len++] = '.';
	t[len] = '\0';
	if (maclen > 0)
		b64_put(t, cap, &len, mac, maclen);
	memcpy(t + len, suffix, strlen(suffix) + 1);
	return t;
}

/* After a refusal nothing is left in the claims. */
static void
claims_assert_empty(const struct auth_claims *c, const char *name)
{
	ck_assert_msg(c->user_id == NULL, "%s: user_id \"%s\" left", name,
	    c->user_id);
	ck_assert_msg(c->exp == 0 && c->admin == 0, "%s: exp %lld admin %d",
	    name, (long long)c->exp, c->admin);
}

/* ------------------------------------------------------------- core */

/* Hand-signed HS256 tokens verified with key256 at NOW. */
struct vcase {
	const char	*name;
	const char	*hdr;
	const char	*payload;
	enum sig	 sig;
	const char	*sign_with;	/* NULL: SECRET */
	const char	*suffix;	/* NULL: "" */
	enum err	 want;
	const char	*user;		/* on ERR_OK and ERR_EXPIRED */
	int		 admin;
	int64_t		 exp;
};

static void
vcase_run(const struct vcase *c)
{
	struct auth_claims	 cl;
	char			*t;
	enum err		 er;

	t = token_make(c->hdr, c->payload, c->sig,
	    c->sign_with ? c->sign_with : SECRET, c->suffix ? c->suffix : "");
	memset(&cl, 0xa5, sizeof(cl));	/* auth_verify must fill it */
	er = auth_verify(&key256, t, NOW, &cl);
	ck_assert_msg(er == c->want, "%s: %s, want %s", c->name, err_str(er),
	    err_str(c->want));
	if (c->want == ERR_OK || c->want == ERR_EXPIRED) {
		ck_assert_ptr_nonnull(cl.user_id);
		ck_assert_msg(strcmp(cl.user_id, c->user) == 0,
		    "%s: user \"%s\", want \"%s\"", c->name, cl.user_id,
		    c->user);
		ck_assert_msg(cl.admin == c->admin, "%s: admin %d", c->name,
		    cl.admin);
		ck_assert_msg(cl.exp == c->exp, "%s: exp %lld", c->name,
		    (long long)cl.exp);
	} else
		claims_assert_empty(&cl, c->name);
	auth_claims_reset(&cl);
	claims_assert_empty(&cl, c->name);
	free(t);
}

static const struct vcase goods[] = {
	{ "exp at the bound", H256,
	    "{\"sub\":\"u1\",\"exp\":253402300799}", SIG_HS256, NULL, NULL,
	    ERR_OK, "u1", 0, 253402300799LL },
	{ "sub", H256, "{\"sub\":\"u1\",\"exp\":1700000060}", SIG_HS256,
	    NULL, NULL, ERR_OK, "u1", 0, 1700000060 },
	{ "no typ", "{\"alg\":\"HS256\"}",
	    "{\"sub\":\"u1\",\"exp\":1700000060}", SIG_HS256,
	    NULL, NULL, ERR_OK, "u1", 0, 1700000060 },
	{ "admin true", H256,
	    "{\"sub\":\"boss\",\"exp\":1700000060,\"admin\":true}", SIG_HS256,
	    NULL, NULL, ERR_OK, "boss", 1, 1700000060 },
	{ "admin false", H256,
	    "{\"sub\":\"u1\",\"exp\":1700000060,\"admin\":false}", SIG_HS256,
	    NULL, NULL, ERR_OK, "u1", 0, 1700000060 },
	{ "admin as a string", H256,
	    "{\"sub\":\"u1\",\"exp\":1700000060,\"admin\":\"true\"}",
	    SIG_HS256, NULL, NULL, ERR_OK, "u1", 0, 1700000060 },
	{ "admin as 1", H256,
	    "{\"sub\":\"u1\",\"exp\":1700000060,\"admin\":1}", SIG_HS256,
	    NULL, NULL, ERR_OK, "u1", 0, 1700000060 },
	{ "exp one second ahead", H256, "{\"sub\":\"u1\",\"exp\":1700000001}",
	    SIG_HS256, NULL, NULL, ERR_OK, "u1", 0, 1700000001 },
	{ "exp == now", H256, "{\"sub\":\"u1\",\"exp\":1700000000}",
	    SIG_HS256, NULL, NULL, ERR_EXPIRED, "u1", 0, 1700000000 },
	{ "exp < now", H256, "{\"sub\":\"u1\",\"exp\":1699999999}",
	    SIG_HS256, NULL, NULL, ERR_EXPIRED, "u1", 0, 1699999999 },
	{ "exp 0", H256, "{\"sub\":\"u1\",\"exp\":0}",
	    SIG_HS256, NULL, NULL, ERR_EXPIRED, "u1", 0, 0 },
	{ "exp negative", H256, "{\"sub\":\"u1\",\"exp\":-1}",
	    SIG_HS256, NULL, NULL, ERR_EXPIRED, "u1", 0, -1 },
	{ "user_id string, no sub", H256,
	    "{\"user_id\":\"u2\",\"exp\":1700000060}", SIG_HS256,
	    NULL, NULL, ERR_OK, "u2", 0, 1700000060 },
	{ "user_id number", H256, "{\"user_id\":42,\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_OK, "42", 0, 1700000060 },
	{ "user_id 0", H256, "{\"user_id\":0,\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_OK, "0", 0, 1700000060 },
	{ "user_id negative", H256, "{\"user_id\":-7,\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_OK, "-7", 0, 1700000060 },
	{ "sub wins over user_id", H256,
	    "{\"sub\":\"a\",\"user_id\":\"b\",\"exp\":1700000060}", SIG_HS256,
	    NULL, NULL, ERR_OK, "a", 0, 1700000060 },
	{ "sub number, no user_id", H256, "{\"sub\":42,\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_OK, "42", 0, 1700000060 },
	{ "sub utf-8", H256,
	    "{\"sub\":\"caf\\u00e9\",\"exp\":1700000060}", SIG_HS256,
	    NULL, NULL, ERR_OK, "caf\xc3\xa9", 0, 1700000060 },
	/* libjwt's jwt_str_alg ignores case (RFC 7515 §4.1.1 says the value
	 * is case-sensitive); harmless: it is still HS256 with our key. */
	{ "alg lower case", "{\"alg\":\"hs256\"}",
	    "{\"sub\":\"u1\",\"exp\":1700000060}", SIG_HS256, NULL, NULL,
	    ERR_OK, "u1", 0, 1700000060 },
};

START_TEST(test_verify)
{
	vcase_run(&goods[_i]);
}
END_TEST

/* auth_issue then auth_verify with the same key. */
static const struct {
	const char	*alg;
	const char	*user;
	int64_t		 ttl;
	int		 admin;
} issues[] = {
	{ "HS256", "u1", 3600, 0 },
	{ "HS256", "boss", 60, 1 },
	{ "HS256", "1", 1, 0 },
	{ "HS384", "u384", 600, 0 },
	{ "HS512", "u512", 600, 1 },
	{ "HS256", S128, 86400, 0 },
	{ "HS256", "caf\xc3\xa9", 10, 0 },
};

START_TEST(test_issue)
{
	struct auth_key		 k = { .alg = issues[_i].alg, .secret = SECRET };
	struct auth_claims	 cl;
	char			*t = NULL;

	ck_assert_err(auth_issue(&k, issues[_i].user, NOW, issues[_i].ttl,
	    issues[_i].admin, &t), ERR_OK);
	ck_assert_ptr_nonnull(t);
	ck_assert_err(auth_verify(&k, t, NOW, &cl), ERR_OK);
	ck_assert_str_eq(cl.user_id, issues[_i].user);
	ck_assert_int_eq(cl.admin, issues[_i].admin);
	ck_assert_int_eq(cl.exp, NOW + issues[_i].ttl);
	auth_claims_reset(&cl);
	/* exp is exclusive: at now + ttl the token has expired. */
	ck_assert_err(auth_verify(&k, t, NOW + issues[_i].ttl, &cl),
	    ERR_EXPIRED);
	ck_assert_str_eq(cl.user_id, issues[_i].user);
	auth_claims_reset(&cl);
	ck_assert_err(auth_verify(&k, t, NOW + issues[_i].ttl - 1, &cl),
	    ERR_OK);
	auth_claims_reset(&cl);
	free(t);
}
END_TEST

/* A token issued under one algorithm is refused under another, even with
 * the same secret: the algorithm is pinned. */
static const struct {
	const char	*issue_alg;
	const char	*verify_alg;
	enum err	 want;
} pins[] = {
	{ "HS256", "HS256", ERR_OK },
	{ "HS384", "HS384", ERR_OK },
	{ "HS512", "HS512", ERR_OK },
	{ "HS512", "HS256", ERR_AUTH },
	{ "HS384", "HS256", ERR_AUTH },
	{ "HS256", "HS512", ERR_AUTH },
	{ "HS256", "HS384", ERR_AUTH },
	{ "HS512", "HS384", ERR_AUTH },
};

START_TEST(test_pin)
{
	struct auth_key		 ki = { .alg = pins[_i].issue_alg, .secret = SECRET };
	struct auth_key		 kv = { .alg = pins[_i].verify_alg, .secret = SECRET };
	struct auth_claims	 cl;
	char			*t = NULL;

	ck_assert_err(auth_issue(&ki, "u1", NOW, 60, 0, &t), ERR_OK);
	ck_assert_err(auth_verify(&kv, t, NOW, &cl), pins[_i].want);
	if (pins[_i].want == ERR_OK)
		ck_assert_str_eq(cl.user_id, "u1");
	else
		claims_assert_empty(&cl, pins[_i].issue_alg);
	auth_claims_reset(&cl);
	free(t);
}
END_TEST

/* ----------------------------------------------------------- limits */

static const struct vcase sublens[] = {
	{ "sub of 128", H256, "{\"sub\":\"" S128 "\",\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_OK, S128, 0, 1700000060 },
	{ "sub of 129", H256, "{\"sub\":\"" S129 "\",\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "user_id of 128", H256,
	    "{\"user_id\":\"" S128 "\",\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_OK, S128, 0, 1700000060 },
	{ "user_id of 129", H256,
	    "{\"user_id\":\"" S129 "\",\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
};

START_TEST(test_sub_len)
{
	vcase_run(&sublens[_i]);
}
END_TEST

/*
 * A correctly signed token of exactly `len` bytes, padded with a "pad"
 * claim.  Header spaces and the pad length are solved for the length, as
 * unpadded base64 cannot produce every length.  Owned (free()).
 */
static char *
token_of_len(size_t len)
{
	static const char	 pre[] = "{\"sub\":\"u1\",\"exp\":1700000060,"
	    "\"pad\":\"", post[] = "\"}";
	char			 hdr[32], *pl, *t;
	size_t			 sp, n, hl, pll;

	for (sp = 0; sp < 4; sp++) {
		(void)snprintf(hdr, sizeof(hdr), "{%*s\"alg\":\"HS256\"}",
		    (int)sp, "");
		hl = b64_len(strlen(hdr));
		for (n = 0; n < len; n++) {
			pll = b64_len(sizeof(pre) - 1 + n + sizeof(post) - 1);
			if (hl + 1 + pll + 1 + 43 == len)
				goto found;
		}
	}
	ck_abort_msg("no token of %zu bytes", len);
found:
	ck_assert_ptr_nonnull(pl = malloc(sizeof(pre) + n + sizeof(post)));
	memcpy(pl, pre, sizeof(pre) - 1);
	memset(pl + sizeof(pre) - 1, 'p', n);
	memcpy(pl + sizeof(pre) - 1 + n, post, sizeof(post));
	t = token_make(hdr, pl, SIG_HS256, SECRET, "");
	free(pl);
	ck_assert_uint_eq(strlen(t), len);
	return t;
}

static const struct {
	size_t		 len;
	enum err	 want;
} toklens[] = {
	{ 200, ERR_OK },
	{ AUTH_MAX_TOKEN - 1, ERR_OK },
	{ AUTH_MAX_TOKEN, ERR_OK },
	{ AUTH_MAX_TOKEN + 1, ERR_AUTH },	/* valid, but refused */
	{ AUTH_MAX_TOKEN + 2, ERR_AUTH },
	{ 4 * AUTH_MAX_TOKEN, ERR_AUTH },
};

START_TEST(test_token_len)
{
	struct auth_claims	 cl;
	char			*t = token_of_len(toklens[_i].len);

	ck_assert_err(auth_verify(&key256, t, NOW, &cl), toklens[_i].want);
	if (toklens[_i].want == ERR_OK)
		ck_assert_str_eq(cl.user_id, "u1");
	else
		claims_assert_empty(&cl, "long token");
	auth_claims_reset(&cl);
	free(t);
}
END_TEST

/* auth_issue refuses what auth_verify could never accept. */
static const struct {
	const char	*alg;
	const char	*secret;
	const char	*user;
} refusals[] = {
	{ "HS256", SECRET, "" },
	{ "HS256", SECRET, NULL },
	{ "HS256", SECRET, S129 },
	{ "HS256", "", "u1" },
	{ "HS256", NULL, "u1" },
	{ "none", SECRET, "u1" },
	{ "RS256", SECRET, "u1" },
	{ "hs256", SECRET, "u1" },
	{ NULL, SECRET, "u1" },
};

START_TEST(test_issue_refused)
{
	struct auth_key	 k = { .alg = refusals[_i].alg, .secret = refusals[_i].secret };
	char		 sentinel[] = "sentinel";
	char		*t = sentinel;

	ck_assert_err(auth_issue(&k, refusals[_i].user, NOW, 60, 0, &t),
	    ERR_AUTH);
	ck_assert_ptr_null(t);
}
END_TEST

/* -------------------------------------------------------- malformed */

static const struct vcase bads[] = {
	/* exp beyond year 9999: no timestamp type keeps it */
	{ "exp past 9999", H256, "{\"sub\":\"u1\",\"exp\":253402300800}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "exp huge", H256, "{\"sub\":\"u1\",\"exp\":9223372036854775807}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "wrong secret", H256, "{\"sub\":\"u1\",\"exp\":1700000060}",
	    SIG_HS256, "another secret of 32 characters!", NULL, ERR_AUTH,
	    NULL, 0, 0 },
	{ "secret prefix", H256, "{\"sub\":\"u1\",\"exp\":1700000060}",
	    SIG_HS256, "0123456789abcdef0123456789abcde", NULL, ERR_AUTH,
	    NULL, 0, 0 },
	{ "alg none, trailing dot", HNONE,
	    "{\"sub\":\"u1\",\"exp\":1700000060}", SIG_EMPTY, NULL, NULL,
	    ERR_AUTH, NULL, 0, 0 },
	{ "alg none, no dot", HNONE, "{\"sub\":\"u1\",\"exp\":1700000060}",
	    SIG_NONE, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "alg none, signed anyway", HNONE,
	    "{\"sub\":\"u1\",\"exp\":1700000060}", SIG_HS256, NULL, NULL,
	    ERR_AUTH, NULL, 0, 0 },
	{ "alg None", "{\"alg\":\"None\"}",
	    "{\"sub\":\"u1\",\"exp\":1700000060}", SIG_EMPTY, NULL, NULL,
	    ERR_AUTH, NULL, 0, 0 },
	{ "HS256 header, no signature", H256,
	    "{\"sub\":\"u1\",\"exp\":1700000060}", SIG_EMPTY, NULL, NULL,
	    ERR_AUTH, NULL, 0, 0 },
	{ "HS256 header, no signature, no dot", H256,
	    "{\"sub\":\"u1\",\"exp\":1700000060}", SIG_NONE, NULL, NULL,
	    ERR_AUTH, NULL, 0, 0 },
	{ "HS512 with the right secret", H512,
	    "{\"sub\":\"u1\",\"exp\":1700000060}", SIG_HS512, NULL, NULL,
	    ERR_AUTH, NULL, 0, 0 },
	{ "HS256 header, HS512 signature", H256,
	    "{\"sub\":\"u1\",\"exp\":1700000060}", SIG_HS512, NULL, NULL,
	    ERR_AUTH, NULL, 0, 0 },
	{ "no alg", "{\"typ\":\"JWT\"}", "{\"sub\":\"u1\",\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "alg RS256", "{\"alg\":\"RS256\"}",
	    "{\"sub\":\"u1\",\"exp\":1700000060}", SIG_HS256, NULL, NULL,
	    ERR_AUTH, NULL, 0, 0 },
	{ "fourth segment", H256, "{\"sub\":\"u1\",\"exp\":1700000060}",
	    SIG_HS256, NULL, ".x", ERR_AUTH, NULL, 0, 0 },
	{ "signature altered", H256, "{\"sub\":\"u1\",\"exp\":1700000060}",
	    SIG_HS256, NULL, "A", ERR_AUTH, NULL, 0, 0 },
	{ "trailing space", H256, "{\"sub\":\"u1\",\"exp\":1700000060}",
	    SIG_HS256, NULL, " ", ERR_AUTH, NULL, 0, 0 },
	{ "missing exp", H256, "{\"sub\":\"u1\"}", SIG_HS256, NULL, NULL,
	    ERR_AUTH, NULL, 0, 0 },
	/* libjwt 1.10's jwt_get_grant_int returns 0 with errno 0 for a grant
	 * of any other type: these must not read as exp 0 (expired). */
	{ "exp string", H256, "{\"sub\":\"u1\",\"exp\":\"1700000060\"}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "exp real", H256, "{\"sub\":\"u1\",\"exp\":1700000060.5}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "exp null", H256, "{\"sub\":\"u1\",\"exp\":null}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "exp true", H256, "{\"sub\":\"u1\",\"exp\":true}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "exp overflows", H256,
	    "{\"sub\":\"u1\",\"exp\":99999999999999999999}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "no user id", H256, "{\"exp\":1700000060}", SIG_HS256, NULL, NULL,
	    ERR_AUTH, NULL, 0, 0 },
	{ "no user id, admin", H256, "{\"exp\":1700000060,\"admin\":true}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "sub empty", H256, "{\"sub\":\"\",\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "user_id empty", H256, "{\"user_id\":\"\",\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	/* ... nor as user "0". */
	{ "sub null", H256, "{\"sub\":null,\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "sub object", H256, "{\"sub\":{},\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "sub bool", H256, "{\"sub\":true,\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "user_id real", H256, "{\"user_id\":4.2,\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "payload not json", H256, "sub=u1", SIG_HS256, NULL, NULL,
	    ERR_AUTH, NULL, 0, 0 },
	{ "payload array", H256, "[1700000060]", SIG_HS256, NULL, NULL,
	    ERR_AUTH, NULL, 0, 0 },
	{ "payload empty", H256, "", SIG_HS256, NULL, NULL,
	    ERR_AUTH, NULL, 0, 0 },
	{ "header not json", "HS256", "{\"sub\":\"u1\",\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
	{ "header empty", "", "{\"sub\":\"u1\",\"exp\":1700000060}",
	    SIG_HS256, NULL, NULL, ERR_AUTH, NULL, 0, 0 },
};

START_TEST(test_bad)
{
	vcase_run(&bads[_i]);
}
END_TEST

static const char *const garbage[] = {
	NULL, "", ".", "..", "...", "....", "a", "a.b", "a.b.c", "a..c",
	"..c", "a.b.", "not a token",
	"eyJhbGciOiJIUzI1NiJ9",			/* {"alg":"HS256"} */
	"eyJhbGciOiJIUzI1NiJ9.",
	"eyJhbGciOiJIUzI1NiJ9..",
	"eyJhbGciOiJIUzI1NiJ9.e30.",		/* payload {} */
	"eyJhbGciOiJIUzI1NiJ9.e30.e30",
	"eyJhbGciOiJub25lIn0.e30.",		/* {"alg":"none"}.{} */
	"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1MSIsImV4cCI6MTcwMDAwMDA2MH0.",
	"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1MSIsImV4cCI6MTcwMDAwMDA2MH0",
	"!!!.???.***",
	/* shapes libjwt 1.x must never see (a heap overflow in its base64) */
	"a.b.c.d", "abcde.abcd.abcd", "abcd.abcde.abcd", "abcd.abcd.abcde",
	"ab=c.abcd.abcd", "abcd.ab+c.abcd", "abcd.abcd.ab/c", " abcd.abcd.abcd",
	"eyJhbGciOiJIUzI1NiJ9.e30.e30.",
};

START_TEST(test_garbage)
{
	struct auth_claims	 cl;

	memset(&cl, 0xa5, sizeof(cl));
	ck_assert_err(auth_verify(&key256, garbage[_i], NOW, &cl), ERR_AUTH);
	claims_assert_empty(&cl, garbage[_i] ? garbage[_i] : "(null)");
}
END_TEST

/* AUTH_MAX_TOKEN + 1 bytes of junk, and of dots. */
static const char fills[] = { 'a', '.' };

START_TEST(test_overlong)
{
	struct auth_claims	 cl;
	char			*t;

	ck_assert_ptr_nonnull(t = malloc(AUTH_MAX_TOKEN + 2));
	memset(t, fills[_i], AUTH_MAX_TOKEN + 1);
	t[AUTH_MAX_TOKEN + 1] = '\0';
	ck_assert_err(auth_verify(&key256, t, NOW, &cl), ERR_AUTH);
	claims_assert_empty(&cl, "overlong");
	free(t);
}
END_TEST

/*
 * A key without a usable secret or algorithm refuses everything, even a
 * token libjwt would accept with a NULL key (alg=none) or one signed with
 * the empty secret.
 */
static const struct {
	const char	*alg;
	const char	*secret;
	const char	*hdr;
	enum sig	 sig;
	const char	*sign_with;
} keys[] = {
	{ "HS256", NULL, HNONE, SIG_EMPTY, "" },
	{ "HS256", NULL, HNONE, SIG_NONE, "" },
	{ "HS256", "", HNONE, SIG_EMPTY, "" },
	{ "HS256", "", HNONE, SIG_NONE, "" },
	{ "HS256", "", H256, SIG_HS256, "" },
	{ "HS256", NULL, H256, SIG_HS256, "" },
	{ NULL, SECRET, H256, SIG_HS256, SECRET },
	{ "none", SECRET, HNONE, SIG_EMPTY, SECRET },
	{ "none", SECRET, H256, SIG_HS256, SECRET },
	{ "RS256", SECRET, H256, SIG_HS256, SECRET },
	{ "hs256", SECRET, H256, SIG_HS256, SECRET },
	{ "", SECRET, H256, SIG_HS256, SECRET },
};

START_TEST(test_key)
{
	struct auth_key		 k = { .alg = keys[_i].alg, .secret = keys[_i].secret };
	struct auth_claims	 cl;
	char			*t;

	t = token_make(keys[_i].hdr, "{\"sub\":\"u1\",\"exp\":1700000060}",
	    keys[_i].sig, keys[_i].sign_with, "");
	memset(&cl, 0xa5, sizeof(cl));
	ck_assert_err(auth_verify(&k, t, NOW, &cl), ERR_AUTH);
	claims_assert_empty(&cl, "key");
	free(t);
}
END_TEST

/* ------------------------------------------- RS256 / ES256 (PEM keys) */

/* A fixture file's contents; owned (free()). */
static char *
fixture(const char *name)
{
	char	 path[1024];
	FILE	*f;
	long	 n;
	char	*t;

	(void)snprintf(path, sizeof(path), "%s/%s", FIXTUREDIR, name);
	ck_assert_msg((f = fopen(path, "r")) != NULL, "%s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	ck_assert_int_ge(n = ftell(f), 1);
	rewind(f);
	ck_assert_ptr_nonnull(t = calloc(1, (size_t)n + 1));
	ck_assert_uint_eq(fread(t, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return t;
}

/* Issue with one key pair and algorithm, verify with another: the table
 * of what must and must not pass. */
static const struct pemcase {
	const char	*issue_alg, *issue_priv;
	const char	*verify_alg, *verify_pub;
	enum err	 want;
} pems[] = {
	{ "RS256", "test-rs256.key", "RS256", "test-rs256.pub", ERR_OK },
	{ "ES256", "test-es256.key", "ES256", "test-es256.pub", ERR_OK },
	{ "RS512", "test-rs256.key", "RS512", "test-rs256.pub", ERR_OK },
	/* the algorithm is pinned: a valid signature of another one fails */
	{ "RS512", "test-rs256.key", "RS256", "test-rs256.pub", ERR_AUTH },
	{ "ES256", "test-es256.key", "RS256", "test-rs256.pub", ERR_AUTH },
	/* another key pair */
	{ "RS256", "test-other-rs256.key", "RS256", "test-rs256.pub",
	    ERR_AUTH },
};

START_TEST(test_pem)
{
	const struct pemcase	*c = &pems[_i];
	char			*priv = fixture(c->issue_priv);
	char			*pub = fixture(c->verify_pub), *t = NULL;
	struct auth_key		 ki = { .alg = c->issue_alg, .private_pem = priv };
	struct auth_key		 kv = { .alg = c->verify_alg, .public_pem = pub };
	struct auth_claims	 cl;

	ck_assert_err(auth_issue(&ki, "pem-user", NOW, 60, 1, &t), ERR_OK);
	ck_assert_err(auth_verify(&kv, t, NOW, &cl), c->want);
	if (c->want == ERR_OK) {
		ck_assert_str_eq(cl.user_id, "pem-user");
		ck_assert_int_eq(cl.admin, 1);
		ck_assert_int_eq(cl.exp, NOW + 60);
		auth_claims_reset(&cl);
	} else
		claims_assert_empty(&cl, c->issue_priv);
	free(t);
	free(priv);
	free(pub);
}
END_TEST

/* The classic confusion: an HS256 token whose HMAC key is the server's
 * public PEM.  libjwt would check that HMAC against the PEM bytes and
 * accept it; the pinned algorithm must refuse it. */
START_TEST(test_pem_confusion)
{
	char			*pub = fixture("test-rs256.pub"), *t;
	struct auth_key		 kv = { .alg = "RS256", .public_pem = pub };
	struct auth_claims	 cl;

	t = token_make(H256, "{\"sub\":\"mallory\",\"exp\":1800000000}",
	    SIG_HS256, pub, "");
	ck_assert_err(auth_verify(&kv, t, NOW, &cl), ERR_AUTH);
	claims_assert_empty(&cl, "confusion");
	free(t);
	free(pub);
}
END_TEST

/* No key at all, or only the wrong kind, refuses everything. */
START_TEST(test_pem_missing)
{
	char			*priv = fixture("test-rs256.key"), *t = NULL;
	struct auth_key		 ki = { .alg = "RS256", .private_pem = priv };
	struct auth_key		 kv = { .alg = "RS256", .secret = SECRET };
	struct auth_key		 knone = { .alg = "RS256", .public_pem = "" };
	struct auth_claims	 cl;

	ck_assert_err(auth_issue(&ki, "u", NOW, 60, 0, &t), ERR_OK);
	ck_assert_err(auth_verify(&kv, t, NOW, &cl), ERR_AUTH);
	ck_assert_err(auth_verify(&knone, t, NOW, &cl), ERR_AUTH);
	free(t);
	t = NULL;
	ck_assert_err(auth_issue(&kv, "u", NOW, 60, 0, &t), ERR_AUTH);
	ck_assert_ptr_null(t);
	free(priv);
}
END_TEST

static Suite *
auth_suite(void)
{
	Suite	*s = suite_create("auth");
	TCase	*tc;

	tc = tcase_create("core");
	tcase_add_table(tc, test_verify, goods);
	tcase_add_table(tc, test_issue, issues);
	tcase_add_table(tc, test_pin, pins);
	tcase_add_table(tc, test_pem, pems);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_table(tc, test_sub_len, sublens);
	tcase_add_table(tc, test_token_len, toklens);
	tcase_add_table(tc, test_issue_refused, refusals);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_table(tc, test_bad, bads);
	tcase_add_table(tc, test_garbage, garbage);
	tcase_add_table(tc, test_overlong, fills);
	tcase_add_table(tc, test_key, keys);
	tcase_add_test(tc, test_pem_confusion);
	tcase_add_test(tc, test_pem_missing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (sodium_init() < 0)
		return EXIT_FAILURE;
	return check_main(auth_suite());
}
