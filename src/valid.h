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
#include <stdint.h>

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

/*
 * An integer `field` in [lo, hi].  Absent (or null): MISSING_FIELD when
 * required, else *out is left as the caller's default.  Anything else
 * (a string, a float, out of range) is INVALID_FORMAT, and so is an
 * integer beyond int64, which json-c clamps (to INT64_MIN or INT64_MAX):
 * INT64_MIN itself, which a clamp cannot be told from, is never accepted.
 */
int	valid_int(struct json_object *o, const char *field, int64_t lo,
	    int64_t hi, int required, int64_t *out, struct valid_err *);

/* An optional boolean; *out keeps the caller's default when absent. */
int	valid_bool(struct json_object *o, const char *field, int *out,
	    struct valid_err *);

/* An optional list of distinct bases 1..3 as a mask of bits (1u << base);
 * *mask keeps the caller's default when absent. */
int	valid_bases(struct json_object *o, const char *field, unsigned *mask,
	    struct valid_err *);

/* A string of at most maxlen bytes with no NUL; borrowed from o.  Absent:
 * MISSING_FIELD when required, else *out unchanged. */
int	valid_string(struct json_object *o, const char *field, size_t maxlen,
	    int required, const char **out, struct valid_err *);

/* `advances`: [{from: 0..3, result: "safe"|"out"}], each runner once. */
struct valid_advance {
	int	 from;
	int	 safe;
};
int	valid_advances(struct json_object *o, const char *field,
	    struct valid_advance out[4], int *n, struct valid_err *);

/* The INVALID_FORMAT verdict of `field`, for a value a caller's own
 * parser refused (an enum name of game.h); always returns 0. */
int	valid_malformed(const char *field, struct valid_err *);

/*
 * An optional name field parsed by game.h's parser: absent (value NULL)
 * keeps the default (the zero of each decision enum is "normal"), a name
 * the parser refused (parsed 0) is the field's INVALID_FORMAT.
 */
int	valid_named(const char *value, int parsed, const char *field,
	    struct valid_err *);

/* 1 when s is a UUID in 8-4-4-4-12 hex form. */
int	valid_is_uuid(const char *s, size_t len);

/* How many of s's first n bytes end on a UTF-8 character boundary; 0
 * when s is not valid UTF-8.  A sequence cut short at the end of s ends
 * the string.  For bounded echoes of client text. */
size_t	valid_utf8_cut(const char *s, size_t n);

#endif
