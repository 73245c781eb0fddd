// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: owns a struct signature_set's pools and the loading of whole
 * sources into it. A source's type comes from its name's extension; its
 * bytes are split into lines (LF or CRLF) and each line goes to the parser
 * of that format. Any bad line refuses the whole source, and the caller
 * (engine.c) then refuses the whole set, as clamscan refuses the whole
 * database. A line whose signature an .ign2 entry names is skipped as it
 * comes (the engine loads .ign2 sources first). Once every source is in,
 * signature_set_finish() applies clamscan's rule that of one hash listed
 * twice only the last loaded name counts.
 *
 *   engine.c -> signature_set_add_source() -> sig_{ndb,hash,ign2}_parse_line()
 *            -> signature_set_finish() -> matcher.c, hash-index.c
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "signature.h"

/* Bounds on what one set may hold, checked as it grows. */
#define MAX_POOL_ITEMS (1UL << 28)
#define MAX_LINE_LENGTH (1UL << 20)

int signature_set_init(struct signature_set *set)
{
	memset(set, 0, sizeof(*set));
	return 0;
}

void signature_set_uninit(struct signature_set *set)
{
	if (!set)
		return;
	if (set->mapping) {
		munmap(set->mapping, set->mapping_size);
		free(set->ignored);
		memset(set, 0, sizeof(*set));
		return;
	}
	free(set->bodies);
	free(set->segments);
	free(set->elements);
	free(set->alternatives);
	free(set->bytes);
	free(set->hashes);
	free(set->false_positives);
	free(set->names);
	free(set->ignored);
	memset(set, 0, sizeof(*set));
}

long signature_set_push(void **pool, size_t *count, size_t *capacity, size_t item_size,
			size_t items)
{
	size_t index = *count;

	if (items > MAX_POOL_ITEMS || *count > MAX_POOL_ITEMS - items)
		return -E2BIG;
	if (*count + items > *capacity) {
		size_t new_capacity = *capacity ? *capacity : 64;
		void *grown;

		while (new_capacity < *count + items)
			new_capacity *= 2;
		grown = realloc(*pool, new_capacity * item_size);
		if (!grown)
			return -ENOMEM;
		*pool = grown;
		*capacity = new_capacity;
	}
	*count += items;
	return (long)index;
}

long signature_set_add_name(struct signature_set *set, const char *name, size_t length)
{
	long index = signature_set_push((void **)&set->names, &set->names_size,
					&set->names_capacity, 1, length + 1);

	if (index < 0)
		return index;
	memcpy(set->names + index, name, length);
	set->names[index + length] = '\0';
	return index;
}

enum source_kind { SOURCE_NDB, SOURCE_HASH, SOURCE_FALSE_POSITIVE, SOURCE_IGNORE };

static int source_kind(const char *name, enum source_kind *ret_kind)
{
	const char *dot = strrchr(name, '.');

	if (!dot)
		return -EPROTONOSUPPORT;
	if (!strcmp(dot, ".ndb"))
		*ret_kind = SOURCE_NDB;
	else if (!strcmp(dot, ".hdb") || !strcmp(dot, ".hsb"))
		*ret_kind = SOURCE_HASH;
	else if (!strcmp(dot, ".fp") || !strcmp(dot, ".sfp"))
		*ret_kind = SOURCE_FALSE_POSITIVE;
	else if (!strcmp(dot, ".ign2"))
		*ret_kind = SOURCE_IGNORE;
	else
		return -EPROTONOSUPPORT;
	return 0;
}

bool signature_source_supported(const char *name)
{
	enum source_kind kind;

	return source_kind(name, &kind) == 0;
}

/* Pool sizes to truncate back to when a source is refused. */
struct set_mark {
	size_t bodies, segments, elements, alternatives, bytes, hashes, false_positives;
	size_t names, ignored;
};

static void mark_set(const struct signature_set *set, struct set_mark *mark)
{
	*mark = (struct set_mark){
		set->body_count, set->segment_count, set->element_count, set->alternative_count,
		set->byte_count, set->hash_count, set->false_positive_count, set->names_size,
		set->ignored_count,
	};
}

static void rewind_set(struct signature_set *set, const struct set_mark *mark)
{
	set->body_count = mark->bodies;
	set->segment_count = mark->segments;
	set->element_count = mark->elements;
	set->alternative_count = mark->alternatives;
	set->byte_count = mark->bytes;
	set->hash_count = mark->hashes;
	set->false_positive_count = mark->false_positives;
	set->names_size = mark->names;
	set->ignored_count = mark->ignored;
}

/* The name field of a line: the first of .ndb, the third of hash files. */
static bool line_is_ignored(const struct signature_set *set, enum source_kind kind,
			    const char *line, size_t length)
{
	const char *name = line, *end;
	int field = kind == SOURCE_NDB ? 0 : 2;

	if (!set->ignored_count || kind == SOURCE_IGNORE)
		return false;
	for (int i = 0; i < field; ++i) {
		name = memchr(name, ':', length - (size_t)(name - line));
		if (!name)
			return false;
		name++;
	}
	end = memchr(name, ':', length - (size_t)(name - line));
	if (!end)
		end = line + length;
	return signature_set_ignores(set, name, (size_t)(end - name), line, length);
}

int signature_set_add_source(struct signature_set *set, const char *name, const uint8_t *data,
			     size_t size, unsigned *ret_line, char *reason, size_t reason_size)
{
	enum source_kind kind;
	struct set_mark mark;
	size_t position = 0;
	unsigned line_number = 0, signatures = 0;
	int r;

	*ret_line = 0;
	r = source_kind(name, &kind);
	if (r < 0) {
		snprintf(reason, reason_size, "unknown database type (want .ndb .hdb .hsb .fp .sfp .ign2)");
		return r;
	}
	mark_set(set, &mark);
	while (position < size) {
		const char *line = (const char *)data + position;
		const uint8_t *newline = memchr(data + position, '\n', size - position);
		size_t length = newline ? (size_t)(newline - (data + position)) : size - position;

		position += length + (newline ? 1 : 0);
		line_number++;
		if (length && line[length - 1] == '\r')
			length--;
		if (length > MAX_LINE_LENGTH) {
			snprintf(reason, reason_size, "line longer than %lu bytes", MAX_LINE_LENGTH);
			r = -EINVAL;
			goto err_rewind;
		}
		if (memchr(line, '\0', length)) {
			snprintf(reason, reason_size, "NUL byte in the line");
			r = -EINVAL;
			goto err_rewind;
		}
		if (length && line[0] == '#')
			continue;
		if (!length) {
			snprintf(reason, reason_size, kind == SOURCE_IGNORE ? "no signature name provided" :
				 "empty line");
			r = -EINVAL;
			goto err_rewind;
		}
		signatures++;
		if (line_is_ignored(set, kind, line, length))
			continue;
		switch (kind) {
		case SOURCE_NDB:
			r = sig_ndb_parse_line(set, line, length, reason, reason_size);
			break;
		case SOURCE_HASH:
			r = sig_hash_parse_line(set, line, length, false, false, reason, reason_size);
			break;
		case SOURCE_FALSE_POSITIVE:
			r = sig_hash_parse_line(set, line, length, true, false, reason, reason_size);
			break;
		case SOURCE_IGNORE:
			r = sig_ign2_parse_line(set, line, length, reason, reason_size);
			break;
		}
		if (r < 0)
			goto err_rewind;
	}
	if (!signatures && kind != SOURCE_IGNORE) {
		snprintf(reason, reason_size, "empty database file");
		r = -EINVAL;
		goto err_rewind_whole;
	}
	return 0;

err_rewind:
	*ret_line = line_number;
err_rewind_whole:
	rewind_set(set, &mark);
	return r;
}

static int compare_hashes(const void *a, const void *b)
{
	const struct hash_signature *x = a, *y = b;
	int r;

	/* By size first: hash-index.c looks the file's size up. */
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	r = memcmp(x->digest, y->digest, sizeof(x->digest));
	if (r)
		return r;
	/* Same key: keep load order (names are appended in load order). */
	return x->name < y->name ? -1 : x->name > y->name;
}

/* Sorts hashes by key and keeps the last loaded of each key. */
static void deduplicate_hashes(struct hash_signature *hashes, size_t *count)
{
	size_t kept = 0;

	if (!*count)
		return;
	qsort(hashes, *count, sizeof(*hashes), compare_hashes);
	for (size_t i = 0; i < *count; ++i) {
		bool last_of_key = i + 1 == *count ||
				   hashes[i].type != hashes[i + 1].type ||
				   hashes[i].size != hashes[i + 1].size ||
				   memcmp(hashes[i].digest, hashes[i + 1].digest, 32);

		if (last_of_key)
			hashes[kept++] = hashes[i];
	}
	*count = kept;
}

int signature_set_finish(struct signature_set *set)
{
	deduplicate_hashes(set->hashes, &set->hash_count);
	deduplicate_hashes(set->false_positives, &set->false_positive_count);
	return 0;
}
