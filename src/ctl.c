/*
 * ctl.c -- dugoutctl, the admin command line.  Every command reads the
 * same configuration and environment as the server, exits non-zero with
 * a one-line reason on any error, and prints the bare value (or JSON with
 * --json).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sodium.h>

#include "auth.h"
#include "buf.h"
#include "conf.h"
#include "db.h"
#include "migrate.h"
#include "valid.h"

extern char **environ;

struct ctl {
	struct conf	 conf;
	struct db	*db;
	int		 json;
	const char	*config_path;
	const char	*sql_dir;
};

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list	 ap;

	(void)fputs("dugoutctl: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
	exit(1);
}

static void
usage(void)
{
	(void)fputs("usage: dugoutctl [--config FILE] [--json] COMMAND\n"
	    "  migrate [--sql-dir DIR]\n"
	    "  token --user ID [--ttl SECONDS] [--admin]\n"
	    "  team add --name NAME --abbrev ABBR [--manager USER_ID]...\n"
	    "  game create --home TEAM_ID --away TEAM_ID\n", stderr);
	exit(2);
}

static void
need_db(struct ctl *c)
{
	if (db_open(c->conf.database, &c->db) != ERR_OK)
		die("cannot connect to the database (%s): see the message "
		    "above", "database");
}

/* Print a single value, bare or as {"key": value}. */
static void
print_value(const struct ctl *c, const char *key, const char *value,
    int is_number)
{
	struct json_object	*o;

	if (!c->json) {
		(void)printf("%s\n", value);
		return;
	}
	o = json_object_new_object();
	(void)json_object_object_add(o, key, is_number ?
	    json_object_new_int64(strtoll(value, NULL, 10)) :
	    json_object_new_string(value));
	(void)printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* --------------------------------------------------------------- migrate */

static const char *
sql_dir(const struct ctl *c)
{
	const char	*d;

	if (c->sql_dir != NULL)
		return c->sql_dir;
	if ((d = getenv("DUGOUT_SQLDIR")) != NULL && *d != '\0')
		return d;
	if (access(PKGDATADIR "/sql", R_OK) == 0)
		return PKGDATADIR "/sql";
	return "sql";
}

static void
said_applied(const char *name)
{
	(void)fprintf(stderr, "applied %s\n", name);
}

static int
cmd_migrate(struct ctl *c)
{
	char		*msg = NULL, num[24];
	size_t		 n = 0;

	need_db(c);
	if (migrate_run(c->db, sql_dir(c), &n, c->json ? NULL : said_applied,
	    &msg) != ERR_OK)
		die("migrate: %s", msg != NULL ? msg : "failed");
	(void)snprintf(num, sizeof(num), "%zu", n);
	print_value(c, "applied", num, 1);
	return 0;
}

/* ----------------------------------------------------------------- token */

static int
cmd_token(struct ctl *c, int argc, char **argv)
{
	const char		*user = NULL;
	long long		 ttl = 3600;
	int			 admin = 0, i, asym = 0;
	char			*tok = NULL, *end;
	struct auth_key		 key = { c->conf.jwt_algorithm, c->conf.jwt_key,
	    c->conf.jwt_public_key, c->conf.jwt_private_key };

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else if (strcmp(argv[i], "--ttl") == 0 && i + 1 < argc) {
			errno = 0;
			ttl = strtoll(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || ttl < 1 ||
			    ttl > 10LL * 365 * 86400)
				die("--ttl: expected seconds from 1 to 10 "
				    "years");
		} else if (strcmp(argv[i], "--admin") == 0)
			admin = 1;
		else
			usage();
	}
	if (user == NULL)
		die("token: --user is required");
	if (auth_alg_known(key.alg, &asym) && asym && key.private_pem == NULL)
		die("token: %s tokens are signed with jwt_private_key_file, "
		    "which is not set", key.alg);
	if (strlen(user) > 128)
		die("token: the user id is longer than 128 characters");
	if (auth_issue(&key, user, (int64_t)time(NULL), ttl, admin,
	    &tok) != ERR_OK)
		die("token: cannot sign with the configured %s key", key.alg);
	print_value(c, "token", tok, 0);
	free(tok);
	return 0;
}

/* ------------------------------------------------------------ team, game */

static int
cmd_team_add(struct ctl *c, int argc, char **argv)
{
	const char	*name = NULL, *abbrev = NULL, *params[2];
	const char	**mgr = NULL;
	size_t		 nmgr = 0, j;
	struct db_rows	*rows = NULL;
	char		*id, *msg = NULL;
	enum err	 er;
	int		 i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--abbrev") == 0 && i + 1 < argc)
			abbrev = argv[++i];
		else if (strcmp(argv[i], "--manager") == 0 && i + 1 < argc) {
			if ((mgr = realloc(mgr, (nmgr + 1) *
			    sizeof(*mgr))) == NULL)
				die("out of memory");
			mgr[nmgr++] = argv[++i];
		} else
			usage();
	}
	if (name == NULL || abbrev == NULL)
		die("team add: --name and --abbrev are required");
	need_db(c);
	if (db_script(c->db, "BEGIN", &msg) != ERR_OK)
		die("database: %s", msg);
	params[0] = name;
	params[1] = abbrev;
	if ((er = db_run(c->db, Q_TEAM_ADD, params, &rows)) != ERR_OK)
		die(er == ERR_CONFLICT ? "team add: abbreviation %s is taken" :
		    er == ERR_NOTFOUND ? "team add: invalid name or "
		    "abbreviation %s (2-5 of A-Z, 0-9)" : "team add: %s failed",
		    abbrev);
	if ((id = strdup(db_rows_get(rows, 0, 0))) == NULL)
		die("out of memory");
	db_rows_free(rows);
	for (j = 0; j < nmgr; j++) {
		params[0] = id;
		params[1] = mgr[j];
		if ((er = db_run(c->db, Q_TEAM_MANAGER_ADD, params,
		    NULL)) != ERR_OK)
			die("team add: manager %s: %s", mgr[j],
			    er == ERR_CONFLICT ? "given twice" :
			    "invalid user id");
	}
	if (db_script(c->db, "COMMIT", &msg) != ERR_OK)
		die("database: %s", msg);
	print_value(c, "team_id", id, 1);
	free(id);
	free(mgr);
	return 0;
}

static int
is_id(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9' || i > 18)
			return 0;
	return i > 0;
}

static int
cmd_game_create(struct ctl *c, int argc, char **argv)
{
	const char	*params[2] = { NULL, NULL };
	struct db_rows	*rows = NULL;
	enum err	 er;
	int		 i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--home") == 0 && i + 1 < argc)
			params[0] = argv[++i];
		else if (strcmp(argv[i], "--away") == 0 && i + 1 < argc)
			params[1] = argv[++i];
		else
			usage();
	}
	if (params[0] == NULL || params[1] == NULL)
		die("game create: --home and --away are required");
	if (!is_id(params[0]) || !is_id(params[1]))
		die("game create: team ids are whole numbers");
	if (strcmp(params[0], params[1]) == 0)
		die("game create: a team cannot play itself");
	need_db(c);
	if ((er = db_run(c->db, Q_GAME_CREATE, params, &rows)) != ERR_OK)
		die(er == ERR_NOTFOUND ? "game create: no team %s or %s" :
		    "game create: failed (%s %s)", params[0], params[1]);
	print_value(c, "game_id", db_rows_get(rows, 0, 0), 0);
	db_rows_free(rows);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct ctl	 c;
	struct buf	 em;
	int		 i, rc;

	memset(&c, 0, sizeof(c));
	if (sodium_init() < 0)
		die("libsodium init failed");
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0)
			c.json = 1;
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			c.config_path = argv[++i];
		else
			usage();
	}
	if (i >= argc)
		usage();
	buf_init(&em, 1024);
	if (conf_init(&c.conf) != ERR_OK ||
	    conf_load(&c.conf, c.config_path, environ, &em) != ERR_OK)
		die("%s", em.data ? em.data : "out of memory");
	buf_free(&em);
	argc -= i;
	argv += i;
	if (strcmp(argv[0], "migrate") == 0) {
		if (argc == 3 && strcmp(argv[1], "--sql-dir") == 0)
			c.sql_dir = argv[2];
		else if (argc != 1)
			usage();
		rc = cmd_migrate(&c);
	} else if (strcmp(argv[0], "token") == 0)
		rc = cmd_token(&c, argc - 1, argv + 1);
	else if (argc >= 2 && strcmp(argv[0], "team") == 0 &&
	    strcmp(argv[1], "add") == 0)
		rc = cmd_team_add(&c, argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[0], "game") == 0 &&
	    strcmp(argv[1], "create") == 0)
		rc = cmd_game_create(&c, argc - 2, argv + 2);
	else
		usage();
	db_free(c.db);
	conf_free(&c.conf);
	return rc;
}
