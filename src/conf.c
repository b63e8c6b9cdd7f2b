/*
 * conf.c -- configuration file and environment (see conf.h).
 */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "auth.h"
#include "bounds.h"
#include "buf.h"
#include "conf.h"
#include "log.h"

enum kind { K_STR, K_MS, K_SIZE, K_COUNT, K_BOOL, K_LOGLEVEL, K_LIST };

/* A parsed address or CIDR block (status_allow, REMOTE_ADDR). */
struct cidr {
	int		 fam;		/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];	/* IPv4 in the first 4 bytes */
	unsigned	 bits;		/* prefix length */
};

static int	cidr_parse(const char *, struct cidr *);

static int
cidr_ok(const char *s)
{
	struct cidr	 c;

	return cidr_parse(s, &c);
}

/* The keys, one table (R20): name, kind, where it lands, range. */
struct key {
	const char	*name;
	enum kind	 kind;
	size_t		 off;
	unsigned long	 min, max;
};

/* Each K_LIST key: where its length lands and how to check an item. */
struct list_key {
	const char	*name;
	size_t		 cnt;
	int		(*item_ok)(const char *);	/* or NULL: any */
	const char	*item_what;			/* for the message */
};

#define OFF(f) offsetof(struct conf, f)
static const struct key keys[] = {
	{ "database", K_STR, OFF(database), 0, 0 },
	{ "jwt_algorithm", K_STR, OFF(jwt_algorithm), 0, 0 },
	{ "jwt_key", K_STR, OFF(jwt_key), 0, 0 },
	{ "jwt_public_key_file", K_STR, OFF(jwt_public_key_file), 0, 0 },
	{ "jwt_private_key_file", K_STR, OFF(jwt_private_key_file), 0, 0 },
	{ "ping_interval", K_MS, OFF(ping_interval), 50, 3600000 },
	{ "ping_timeout", K_MS, OFF(ping_timeout), 50, 3600000 },
	{ "connect_timeout", K_MS, OFF(connect_timeout), 100, 3600000 },
	{ "roll_expiry", K_MS, OFF(roll_expiry), 1000, 86400000 },
	{ "rate_limit", K_COUNT, OFF(rate_limit), 1, 100000 },
	{ "rate_burst", K_COUNT, OFF(rate_burst), 1, 100000 },
	{ "rate_roll_dice", K_COUNT, OFF(rate_roll_dice), 1, 100000 },
	{ "max_queued", K_COUNT, OFF(max_queued), 16, 1000000 },
	{ "max_sessions_per_user", K_COUNT, OFF(max_sessions_per_user), 1,
	    100000 },
	{ "max_sockets_per_session", K_COUNT, OFF(max_sockets_per_session), 1,
	    1000 },
	{ "max_payload", K_SIZE, OFF(max_payload), 16, EIO_MAX_PAYLOAD_CEILING },
	{ "cors_origins", K_LIST, OFF(cors_origins), 0, 0 },
	{ "log_level", K_LOGLEVEL, OFF(log_level), 0, 0 },
	{ "conformance", K_BOOL, OFF(conformance), 0, 1 },
	{ "bench_events", K_BOOL, OFF(bench_events), 0, 1 },
	{ "workers", K_COUNT, OFF(workers), 1, 12 },
	{ "db_pool", K_COUNT, OFF(db_pool), 1, 64 },
	{ "listen", K_STR, OFF(listen), 0, 0 },
	{ "health", K_BOOL, OFF(health), 0, 1 },
	{ "metrics", K_BOOL, OFF(metrics), 0, 1 },
	{ "status_allow", K_LIST, OFF(status_allow), 0, 0 },
};

static const struct list_key list_keys[] = {
	{ "cors_origins", OFF(ncors), NULL, NULL },
	{ "status_allow", OFF(nstatus_allow), cidr_ok, "an IPv4 or IPv6 "
	    "address or CIDR block (e.g. 127.0.0.1/8, ::1)" },
};

/* Who may read /healthz and /metrics when they are on: this host only. */
#define STATUS_ALLOW_DEFAULT	"127.0.0.1/8, ::1"

static void
list_free(char **l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; l[i] != NULL; i++)
		free(l[i]);
	free(l);
}

enum err
conf_init(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->ping_interval = 25000;
	c->ping_timeout = 20000;
	c->connect_timeout = 45000;
	c->roll_expiry = 600000;
	c->rate_limit = 20;
	c->rate_burst = 40;
	c->rate_roll_dice = 2;
	c->max_queued = 1000;
	c->max_sessions_per_user = 20;
	c->max_sockets_per_session = 10;
	c->max_payload = EIO_MAX_PAYLOAD_DEFAULT;
	c->log_level = LOG_LEVEL_INFO;
	c->workers = 4;
	c->db_pool = 4;
	if ((c->jwt_algorithm = strdup("HS256")) == NULL ||
	    (c->cors_origins = calloc(1, sizeof(char *))) == NULL ||
	    conf_set(c, "status_allow", STATUS_ALLOW_DEFAULT, NULL) !=
	    ERR_OK) {
		conf_free(c);
		return ERR_NOMEM;
	}
	return ERR_OK;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	free(c->database);
	free(c->jwt_algorithm);
	if (c->jwt_key != NULL)
		explicit_bzero(c->jwt_key, strlen(c->jwt_key));
	free(c->jwt_key);
	free(c->jwt_public_key_file);
	free(c->jwt_private_key_file);
	free(c->jwt_public_key);
	if (c->jwt_private_key != NULL)
		explicit_bzero(c->jwt_private_key, strlen(c->jwt_private_key));
	free(c->jwt_private_key);
	free(c->listen);
	list_free(c->cors_origins);
	list_free(c->status_allow);
	memset(c, 0, sizeof(*c));
}

static const struct key *
key_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* Unsigned decimal in [min, max]; no sign, no spaces, no trailing junk. */
static enum err
parse_ulong(const char *v, unsigned long min, unsigned long max,
    unsigned long *out)
{
	char		*end;
	unsigned long	 n;

	if (!isdigit((unsigned char)v[0]))
		return ERR_CONFIG;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return ERR_CONFIG;
	*out = n;
	return ERR_OK;
}

/* "a, b c" -> {"a","b","c",NULL}. */
static enum err
parse_list(const char *v, char ***out)
{
	char		**l = NULL, **nl;
	size_t		 n = 0, len;
	const char	*p = v;
	enum err	 er = ERR_NOMEM;

	if ((l = calloc(1, sizeof(char *))) == NULL)
		goto out;
	for (;;) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		for (len = 0; p[len] != '\0' && p[len] != ',' &&
		    !isspace((unsigned char)p[len]); len++)
			continue;
		if ((nl = realloc(l, (n + 2) * sizeof(char *))) == NULL)
			goto out;
		l = nl;
		if ((l[n] = strndup(p, len)) == NULL)
			goto out;
		l[++n] = NULL;
		p += len;
	}
	*out = l;
	l = NULL;
	er = ERR_OK;
out:
	list_free(l);
	return er;
}

/* A K_LIST key: every item must pass its check, or nothing changes. */
static enum err
conf_set_list(struct conf *c, const struct key *k, const char *v,
    struct buf *em)
{
	const struct list_key	*lk = NULL;
	char			*base = (char *)c, **l = NULL;
	size_t			 n;

	for (n = 0; n < sizeof(list_keys) / sizeof(list_keys[0]); n++)
		if (strcmp(list_keys[n].name, k->name) == 0)
			lk = &list_keys[n];
	assert(lk != NULL);	/* every K_LIST key has its row */
	if (parse_list(v, &l) != ERR_OK)
		return ERR_NOMEM;
	for (n = 0; l[n] != NULL; n++)
		if (lk->item_ok != NULL && !lk->item_ok(l[n])) {
			ERR_IGNORE(buf_printf(em, "%s: \"%.64s\" is not %s",
			    k->name, l[n], lk->item_what));
			list_free(l);
			return ERR_CONFIG;
		}
	list_free(*(char ***)(base + k->off));
	*(char ***)(base + k->off) = l;
	*(size_t *)(base + lk->cnt) = n;
	return ERR_OK;
}

enum err
conf_set(struct conf *c, const char *name, const char *v, struct buf *em)
{
	const struct key	*k;
	unsigned long		 n;
	char			*s;
	int			 lv;
	char			*base = (char *)c;

	if ((k = key_find(name)) == NULL) {
		ERR_IGNORE(buf_printf(em, "unknown key \"%s\"", name));
		return ERR_CONFIG;
	}
	switch (k->kind) {
	case K_STR:
		if ((s = strdup(v)) == NULL)
			return ERR_NOMEM;
		free(*(char **)(base + k->off));
		*(char **)(base + k->off) = (*s == '\0') ? (free(s), NULL) : s;
		return ERR_OK;
	case K_MS:
	case K_COUNT:
		if (parse_ulong(v, k->min, k->max, &n) != ERR_OK)
			break;
		*(unsigned *)(base + k->off) = (unsigned)n;
		return ERR_OK;
	case K_SIZE:
		if (parse_ulong(v, k->min, k->max, &n) != ERR_OK)
			break;
		*(size_t *)(base + k->off) = n;
		return ERR_OK;
	case K_BOOL:
		if (strcmp(v, "on") == 0 || strcmp(v, "true") == 0 ||
		    strcmp(v, "1") == 0 || strcmp(v, "yes") == 0)
			*(int *)(base + k->off) = 1;
		else if (strcmp(v, "off") == 0 || strcmp(v, "false") == 0 ||
		    strcmp(v, "0") == 0 || strcmp(v, "no") == 0)
			*(int *)(base + k->off) = 0;
		else
			break;
		return ERR_OK;
	case K_LOGLEVEL:
		if ((lv = log_level_parse(v)) < 0)
			break;
		*(int *)(base + k->off) = lv;
		return ERR_OK;
	case K_LIST:
		return conf_set_list(c, k, v, em);
	}
	if (k->kind == K_BOOL)
		ERR_IGNORE(buf_printf(em, "%s: expected on or off", name));
	else if (k->kind == K_LOGLEVEL)
		ERR_IGNORE(buf_printf(em, "%s: expected error, warn, info or debug",
		    name));
	else
		ERR_IGNORE(buf_printf(em, "%s: expected a whole number from %lu "
		    "to %lu", name, k->min, k->max));
	return ERR_CONFIG;
}

/* ------------------------------------------------- addresses (status_allow) */

/* An IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2, ::ffff:a.b.c.d) is the
 * IPv4 address it carries: a dual-stack web server reports IPv4 clients
 * that way. */
static void
cidr_unmap(struct cidr *c)
{
	static const unsigned char	 pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0xff, 0xff };

	if (c->fam != AF_INET6 || memcmp(c->addr, pre, sizeof(pre)) != 0 ||
	    c->bits < 96)
		return;
	c->fam = AF_INET;
	memmove(c->addr, c->addr + 12, 4);
	c->bits -= 96;
}

/*
 * "ADDR" or "ADDR/BITS" (RFC 4632 §3.1 prefix notation; host bits may be
 * set, as in 127.0.0.1/8, and are ignored).  A bare address is a /32 or
 * /128.  0 when malformed.
 */
static int
cidr_parse(const char *s, struct cidr *c)
{
	char		 a[INET6_ADDRSTRLEN];	/* length checked first */
	const char	*slash = strchr(s, '/');
	size_t		 len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned long	 n;

	memset(c, 0, sizeof(*c));
	if (len == 0 || len >= sizeof(a))
		return 0;
	memcpy(a, s, len);
	a[len] = '\0';
	if (inet_pton(AF_INET, a, c->addr) == 1) {
		c->fam = AF_INET;
		c->bits = 32;
	} else if (inet_pton(AF_INET6, a, c->addr) == 1) {
		c->fam = AF_INET6;
		c->bits = 128;
	} else
		return 0;
	if (slash != NULL) {
		if (parse_ulong(slash + 1, 0, c->bits, &n) != ERR_OK)
			return 0;
		c->bits = (unsigned)n;
	}
	cidr_unmap(c);
	return 1;
}

/* 1 when addr (a bare address) is inside block. */
static int
cidr_contains(const struct cidr *block, const struct cidr *addr)
{
	unsigned	 whole = block->bits / 8, rest = block->bits % 8;
	unsigned char	 mask;

	if (block->fam != addr->fam)
		return 0;
	if (memcmp(block->addr, addr->addr, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (block->addr[whole] & mask) == (addr->addr[whole] & mask);
}

int
conf_status_allowed(const struct conf *c, const char *addr)
{
	struct cidr	 a, b;
	size_t		 i;

	if (addr == NULL || strchr(addr, '/') != NULL || !cidr_parse(addr, &a))
		return 0;
	for (i = 0; i < c->nstatus_allow; i++)
		if (cidr_parse(c->status_allow[i], &b) && cidr_contains(&b, &a))
			return 1;
	return 0;
}

static struct span
trim(struct span s)
{
	while (s.len > 0 && isspace((unsigned char)s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 && isspace((unsigned char)s.p[s.len - 1]))
		s.len--;
	return s;
}

/* One line, already without its newline. */
static enum err
conf_line(struct conf *c, struct span line, size_t lineno, struct buf *em)
{
	const char	*eq;
	char		*k = NULL, *v = NULL;
	struct span	 ks, vs;
	enum err	 er = ERR_CONFIG;

	line = trim(line);
	if (line.len == 0 || line.p[0] == '#')
		return ERR_OK;
	if (line.len > CONF_MAX_LINE ||
	    (eq = memchr(line.p, '=', line.len)) == NULL) {
		ERR_IGNORE(buf_printf(em, "line %zu: expected key = value", lineno));
		goto out;
	}
	ks = trim((struct span){ line.p, (size_t)(eq - line.p) });
	vs = trim((struct span){ eq + 1, line.len - (size_t)(eq - line.p) - 1 });
	if (ks.len == 0 || memchr(line.p, '\0', line.len) != NULL) {
		ERR_IGNORE(buf_printf(em, "line %zu: expected key = value", lineno));
		goto out;
	}
	er = ERR_NOMEM;
	if ((k = strndup(ks.p, ks.len)) == NULL ||
	    (v = strndup(vs.p, vs.len)) == NULL)
		goto out;
	if ((er = conf_set(c, k, v, em)) != ERR_OK && er != ERR_NOMEM) {
		/* Prefix the position; conf_set wrote the reason. */
		ERR_IGNORE(buf_printf(em, " (line %zu)", lineno));
	}
out:
	free(k);
	free(v);
	return er;
}

enum err
conf_parse(struct conf *c, struct span text, struct buf *em)
{
	size_t		 lineno = 0, len;
	const char	*nl;
	enum err	 er;

	if (text.len > CONF_MAX_FILE) {
		ERR_IGNORE(buf_puts(em, "configuration file too large"));
		return ERR_CONFIG;
	}
	while (text.len > 0) {
		lineno++;
		nl = memchr(text.p, '\n', text.len);
		len = nl == NULL ? text.len : (size_t)(nl - text.p);
		if ((er = conf_line(c, (struct span){ text.p, len }, lineno,
		    em)) != ERR_OK)
			return er;
		text.p += len;
		text.len -= len;
		if (text.len > 0) {
			text.p++;
			text.len--;
		}
	}
	return ERR_OK;
}

enum err
conf_apply_env(struct conf *c, char *const *envp, struct buf *em)
{
	size_t		 i, j, klen;
	const char	*e, *eq;
	char		 name[64];	/* key names are ours: bounded below */
	enum err	 er;

	for (i = 0; envp != NULL && envp[i] != NULL; i++) {
		e = envp[i];
		if (strncmp(e, "DUGOUT_", 7) != 0 ||
		    (eq = strchr(e, '=')) == NULL)
			continue;
		klen = (size_t)(eq - e) - 7;
		if (klen == 0 || klen >= sizeof(name))
			continue;
		for (j = 0; j < klen; j++)
			name[j] = (char)tolower((unsigned char)e[7 + j]);
		name[klen] = '\0';
		if (strcmp(name, "config") == 0 || strcmp(name, "build_dir") == 0)
			continue;	/* read elsewhere; not keys */
		if (strcmp(name, "jwt_secret") == 0)
			(void)strcpy(name, "jwt_key");
		if (key_find(name) == NULL)
			continue;	/* other DUGOUT_ variables are not ours */
		if ((er = conf_set(c, name, eq + 1, em)) != ERR_OK) {
			ERR_IGNORE(buf_printf(em, " (environment %.*s)",
			    (int)(eq - e), e));
			return er;
		}
	}
	return ERR_OK;
}

enum err
conf_validate(const struct conf *c, struct buf *em)
{
	int	 asym = 0;

	if (c->database == NULL) {
		ERR_IGNORE(buf_puts(em, "database is not set (set database in the "
		    "config file or DUGOUT_DATABASE)"));
		return ERR_CONFIG;
	}
	if (c->jwt_algorithm == NULL) {
		ERR_IGNORE(buf_puts(em, "jwt_algorithm is not set (HS256, HS384 "
		    "or HS512)"));
		return ERR_CONFIG;
	}
	if (!auth_alg_known(c->jwt_algorithm, &asym)) {
		ERR_IGNORE(buf_printf(em, "jwt_algorithm: %s is not supported "
		    "(HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384 "
		    "or ES512)", c->jwt_algorithm));
		return ERR_CONFIG;
	}
	if (asym && c->jwt_public_key == NULL) {
		ERR_IGNORE(buf_printf(em, "jwt_algorithm %s needs "
		    "jwt_public_key_file (a PEM public key)", c->jwt_algorithm));
		return ERR_CONFIG;
	}
	if (!asym && (c->jwt_key == NULL || strlen(c->jwt_key) < 32)) {
		ERR_IGNORE(buf_puts(em, "jwt_key must be set and at least 32 "
		    "characters (or DUGOUT_JWT_SECRET)"));
		return ERR_CONFIG;
	}
	return ERR_OK;
}

static enum err
file_read(const char *path, struct buf *out, struct buf *em)
{
	FILE		*f;
	char		 chunk[4096];
	size_t		 n;
	enum err	 er = ERR_OK;

	if ((f = fopen(path, "r")) == NULL) {
		ERR_IGNORE(buf_printf(em, "%s: %s", path, strerror(errno)));
		return ERR_CONFIG;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((er = buf_append(out, chunk, n)) != ERR_OK) {
			ERR_IGNORE(buf_printf(em, "%s: too large", path));
			er = ERR_CONFIG;
			break;
		}
	if (er == ERR_OK && ferror(f)) {
		ERR_IGNORE(buf_printf(em, "%s: read error", path));
		er = ERR_CONFIG;
	}
	(void)fclose(f);
	return er;
}

/* Read a PEM key file named by the configuration into *out (owned). */
static enum err
key_load(const char *path, char **out, struct buf *em)
{
	struct buf	 text;
	enum err	 er;

	if (path == NULL)
		return ERR_OK;
	buf_init(&text, CONF_MAX_FILE);
	if ((er = file_read(path, &text, em)) == ERR_OK) {
		free(*out);
		if ((*out = buf_steal(&text)) == NULL)
			er = ERR_NOMEM;
	}
	buf_free(&text);
	return er;
}

enum err
conf_load(struct conf *c, const char *path, char *const *envp,
    struct buf *em)
{
	struct buf	 text;
	const char	*p = path;
	size_t		 i;
	enum err	 er;

	buf_init(&text, CONF_MAX_FILE);
	for (i = 0; p == NULL && envp != NULL && envp[i] != NULL; i++)
		if (strncmp(envp[i], "DUGOUT_CONFIG=", 14) == 0)
			p = envp[i] + 14;
	if (p == NULL && access(SYSCONFDIR "/dugout/dugout.conf", R_OK) == 0)
		p = SYSCONFDIR "/dugout/dugout.conf";
	if (p != NULL && *p != '\0') {
		if ((er = file_read(p, &text, em)) != ERR_OK)
			goto out;
		if ((er = conf_parse(c, buf_span(&text), em)) != ERR_OK) {
			ERR_IGNORE(buf_printf(em, " in %s", p));
			goto out;
		}
	}
	if ((er = conf_apply_env(c, envp, em)) != ERR_OK ||
	    (er = key_load(c->jwt_public_key_file, &c->jwt_public_key,
	    em)) != ERR_OK ||
	    (er = key_load(c->jwt_private_key_file, &c->jwt_private_key,
	    em)) != ERR_OK)
		goto out;
	er = conf_validate(c, em);
out:
	buf_free(&text);
	return er;
}
