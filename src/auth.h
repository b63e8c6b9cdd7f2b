/*
 * auth.h -- JWT verification and issue: a thin adapter that distrusts
 * libjwt (style.md R18).  No clock: `now` is passed in.
 *
 * Verification pins the configured algorithm (HMAC with a shared secret,
 * or RSA / ECDSA with a PEM public key), never passes libjwt a NULL or
 * empty key (which would accept alg=none), requires `exp` and compares it
 * with `now`, and takes the user id from `sub` (or `user_id`).
 */
#ifndef DUGOUT_AUTH_H
#define DUGOUT_AUTH_H

#include <stdint.h>

#include "err.h"

struct auth_key {
	const char	*alg;		/* HS256/384/512, RS256/384/512,
					   ES256/384/512 */
	const char	*secret;	/* HS*: the shared secret; borrowed */
	const char	*public_pem;	/* RS*, ES*: verifies; borrowed */
	const char	*private_pem;	/* RS*, ES*: signs (dugoutctl only) */
};

/* 1 when name is an algorithm auth_verify accepts; *asymmetric set to 1
 * for RS and ES (they need PEM keys). */
int		 auth_alg_known(const char *name, int *asymmetric);

struct auth_claims {
	char		*user_id;	/* owned (auth_claims_reset frees) */
	int64_t		 exp;		/* seconds since the epoch */
	int		 admin;		/* the `admin` claim is true */
};

/*
 * Verify `token` (NUL-terminated, at most AUTH_MAX_TOKEN bytes).
 * ERR_AUTH: malformed, wrong signature, wrong or no algorithm, missing or
 * non-integer exp, missing or unusable user id.  ERR_EXPIRED: exp <= now.
 * On ERR_OK and ERR_EXPIRED the claims are filled and the caller owns
 * out->user_id (auth_claims_reset); on other errors they are empty.
 */
enum err	 auth_verify(const struct auth_key *, const char *token,
		    int64_t now, struct auth_claims *out) MUSTCHECK;
void		 auth_claims_reset(struct auth_claims *);

/* Sign a token for user_id valid for ttl seconds from now; *out is owned
 * (free()). */
enum err	 auth_issue(const struct auth_key *, const char *user_id,
		    int64_t now, int64_t ttl, int admin, char **out) MUSTCHECK;

#endif
