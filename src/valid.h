/*
 * valid.h -- validation of event payloads.  Pure: json in, verdict out.
 *
 * Each check fills a struct valid_err with the events.md error code, the
 * offending field and a plain message (all static strings) and returns 0,
 * or returns 1 when the value is acceptable.
 */
#ifndef DUGOUT_VALID_H
#define DUGOUT_VALID_H

#include <stddef.h>

struct json_object;

struct valid_err {
	const char	*code;		/* "MISSING_FIELD", ... */
	const char	*field;		/* NULL when not about one field */
	const char	*message;
};

#define VALID_UUID_LEN	36

/* The payload must be a JSON object (INVALID_PAYLOAD). */
int	valid_object(struct json_object *payload, struct valid_err *);

/*
 * `field` must be present (MISSING_FIELD "Missing <field>") and a UUID
 * string in 8-4-4-4-12 hex form (INVALID_FORMAT "Invalid <field>
 * format").  On success out (VALID_UUID_LEN + 1 bytes, ours) holds it in
 * lower case.
 */
int	valid_uuid(struct json_object *o, const char *field,
	    char out[VALID_UUID_LEN + 1], struct valid_err *);

/*
 * `field`, when present, must be a string equal to one of `choices`
 * (NULL-terminated); when absent *out = dflt.  INVALID_FORMAT names the
 * field.  *out points into choices (static).
 */
int	valid_choice(struct json_object *o, const char *field,
	    const char *const *choices, const char *dflt, const char **out,
	    struct valid_err *);

/* 1 when s is a UUID in 8-4-4-4-12 hex form. */
int	valid_is_uuid(const char *s, size_t len);

#endif
