/*
 * dice.h -- the server's dice: libsodium's CSPRNG, uniform without modulo
 * bias (rules.md §1.6).  Randomness is the only effect; sodium_init() must
 * have run (main and dugoutctl do it first).
 */
#ifndef DUGOUT_DICE_H
#define DUGOUT_DICE_H

/* One at-bat roll: column d6, row 2d6 (both dice kept), chaos d20 and
 * resolution d20. */
struct dice_ab {
	int	 d6_one;
	int	 d6_two_a, d6_two_b;
	int	 chaos_d20;
	int	 resolution_d20;
};

void	 dice_at_bat(struct dice_ab *);

#endif
