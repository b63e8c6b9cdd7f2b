/*
 * auth.c -- JWT adapter over libjwt 1.10 (see auth.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>

#include "auth.h"
#include "bounds.h"

/*
 * The integer grant `name`.  libjwt 1.10's jwt_get_grant_int returns 0
 * with errno 0 for a grant of any other JSON type, so read the grant's JSON
 * text (jansson prints an integer as plain decimal).  0 when absent or not
 * an integer.
 */
static int
grant_int(jwt_t *jwt, const char *name, long *out)
{
	char	*js, *end;
	long	 n;
	int	 ok;

	if ((js = jwt_get_grants_json(jwt, name)) == NULL)
		return 0;
	errno = 0;
	n = strtol(js, &end, 10);
	ok = (js[0] == '-' || (js[0] >= '0' && js[0] <= '9')) &&
	    *end == '\0' && errno == 0;
	free(js);
	if (ok)
		*out = n;
	return ok;
}

static const struct {
	const char	*name;
	jwt_alg_t	 alg;
	int		 asymmetric;
} algs[] = {
	{ "HS256", JWT_ALG_HS256, 0 }, { "HS384", JWT_ALG_HS384, 0 },
	{ "HS512", JWT_ALG_HS512, 0 }, { "RS256", JWT_ALG_RS256, 1 },
	{ "RS384", JWT_ALG_RS384, 1 }, { "RS512", JWT_ALG_RS512, 1 },
	{ "ES256", JWT_ALG_ES256, 1 }, { "ES384", JWT_ALG_ES384, 1 },
	{ "ES512", JWT_ALG_ES512, 1 },
};

static jwt_alg_t
alg_of(const char *name, int *asymmetric)
{
	size_t	 i;

	for (i = 0; name != NULL && i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(name, algs[i].name) == 0) {
			*asymmetric = algs[i].asymmetric;
			return algs[i].alg;
		}
	return JWT_ALG_INVAL;
}

int
auth_alg_known(const char *name, int *asymmetric)
{
	return alg_of(name, asymmetric) != JWT_ALG_INVAL;
}

/* The key libjwt needs for alg: the secret (HS) or a PEM (RS, ES); NULL
 * when missing or empty, so no caller can reach libjwt without one. */
static const char *
key_of(const struct auth_key *k, int asymmetric, int signing)
{
	const char	*key;

	if (!asymmetric)
		key = k->secret;
	else
		key = signing ? k->private_pem : k->public_pem;
	return key == NULL || *key == '\0' ? NULL : key;
}

/* sub as a string, else user_id as a string or an integer.  Returns an
 * owned copy, or NULL when none is usable. */
static char *
user_of(jwt_t *jwt)
{
	const char	*s;
	long		 n;
	char		 num[32];	/* a long in decimal: bounded, ours */

	if ((s = jwt_get_grant(jwt, "sub")) == NULL)
		s = jwt_get_grant(jwt, "user_id");
	if (s == NULL) {
		if (!grant_int(jwt, "user_id", &n) &&
		    !grant_int(jwt, "sub", &n))
			return NULL;
		(void)snprintf(num, sizeof(num), "%ld", n);
		return strdup(num);
	}
	if (*s == '\0' || strlen(s) > AUTH_MAX_USER_ID)
		return NULL;
	return strdup(s);
}

/*
 * A compact JWS has the shape header.payload.signature, each part non-empty
 * base64url without padding.  Checked before libjwt sees the token:
 * libjwt 1.x (Debian 12's) allocates a part's decoded size and writes past
 * it when a part is empty, or a length no base64 can have (4k + 1): a heap
 * overflow any client could trigger with "a..b" (found by valgrind on
 * check_auth's refusal table; ASan does not see into libjwt).
 */
static int
token_shape_ok(const char *t)
{
	size_t	 n = 0, parts = 1;

	for (;; t++) {
		if (*t == '.' || *t == '\0') {
			if (n == 0 || n % 4 == 1)
				return 0;
			if (*t == '\0')
				return parts == 3;
			if (++parts > 3)
				return 0;
			n = 0;
		} else if ((*t >= 'A' && *t <= 'Z') || (*t >= 'a' &&
		    *t <= 'z') || (*t >= '0' && *t <= '9') || *t == '-' ||
		    *t == '_')
			n++;
		else
			return 0;
	}
}

enum err
auth_verify(const struct auth_key *k, const char *token, int64_t now,
    struct auth_claims *out)
{
	jwt_t		*jwt = NULL;
	int		 asym = 0;
	jwt_alg_t	 want = alg_of(k->alg, &asym);
	const char	*key = key_of(k, asym, 0);
	long		 exp;
	int		 admin;
	enum err	 er = ERR_AUTH;

	memset(out, 0, sizeof(*out));
	if (want == JWT_ALG_INVAL || key == NULL)
		return ERR_AUTH;	/* never hand libjwt a NULL key */
	if (token == NULL || strlen(token) > AUTH_MAX_TOKEN ||
	    !token_shape_ok(token))
		goto out;
	if (jwt_decode(&jwt, token, (const unsigned char *)key,
	    (int)strlen(key)) != 0 || jwt == NULL)
		goto out;
	if (jwt_get_alg(jwt) != want)
		goto out;
	/* An exp past year 9999 is not a date PostgreSQL (or anyone) keeps. */
	if (!grant_int(jwt, "exp", &exp) || exp > AUTH_MAX_EXP)
		goto out;
	errno = 0;
	admin = jwt_get_grant_bool(jwt, "admin");
	out->admin = errno == 0 && admin == 1;
	if ((out->user_id = user_of(jwt)) == NULL)
		goto out;
	out->exp = exp;
	er = (int64_t)exp <= now ? ERR_EXPIRED : ERR_OK;
out:
	if (er != ERR_OK && er != ERR_EXPIRED)
		auth_claims_reset(out);
	jwt_free(jwt);
	return er;
}

void
auth_claims_reset(struct auth_claims *c)
{
	free(c->user_id);
	memset(c, 0, sizeof(*c));
}

enum err
auth_issue(const struct auth_key *k, const char *user_id, int64_t now,
    int64_t ttl, int admin, char **out)
{
	jwt_t		*jwt = NULL;
	int		 asym = 0;
	jwt_alg_t	 alg = alg_of(k->alg, &asym);
	const char	*key = key_of(k, asym, 1);
	enum err	 er = ERR_AUTH;

	*out = NULL;
	if (alg == JWT_ALG_INVAL || key == NULL || user_id == NULL || *user_id == '\0' ||
	    strlen(user_id) > AUTH_MAX_USER_ID)
		return ERR_AUTH;
	er = ERR_NOMEM;
	if (jwt_new(&jwt) != 0)
		goto out;
	if (jwt_add_grant(jwt, "sub", user_id) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)now) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)(now + ttl)) != 0 ||
	    (admin && jwt_add_grant_bool(jwt, "admin", 1) != 0))
		goto out;
	if (jwt_set_alg(jwt, alg, (const unsigned char *)key,
	    (int)strlen(key)) != 0)
		goto out;
	if ((*out = jwt_encode_str(jwt)) == NULL)
		goto out;
	er = ERR_OK;
out:
	jwt_free(jwt);
	return er;
}
