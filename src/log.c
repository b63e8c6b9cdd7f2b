/*
 * log.c -- one-line logs to stderr, which the supervisor (lighttpd's
 * spawner, systemd, Apache's error log) collects.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static enum log_level	 level = LOG_LEVEL_INFO;
static const char *const names[] = { "error", "warn", "info", "debug" };

void
log_set_level(enum log_level l)
{
	level = l;
}

int
log_level_parse(const char *s)
{
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

void
log_write(enum log_level l, const char *file, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[1024];	/* ours to bound: longer lines are cut */

	if (l > level)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One fprintf so lines from threads do not interleave. */
	(void)fprintf(stderr, "dugout[%ld] %s %s:%d %s\n", (long)getpid(),
	    names[l], file, line, msg);
}
