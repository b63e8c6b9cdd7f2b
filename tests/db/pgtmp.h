/*
 * pgtmp.h -- a private PostgreSQL cluster for tests: initdb into a temp
 * directory, start it on a unix socket there, apply sql/ migrations.
 * Runs the server as user postgres when we are root (PostgreSQL refuses
 * root).  pgtmp_start returns 77 (automake's SKIP) when initdb is missing.
 */
#ifndef DUGOUT_PGTMP_H
#define DUGOUT_PGTMP_H

struct pgtmp {
	char	dir[256];
	char	conninfo[512];
};

int	pgtmp_start(struct pgtmp *);	/* 0 ok, 77 skip, 1 error */
void	pgtmp_stop(struct pgtmp *);

#endif
