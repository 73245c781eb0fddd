/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * The engine's internal form of loaded signatures: flat pools of plain
 * structs (no pointers), so that a set can be serialized into the matcher
 * cache as it is and shared read-only by every scanning thread.
 *
 *   sig-ndb.c, sig-hex.c  -> struct body_signature, segments, elements
 *   sig-hash.c            -> struct hash_signature (also .fp/.sfp entries)
 *   sig-ign2.c            -> names to drop
 *   signature-set.c       owns the pools and the load order
 *   matcher.c, hash-index.c read them at scan time, never write them.
 *
 * A body signature is a chain of segments separated by gaps ({n-m}, *,
 * {n} with n >= 128). A segment is a bounded sequence of elements and is the
 * unit the matcher finds; the gaps are checked by the chain logic.
 */
#ifndef VIGIL_LIB_SIGNATURE_H
#define VIGIL_LIB_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* Character classes as ClamAV defines them, measured against clamscan
 * 1.4.6 byte by byte (see tests/differential/CLAMSCAN-SEMANTICS.md). */
enum char_class {
	CLASS_NONE = 0,
	CLASS_BOUNDARY,	/* (B) */
	CLASS_LINE,	/* (L) */
	CLASS_NONWORD,	/* (W) */
};

enum element_kind {
	ELEMENT_BYTE,		/* value under mask (0xff, 0xf0, 0x0f, 0x00) */
	ELEMENT_CLASS,		/* a class mid-signature: consumes 1 byte ((L): \n or \r\n) */
	ELEMENT_ALTERNATIVES,	/* (a|b|c) or !(a|b|c); alternatives in the pool */
	ELEMENT_SKIP,		/* [x-y]: x to y bytes of anything */
};

struct pattern_byte {
	uint8_t value;
	uint8_t mask;
};

struct element {
	uint8_t kind;		/* enum element_kind */
	uint8_t char_class;	/* ELEMENT_CLASS */
	uint8_t negated;	/* ELEMENT_ALTERNATIVES */
	/* Before the part's anchor (its first run of >= 3 fixed bytes), where
	 * clamscan matches backwards: (L) takes only \n, and an empty
	 * alternative never matches empty. */
	uint8_t in_prefix;
	union {
		struct pattern_byte byte;
		struct {
			uint32_t first;	/* index into alternatives[] */
			uint32_t count;
		} alternatives;
		struct {
			uint32_t min, max;
		} skip;
	};
};

/* One alternative: a run of pattern bytes in the byte pool. */
struct alternative {
	uint32_t first_byte;
	uint32_t length;
};

#define GAP_UNBOUNDED UINT32_MAX
/* Bounds the parser enforces and the verifier relies on. */
#define MAX_ALTERNATIVES 4096
#define MAX_SKIP 32

struct segment {
	uint32_t first_element;
	uint32_t element_count;
	uint32_t min_length;
	uint32_t max_length;
	/* Gap from the previous segment's end to this one's start. */
	uint32_t gap_min;
	uint32_t gap_max;	/* GAP_UNBOUNDED for * and {n-} */
	uint8_t leading_class;	/* assertion on the byte before (BOF passes) */
	uint8_t trailing_class;	/* assertion on the byte(s) after (EOF passes) */
	/* `ab[x-y]REST`: byte ab stands x..y bytes before the start (the
	 * offset names REST, as in clamscan). */
	uint8_t has_anchor;
	uint8_t anchor_byte;
	uint32_t signature;	/* owning body signature */
	uint32_t anchor_min;
	uint32_t anchor_max;
	/* clamscan's anchor in this part (sig-hex.c find_anchor()) and the
	 * longest length of what precedes it, counting classes as 0: the
	 * offset range must hold the start and meet [anchor - prefix_length,
	 * anchor - prefix_min_length]. */
	uint32_t anchor_index;
	uint32_t prefix_length;
	uint32_t prefix_min_length;
};

enum offset_kind {
	OFFSET_ANY = 0,		/* * */
	OFFSET_ABSOLUTE,	/* n or n,m */
	OFFSET_END,		/* EOF-n or EOF-n,m */
	OFFSET_ENTRY_POINT,	/* EP+n, EP-n (ELF) */
};

enum target_type {
	TARGET_ANY = 0,
	TARGET_ELF = 6,
};

struct body_signature {
	uint32_t name;		/* offset into the name pool */
	uint32_t first_segment;
	uint32_t segment_count;
	uint8_t target;		/* enum target_type */
	uint8_t offset_kind;	/* enum offset_kind */
	uint8_t padding[2];
	int64_t offset;		/* n; for EOF the n of EOF-n; for EP signed */
	uint64_t offset_range;	/* m of n,m; 0 otherwise */
};

enum hash_type {
	HASH_MD5 = 0,
	HASH_SHA1,
	HASH_SHA256,
	__HASH_TYPE_COUNT,
};

#define HASH_SIZE_ANY UINT64_MAX

struct hash_signature {
	uint64_t size;		/* HASH_SIZE_ANY for * */
	uint8_t digest[32];
	uint8_t type;		/* enum hash_type */
	uint8_t padding;
	uint16_t source_rank;	/* load order of its source: later wins a tie */
	uint32_t name;		/* offset into the name pool */
};

struct ignored_name {
	char name[128];
	bool has_md5;		/* NAME:MD5 — only the line with this MD5 */
	uint8_t md5[16];
};

/* Flat pools; each grows by doubling. */
struct signature_set {
	struct body_signature *bodies;
	size_t body_count, body_capacity;
	struct segment *segments;
	size_t segment_count, segment_capacity;
	struct element *elements;
	size_t element_count, element_capacity;
	struct alternative *alternatives;
	size_t alternative_count, alternative_capacity;
	struct pattern_byte *bytes;
	size_t byte_count, byte_capacity;
	struct hash_signature *hashes;
	size_t hash_count, hash_capacity;
	struct hash_signature *false_positives;
	size_t false_positive_count, false_positive_capacity;
	char *names;
	size_t names_size, names_capacity;
	/* .ign2 entries: struct ignored_name records, consulted while loading
	 * (the engine loads .ign2 sources first). */
	struct ignored_name *ignored;
	size_t ignored_count, ignored_capacity;
	/* Load rank of the source being added (stored in hash signatures). */
	uint16_t current_rank;
	/* Set from the cache: the pools point into this read-only mapping. */
	void *mapping;
	size_t mapping_size;
};

int signature_set_init(struct signature_set *set);
void signature_set_uninit(struct signature_set *set);

/* Adds one source; *ret_line is the 1-based line of an error, 0 for
 * errors that are not about one line. The reason goes to reason[]. */
int signature_set_add_source(struct signature_set *set, const char *name,
			     const uint8_t *data, size_t size,
			     unsigned *ret_line, char *reason, size_t reason_size);
bool signature_source_supported(const char *name);
/* Is a signature of this name, loaded from this line, on an .ign2 list? */
bool signature_set_ignores(const struct signature_set *set, const char *name, size_t name_length,
			   const char *line, size_t line_length);
/* Drops duplicate hashes (last loaded wins, as clamscan). */
int signature_set_finish(struct signature_set *set);

/* Pool growth, shared by the parsers. Return -ENOMEM or the new index. */
long signature_set_push(void **pool, size_t *count, size_t *capacity,
			size_t item_size, size_t items);
long signature_set_add_name(struct signature_set *set, const char *name,
			    size_t length);

/* Line parsers: one line without its newline. Return 0, or -EINVAL with
 * a reason (anything else is a resource error). */
int sig_ndb_parse_line(struct signature_set *set, const char *line,
		       size_t length, char *reason, size_t reason_size);
int sig_hex_parse(struct signature_set *set, struct body_signature *body,
		  const char *hex, size_t length, char *reason,
		  size_t reason_size);
int sig_hash_parse_line(struct signature_set *set, const char *line,
			size_t length, bool false_positive, bool md5_only,
			char *reason, size_t reason_size);
int sig_ign2_parse_line(struct signature_set *set, const char *line,
			size_t length, char *reason, size_t reason_size);

/* The functionality level of the clamscan release vigil matches. */
#define CLAMAV_FLEVEL 216

/* Shared by the line parsers (sig-fields.c). sig_split_fields() returns
 * the field count, or most + 1 when there are more than most. */
size_t sig_split_fields(const char *line, size_t length, const char **fields, size_t *lengths,
			size_t most);
bool sig_parse_decimal(const char *text, size_t length, uint64_t max, uint64_t *ret_value);
int sig_hex_digit(char c);
bool sig_name_has_control(const char *name, size_t length);
/* length hex digits (even) into length / 2 bytes; false on a non-hex digit. */
bool sig_parse_hex_bytes(const char *text, size_t length, uint8_t *out);
/* Writes the reason and returns -EINVAL. */
int sig_refuse(char *reason, size_t reason_size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* Class membership, shared by the parser and the matcher. */
bool char_class_accepts_before(uint8_t char_class, uint8_t byte);
bool char_class_accepts_middle(uint8_t char_class, uint8_t byte);
bool char_class_accepts_after(uint8_t char_class, const uint8_t *after,
			      size_t available);

#endif
