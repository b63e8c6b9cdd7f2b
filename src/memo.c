/*
 * memo.c -- polls this process answered a moment ago (see memo.h).
 *
 * A hash table on the session's wake key (so that a NOTIFY finds its
 * entries), and a list of the entries not held, oldest answer first: each
 * put moves its entry to the tail, and each put or take frees the expired
 * ones at the head, so the table holds about the sessions answered in the
 * last MEMO_TTL_MS.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "memo.h"

struct entry {
	char		 sid[EIO_SID_LEN + 1];
	char		 key[MEMO_KEY_MAX + 1];	/* its wake key */
	int64_t		 looked_ns;
	int64_t		 deadline_ms;
	int64_t		 until_ns;	/* not held: usable until then */
	int		 held;		/* a GET of it is parked here */
	int		 notified;	/* a NOTIFY named it since the answer */
	struct entry	*hnext;		/* hash chain */
	struct entry	*prev, *next;	/* age list; unlinked when held */
};

struct memo {
	memo_key_fn	 key_of;
	pthread_mutex_t	 mu;
	struct entry	**tab;
	size_t		 tabsize;	/* a power of two */
	size_t		 n;
	struct entry	*head, *tail;	/* age list */
};

#define NS_PER_MS	1000000LL

/* Where sid's entry is (or would be linked), in the chain of its key. */
static struct entry **
slot(struct memo *l, const char *sid, const char *key)
{
	struct entry	**pp = &l->tab[memo_key_hash(key) & (l->tabsize - 1)];

	while (*pp != NULL && strcmp((*pp)->sid, sid) != 0)
		pp = &(*pp)->hnext;
	return pp;
}

static void
age_unlink(struct memo *l, struct entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else if (l->head == e)
		l->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else if (l->tail == e)
		l->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
age_append(struct memo *l, struct entry *e)
{
	e->prev = l->tail;
	e->next = NULL;
	if (l->tail != NULL)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
}

/* Unlink *pp's entry from everything and free it. */
static void
forget(struct memo *l, struct entry **pp)
{
	struct entry	*e = *pp;

	*pp = e->hnext;
	age_unlink(l, e);
	l->n--;
	free(e);
}

static void
purge(struct memo *l, int64_t now_ns)
{
	while (l->head != NULL && l->head->until_ns <= now_ns)
		forget(l, slot(l, l->head->sid, l->head->key));
}

/* One chain per entry on average; a failed grow keeps the old table. */
static void
grow(struct memo *l)
{
	struct entry	**nt, *e, *next;
	size_t		 size = l->tabsize * 2, i, b;

	if (l->n < l->tabsize || (nt = calloc(size, sizeof(*nt))) == NULL)
		return;
	for (i = 0; i < l->tabsize; i++)
		for (e = l->tab[i]; e != NULL; e = next) {
			next = e->hnext;
			b = memo_key_hash(e->key) & (size - 1);
			e->hnext = nt[b];
			nt[b] = e;
		}
	free(l->tab);
	l->tab = nt;
	l->tabsize = size;
}

enum err
memo_new(memo_key_fn key_of, struct memo **out)
{
	struct memo	*l;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return ERR_NOMEM;
	l->key_of = key_of;
	l->tabsize = 256;
	if ((l->tab = calloc(l->tabsize, sizeof(*l->tab))) == NULL) {
		free(l);
		return ERR_NOMEM;
	}
	pthread_mutex_init(&l->mu, NULL);
	*out = l;
	return ERR_OK;
}

void
memo_free(struct memo *l)
{
	struct entry	*e, *next;
	size_t		 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->tabsize; i++)
		for (e = l->tab[i]; e != NULL; e = next) {
			next = e->hnext;
			free(e);
		}
	free(l->tab);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

void
memo_put(struct memo *l, const char *sid, int64_t looked_ns,
    int64_t deadline_ms, int64_t now_ns)
{
	struct entry	**pp, *e;
	char		 key[MEMO_KEY_MAX + 1];

	if (strlen(sid) > EIO_SID_LEN)
		return;
	l->key_of(sid, key);
	pthread_mutex_lock(&l->mu);
	purge(l, now_ns);
	if ((e = *(pp = slot(l, sid, key))) != NULL)
		age_unlink(l, e);
	else if ((e = calloc(1, sizeof(*e))) != NULL) {
		memcpy(e->sid, sid, strlen(sid) + 1);
		memcpy(e->key, key, sizeof(key));
		*pp = e;
		l->n++;
		grow(l);
	}
	if (e != NULL) {
		e->looked_ns = looked_ns;
		e->deadline_ms = deadline_ms;
		e->until_ns = now_ns + MEMO_TTL_MS * NS_PER_MS;
		e->held = e->notified = 0;
		age_append(l, e);
	}
	pthread_mutex_unlock(&l->mu);
}

enum memo_take
memo_take(struct memo *l, const char *sid, int64_t now_ns, int64_t now_ms,
    int64_t *looked_ns, int64_t *deadline_ms)
{
	struct entry	**pp, *e;
	char		 key[MEMO_KEY_MAX + 1];
	enum memo_take	 t = MEMO_NONE;

	if (strlen(sid) > EIO_SID_LEN)
		return MEMO_NONE;
	l->key_of(sid, key);
	pthread_mutex_lock(&l->mu);
	purge(l, now_ns);
	if ((e = *(pp = slot(l, sid, key))) == NULL)
		goto out;
	if (e->held) {
		t = MEMO_HELD;
		goto out;
	}
	if (e->deadline_ms - now_ms <= MEMO_MARGIN_MS) {
		forget(l, pp);
		goto out;
	}
	*looked_ns = e->notified ? 0 : e->looked_ns;
	*deadline_ms = e->deadline_ms;
	t = e->notified ? MEMO_WOKEN : MEMO_HOLD;
	e->held = 1;
	age_unlink(l, e);
out:
	pthread_mutex_unlock(&l->mu);
	return t;
}

/* Forget sid: whatever it is (all), or only when no GET is held on it. */
static void
drop(struct memo *l, const char *sid, int all)
{
	struct entry	**pp;
	char		 key[MEMO_KEY_MAX + 1];

	if (strlen(sid) > EIO_SID_LEN)
		return;
	l->key_of(sid, key);
	pthread_mutex_lock(&l->mu);
	if (*(pp = slot(l, sid, key)) != NULL && (all || !(*pp)->held))
		forget(l, pp);
	pthread_mutex_unlock(&l->mu);
}

void
memo_drop(struct memo *l, const char *sid)
{
	drop(l, sid, 1);
}

void
memo_stale(struct memo *l, const char *sid)
{
	drop(l, sid, 0);
}

void
memo_notify(struct memo *l, const char *key)
{
	struct entry	*e;

	pthread_mutex_lock(&l->mu);
	for (e = l->tab[memo_key_hash(key) & (l->tabsize - 1)]; e != NULL;
	    e = e->hnext)
		if (!e->held && strcmp(e->key, key) == 0)
			e->notified = 1;
	pthread_mutex_unlock(&l->mu);
}

size_t
memo_count(struct memo *l)
{
	size_t	 n;

	pthread_mutex_lock(&l->mu);
	n = l->n;
	pthread_mutex_unlock(&l->mu);
	return n;
}
