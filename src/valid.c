/*
 * valid.c -- event payload checks (see valid.h).
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include <json-c/json.h>

#include "valid.h"

/* Messages per field: static text, so a verdict never allocates. */
struct field_msgs {
	const char	*field;
	const char	*missing;
	const char	*format;
};

static const struct field_msgs msgs[] = {
	{ "game_id", "Missing game_id", "Invalid game_id format" },
	{ "role", "Missing role", "Invalid role: expected player or spectator" },
};

static const struct field_msgs *
msgs_of(const char *field)
{
	size_t	 i;

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		if (strcmp(msgs[i].field, field) == 0)
			return &msgs[i];
	return NULL;
}

static int
fail(struct valid_err *e, const char *code, const char *field,
    const char *message)
{
	e->code = code;
	e->field = field;
	e->message = message;
	return 0;
}

int
valid_object(struct json_object *payload, struct valid_err *e)
{
	if (payload == NULL || !json_object_is_type(payload, json_type_object))
		return fail(e, "INVALID_PAYLOAD", NULL,
		    "Invalid payload: expected a JSON object");
	return 1;
}

int
valid_is_uuid(const char *s, size_t len)
{
	size_t	 i;

	if (len != VALID_UUID_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

int
valid_uuid(struct json_object *o, const char *field,
    char out[VALID_UUID_LEN + 1], struct valid_err *e)
{
	const struct field_msgs	*m = msgs_of(field);
	struct json_object	*v;	/* borrowed from o */
	const char		*s;
	size_t			 i;

	if (!json_object_object_get_ex(o, field, &v) || v == NULL)
		return fail(e, "MISSING_FIELD", field,
		    m ? m->missing : "Missing field");
	if (!json_object_is_type(v, json_type_string) ||
	    !valid_is_uuid(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v)))
		return fail(e, "INVALID_FORMAT", field,
		    m ? m->format : "Invalid format");
	s = json_object_get_string(v);
	for (i = 0; i < VALID_UUID_LEN; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[VALID_UUID_LEN] = '\0';
	return 1;
}

int
valid_choice(struct json_object *o, const char *field,
    const char *const *choices, const char *dflt, const char **out,
    struct valid_err *e)
{
	const struct field_msgs	*m = msgs_of(field);
	struct json_object	*v;	/* borrowed from o */
	const char		*s;
	size_t			 i, len;

	if (!json_object_object_get_ex(o, field, &v) || v == NULL) {
		if (dflt == NULL)
			return fail(e, "MISSING_FIELD", field,
			    m ? m->missing : "Missing field");
		*out = dflt;
		return 1;
	}
	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		for (i = 0; choices[i] != NULL; i++)
			if (strlen(choices[i]) == len &&
			    memcmp(s, choices[i], len) == 0) {
				*out = choices[i];
				return 1;
			}
	}
	return fail(e, "INVALID_FORMAT", field,
	    m ? m->format : "Invalid value");
}
