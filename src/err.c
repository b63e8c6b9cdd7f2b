/*
 * err.c -- names of enum err.
 */
#include "config.h"

#include <stddef.h>

#include "err.h"

static const char *const names[ERR__MAX] = {
	[ERR_OK] = "ok",
	[ERR_NOMEM] = "out of memory",
	[ERR_PROTO] = "protocol error",
	[ERR_LIMIT] = "limit exceeded",
	[ERR_AUTH] = "not authorized",
	[ERR_EXPIRED] = "credentials expired",
	[ERR_NOTFOUND] = "not found",
	[ERR_CONFLICT] = "conflict",
	[ERR_RETRY] = "transaction must be retried",
	[ERR_DB] = "database error",
	[ERR_IO] = "i/o error",
	[ERR_CONFIG] = "invalid configuration",
};

const char *
err_str(enum err e)
{
	if ((unsigned)e >= ERR__MAX || names[e] == NULL)
		return "unknown error";
	return names[e];
}
