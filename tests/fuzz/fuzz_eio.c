/*
 * fuzz_eio.c -- libFuzzer target: the Engine.IO polling payload decoder
 * (eio_payload_decode) and the base64 of binary packets.
 *
 * Beyond "does not crash": a body the decoder accepts must be rebuilt
 * byte for byte by the encoder from the packets it returned, since every
 * accepted packet is one the client could have sent through that encoder.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "eio.h"
#include "fuzz.h"

#define MAX_PACKETS	64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eio_packet	 pk[MAX_PACKETS];
	struct span		 in = { (const char *)data, size };
	struct buf		 out, bin;
	size_t			 n = 0, i;
	enum err		 er;

	buf_init(&out, 4 * size + 64);
	buf_init(&bin, 4 * size + 64);
	er = eio_payload_decode(in, pk, MAX_PACKETS, &n);
	if (er != ERR_OK) {
		check(n == 0);
		goto out;
	}
	check(n >= 1 && n <= MAX_PACKETS);
	for (i = 0; i < n; i++) {
		if (pk[i].binary) {
			buf_reset(&bin);
			check(eio_base64_decode(pk[i].data, &bin) == ERR_OK);
			check(eio_payload_append_binary(&out, bin.data,
			    bin.len) == ERR_OK);
		} else
			check(eio_payload_append(&out, pk[i].type,
			    pk[i].data) == ERR_OK);
	}
	check(out.len == size && memcmp(out.data, data, size) == 0);
out:
	buf_free(&out);
	buf_free(&bin);
	return 0;
}
