/*
 * fuzz_conf.c -- libFuzzer target: the configuration file parser.
 *
 * conf_parse must refuse with a reason or accept; an accepted file
 * leaves values within their documented ranges, and conf_validate always
 * answers (with a reason when it refuses).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "conf.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	 c;
	struct buf	 em;
	enum err	 er;

	buf_init(&em, 4096);
	if (conf_init(&c) != ERR_OK)
		goto out;
	er = conf_parse(&c, (struct span){ (const char *)data, size }, &em);
	if (er != ERR_OK && er != ERR_NOMEM)
		check(em.len > 0);
	if (er == ERR_OK) {
		check(c.workers >= 1);
		check(c.ping_interval > 0 && c.ping_timeout > 0);
		buf_reset(&em);
		if (conf_validate(&c, &em) != ERR_OK)
			check(em.len > 0);
	}
	conf_free(&c);
out:
	buf_free(&em);
	return 0;
}
