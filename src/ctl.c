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
#include "bounds.h"
#include "buf.h"
#include "conf.h"
#include "db.h"
#include "game.h"
#include "game_json.h"
#include "migrate.h"
#include "query.h"
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
	    "  check [--sql-dir DIR] [--www-dir DIR]\n"
	    "  migrate [--sql-dir DIR]\n"
	    "  token --user ID [--ttl SECONDS] [--admin]\n"
	    "  refresh-stats\n"
	    "  team add --name NAME --abbrev ABBR [--manager USER_ID]...\n"
	    "  game create --home TEAM_ID --away TEAM_ID [--lineup-home FILE]\n"
	    "      [--lineup-away FILE] [--innings N] [--no-dh]\n"
	    "  demo [--home-user ID] [--away-user ID] [--spectator-user ID]\n"
	    "      [--ttl SECONDS]\n"
	    "  audit GAME [--json] [--replay [--play ID]]\n"
	    "  bench-setup --rooms N\n", stderr);
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

/* --ttl SECONDS: 1 second to 10 years. */
static long long
ttl_parse(const char *arg)
{
	long long	 ttl;
	char		*end;

	errno = 0;
	ttl = strtoll(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || ttl < 1 ||
	    ttl > 10LL * 365 * 86400)
		die("--ttl: expected seconds from 1 to 10 years");
	return ttl;
}

/* A token for user signed with the configured key (owned); dies with a
 * reason prefixed by cmd.  Used by token and demo alike. */
static char *
token_sign(const struct ctl *c, const char *cmd, const char *user,
    long long ttl, int admin)
{
	char			*tok = NULL;
	int			 asym = 0;
	struct auth_key		 key = { c->conf.jwt_algorithm, c->conf.jwt_key,
	    c->conf.jwt_public_key, c->conf.jwt_private_key };

	if (auth_alg_known(key.alg, &asym) && asym && key.private_pem == NULL)
		die("%s: %s tokens are signed with jwt_private_key_file, "
		    "which is not set", cmd, key.alg);
	if (strlen(user) > 128)
		die("%s: the user id is longer than 128 characters", cmd);
	if (auth_issue(&key, user, (int64_t)time(NULL), ttl, admin,
	    &tok) != ERR_OK)
		die("%s: cannot sign with the configured %s key", cmd, key.alg);
	return tok;
}

static int
cmd_token(struct ctl *c, int argc, char **argv)
{
	const char		*user = NULL;
	long long		 ttl = 3600;
	int			 admin = 0, i;
	char			*tok;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else if (strcmp(argv[i], "--ttl") == 0 && i + 1 < argc)
			ttl = ttl_parse(argv[++i]);
		else if (strcmp(argv[i], "--admin") == 0)
			admin = 1;
		else
			usage();
	}
	if (user == NULL)
		die("token: --user is required");
	tok = token_sign(c, "token", user, ttl, admin);
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

/* A lineup file is a few hundred bytes; anything near this is a mistake. */
#define CTL_LINEUP_MAX	(64 * 1024)

/*
 * The lineup in path -- a JSON array of {card_id, position, batting_order},
 * sql/006_demo.sql -- as compact JSON text (owned); dies naming opt.  Only
 * the syntax is checked here: the rules are dugout_lineup_check's.
 */
static char *
lineup_read(const char *opt, const char *path)
{
	FILE			*fp;
	struct buf		 b;
	struct json_tokener	*tk;
	struct json_object	*o;
	enum json_tokener_error	 je;
	char			 chunk[4096], *out;
	size_t			 n;
	int			 ok = 1;

	if ((fp = fopen(path, "r")) == NULL)
		die("%s: %s: %s", opt, path, strerror(errno));
	buf_init(&b, CTL_LINEUP_MAX);
	while (ok && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ok = buf_append(&b, chunk, n) == ERR_OK;
	if (ferror(fp))
		die("%s: %s: cannot read it", opt, path);
	(void)fclose(fp);
	if (!ok)
		die("%s: %s: longer than %d bytes", opt, path, CTL_LINEUP_MAX);
	if ((tk = json_tokener_new()) == NULL)
		die("out of memory");
	json_tokener_set_flags(tk, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tk, b.len > 0 ? b.data : "", (int)b.len);
	je = json_tokener_get_error(tk);
	json_tokener_free(tk);
	if (o == NULL || je != json_tokener_success) {
		json_object_put(o);
		die("%s: %s: not valid JSON (%s)", opt, path, b.len == 0 ?
		    "the file is empty" : je == json_tokener_continue ?
		    "it ends too soon" : json_tokener_error_desc(je));
	}
	buf_free(&b);
	if (!json_object_is_type(o, json_type_array)) {
		json_object_put(o);
		die("%s: %s: expected a JSON array of {card_id, position, "
		    "batting_order}", opt, path);
	}
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (out == NULL)
		die("out of memory");
	return out;
}

/*
 * Give one team of a new (pending) game its starting lineup, inside the
 * caller's transaction: the lineup of the file when one was read, else the
 * roster's default (dugout_lineup_default) -- or none when the team has no
 * roster at all, as games were before cards existed.  opt names the side
 * in messages ("lineup-home").
 */
static void
lineup_apply(struct ctl *c, const char *opt, const char *game,
    const char *team, const char *use_dh, const char *lineup)
{
	const char	*params[3];
	struct db_rows	*rows = NULL;
	char		*dflt = NULL;
	enum err	 er;

	if (lineup == NULL) {
		params[0] = team;
		if (db_run(c->db, Q_ROSTER_COUNT, params, &rows) != ERR_OK)
			die("%s: cannot read team %s's roster (is "
			    "sql/003_game.sql applied?)", opt, team);
		if (strcmp(db_rows_get(rows, 0, 0), "0") == 0) {
			db_rows_free(rows);
			return;
		}
		db_rows_free(rows);
		params[1] = use_dh;
		if ((er = db_run(c->db, Q_LINEUP_DEFAULT, params,
		    &rows)) != ERR_OK)
			die("%s: team %s's roster cannot field a default "
			    "lineup (%s%s); give --%s FILE", opt, team,
			    er == ERR_NOTFOUND ? "it needs a card for each of "
			    "P C 1B 2B 3B SS LF CF RF" : "see the message "
			    "above", er == ERR_NOTFOUND && use_dh[0] == 't' ?
			    ", and a position player for the DH" : "", opt);
		if ((dflt = strdup(db_rows_get(rows, 0, 0))) == NULL)
			die("out of memory");
		db_rows_free(rows);
		lineup = dflt;
	}
	params[0] = game;
	params[1] = team;
	params[2] = lineup;
	if ((er = db_run(c->db, Q_LINEUP_CHECK, params, &rows)) != ERR_OK)
		die("%s: cannot check the lineup (%s)", opt,
		    er == ERR_NOTFOUND ? "the database refused its JSON" :
		    "see the message above");
	if (db_rows_get(rows, 0, 0) != NULL)
		die("%s: %s", opt, db_rows_get(rows, 0, 0));
	db_rows_free(rows);
	if (db_run(c->db, Q_LINEUP_SET, params, NULL) != ERR_OK)
		die("%s: cannot write the lineup: see the message above", opt);
	free(dflt);
}

/* --innings: a scheduled length, not a limit (extra innings go on). */
#define CTL_INNINGS_MAX	99

static int
cmd_game_create(struct ctl *c, int argc, char **argv)
{
	const char	*home = NULL, *away = NULL, *file_home = NULL;
	const char	*file_away = NULL, *innings = NULL, *params[3];
	char		*lineup_home = NULL, *lineup_away = NULL, *game, *msg;
	char		*use_dh;
	struct db_rows	*rows = NULL;
	enum err	 er;
	int		 i, no_dh = 0;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--home") == 0 && i + 1 < argc)
			home = argv[++i];
		else if (strcmp(argv[i], "--away") == 0 && i + 1 < argc)
			away = argv[++i];
		else if (strcmp(argv[i], "--lineup-home") == 0 && i + 1 < argc)
			file_home = argv[++i];
		else if (strcmp(argv[i], "--lineup-away") == 0 && i + 1 < argc)
			file_away = argv[++i];
		else if (strcmp(argv[i], "--innings") == 0 && i + 1 < argc)
			innings = argv[++i];
		else if (strcmp(argv[i], "--no-dh") == 0)
			no_dh = 1;
		else
			usage();
	}
	if (home == NULL || away == NULL)
		die("game create: --home and --away are required");
	if (!is_id(home) || !is_id(away))
		die("game create: team ids are whole numbers");
	if (strcmp(home, away) == 0)
		die("game create: a team cannot play itself");
	if (innings != NULL && (!is_id(innings) || strlen(innings) > 2 ||
	    atoi(innings) < 1 || atoi(innings) > CTL_INNINGS_MAX))
		die("--innings: expected a whole number from 1 to %d",
		    CTL_INNINGS_MAX);
	/* The files first: a bad one changes nothing. */
	if (file_home != NULL)
		lineup_home = lineup_read("lineup-home", file_home);
	if (file_away != NULL)
		lineup_away = lineup_read("lineup-away", file_away);

	/* One transaction: a refused lineup leaves no game behind. */
	need_db(c);
	if (db_script(c->db, "BEGIN", &msg) != ERR_OK)
		die("database: %s", msg);
	params[0] = home;
	params[1] = away;
	if ((er = db_run(c->db, Q_GAME_CREATE, params, &rows)) != ERR_OK)
		die(er == ERR_NOTFOUND ? "game create: no team %s or %s" :
		    "game create: failed (%s %s)", home, away);
	if ((game = strdup(db_rows_get(rows, 0, 0))) == NULL)
		die("out of memory");
	db_rows_free(rows);
	/* NULLs keep the columns' defaults; the answer is use_dh. */
	params[0] = game;
	params[1] = innings;
	params[2] = no_dh ? "false" : NULL;
	if (db_run(c->db, Q_GAME_OPTIONS, params, &rows) != ERR_OK)
		die("game create: cannot set the game's options (is "
		    "sql/003_game.sql applied?)");
	if ((use_dh = strdup(db_rows_get(rows, 0, 0))) == NULL)
		die("out of memory");
	db_rows_free(rows);
	lineup_apply(c, "lineup-home", game, home, use_dh, lineup_home);
	lineup_apply(c, "lineup-away", game, away, use_dh, lineup_away);
	if (db_script(c->db, "COMMIT", &msg) != ERR_OK)
		die("database: %s", msg);
	print_value(c, "game_id", game, 0);
	free(use_dh);
	free(game);
	free(lineup_home);
	free(lineup_away);
	return 0;
}

/* ------------------------------------------------------------------ demo */

/* Add key (a JSON value, reference taken) to o; dies when out of memory. */
static void
obj_add(struct json_object *o, const char *key, struct json_object *v)
{
	if (json_object_object_add(o, key, v) != 0)
		die("out of memory");
}

/*
 * One side of the demo as printed: team_id, user_id and token first, then
 * the rest of dugout_demo's object for that side (name, abbrev, lineup,
 * pitcher), in its order.
 */
static struct json_object *
demo_side(struct json_object *side, const char *token)
{
	struct json_object	*o, *v;

	if ((o = json_object_new_object()) == NULL)
		die("out of memory");
	if (!json_object_object_get_ex(side, "team_id", &v))
		die("demo: the database's answer has no team_id");
	obj_add(o, "team_id", json_object_get(v));
	if (!json_object_object_get_ex(side, "user_id", &v))
		die("demo: the database's answer has no user_id");
	obj_add(o, "user_id", json_object_get(v));
	obj_add(o, "token", json_object_new_string(token));
	json_object_object_foreach(side, key, val)
		if (strcmp(key, "team_id") != 0 && strcmp(key, "user_id") != 0)
			obj_add(o, key, json_object_get(val));
	return o;
}

/*
 * A ready-to-play demo: dugout_demo makes (or reuses) two fictional teams
 * with full rosters, a new pending game and its lineups; the two managers
 * and a spectator get tokens signed as `token` signs them.  Always prints
 * one JSON object: {game_id, home, away, spectator}.
 */
static int
cmd_demo(struct ctl *c, int argc, char **argv)
{
	const char		*user[3] = { "demo-home", "demo-away",
	    "demo-spectator" }, *params[2];
	static const char *const opt[3] = { "--home-user", "--away-user",
	    "--spectator-user" };
	char			*tok[3];
	long long		 ttl = 86400;
	struct db_rows		*rows = NULL;
	struct json_object	*got, *out, *v, *spec;
	enum err		 er;
	int			 i, k, matched;

	for (i = 0; i < argc; i++) {
		matched = 0;
		for (k = 0; k < 3; k++)
			if (strcmp(argv[i], opt[k]) == 0 && i + 1 < argc) {
				user[k] = argv[++i];
				matched = 1;
				break;
			}
		if (matched)
			continue;
		if (strcmp(argv[i], "--ttl") == 0 && i + 1 < argc)
			ttl = ttl_parse(argv[++i]);
		else
			usage();
	}
	for (k = 0; k < 3; k++)
		if (user[k][0] == '\0')
			die("demo: %s: the user id is empty", opt[k]);
	/* Sign first: a key that cannot sign leaves no game behind. */
	for (k = 0; k < 3; k++)
		tok[k] = token_sign(c, "demo", user[k], ttl, 0);

	need_db(c);
	params[0] = user[0];
	params[1] = user[1];
	if ((er = db_run(c->db, Q_DEMO, params, &rows)) != ERR_OK)
		die("demo: %s", er == ERR_RETRY ? "the database was busy, run "
		    "it again" : "failed (are the migrations applied? see the "
		    "message above)");
	if ((got = json_tokener_parse(db_rows_get(rows, 0, 0))) == NULL)
		die("demo: the database's answer is not JSON");
	db_rows_free(rows);

	if ((out = json_object_new_object()) == NULL)
		die("out of memory");
	if (!json_object_object_get_ex(got, "game_id", &v))
		die("demo: the database's answer has no game_id");
	obj_add(out, "game_id", json_object_get(v));
	for (k = 0; k < 2; k++) {
		if (!json_object_object_get_ex(got, k == 0 ? "home" : "away",
		    &v))
			die("demo: the database's answer has no %s",
			    k == 0 ? "home" : "away");
		obj_add(out, k == 0 ? "home" : "away", demo_side(v, tok[k]));
	}
	if ((spec = json_object_new_object()) == NULL)
		die("out of memory");
	obj_add(spec, "user_id", json_object_new_string(user[2]));
	obj_add(spec, "token", json_object_new_string(tok[2]));
	obj_add(out, "spectator", spec);
	(void)printf("%s\n", json_object_to_json_string_ext(out,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(out);
	json_object_put(got);
	for (k = 0; k < 3; k++)
		free(tok[k]);
	return 0;
}

/* ----------------------------------------------------------- bench-setup */

/* --rooms: enough for 10,000 clients in rooms of 1. */
#define CTL_BENCH_ROOMS_MAX	100000

/*
 * dugoutctl bench-setup --rooms N: N new pending games for the load
 * generator (bench/), between two bench teams without rosters (BNCHH and
 * BNCHA, made on the first run, reused after), all in one statement;
 * prints the game ids one per line, or {"game_ids": [...]} with --json.
 * A spectator joins such a game like any other; the bench event itself
 * is only served with bench_events = on.
 */
static int
cmd_bench_setup(struct ctl *c, int argc, char **argv)
{
	const char		*rooms = NULL, *params[1];
	struct db_rows		*rows = NULL;
	struct json_object	*ids, *o;
	size_t			 i, n;
	enum err		 er;
	int			 j;

	for (j = 0; j < argc; j++)
		if (strcmp(argv[j], "--rooms") == 0 && j + 1 < argc)
			rooms = argv[++j];
		else
			usage();
	if (rooms == NULL)
		die("bench-setup: --rooms is required");
	if (!is_id(rooms) || strlen(rooms) > 6 || atoi(rooms) < 1 ||
	    atoi(rooms) > CTL_BENCH_ROOMS_MAX)
		die("--rooms: expected a whole number from 1 to %d",
		    CTL_BENCH_ROOMS_MAX);
	need_db(c);
	params[0] = rooms;
	if ((er = db_run(c->db, Q_BENCH_SETUP, params, &rows)) != ERR_OK)
		die("bench-setup: %s", er == ERR_RETRY ? "the database was "
		    "busy, run it again" : "failed (are the migrations "
		    "applied? see the message above)");
	n = db_rows_count(rows);
	if (n != (size_t)atoi(rooms))
		die("bench-setup: the database made %zu games, not %s", n,
		    rooms);
	if (!c->json) {
		for (i = 0; i < n; i++)
			(void)printf("%s\n", db_rows_get(rows, i, 0));
		db_rows_free(rows);
		return 0;
	}
	if ((o = json_object_new_object()) == NULL ||
	    (ids = json_object_new_array_ext((int)n)) == NULL)
		die("out of memory");
	for (i = 0; i < n; i++)
		if (json_object_array_add(ids,
		    json_object_new_string(db_rows_get(rows, i, 0))) != 0)
			die("out of memory");
	obj_add(o, "game_ids", ids);
	(void)printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	db_rows_free(rows);
	return 0;
}

/* ----------------------------------------------------------------- audit */

/* 8-4-4-4-12 hexadecimal digits, the form of a game id. */
static int
is_uuid(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' :
		    !((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return i == 36;
}

/*
 * One play of --replay: the engine run again on the play's state_before
 * with its accepted submission (sql/014_replay.sql).  Returns 1 when it
 * gives the play document that was recorded; prints either way.
 */
static int
replay_one(const struct ctl *c, struct db_rows *rows, size_t i)
{
	const char		*audit_id = db_rows_get(rows, i, 0);
	const char		*play_id = db_rows_get(rows, i, 1);
	struct json_object	*payload, *before, *recorded, *replayed = NULL;
	struct json_object	*out = NULL;
	struct game_state	 st;
	struct g_submit		 sub;
	struct g_play		 play;
	struct g_error		 ge;
	struct valid_err	 ve;
	const char		*why = NULL;
	int			 same = 0;

	payload = json_tokener_parse(db_rows_get(rows, i, 2));
	before = json_tokener_parse(db_rows_get(rows, i, 4));
	recorded = json_tokener_parse(db_rows_get(rows, i, 5));
	memset(&sub, 0, sizeof(sub));
	memset(&play, 0, sizeof(play));
	if (payload == NULL || before == NULL || recorded == NULL ||
	    game_json_read(before, &st) != ERR_OK)
		why = "the stored documents do not parse";
	else if (!game_json_submission(payload, &sub, &ve))
		why = ve.message;
	else {
		/* whether a roll was pending is the audit row's roll_id:
		 * an expired roll is simply absent, as when it was played */
		st.roll_pending = strcmp(db_rows_get(rows, i, 3), "t") == 0;
		if (!game_submit(&st, &sub, game_json_name, before, &play, &ge))
			why = ge.message;
		else if ((replayed = game_json_play(&play)) == NULL)
			why = "out of memory";
		else
			same = json_object_equal(replayed, recorded);
	}
	if (c->json) {
		if ((out = json_object_new_object()) != NULL) {
			json_object_object_add(out, "audit_id",
			    json_object_new_int64(strtoll(audit_id, NULL, 10)));
			json_object_object_add(out, "play_id",
			    json_object_new_int64(strtoll(play_id, NULL, 10)));
			json_object_object_add(out, "same",
			    json_object_new_boolean(same));
			if (why != NULL)
				json_object_object_add(out, "error",
				    json_object_new_string(why));
			if (!same) {
				json_object_object_add(out, "recorded",
				    json_object_get(recorded));
				json_object_object_add(out, "replayed",
				    json_object_get(replayed));
			}
			(void)printf("%s\n", json_object_to_json_string_ext(out,
			    JSON_C_TO_STRING_PLAIN));
		}
	} else if (same)
		(void)printf("play %s (#%s): replayed, same\n", play_id,
		    audit_id);
	else if (why != NULL)
		(void)printf("play %s (#%s): DIFFERS: the engine refused the "
		    "submission: %s\n", play_id, audit_id, why);
	else
		(void)printf("play %s (#%s): DIFFERS\n  recorded: %s\n  "
		    "replayed: %s\n", play_id, audit_id,
		    json_object_to_json_string_ext(recorded,
		    JSON_C_TO_STRING_PLAIN),
		    json_object_to_json_string_ext(replayed,
		    JSON_C_TO_STRING_PLAIN));
	json_object_put(out);
	json_object_put(payload);
	json_object_put(before);
	json_object_put(recorded);
	json_object_put(replayed);
	return same;
}

/* --replay: every play of the game, or one; exit 1 when any differs. */
static int
audit_replay(struct ctl *c, const char *game, const char *play)
{
	struct db_rows	*rows = NULL;
	const char	*params[2] = { game, play };
	size_t		 i, n, differ = 0;

	if (db_run(c->db, Q_PLAY_REPLAYS, params, &rows) != ERR_OK)
		die("audit: the query failed (is sql/014_replay.sql applied? "
		    "see the message above)");
	n = db_rows_count(rows);
	for (i = 0; i < n; i++)
		if (!replay_one(c, rows, i))
			differ++;
	db_rows_free(rows);
	if (!c->json)
		(void)printf("%zu play%s replayed, %zu differ%s\n", n,
		    n == 1 ? "" : "s", differ, differ == 1 ? "s" : "");
	if (play != NULL && n == 0)
		die("audit: play %s of game %s has no replay record", play,
		    game);
	return differ > 0;
}

/*
 * dugoutctl audit GAME [--json] [--replay [--play ID]]: the game's audit
 * trail (sql/011_audit.sql dugout_audit_lines), one line per recorded
 * action in order, or one JSON object per line with --json.  --replay
 * runs the engine again on every play (or one) from the database alone
 * and says whether it gives what was recorded (docs/game.md).
 */
static int
cmd_audit(struct ctl *c, int argc, char **argv)
{
	struct db_rows	*rows = NULL;
	const char	*game = NULL, *play = NULL, *params[1], *v;
	size_t		 i, n;
	int		 j, replay = 0;
	enum err	 er;

	for (j = 0; j < argc; j++)
		if (strcmp(argv[j], "--json") == 0)
			c->json = 1;
		else if (strcmp(argv[j], "--replay") == 0)
			replay = 1;
		else if (strcmp(argv[j], "--play") == 0 && j + 1 < argc)
			play = argv[++j];
		else if (game == NULL && argv[j][0] != '-')
			game = argv[j];
		else
			usage();
	if (game == NULL || (play != NULL && !replay))
		usage();
	if (!is_uuid(game))
		die("audit: %s is not a game id (a UUID)", game);
	if (play != NULL && (strspn(play, "0123456789") != strlen(play) ||
	    *play == '\0' || strlen(play) > 18))
		die("audit: --play %s is not a play id (a number)", play);
	need_db(c);
	if (replay)
		return audit_replay(c, game, play);
	params[0] = game;
	if ((er = db_run(c->db, Q_AUDIT_LINES, params, &rows)) != ERR_OK)
		die("audit: the query failed (is sql/011_audit.sql applied? "
		    "see the message above)");
	n = db_rows_count(rows);
	for (i = 0; i < n; i++)
		if ((v = db_rows_get(rows, i, c->json ? 1 : 0)) != NULL)
			(void)printf("%s\n", v);
	db_rows_free(rows);
	return 0;
}

/* --------------------------------------------------------- refresh-stats */

/* Recompute the season materialized views (sql/005_stats.sql). */
static int
cmd_refresh_stats(struct ctl *c)
{
	enum err	 er;

	need_db(c);
	if ((er = db_run(c->db, Q_STATS_REFRESH, NULL, NULL)) != ERR_OK)
		die("refresh-stats: %s", er == ERR_RETRY ? "the refresh "
		    "collided with another one, run it again" : "failed "
		    "(is sql/005_stats.sql applied? see the message above)");
	(void)printf("%s\n", c->json ? "{\"refreshed\": true}" :
	    "refreshed");
	return 0;
}

/* ----------------------------------------------------------------- check */

/*
 * dugoutctl check: is this host ready to serve?  One line on stdout per
 * check, "ok: ...", "problem: ..." or "skipped: ..." (a check that needs
 * one that failed); exit 0 only when nothing is a problem.  Checks, in
 * order: the configuration, the JWT key, the sql and www directories, the
 * database connection, and the schema against this build's migrations.
 * Secrets (jwt_key, a password in the conninfo) are never printed.
 */

enum check_verdict { CHECK_OK, CHECK_PROBLEM, CHECK_SKIPPED };

struct check {
	struct ctl	*c;
	unsigned	 problems;
	int		 conf_ok;	/* file and environment applied */
	int		 sql_ok;	/* the sql dir is usable */
	const char	*www_dir;
};

/* A check's line; stdout is flushed so a libpq message logged on stderr
 * by the next check lands after it. */
static void __attribute__((format(printf, 3, 4)))
check_say(struct check *k, enum check_verdict v, const char *fmt, ...)
{
	static const char *const word[] = { "ok", "problem", "skipped" };
	va_list	 ap;

	if (v == CHECK_PROBLEM)
		k->problems++;
	(void)printf("%s: ", word[v]);
	va_start(ap, fmt);
	(void)vprintf(fmt, ap);
	va_end(ap);
	(void)putchar('\n');
	(void)fflush(stdout);
}

/* Append s[0..n) to b, or note the failure in *ok. */
static void
redact_put(struct buf *b, const char *s, size_t n, int *ok)
{
	if (buf_append(b, s, n) != ERR_OK)
		*ok = 0;
}

/* A URI conninfo without the password of its user info and of its query
 * string (postgresql://user:secret@host/db?password=secret). */
static void
redact_uri(const char *ci, struct buf *b, int *ok)
{
	const char	*auth, *end, *at, *colon, *q, *amp, *sep;

	auth = strstr(ci, "://") + 3;
	end = auth + strcspn(auth, "/?");
	for (at = NULL, q = auth; q < end; q++)
		if (*q == '@')
			at = q;
	colon = at == NULL ? NULL : memchr(auth, ':', (size_t)(at - auth));
	if (colon != NULL) {
		redact_put(b, ci, (size_t)(colon - ci), ok);
		redact_put(b, at, (size_t)(end - at), ok);
	} else
		redact_put(b, ci, (size_t)(end - ci), ok);
	q = end + strcspn(end, "?");
	redact_put(b, end, (size_t)(q - end), ok);
	for (sep = "?"; *q == '?' || *q == '&'; q = amp) {
		amp = q + 1 + strcspn(q + 1, "&");
		if (strncmp(q + 1, "password=", 9) == 0)
			continue;
		redact_put(b, sep, 1, ok);
		redact_put(b, q + 1, (size_t)(amp - q - 1), ok);
		sep = "&";
	}
}

/* key = value pairs without the password one; 0 when ci does not parse
 * (libpq's rules: values may be single-quoted, \ escapes a character). */
static int
redact_pairs(const char *ci, struct buf *b, int *ok)
{
	const char	*p = ci, *start, *key;
	size_t		 klen;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			return 1;
		start = key = p;
		while (*p != '\0' && *p != '=' && *p != ' ' && *p != '\t')
			p++;
		klen = (size_t)(p - key);
		while (*p == ' ' || *p == '\t')
			p++;
		if (klen == 0 || *p++ != '=')
			return 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\'') {
			for (p++; *p != '\0' && *p != '\''; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
			if (*p++ != '\'')
				return 0;
		} else
			for (; *p != '\0' && *p != ' ' && *p != '\t'; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
		if (klen == 8 && strncmp(key, "password", 8) == 0)
			continue;
		if (b->len > 0)
			redact_put(b, " ", 1, ok);
		redact_put(b, start, (size_t)(p - start), ok);
	}
}

/* The conninfo as it may be shown (owned): no password, either form. */
static char *
conninfo_redact(const char *ci)
{
	struct buf	 b;
	char		*out;
	int		 ok = 1;

	buf_init(&b, strlen(ci) + 64);
	if (strncmp(ci, "postgresql://", 13) == 0 ||
	    strncmp(ci, "postgres://", 11) == 0)
		redact_uri(ci, &b, &ok);
	else if (!redact_pairs(ci, &b, &ok)) {
		buf_reset(&b);
		redact_put(&b, "a conninfo libpq cannot parse", 29, &ok);
	}
	if (!ok || (out = buf_steal(&b)) == NULL)
		die("out of memory");
	buf_free(&b);
	return out;
}

/* The configuration file as conf_load chooses it: --config, else
 * $DUGOUT_CONFIG (empty: none), else the installed one if readable. */
static const char *
check_conf_path(const struct ctl *c)
{
	const char	*p;

	if (c->config_path != NULL)
		return c->config_path;
	if ((p = getenv("DUGOUT_CONFIG")) != NULL)
		return p;
	if (access(SYSCONFDIR "/dugout/dugout.conf", R_OK) == 0)
		return SYSCONFDIR "/dugout/dugout.conf";
	return "";
}

/* Read path whole (owned, NUL-terminated); NULL with errno set. */
static char *
file_slurp(const char *path, size_t max)
{
	FILE		*fp;
	struct buf	 b;
	char		 chunk[4096], *out = NULL;
	size_t		 n;
	int		 ok = 1, saved;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	buf_init(&b, max);
	while (ok && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ok = buf_append(&b, chunk, n) == ERR_OK;
	if (ferror(fp))
		ok = 0;
	saved = ok ? 0 : EFBIG;
	(void)fclose(fp);
	if (ok && (out = buf_steal(&b)) == NULL)
		saved = ENOMEM;
	buf_free(&b);
	errno = saved;
	return out;
}

/* The configuration, as dugout-fcgi loads it (conf_load's steps). */
static void
check_conf(struct check *k)
{
	struct ctl	*c = k->c;
	const char	*path = check_conf_path(c);
	char		*text = NULL;
	struct buf	 em;

	buf_init(&em, 1024);
	if (*path != '\0' && (text = file_slurp(path, CONF_MAX_FILE)) == NULL)
		check_say(k, CHECK_PROBLEM, "configuration: cannot read %s: %s",
		    path, strerror(errno));
	else if (text != NULL && conf_parse(&c->conf, (struct span){ text,
	    strlen(text) }, &em) != ERR_OK)
		check_say(k, CHECK_PROBLEM, "configuration: %s in %s",
		    em.data != NULL ? em.data : "out of memory", path);
	else if (conf_apply_env(&c->conf, environ, &em) != ERR_OK)
		check_say(k, CHECK_PROBLEM, "configuration: %s",
		    em.data != NULL ? em.data : "out of memory");
	else {
		k->conf_ok = 1;
		if (c->conf.database == NULL)
			check_say(k, CHECK_PROBLEM, "configuration: database "
			    "is not set (set database in %s or DUGOUT_DATABASE)",
			    *path != '\0' ? path : "the configuration file");
		else if (*path != '\0')
			check_say(k, CHECK_OK, "configuration read from %s",
			    path);
		else
			check_say(k, CHECK_OK, "configuration: no file, the "
			    "defaults and DUGOUT_* variables");
	}
	free(text);
	buf_free(&em);
}

/* Read a PEM key named by key (a configuration key) into *out (owned);
 * 0 after saying what is wrong. */
static int
check_pem(struct check *k, const char *key, const char *path, char **out)
{
	if ((*out = file_slurp(path, CONF_MAX_FILE)) == NULL) {
		check_say(k, CHECK_PROBLEM, "JWT key: %s %s: %s", key, path,
		    errno == EFBIG ? "larger than 256 KiB" : strerror(errno));
		return 0;
	}
	if (strstr(*out, "-----BEGIN ") == NULL) {
		check_say(k, CHECK_PROBLEM, "JWT key: %s %s is not a PEM key "
		    "(no -----BEGIN line)", key, path);
		return 0;
	}
	return 1;
}

/* Sign a token with the key and verify it: 1 when both work. */
static int
check_roundtrip(const struct auth_key *key)
{
	struct auth_claims	 cl;
	char			*tok = NULL;
	int			 ok;

	memset(&cl, 0, sizeof(cl));
	if (auth_issue(key, "dugoutctl-check", (int64_t)time(NULL), 60, 0,
	    &tok) != ERR_OK)
		return 0;
	ok = auth_verify(key, tok, (int64_t)time(NULL), &cl) == ERR_OK;
	auth_claims_reset(&cl);
	free(tok);
	return ok;
}

/* The JWT key: the algorithm is known, and its key is there and works. */
static void
check_jwt(struct check *k)
{
	struct conf	*cf = &k->c->conf;
	struct auth_key	 key;
	int		 asym = 0;

	if (!auth_alg_known(cf->jwt_algorithm != NULL ? cf->jwt_algorithm :
	    "", &asym)) {
		check_say(k, CHECK_PROBLEM, "JWT key: jwt_algorithm %s is not "
		    "supported (HS256, HS384, HS512, RS256, RS384, RS512, "
		    "ES256, ES384 or ES512)", cf->jwt_algorithm != NULL ?
		    cf->jwt_algorithm : "(unset)");
		return;
	}
	if (!asym) {
		key = (struct auth_key){ cf->jwt_algorithm, cf->jwt_key, NULL,
		    NULL };
		if (cf->jwt_key == NULL)
			check_say(k, CHECK_PROBLEM, "JWT key: jwt_key is not set "
			    "(set it in the configuration file or "
			    "DUGOUT_JWT_SECRET: %s needs at least 32 "
			    "characters)", cf->jwt_algorithm);
		else if (strlen(cf->jwt_key) < 32)
			check_say(k, CHECK_PROBLEM, "JWT key: jwt_key is too "
			    "short: %zu characters, %s needs at least 32",
			    strlen(cf->jwt_key), cf->jwt_algorithm);
		else if (!check_roundtrip(&key))
			check_say(k, CHECK_PROBLEM, "JWT key: a token signed "
			    "with jwt_key does not verify");
		else
			check_say(k, CHECK_OK, "JWT key: %s with a shared "
			    "secret of %zu characters", cf->jwt_algorithm,
			    strlen(cf->jwt_key));
		return;
	}
	if (cf->jwt_public_key_file == NULL) {
		check_say(k, CHECK_PROBLEM, "JWT key: jwt_algorithm %s needs "
		    "jwt_public_key_file (a PEM public key)", cf->jwt_algorithm);
		return;
	}
	if (!check_pem(k, "jwt_public_key_file", cf->jwt_public_key_file,
	    &cf->jwt_public_key) || (cf->jwt_private_key_file != NULL &&
	    !check_pem(k, "jwt_private_key_file", cf->jwt_private_key_file,
	    &cf->jwt_private_key)))
		return;
	key = (struct auth_key){ cf->jwt_algorithm, NULL, cf->jwt_public_key,
	    cf->jwt_private_key };
	if (cf->jwt_private_key == NULL)
		check_say(k, CHECK_OK, "JWT key: %s, public key %s (dugoutctl "
		    "token cannot sign: jwt_private_key_file is not set)",
		    cf->jwt_algorithm, cf->jwt_public_key_file);
	else if (!check_roundtrip(&key))
		check_say(k, CHECK_PROBLEM, "JWT key: a %s token signed with "
		    "%s does not verify with %s (not a key pair of that "
		    "algorithm?)", cf->jwt_algorithm, cf->jwt_private_key_file,
		    cf->jwt_public_key_file);
	else
		check_say(k, CHECK_OK, "JWT key: %s, key pair %s and %s",
		    cf->jwt_algorithm, cf->jwt_public_key_file,
		    cf->jwt_private_key_file);
}

/* The migrations directory. */
static void
check_sql_dir(struct check *k)
{
	const char	*dir = sql_dir(k->c);
	char		*msg = NULL;
	size_t		 n;

	if (migrate_dir_check(dir, &n, &msg) != ERR_OK)
		check_say(k, CHECK_PROBLEM, "sql dir: %s", msg != NULL ? msg :
		    "out of memory");
	else {
		k->sql_ok = 1;
		check_say(k, CHECK_OK, "sql dir %s (%zu migrations)", dir, n);
	}
	free(msg);
}

/* The page's files, as the web server must find them (docs/ui.md). */
static void
check_www_dir(struct check *k)
{
	static const char *const need[] = { "index.html", "app.js",
	    "style.css", "js", "vendor/socket.io.min.js" };
	const char	*dir = k->www_dir, *d;
	char		 path[4096];
	size_t		 i;

	if (dir == NULL)
		dir = (d = getenv("DUGOUT_WWWDIR")) != NULL && *d != '\0' ? d :
		    access(PKGDATADIR "/www", F_OK) == 0 ? PKGDATADIR "/www" :
		    "www";
	if (access(dir, R_OK | X_OK) != 0) {
		check_say(k, CHECK_PROBLEM, "www dir %s: %s", dir,
		    strerror(errno));
		return;
	}
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, need[i]);
		if (access(path, R_OK) == 0)
			continue;
		if (strcmp(need[i], "vendor/socket.io.min.js") == 0)
			check_say(k, CHECK_PROBLEM, "www dir %s: %s: %s (copy "
			    "socket.io-client's dist/socket.io.min.js there: "
			    "the page cannot connect without it)", dir,
			    need[i], strerror(errno));
		else
			check_say(k, CHECK_PROBLEM, "www dir %s: %s: %s", dir,
			    need[i], strerror(errno));
		return;
	}
	check_say(k, CHECK_OK, "www dir %s (the page and socket.io-client)",
	    dir);
}

/* Names of v joined by ", " (owned). */
static char *
names_join(char *const *v, size_t n)
{
	struct buf	 b;
	char		*out;
	size_t		 i;
	int		 ok = 1;

	buf_init(&b, 64 * 1024);
	for (i = 0; ok && i < n; i++)
		ok = (i == 0 || buf_puts(&b, ", ") == ERR_OK) &&
		    buf_puts(&b, v[i]) == ERR_OK;
	if (!ok || (out = buf_steal(&b)) == NULL)
		out = strdup("");
	buf_free(&b);
	if (out == NULL)
		die("out of memory");
	return out;
}

/* The schema against this build's migrations, and this build's
 * statements against the schema. */
static void
check_schema(struct check *k)
{
	struct migrate_state	 st;
	char			*msg = NULL, *names = NULL;
	enum query		 failed = Q__MAX;

	if (migrate_state_get(k->c->db, sql_dir(k->c), &st, &msg) != ERR_OK) {
		check_say(k, CHECK_PROBLEM, "schema: %s", msg);
		free(msg);
		return;
	}
	if (!st.has_schema)
		check_say(k, CHECK_PROBLEM, "schema: the database has no dugout "
		    "schema yet: %zu migrations to apply (run dugoutctl "
		    "migrate)", st.npending);
	else if (st.nunknown > 0 && st.newest_applied > st.newest_file)
		check_say(k, CHECK_PROBLEM, "schema: the database is newer than "
		    "this build: it has %s applied, and this build knows "
		    "migrations up to number %ld (upgrade dugout, or give the "
		    "newer migrations with --sql-dir)",
		    (names = names_join(st.unknown, st.nunknown)),
		    st.newest_file);
	else if (st.nunknown > 0)
		check_say(k, CHECK_PROBLEM, "schema: the database has migrations "
		    "applied that this build does not know: %s",
		    (names = names_join(st.unknown, st.nunknown)));
	else if (st.npending > 0)
		check_say(k, CHECK_PROBLEM, "schema: %zu migration%s not "
		    "applied: %s (run dugoutctl migrate)", st.npending,
		    st.npending == 1 ? "" : "s",
		    (names = names_join(st.pending, st.npending)));
	else if (db_prepare_all(k->c->db, &failed) != ERR_OK)
		check_say(k, CHECK_PROBLEM, "schema: statement %s of this build "
		    "does not prepare against it (see the message above)",
		    failed < Q__MAX ? query_get(failed)->name : "?");
	else
		check_say(k, CHECK_OK, "schema up to date (%zu migrations)",
		    st.nfiles);
	free(names);
	migrate_state_reset(&st);
}

/* The database: reachable with the conninfo, then the schema. */
static void
check_database(struct check *k)
{
	char	*shown;

	if (!k->conf_ok || k->c->conf.database == NULL) {
		check_say(k, CHECK_SKIPPED, "database: %s", k->conf_ok ?
		    "no database is configured" : "no usable configuration");
		return;
	}
	shown = conninfo_redact(k->c->conf.database);
	if (db_open(k->c->conf.database, &k->c->db) != ERR_OK)
		check_say(k, CHECK_PROBLEM, "database: cannot connect (%s): "
		    "libpq's reason is on stderr", shown);
	else {
		check_say(k, CHECK_OK, "database reachable (%s)", shown);
		if (k->sql_ok)
			check_schema(k);
		else
			check_say(k, CHECK_SKIPPED, "schema: no usable sql "
			    "dir to compare with");
	}
	free(shown);
}

static int
cmd_check(struct ctl *c, int argc, char **argv)
{
	struct check	 k;
	struct buf	 em;
	int		 i;

	memset(&k, 0, sizeof(k));
	k.c = c;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--sql-dir") == 0 && i + 1 < argc)
			c->sql_dir = argv[++i];
		else if (strcmp(argv[i], "--www-dir") == 0 && i + 1 < argc)
			k.www_dir = argv[++i];
		else
			usage();
	}
	if (conf_init(&c->conf) != ERR_OK)
		die("out of memory");
	check_conf(&k);
	if (k.conf_ok)
		check_jwt(&k);
	else
		check_say(&k, CHECK_SKIPPED, "JWT key: no usable configuration");
	/* Whatever else the server would refuse (conf_validate is its
	 * last step) is a problem too; none is left when the above passed. */
	buf_init(&em, 1024);
	if (k.problems == 0 && conf_validate(&c->conf, &em) != ERR_OK)
		check_say(&k, CHECK_PROBLEM, "configuration: %s",
		    em.data != NULL ? em.data : "out of memory");
	buf_free(&em);
	check_sql_dir(&k);
	check_www_dir(&k);
	check_database(&k);
	return k.problems == 0 ? 0 : 1;
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
	if (strcmp(argv[i], "check") == 0) {
		/* Loads the configuration itself, to say what is wrong. */
		rc = cmd_check(&c, argc - i - 1, argv + i + 1);
		db_free(c.db);
		conf_free(&c.conf);
		return rc;
	}
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
	else if (argc == 1 && strcmp(argv[0], "refresh-stats") == 0)
		rc = cmd_refresh_stats(&c);
	else if (argc >= 2 && strcmp(argv[0], "team") == 0 &&
	    strcmp(argv[1], "add") == 0)
		rc = cmd_team_add(&c, argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[0], "game") == 0 &&
	    strcmp(argv[1], "create") == 0)
		rc = cmd_game_create(&c, argc - 2, argv + 2);
	else if (strcmp(argv[0], "demo") == 0)
		rc = cmd_demo(&c, argc - 1, argv + 1);
	else if (strcmp(argv[0], "audit") == 0)
		rc = cmd_audit(&c, argc - 1, argv + 1);
	else if (strcmp(argv[0], "bench-setup") == 0)
		rc = cmd_bench_setup(&c, argc - 1, argv + 1);
	else
		usage();
	db_free(c.db);
	conf_free(&c.conf);
	return rc;
}
