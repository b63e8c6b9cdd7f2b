/*
 * fuzz.h -- shared by the libFuzzer targets of this directory.
 *
 * check() states a property of the code under test; a failed one aborts,
 * which libFuzzer reports as a crash and saves the input that broke it.
 */
#ifndef DUGOUT_FUZZ_H
#define DUGOUT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static inline void
check(int cond)
{
	if (!cond)
		abort();
}

#endif
