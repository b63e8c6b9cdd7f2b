/*
 * log.h -- the one way dugout logs.  Does I/O (stderr).
 *
 * One line per event, lowercase, no trailing period, prefixed with the
 * level and the source position.  Never log tokens or session secrets
 * beyond their first characters.
 */
#ifndef DUGOUT_LOG_H
#define DUGOUT_LOG_H

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO,
    LOG_LEVEL_DEBUG };

void	log_set_level(enum log_level);
/* "error", "warn", "info", "debug" -> level; -1 when unknown. */
int	log_level_parse(const char *);
void	log_write(enum log_level, const char *file, int line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define log_errorx(...) log_write(LOG_LEVEL_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define log_warnx(...)  log_write(LOG_LEVEL_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define log_infox(...)  log_write(LOG_LEVEL_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_debugx(...) log_write(LOG_LEVEL_DEBUG, __FILE__, __LINE__, __VA_ARGS__)

#endif
