/*
 * authz.h -- who may do what: the one decision every event handler asks
 * before it touches state (events.md "Authentication", "Rooms and
 * presence", "Errors that apply everywhere").  Pure: no I/O, no clock.
 *
 * The caller reads the facts -- the socket's token, its membership of the
 * game's room, which of the game's teams the user manages -- inside the
 * action's transaction, after the game row is locked, so the decision and
 * the change it allows see the same state.  authz_check then says yes, or
 * no with the contract's code, field and message.
 *
 * The rules, in the order they are tried:
 *   1. An expired token may do nothing (AUTH_EXPIRED); the caller ends
 *      the socket.
 *   2. Anyone authenticated may watch: join as spectator, list games.
 *   3. Joining as player needs the admin claim or managing one of the
 *      game's two teams (NOT_AUTHORIZED on `role`).
 *   4. Everything about one game needs membership of its room first
 *      (NOT_IN_GAME on `game_id`).
 *   5. Spectators read (lineup, box score, state, presence) and nothing
 *      else (NOT_AUTHORIZED).
 *   6. Playing the at-bat (roll, outcome) needs a player who still
 *      manages a team of the game, or the admin claim: a manager removed
 *      from a team after joining loses it at once (NOT_AUTHORIZED).
 *   7. A side's decision belongs to that side's manager: the other
 *      manager is told NOT_YOUR_TURN, anyone else NOT_AUTHORIZED.
 *   8. A substitution names a team: it must play in this game, and the
 *      player must manage it (NOT_AUTHORIZED on `team_id`).
 * The admin claim counts as managing both teams, never as being in a
 * room: an admin joins like anyone else.
 */
#ifndef DUGOUT_AUTHZ_H
#define DUGOUT_AUTHZ_H

#include <stddef.h>
#include <stdint.h>

/* Membership of the game's room. */
enum authz_role {
	AUTHZ_OUTSIDE,		/* not joined */
	AUTHZ_SPECTATOR,
	AUTHZ_PLAYER
};

/* Who asks: facts read under the game's row lock. */
struct authz_who {
	int		 expired;	/* the socket's token is past exp */
	int		 admin;		/* the token's admin claim */
	enum authz_role	 role;
	int		 manages[2];	/* manages the away [0], home [1] team */
};

enum authz_act {
	AUTHZ_ANY,		/* any event at all: only rule 1 */
	AUTHZ_WATCH,		/* join as spectator, list_games */
	AUTHZ_JOIN_PLAYER,
	AUTHZ_READ,		/* get_lineup, get_box_score,
				   request_game_state, get_presence, bench */
	AUTHZ_PLAY,		/* roll_dice, submit_manual_outcome */
	AUTHZ_DEFENSE,		/* `side`: the fielding side */
	AUTHZ_OFFENSE,		/* `side`: the batting side */
	AUTHZ_SUBSTITUTE	/* `side`: the named team's, -1 when it does
				   not play in the game */
};

/* What is asked. */
struct authz_ask {
	enum authz_act	 act;
	int		 side;		/* 0 away, 1 home; see enum authz_act */
	const char	*game_id;	/* for messages; NULL: "any game" */
	int64_t		 team_id;	/* AUTHZ_SUBSTITUTE: the team named */
};

/* A refusal, in the contract's words. */
struct authz_no {
	const char	*code;
	const char	*field;		/* NULL: none */
	char		 message[160];
};

/*
 * 1 when `who` may do `ask`; otherwise 0 with *no filled.  Never fails
 * otherwise: an act it does not know is refused (NOT_AUTHORIZED).
 */
int		 authz_check(const struct authz_who *who,
		    const struct authz_ask *ask, struct authz_no *no);

#endif
