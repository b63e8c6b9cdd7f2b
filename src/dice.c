/*
 * dice.c -- libsodium dice (see dice.h).
 */
#include "config.h"

#include <sodium.h>

#include "dice.h"

static int
die(unsigned sides)
{
	/* randombytes_uniform rejects the biased tail itself */
	return (int)randombytes_uniform(sides) + 1;
}

void
dice_at_bat(struct dice_ab *r)
{
	r->d6_one = die(6);
	r->d6_two_a = die(6);
	r->d6_two_b = die(6);
	r->chaos_d20 = die(20);
	r->resolution_d20 = die(20);
}
