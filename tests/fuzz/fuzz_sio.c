/*
 * fuzz_sio.c -- libFuzzer target: the Socket.IO packet decoder
 * (sio_packet_decode), which includes the strict JSON parser.
 *
 * Beyond "does not crash": an accepted packet, encoded again and decoded
 * again, must give the same type, namespace, ack id and JSON (the second
 * encoding is compared with the first, so every field takes part).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "sio.h"
#include "fuzz.h"

static enum err
encode(struct buf *out, const struct sio_packet *p)
{
	return sio_packet_encode(out, p->type, p->nsp, p->ack_id, p->data);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct span		 in = { (const char *)data, size };
	struct sio_packet	 p, q;
	struct buf		 a, b;
	char			*nsp = NULL;

	memset(&p, 0, sizeof(p));
	memset(&q, 0, sizeof(q));
	buf_init(&a, 8 * size + 256);
	buf_init(&b, 8 * size + 256);
	if (sio_packet_decode(in, &p) != ERR_OK)
		goto out;
	(void)sio_event_name(&p);
	/* the packet's namespace borrows from the input */
	if ((nsp = strndup(p.nsp.p ? p.nsp.p : "", p.nsp.len)) == NULL)
		goto out;
	p.nsp = (struct span){ nsp, strlen(nsp) };
	check(encode(&a, &p) == ERR_OK);
	check(sio_packet_decode((struct span){ a.data, a.len }, &q) ==
	    ERR_OK);
	check(q.type == p.type && q.ack_id == p.ack_id);
	check(encode(&b, &q) == ERR_OK);
	check(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
out:
	sio_packet_reset(&p);
	sio_packet_reset(&q);
	free(nsp);
	buf_free(&a);
	buf_free(&b);
	return 0;
}
