/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * The scan engine's public API, used by `vigil scan`, vigild and the bundle
 * code alike.
 *
 *   sources (named buffers or fds, ClamAV formats by file extension)
 *     -> vigil_engine_new()      parse every source, refuse the whole set on
 *                                any bad line (FILE:LINE: reason), compile or
 *                                load the matcher from the cache
 *     -> struct vigil_engine     immutable and reference-counted: any number
 *                                of threads may scan with it at once; a
 *                                reload builds a new one and swaps a pointer
 *     -> vigil_engine_scan_fd()  one pass over the file: body matcher, the
 *                                digests the hash signatures need, .fp check
 *     -> struct vigil_scan_result
 *
 * Nothing here logs or exits; every failure is a negative errno and, for
 * load errors, a filled struct vigil_load_error.
 */
#ifndef VIGIL_LIB_ENGINE_H
#define VIGIL_LIB_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct vigil_engine;

/* One signature source. Its type comes from the name's extension: .hdb,
 * .hsb, .ndb, .fp, .sfp, .ign2. Give either data/size or fd (>= 0; read
 * whole from offset 0, never by path again). For the cache key an fd is
 * known by its identity (device, inode, size, mtime, ctime: any write
 * changes ctime), a buffer by its SHA-256, given or computed. */
struct vigil_source {
	const char *name;
	const uint8_t *data;
	size_t size;
	int fd;
	/* Optional: the SHA-256 of the bytes when the caller knows it (a
	 * verified bundle's manifest), so the cache key need not hash them.
	 * Bytes read from an fd given with it are parsed only if they still
	 * have it (else the load fails: "changed while being loaded"). */
	const uint8_t *sha256;
	/* With fd and sha256: read size bytes at offset rather than the
	 * whole file (a payload inside a bundle file). */
	bool range;
	uint64_t offset;
};

struct vigil_load_error {
	char file[256];
	unsigned line; /* 0 when the error is not about one line */
	char reason[256];
};

/* Limits like clamscan's --max-filesize / --max-scansize. A file beyond
 * either is reported VIGIL_SCAN_LIMITED, never silently clean. */
#define VIGIL_DEFAULT_MAX_FILE_SIZE (100ULL << 20)
#define VIGIL_DEFAULT_MAX_SCAN_SIZE (400ULL << 20)

/* A compiled matcher carried in a signed bundle: a `.vpc` payload
 * (docs/bundle-format.md section 11). Give only bytes whose bundle
 * signatures and digests were verified: after checking every header field
 * against this machine and the part's sources, the engine hands the
 * database to Hyperscan's deserializer. */
struct vigil_precompiled {
	const char *name;
	const uint8_t *data;
	size_t size;
	/* Or, with data NULL: size bytes at offset of fd, read only if a part
	 * looks for a carried matcher, and used only if they have sha256. */
	int fd;
	uint64_t offset;
	const uint8_t *sha256;
};

/* Payload names of precompiled matchers end in this. */
#define VIGIL_PRECOMPILED_SUFFIX ".vpc"
bool vigil_precompiled_name(const char *name);

struct vigil_engine_options {
	uint64_t max_file_size; /* 0: the default */
	uint64_t max_scan_size; /* 0: the default */
	/* Folder of compiled-matcher caches, or NULL for none. */
	const char *cache_dir;
	/* Compile in a child process capped at this many bytes of address
	 * space (0: compile in this process, for tests and tools). */
	uint64_t compile_memory_limit;
	/* Compiled matchers carried in the bundle the sources came from: a
	 * part whose sources (by SHA-256), Hyperscan version and CPU platform
	 * fit loads one instead of compiling; anything else is ignored. */
	const struct vigil_precompiled *precompiled;
	size_t precompiled_count;
	/* The engine this one replaces (vigild's reload), or NULL: a part
	 * whose sources have the same key as one of its parts (by SHA-256,
	 * or an fd's identity) is taken from it, shared, not loaded again;
	 * so a reload that changes one part costs that part's load and
	 * memory only. The caller keeps its own reference to @previous. */
	const struct vigil_engine *previous;
};

int vigil_engine_new(const struct vigil_source *sources, size_t count,
		     const struct vigil_engine_options *options,
		     struct vigil_engine **ret_engine,
		     struct vigil_load_error *ret_error);
struct vigil_engine *vigil_engine_ref(struct vigil_engine *engine);
/* Drops one reference; frees on the last. Accepts NULL; returns NULL. */
struct vigil_engine *vigil_engine_unref(struct vigil_engine *engine);

struct vigil_engine_stats {
	size_t hash_signatures;
	size_t body_signatures;
	size_t false_positive_hashes;
	size_t ignored_names;
	bool loaded_from_cache;
	/* How each part's matcher came to be (they add up to parts). */
	size_t parts;
	size_t parts_from_cache;
	size_t parts_precompiled;	/* carried in the bundle */
	size_t parts_compiled;
	size_t parts_shared;		/* of these, taken from options->previous */
	size_t parts_parsed;		/* of these, parsed from their text now */
};
void vigil_engine_get_stats(const struct vigil_engine *engine,
			    struct vigil_engine_stats *ret_stats);

/* Removes the compiled matchers in cache_dir that no engine has loaded or
 * stored since unused_since (and temporary files a killed writer left);
 * how many in *ret_removed. 0 or -errno. */
int vigil_engine_cache_prune(const char *cache_dir, time_t unused_since, size_t *ret_removed);

/* A Hyperscan platform to precompile for (`vigil bases build --precompile`):
 * generic, avx2, avx512, avx512vbmi, or native (this machine). */
struct vigil_precompile_target {
	char name[16];
	uint64_t tune;
	uint64_t cpu_features;
};
/* 0, or -EINVAL for an unknown name. */
int vigil_precompile_target_parse(const char *name, struct vigil_precompile_target *ret_target);

/* Receives one precompiled part: @part is its file-name stem, @bytes the
 * whole `.vpc` payload (valid during the call). Returns 0 or -errno. */
typedef int (*vigil_precompiled_emit_fn)(void *opaque, const char *part, const uint8_t *bytes,
					 size_t size);

/*
 * vigil_engine_precompile - compiles every part of @sources for @target
 * @sources: as for vigil_engine_new(), each with data and its sha256 (the
 *           digest the bundle manifest will list), in bundle order
 * @compile_memory_limit: cap of the compile child (0: in this process)
 * Parts are the ones vigil_engine_new() builds from the same sources, and
 * each header lists exactly the sources a loader must have to use it.
 * Returns 0, a negative errno from @emit, or a load error as
 * vigil_engine_new() fills it.
 */
int vigil_engine_precompile(const struct vigil_source *sources, size_t count,
			    const struct vigil_precompile_target *target,
			    uint64_t compile_memory_limit, vigil_precompiled_emit_fn emit,
			    void *opaque, struct vigil_load_error *ret_error);

enum vigil_verdict {
	VIGIL_CLEAN = 0,
	VIGIL_INFECTED,
	VIGIL_SCAN_LIMITED, /* beyond max_file_size/max_scan_size: not fully scanned */
	VIGIL_SCAN_ERROR,
};

#define VIGIL_SCAN_WANT_SHA256 (1u << 0)

struct vigil_scan_result {
	enum vigil_verdict verdict;
	int error;		/* negative errno with VIGIL_SCAN_ERROR */
	uint64_t size;		/* size at the start of the scan */
	uint64_t scanned;	/* bytes read */
	bool sha256_valid;
	uint8_t sha256[32];
	size_t match_count;
	/* Signature names, in load order; they point into the engine and live
	 * as long as the caller holds a reference to it. */
	const char **matches;
};

/* Scans from the fd's offset 0 (pread; the fd's offset is untouched).
 * Returns 0 with a verdict in ret_result (even VIGIL_SCAN_ERROR), or a
 * negative errno when no result could be made (allocation). */
int vigil_engine_scan_fd(struct vigil_engine *engine, int fd, unsigned flags,
			 struct vigil_scan_result *ret_result);
int vigil_engine_scan_buffer(struct vigil_engine *engine, const uint8_t *data,
			     size_t size, unsigned flags,
			     struct vigil_scan_result *ret_result);
void vigil_scan_result_uninit(struct vigil_scan_result *result);

const char *vigil_verdict_name(enum vigil_verdict verdict);

#endif
