// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: parses one line of a ClamAV .ndb file,
 *   Name:TargetType:Offset:HexSignature[:MinFLevel[:MaxFLevel]]
 * into a struct body_signature appended to the signature set. Owns the
 * name, target type, offset and functionality-level fields; hands the hex
 * body to sig_hex_parse(). Target types other than 0 (any) and 6 (ELF), and
 * offsets vigil cannot honour exactly (PE sections), are refused with a
 * reason rather than approximated. A signature whose functionality-level
 * range excludes clamscan 1.4's (216) is skipped, as clamscan does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signature.h"

#define MAX_NAME_LENGTH 1024
#define MAX_OFFSET 4000000000ULL

/* Strict unsigned decimal: digits only, no sign, no overflow past max. */
/* "n" or "n,m" */
static bool parse_offset_value(const char *text, size_t length, uint64_t *ret_offset,
			       uint64_t *ret_range)
{
	const char *comma = memchr(text, ',', length);

	*ret_range = 0;
	if (!comma)
		return sig_parse_decimal(text, length, MAX_OFFSET, ret_offset);
	return sig_parse_decimal(text, (size_t)(comma - text), MAX_OFFSET, ret_offset) &&
	       sig_parse_decimal(comma + 1, length - (size_t)(comma - text) - 1, MAX_OFFSET, ret_range);
}

static int parse_offset(struct body_signature *body, const char *text, size_t length,
			char *reason, size_t reason_size)
{
	uint64_t value, range;

	if (length == 1 && text[0] == '*') {
		body->offset_kind = OFFSET_ANY;
		return 0;
	}
	if (length > 4 && !memcmp(text, "EOF-", 4)) {
		if (!parse_offset_value(text + 4, length - 4, &value, &range))
			return sig_refuse(reason, reason_size, "invalid offset value '%.*s'", (int)length, text);
		body->offset_kind = OFFSET_END;
		body->offset = (int64_t)value;
		body->offset_range = range;
		return 0;
	}
	if (length >= 3 && !memcmp(text, "EP", 2) && (text[2] == '+' || text[2] == '-')) {
		if (body->target != TARGET_ELF)
			return sig_refuse(reason, reason_size, "invalid offset type for target %u: '%.*s'",
				      body->target, (int)length, text);
		if (!parse_offset_value(text + 3, length - 3, &value, &range))
			return sig_refuse(reason, reason_size, "invalid offset value '%.*s'", (int)length, text);
		body->offset_kind = OFFSET_ENTRY_POINT;
		body->offset = text[2] == '-' ? -(int64_t)value : (int64_t)value;
		body->offset_range = range;
		return 0;
	}
	if (length >= 2 && (text[0] == 'S' || (text[0] == 'E' && text[1] == 'P'))) {
		if (body->target != TARGET_ELF)
			return sig_refuse(reason, reason_size, "invalid offset type for target %u: '%.*s'",
				      body->target, (int)length, text);
		return sig_refuse(reason, reason_size, "section offsets ('%.*s') are not supported by vigil",
			      (int)length, text);
	}
	if (!parse_offset_value(text, length, &value, &range))
		return sig_refuse(reason, reason_size, "invalid offset value '%.*s'", (int)length, text);
	body->offset_kind = OFFSET_ABSOLUTE;
	body->offset = (int64_t)value;
	body->offset_range = range;
	return 0;
}

int sig_ndb_parse_line(struct signature_set *set, const char *line, size_t length,
		       char *reason, size_t reason_size)
{
	const char *fields[6];
	size_t lengths[6], count;
	struct body_signature body = { 0 };
	uint64_t target, flevel;
	long name, index;
	int r;

	count = sig_split_fields(line, length, fields, lengths, 6);
	if (count < 4)
		return sig_refuse(reason, reason_size, "too few fields (want Name:Target:Offset:Hex)");
	if (count > 6)
		return sig_refuse(reason, reason_size, "too many fields (at most 6)");
	if (!lengths[0] || lengths[0] > MAX_NAME_LENGTH)
		return sig_refuse(reason, reason_size, "signature name empty or longer than %d bytes",
			      MAX_NAME_LENGTH);
	if (sig_name_has_control(fields[0], lengths[0]))
		return sig_refuse(reason, reason_size, "control character in the signature name");
	if (count >= 5) {
		if (!sig_parse_decimal(fields[4], lengths[4], 100000, &flevel))
			return sig_refuse(reason, reason_size, "invalid minimum functionality level '%.*s'",
				      (int)lengths[4], fields[4]);
		if (flevel > CLAMAV_FLEVEL)
			return 0;
	}
	if (count == 6) {
		if (!sig_parse_decimal(fields[5], lengths[5], 100000, &flevel))
			return sig_refuse(reason, reason_size, "invalid maximum functionality level '%.*s'",
				      (int)lengths[5], fields[5]);
		if (flevel < CLAMAV_FLEVEL)
			return 0;
	}
	if (!sig_parse_decimal(fields[1], lengths[1], 255, &target))
		return sig_refuse(reason, reason_size, "invalid target type '%.*s'", (int)lengths[1], fields[1]);
	if (target != TARGET_ANY && target != TARGET_ELF)
		return sig_refuse(reason, reason_size,
			      "target type %u is not supported by vigil (only 0, any file, and 6, ELF)",
			      (unsigned)target);
	body.target = (uint8_t)target;
	r = parse_offset(&body, fields[2], lengths[2], reason, reason_size);
	if (r < 0)
		return r;
	r = sig_hex_parse(set, &body, fields[3], lengths[3], reason, reason_size);
	if (r < 0)
		return r;
	name = signature_set_add_name(set, fields[0], lengths[0]);
	if (name < 0)
		return (int)name;
	body.name = (uint32_t)name;
	index = signature_set_push((void **)&set->bodies, &set->body_count, &set->body_capacity,
				   sizeof(body), 1);
	if (index < 0)
		return (int)index;
	set->bodies[index] = body;
	return 0;
}
