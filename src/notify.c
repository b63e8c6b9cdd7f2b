/*
 * notify.c -- LISTEN connection: PQconsumeInput / PQnotifies / PQfreemem,
 * as PostgreSQL's testlibpq2.c does it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "log.h"
#include "notify.h"

struct notify {
	PGconn	*conn;
	char	*conninfo;	/* owned */
};

void
notify_wake_key(const char *sid, char out[NOTIFY_KEY_LEN + 1])
{
	unsigned char	h[crypto_hash_sha256_BYTES];

	(void)crypto_hash_sha256(h, (const unsigned char *)sid, strlen(sid));
	(void)sodium_bin2hex(out, NOTIFY_KEY_LEN + 1, h, NOTIFY_KEY_LEN / 2);
}

enum err
notify_reconnect(struct notify *n)
{
	PGresult	*res;
	enum err	 er = ERR_DB;

	if (n->conn != NULL)
		PQfinish(n->conn);
	n->conn = PQconnectdb(n->conninfo);
	if (PQstatus(n->conn) != CONNECTION_OK) {
		log_warnx("notify: connect: %s", PQerrorMessage(n->conn));
		PQfinish(n->conn);
		n->conn = NULL;
		return ERR_DB;
	}
	res = PQexec(n->conn, "LISTEN dugout");
	if (PQresultStatus(res) == PGRES_COMMAND_OK &&
	    PQsetnonblocking(n->conn, 1) == 0)
		er = ERR_OK;
	else
		log_warnx("notify: listen: %s", PQerrorMessage(n->conn));
	PQclear(res);
	if (er != ERR_OK) {
		PQfinish(n->conn);
		n->conn = NULL;
	}
	return er;
}

enum err
notify_open(const char *conninfo, struct notify **out)
{
	struct notify	*n;

	*out = NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL ||
	    (n->conninfo = strdup(conninfo)) == NULL) {
		free(n);
		return ERR_NOMEM;
	}
	*out = n;
	return notify_reconnect(n);
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	if (n->conn != NULL)
		PQfinish(n->conn);
	free(n->conninfo);
	free(n);
}

int
notify_fd(const struct notify *n)
{
	return n->conn == NULL ? -1 : PQsocket(n->conn);
}

/* cb for each wake key of a payload: a broadcast sends its room's keys in
 * one NOTIFY, separated by spaces (sql/013_fast_paths.sql).  A word that
 * is not a key's length is nobody's key and is passed over. */
static void
each_key(const char *payload, notify_cb cb, void *arg)
{
	char	 key[NOTIFY_KEY_LEN + 1];
	size_t	 n;

	while (*payload != '\0') {
		n = strcspn(payload, " ");
		if (n == NOTIFY_KEY_LEN) {
			memcpy(key, payload, n);
			key[n] = '\0';
			cb(key, arg);
		}
		payload += n;
		payload += strspn(payload, " ");
	}
}

enum err
notify_drain(struct notify *n, notify_cb cb, void *arg)
{
	PGnotify	*nt;

	if (n->conn == NULL)
		return ERR_DB;
	if (PQconsumeInput(n->conn) == 0 ||
	    PQstatus(n->conn) != CONNECTION_OK) {
		log_warnx("notify: connection lost: %s",
		    PQerrorMessage(n->conn));
		PQfinish(n->conn);
		n->conn = NULL;
		return ERR_DB;
	}
	while ((nt = PQnotifies(n->conn)) != NULL) {
		each_key(nt->extra, cb, arg);
		PQfreemem(nt);
	}
	return ERR_OK;
}
