/*
 * authz.c -- who may do what (see authz.h for the rules).
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "authz.h"

static const char *const side_names[2] = { "away", "home" };

static int __attribute__((format(printf, 4, 5)))
refuse(struct authz_no *no, const char *code, const char *field,
    const char *fmt, ...)
{
	va_list	 ap;

	no->code = code;
	no->field = field;
	va_start(ap, fmt);
	(void)vsnprintf(no->message, sizeof(no->message), fmt, ap);
	va_end(ap);
	return 0;
}

static int
manages(const struct authz_who *who, int side)
{
	return who->admin || (side >= 0 && side < 2 && who->manages[side]);
}

/* Rules 7 and 8: a side's own business. */
static int
side_check(const struct authz_who *who, const struct authz_ask *ask,
    struct authz_no *no)
{
	int	 def = ask->act == AUTHZ_DEFENSE;

	if (ask->act == AUTHZ_SUBSTITUTE) {
		if (ask->side < 0 || ask->side > 1)
			return refuse(no, "NOT_AUTHORIZED", "team_id",
			    "Team %" PRId64 " is not playing in this game",
			    ask->team_id);
		if (!manages(who, ask->side))
			return refuse(no, "NOT_AUTHORIZED", "team_id",
			    "Only the %s team's manager may substitute for "
			    "it", side_names[ask->side]);
		return 1;
	}
	if (ask->side < 0 || ask->side > 1)
		return refuse(no, "NOT_AUTHORIZED", NULL, "No such side");
	if (manages(who, ask->side))
		return 1;
	return refuse(no, manages(who, 1 - ask->side) ? "NOT_YOUR_TURN" :
	    "NOT_AUTHORIZED", NULL,
	    "Only the %s team's manager may submit the %s decision",
	    def ? "fielding" : "batting", def ? "defensive" : "offensive");
}

int
authz_check(const struct authz_who *who, const struct authz_ask *ask,
    struct authz_no *no)
{
	if (who->expired)
		return refuse(no, "AUTH_EXPIRED", NULL,
		    "Token expired: reconnect with a fresh token");
	switch (ask->act) {
	case AUTHZ_ANY:
	case AUTHZ_WATCH:
		return 1;
	case AUTHZ_JOIN_PLAYER:
		if (manages(who, 0) || manages(who, 1))
			return 1;
		return refuse(no, "NOT_AUTHORIZED", "role",
		    "Not authorized to join as player: you manage neither "
		    "team of this game (join as spectator)");
	case AUTHZ_READ:
	case AUTHZ_PLAY:
	case AUTHZ_DEFENSE:
	case AUTHZ_OFFENSE:
	case AUTHZ_SUBSTITUTE:
		break;
	default:
		return refuse(no, "NOT_AUTHORIZED", NULL,
		    "Not authorized");
	}
	if (who->role == AUTHZ_OUTSIDE)
		return ask->game_id != NULL ?
		    refuse(no, "NOT_IN_GAME", "game_id",
		    "Not in game %.40s: join_game first", ask->game_id) :
		    refuse(no, "NOT_IN_GAME", NULL,
		    "Not in any game: join_game first");
	if (ask->act == AUTHZ_READ)
		return 1;
	if (who->role != AUTHZ_PLAYER)
		return refuse(no, "NOT_AUTHORIZED", NULL,
		    "Spectators can only watch: join as player to act");
	/* a player joined as a manager; the team may have changed hands */
	if (!manages(who, 0) && !manages(who, 1))
		return refuse(no, "NOT_AUTHORIZED", NULL,
		    "You no longer manage a team of this game");
	return ask->act == AUTHZ_PLAY ? 1 : side_check(who, ask, no);
}
