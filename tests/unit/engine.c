// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: tests of the engine's public API (lib/engine.c): sources from
 * memory and from fds, load errors, reference counting, the 5-byte rule,
 * max_file_size/max_scan_size giving VIGIL_SCAN_LIMITED (INFECTED when the
 * match lies before the cut), scan_fd on temporary files (matches
 * straddling the engine's 256 KiB read blocks, parts megabytes apart, the
 * fd offset left alone, non-regular files), SHA-256 reporting, and many
 * threads scanning with one engine at once, parts shared with a previous
 * engine (vigild's reload), fd sources checked against their digest.
 * Temporary files are unlinked by the test that makes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>

#include "unit/engine-test.h"

#define P "11223344"
#define S "55667788"
#define PB "\x11\x22\x33\x44"
#define SB "\x55\x66\x77\x88"
#define BLOCK (256u << 10)

/* A temporary file holding data; returns an O_RDONLY fd (file unlinked). */
static int temp_file(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/vigil-engine-test-XXXXXX";
	int fd = mkstemp(path);
	size_t done = 0;

	cr_assert_geq(fd, 0);
	unlink(path);
	while (done < size) {
		ssize_t wrote = write(fd, data + done, size - done);

		cr_assert_gt(wrote, 0);
		done += (size_t)wrote;
	}
	return fd;
}

static char *scan_fd_names(struct vigil_engine *engine, int fd, enum vigil_verdict *ret_verdict)
{
	struct vigil_scan_result result;
	char *names;

	cr_assert_eq(vigil_engine_scan_fd(engine, fd, 0, &result), 0);
	cr_assert_neq(result.verdict, VIGIL_SCAN_ERROR, "error %d", result.error);
	names = result_names(&result);
	if (ret_verdict)
		*ret_verdict = result.verdict;
	vigil_scan_result_uninit(&result);
	return names;
}

/* --- loading ------------------------------------------------------------- */

Test(engine, sources_from_fds_are_read_from_offset_zero)
{
	const char *ndb = "Fd:0:*:" P "\n";
	int fd = temp_file((const uint8_t *)ndb, strlen(ndb));
	struct vigil_source source = { .name = "fd.ndb", .fd = fd };
	struct vigil_engine *engine;
	char *names;

	/* the fd's offset is at the end after writing */
	cr_assert_eq(lseek(fd, 0, SEEK_CUR), (off_t)strlen(ndb));
	engine = engine_from_sources(&source, 1, NULL);
	names = scan_spec(engine, "00 " P " 00");
	cr_assert_str_eq(names, "Fd");
	free(names);
	vigil_engine_unref(engine);
	close(fd);
}

Test(engine, unreadable_fd_source_is_a_load_error)
{
	struct vigil_source source = { .name = "gone.ndb", .fd = 1000 };
	struct vigil_engine *engine = NULL;
	struct vigil_load_error error;

	cr_assert_eq(try_load_sources(&source, 1, NULL, &engine, &error), -EBADF);
	cr_assert_null(engine);
	cr_assert_str_eq(error.file, "gone.ndb");
	cr_assert_eq(error.line, 0);
	cr_assert(strstr(error.reason, "cannot read"), "%s", error.reason);
}

Test(engine, no_sources_make_an_engine_that_finds_nothing)
{
	struct vigil_engine *engine = engine_from_sources(NULL, 0, NULL);
	struct vigil_engine_stats stats;
	char *names = scan_spec(engine, "'some file content'");

	cr_assert_str_eq(names, "");
	free(names);
	vigil_engine_get_stats(engine, &stats);
	cr_assert_eq(stats.body_signatures + stats.hash_signatures, 0);
	cr_assert_not(stats.loaded_from_cache);
	vigil_engine_unref(engine);
}

Test(engine, stats_count_what_was_loaded)
{
	struct vigil_engine *engine = engine_from2(
		"a.ndb", "A:0:*:" P "\nB:0:*:" S "\nC:0:*:" P ":300\n",
		"b.hdb", "44d88612fea8a8f36de82e1278abb02f:68:H\n");
	struct vigil_engine_stats stats;

	vigil_engine_get_stats(engine, &stats);
	cr_assert_eq(stats.body_signatures, 2);
	cr_assert_eq(stats.hash_signatures, 1);
	cr_assert_eq(stats.false_positive_hashes, 0);
	cr_assert_eq(stats.ignored_names, 0);
	vigil_engine_unref(engine);
}

/* A part's cached matcher survives another part's file being added, even
 * one that loads between the part's own files (.ndb before .hsb). */
Test(engine, cache_key_ignores_other_parts_files)
{
	char cache_dir[] = "/tmp/vigil-engine-cache.XXXXXX";
	struct vigil_source sources[3] = {
		{ .name = "main.hdb", .data = (const uint8_t *)"44d88612fea8a8f36de82e1278abb02f:68:H\n", .fd = -1 },
		{ .name = "main.hsb", .data = (const uint8_t *)"44d88612fea8a8f36de82e1278abb02f:68:S\n", .fd = -1 },
		{ .name = "other.ndb", .data = (const uint8_t *)"O:0:*:" P "\n", .fd = -1 },
	};
	struct vigil_engine_options options = { 0 };
	struct vigil_engine *engine;
	struct vigil_engine_stats stats;
	char command[128];

	for (size_t i = 0; i < 3; i++)
		sources[i].size = strlen((const char *)sources[i].data);
	cr_assert_not_null(mkdtemp(cache_dir));
	options.cache_dir = cache_dir;
	cr_assert_eq(vigil_engine_new(sources, 2, &options, &engine, NULL), 0);
	vigil_engine_get_stats(engine, &stats);
	cr_assert_eq(stats.parts_compiled, 1);
	vigil_engine_unref(engine);

	/* main's two files and other.ndb, which loads between them */
	sources[1] = (struct vigil_source){ .name = "other.ndb", .data = sources[2].data,
					    .size = sources[2].size, .fd = -1 };
	sources[2] = (struct vigil_source){ .name = "main.hsb",
					    .data = (const uint8_t *)"44d88612fea8a8f36de82e1278abb02f:68:S\n",
					    .fd = -1 };
	sources[2].size = strlen((const char *)sources[2].data);
	cr_assert_eq(vigil_engine_new(sources, 3, &options, &engine, NULL), 0);
	vigil_engine_get_stats(engine, &stats);
	cr_assert_eq(stats.parts_from_cache, 1, "main was compiled again (%zu from cache)", stats.parts_from_cache);
	cr_assert_eq(stats.parts_compiled, 1);
	vigil_engine_unref(engine);
	snprintf(command, sizeof(command), "rm -rf %s", cache_dir);
	cr_assert_eq(system(command), 0);
}

/* --- parts shared with a previous engine (vigild's reload) ----------------- */

static const char *names_of(struct vigil_engine *engine, const char *text)
{
	static char joined[256];
	struct vigil_scan_result result = { 0 };

	cr_assert_eq(vigil_engine_scan_buffer(engine, (const uint8_t *)text, strlen(text), 0, &result), 0);
	joined[0] = '\0';
	for (size_t i = 0; i < result.match_count; i++)
		snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
			 i ? " " : "", result.matches[i]);
	vigil_scan_result_uninit(&result);
	return joined;
}

/* A part whose sources are unchanged is the previous engine's, shared (it
 * outlives the previous engine); a changed part is loaded anew; nothing
 * of the previous engine's changed part is seen. */
Test(engine, unchanged_parts_are_shared_with_previous)
{
	struct vigil_source sources[2] = {
		{ .name = "main.ndb", .fd = -1 },
		{ .name = "storm.ndb", .fd = -1 },
	};
	struct vigil_engine_options options = { 0 };
	struct vigil_engine *first, *second, *third;
	struct vigil_engine_stats stats;
	char cache_dir[] = "/tmp/vigil-engine-share.XXXXXX", command[128];

	sources[0].data = (const uint8_t *)"Main.Sig:0:*:6d61696e2d6d61726b6572\n";	/* main-marker */
	sources[1].data = (const uint8_t *)"Storm.A:0:*:73746f726d2d616c706861\n";	/* storm-alpha */
	for (size_t i = 0; i < 2; i++)
		sources[i].size = strlen((const char *)sources[i].data);
	/* vigild's first engine has a cache folder, so its parts are keyed */
	cr_assert_not_null(mkdtemp(cache_dir));
	options.cache_dir = cache_dir;
	cr_assert_eq(vigil_engine_new(sources, 2, &options, &first, NULL), 0);
	options.cache_dir = NULL;
	vigil_engine_get_stats(first, &stats);
	cr_assert_eq(stats.parts_shared, 0);
	/* a scan, so that first has matcher scans to hand on to second */
	cr_assert_str_eq(names_of(first, "x main-marker storm-alpha storm-bravo"), "Main.Sig Storm.A");

	sources[1].data = (const uint8_t *)"Storm.B:0:*:73746f726d2d627261766f\n";	/* storm-bravo */
	sources[1].size = strlen((const char *)sources[1].data);
	options.previous = first;
	cr_assert_eq(vigil_engine_new(sources, 2, &options, &second, NULL), 0);
	vigil_engine_get_stats(second, &stats);
	cr_assert_eq(stats.parts, 2);
	cr_assert_eq(stats.parts_shared, 1, "%zu parts shared", stats.parts_shared);
	cr_assert_eq(stats.body_signatures, 2);
	vigil_engine_unref(first);	/* the shared part lives on in second */

	cr_assert_str_eq(names_of(second, "x main-marker storm-alpha storm-bravo"), "Main.Sig Storm.B");
	cr_assert_str_eq(names_of(second, "only storm-alpha here"), "");

	/* the same main.ndb under another name is another part: not shared */
	sources[0].name = "daily.ndb";
	options.previous = second;
	cr_assert_eq(vigil_engine_new(sources, 2, &options, &third, NULL), 0);
	vigil_engine_get_stats(third, &stats);
	cr_assert_eq(stats.parts_shared, 1, "only storm is the same part");
	cr_assert_str_eq(names_of(third, "main-marker storm-bravo"), "Main.Sig Storm.B");
	vigil_engine_unref(second);
	vigil_engine_unref(third);
	snprintf(command, sizeof(command), "rm -rf %s", cache_dir);
	cr_assert_eq(system(command), 0);
}

/* A changed .ign2 list (it belongs to every part) shares nothing. */
Test(engine, changed_ignore_list_shares_nothing)
{
	struct vigil_source sources[2] = {
		{ .name = "local.ign2", .data = (const uint8_t *)"Nothing.Here\n", .fd = -1 },
		{ .name = "main.ndb", .data = (const uint8_t *)"Main.Sig:0:*:6d61696e2d6d61726b6572\n", .fd = -1 },
	};
	struct vigil_engine_options options = { 0 };
	struct vigil_engine *first, *second;
	struct vigil_engine_stats stats;

	/* any engine built with a previous one keys its parts */
	struct vigil_engine *base;

	for (size_t i = 0; i < 2; i++)
		sources[i].size = strlen((const char *)sources[i].data);
	cr_assert_eq(vigil_engine_new(sources, 2, &options, &base, NULL), 0);
	options.previous = base;
	cr_assert_eq(vigil_engine_new(sources, 2, &options, &first, NULL), 0);
	vigil_engine_unref(base);
	cr_assert_str_eq(names_of(first, "main-marker"), "Main.Sig");
	sources[0].data = (const uint8_t *)"Main.Sig\n";
	sources[0].size = strlen((const char *)sources[0].data);
	options.previous = first;
	cr_assert_eq(vigil_engine_new(sources, 2, &options, &second, NULL), 0);
	vigil_engine_get_stats(second, &stats);
	cr_assert_eq(stats.parts_shared, 0);
	cr_assert_str_eq(names_of(second, "main-marker"), "", "the new ignore list was not applied");
	vigil_engine_unref(first);
	vigil_engine_unref(second);
}

/* An fd source given with a SHA-256 is parsed only if its bytes have it. */
Test(engine, fd_source_must_match_its_digest)
{
	const char *text = "Main.Sig:0:*:6d61696e2d6d61726b6572\n";
	struct vigil_source source = { .name = "main.ndb" };
	struct vigil_load_error error = { 0 };
	struct vigil_engine *engine = NULL;
	uint8_t digest[32];

	cr_assert(EVP_Digest(text, strlen(text), digest, NULL, EVP_sha256(), NULL));
	source.fd = temp_file((const uint8_t *)text, strlen(text));
	source.sha256 = digest;
	cr_assert_eq(vigil_engine_new(&source, 1, NULL, &engine, &error), 0);
	cr_assert_str_eq(names_of(engine, "main-marker"), "Main.Sig");
	vigil_engine_unref(engine);
	engine = NULL;

	digest[0] ^= 1;
	cr_assert_eq(vigil_engine_new(&source, 1, NULL, &engine, &error), -EAGAIN);
	cr_assert_null(engine);
	cr_assert_str_eq(error.file, "main.ndb");
	cr_assert(strstr(error.reason, "changed while being loaded"), "reason: %s", error.reason);
	close(source.fd);
}

/* A range of a file (a payload inside a bundle file) is read exactly, and
 * only if it has its digest; a range needs one. */
Test(engine, fd_range_source_reads_its_bytes_only)
{
	const char *text = "Main.Sig:0:*:6d61696e2d6d61726b6572\n";
	char file[256];
	struct vigil_source source = { .name = "main.ndb", .range = true, .offset = 7 };
	struct vigil_load_error error = { 0 };
	struct vigil_engine *engine = NULL;
	uint8_t digest[32];

	snprintf(file, sizeof(file), "HEADER!%sTRAILING JUNK NOT A SIGNATURE", text);
	cr_assert(EVP_Digest(text, strlen(text), digest, NULL, EVP_sha256(), NULL));
	source.fd = temp_file((const uint8_t *)file, strlen(file));
	source.size = strlen(text);
	source.sha256 = digest;
	cr_assert_eq(vigil_engine_new(&source, 1, NULL, &engine, &error), 0, "%s", error.reason);
	cr_assert_str_eq(names_of(engine, "main-marker"), "Main.Sig");
	vigil_engine_unref(engine);
	engine = NULL;

	source.offset = 6;	/* one byte off: not the signed bytes */
	cr_assert_eq(vigil_engine_new(&source, 1, NULL, &engine, &error), -EAGAIN);
	source.sha256 = NULL;
	cr_assert_eq(vigil_engine_new(&source, 1, NULL, &engine, &error), -EINVAL);
	cr_assert(strstr(error.reason, "needs its SHA-256"), "reason: %s", error.reason);
	close(source.fd);
}

/* --- reference counting ---------------------------------------------------- */

Test(engine, reference_counting_keeps_names_alive)
{
	struct vigil_engine *engine = engine_from("r.ndb", "Kept.Name:0:*:" P "\n");
	struct vigil_engine *second = vigil_engine_ref(engine);
	struct vigil_scan_result result;
	size_t size;
	uint8_t *data = test_bytes("00 " P " 00", &size);

	cr_assert_eq(second, engine);
	cr_assert_null(vigil_engine_unref(engine));
	/* the second reference still scans, and the names stay valid */
	cr_assert_eq(vigil_engine_scan_buffer(second, data, size, 0, &result), 0);
	cr_assert_eq(result.verdict, VIGIL_INFECTED);
	cr_assert_eq(result.match_count, 1);
	cr_assert_str_eq(result.matches[0], "Kept.Name");
	vigil_scan_result_uninit(&result);
	cr_assert_eq(result.match_count, 0);
	cr_assert_null(result.matches);
	cr_assert_null(vigil_engine_unref(second));
	cr_assert_null(vigil_engine_unref(NULL));
	cr_assert_null(vigil_engine_ref(NULL));
	vigil_scan_result_uninit(NULL);
	free(data);
}

Test(engine, verdict_names)
{
	cr_assert_str_eq(vigil_verdict_name(VIGIL_CLEAN), "clean");
	cr_assert_str_eq(vigil_verdict_name(VIGIL_INFECTED), "infected");
	cr_assert_str_eq(vigil_verdict_name(VIGIL_SCAN_LIMITED), "limited");
	cr_assert_str_eq(vigil_verdict_name(VIGIL_SCAN_ERROR), "error");
}

/* --- what is scanned ----------------------------------------------------- */

Test(engine, files_of_five_bytes_or_fewer_are_never_matched)
{
	struct vigil_engine *engine = engine_from("s.ndb", "Three:0:*:313233\n");
	enum vigil_verdict verdict;
	char *names;

	for (size_t size = 0; size <= 5; ++size) {
		names = scan_data(engine, (const uint8_t *)"12345", size, &verdict);
		cr_assert_str_eq(names, "", "size %zu", size);
		cr_assert_eq(verdict, VIGIL_CLEAN);
		free(names);
	}
	names = scan_data(engine, (const uint8_t *)"123456", 6, &verdict);
	cr_assert_str_eq(names, "Three");
	cr_assert_eq(verdict, VIGIL_INFECTED);
	free(names);
	vigil_engine_unref(engine);
}

Test(engine, result_reports_size_scanned_and_sha256)
{
	struct vigil_engine *engine = engine_from("h.ndb", "X:0:*:" P "\n");
	static const uint8_t data[] = "some bytes to hash, 40 of them, exactly";
	uint8_t want[32];
	struct vigil_scan_result result;
	int fd = temp_file(data, sizeof(data) - 1);

	cr_assert(EVP_Digest(data, sizeof(data) - 1, want, NULL, EVP_sha256(), NULL));
	cr_assert_eq(vigil_engine_scan_buffer(engine, data, sizeof(data) - 1,
					      VIGIL_SCAN_WANT_SHA256, &result), 0);
	cr_assert_eq(result.verdict, VIGIL_CLEAN);
	cr_assert_eq(result.size, sizeof(data) - 1);
	cr_assert_eq(result.scanned, sizeof(data) - 1);
	cr_assert(result.sha256_valid);
	cr_assert_arr_eq(result.sha256, want, 32);
	vigil_scan_result_uninit(&result);

	cr_assert_eq(vigil_engine_scan_fd(engine, fd, VIGIL_SCAN_WANT_SHA256, &result), 0);
	cr_assert(result.sha256_valid);
	cr_assert_arr_eq(result.sha256, want, 32);
	vigil_scan_result_uninit(&result);

	cr_assert_eq(vigil_engine_scan_fd(engine, fd, 0, &result), 0);
	cr_assert_not(result.sha256_valid);
	vigil_scan_result_uninit(&result);

	/* a 3-byte file is not matched but still hashed */
	cr_assert_eq(vigil_engine_scan_buffer(engine, data, 3, VIGIL_SCAN_WANT_SHA256, &result), 0);
	cr_assert(EVP_Digest(data, 3, want, NULL, EVP_sha256(), NULL));
	cr_assert(result.sha256_valid);
	cr_assert_arr_eq(result.sha256, want, 32);
	vigil_scan_result_uninit(&result);
	close(fd);
	vigil_engine_unref(engine);
}

Test(engine, every_matching_signature_is_reported_once)
{
	struct vigil_engine *engine = engine_from("m.ndb",
		"A:0:*:" P "\nB:0:*:" S "\nC:0:*:" P S "\nD:0:*:99999999\nA:0:*:" S "\n");
	char *names = scan_spec(engine, P S " 00 " P S " 00 " P S);

	/* three plants: each signature once, in load order; the second
	 * signature named A is reported too (clamscan --allmatch prints A
	 * twice) */
	cr_assert_str_eq(names, "A B C A");
	free(names);
	vigil_engine_unref(engine);
}

/* --- limits --------------------------------------------------------------- */

static struct vigil_engine *limited_engine(uint64_t max_file, uint64_t max_scan)
{
	struct vigil_engine_options options = { .max_file_size = max_file,
						.max_scan_size = max_scan };
	const char *text = "Body:0:*:" P "\n";
	struct vigil_source source = { .name = "l.ndb", .data = (const uint8_t *)text,
				       .size = strlen(text), .fd = -1 };

	return engine_from_sources(&source, 1, &options);
}

static struct vigil_scan_result scan_planted(struct vigil_engine *engine, size_t size,
					     size_t at)
{
	uint8_t *data = malloc(size);
	struct vigil_scan_result result;

	cr_assert_not_null(data);
	memset(data, 0xee, size);
	if (at != SIZE_MAX)
		memcpy(data + at, PB, 4);
	cr_assert_eq(vigil_engine_scan_buffer(engine, data, size, 0, &result), 0);
	free(data);
	return result;
}

Test(engine, max_file_size_gives_limited_and_reads_nothing)
{
	struct vigil_engine *engine = limited_engine(1000, 0);
	struct vigil_scan_result result = scan_planted(engine, 1001, 0);

	cr_assert_eq(result.verdict, VIGIL_SCAN_LIMITED);
	cr_assert_eq(result.scanned, 0);
	cr_assert_eq(result.size, 1001);
	cr_assert_eq(result.match_count, 0);
	vigil_scan_result_uninit(&result);
	result = scan_planted(engine, 1000, 996);
	cr_assert_eq(result.verdict, VIGIL_INFECTED);
	vigil_scan_result_uninit(&result);
	result = scan_planted(engine, 1000, SIZE_MAX);
	cr_assert_eq(result.verdict, VIGIL_CLEAN);
	vigil_scan_result_uninit(&result);
	vigil_engine_unref(engine);
}

Test(engine, max_scan_size_cuts_the_scan)
{
	struct vigil_engine *engine = limited_engine(0, 1000);
	struct vigil_scan_result result;

	/* found before the cut: infected */
	result = scan_planted(engine, 5000, 996);
	cr_assert_eq(result.verdict, VIGIL_INFECTED);
	cr_assert_eq(result.scanned, 1000);
	cr_assert_eq(result.size, 5000);
	vigil_scan_result_uninit(&result);
	/* straddling the cut or after it: limited, never clean */
	result = scan_planted(engine, 5000, 997);
	cr_assert_eq(result.verdict, VIGIL_SCAN_LIMITED);
	vigil_scan_result_uninit(&result);
	result = scan_planted(engine, 5000, 3000);
	cr_assert_eq(result.verdict, VIGIL_SCAN_LIMITED);
	cr_assert_eq(result.scanned, 1000);
	vigil_scan_result_uninit(&result);
	/* exactly at the limit: fully scanned */
	result = scan_planted(engine, 1000, SIZE_MAX);
	cr_assert_eq(result.verdict, VIGIL_CLEAN);
	vigil_scan_result_uninit(&result);
	vigil_engine_unref(engine);
}

Test(engine, default_limits)
{
	cr_assert_eq(VIGIL_DEFAULT_MAX_FILE_SIZE, 100ULL << 20);
	cr_assert_eq(VIGIL_DEFAULT_MAX_SCAN_SIZE, 400ULL << 20);
}

Test(engine, cut_file_is_not_hash_matched)
{
	/* md5 of 2000 0xee bytes is not known here: use a * hash of the
	 * whole file to show no digest of a cut file is trusted */
	uint8_t data[2000], md5[16];
	char text[128];
	struct vigil_engine_options options = { .max_scan_size = 1000 };
	struct vigil_source source = { .name = "c.hdb", .fd = -1 };
	struct vigil_engine *engine;
	struct vigil_scan_result result;
	int used;

	memset(data, 0xee, sizeof(data));
	cr_assert(EVP_Digest(data, sizeof(data), md5, NULL, EVP_md5(), NULL));
	used = 0;
	for (int i = 0; i < 16; ++i)
		used += snprintf(text + used, sizeof(text) - (size_t)used, "%02x", md5[i]);
	snprintf(text + used, sizeof(text) - (size_t)used, ":2000:Whole\n");
	source.data = (const uint8_t *)text;
	source.size = strlen(text);
	engine = engine_from_sources(&source, 1, &options);
	cr_assert_eq(vigil_engine_scan_buffer(engine, data, sizeof(data), 0, &result), 0);
	cr_assert_eq(result.verdict, VIGIL_SCAN_LIMITED);
	vigil_scan_result_uninit(&result);
	vigil_engine_unref(engine);
	/* the same file under no limit is found */
	engine = engine_from("c.hdb", text);
	cr_assert_eq(vigil_engine_scan_buffer(engine, data, sizeof(data), 0, &result), 0);
	cr_assert_eq(result.verdict, VIGIL_INFECTED);
	vigil_scan_result_uninit(&result);
	vigil_engine_unref(engine);
}

/* --- scan_fd -------------------------------------------------------------- */

Test(engine, matches_straddling_read_blocks)
{
	struct vigil_engine *engine = engine_from("b.ndb",
		"Plain:0:*:" P S "\n"
		"Wild:0:*:" P "????" S "\n"
		"Alt:0:*:" P "(aa|bbcc)" S "\n"
		"Class:0:*:" P S "(W)\n");
	size_t size = 3 * BLOCK + 100;
	uint8_t *data = malloc(size);

	cr_assert_not_null(data);
	for (size_t boundary = BLOCK; boundary <= 2 * BLOCK; boundary += BLOCK) {
		for (size_t back = 0; back <= 10; ++back) {
			size_t at = boundary - back;
			char *names;
			int fd;

			memset(data, 0xee, size);
			memcpy(data + at, PB SB, 8);
			fd = temp_file(data, size);
			names = scan_fd_names(engine, fd, NULL);
			cr_assert_str_eq(names, "Plain Class", "P S at %zu", at);
			free(names);
			close(fd);
			memcpy(data + at, PB "\xbb\xcc" SB, 10);
			fd = temp_file(data, size);
			names = scan_fd_names(engine, fd, NULL);
			cr_assert_str_eq(names, "Wild Alt", "P bbcc S at %zu: got '%s'", at, names);
			free(names);
			close(fd);
		}
	}
	free(data);
	vigil_engine_unref(engine);
}

Test(engine, trailing_class_decided_across_a_block_boundary)
{
	struct vigil_engine *engine = engine_from("b.ndb", "Class:0:*:" P S "(L)\n");
	size_t size = BLOCK + 100;
	uint8_t *data = malloc(size);
	char *names;
	int fd;

	cr_assert_not_null(data);
	memset(data, 0xee, size);
	/* the signature ends right at the block end; the class byte is next */
	memcpy(data + BLOCK - 8, PB SB, 8);
	data[BLOCK] = '\n';
	fd = temp_file(data, size);
	names = scan_fd_names(engine, fd, NULL);
	cr_assert_str_eq(names, "Class");
	free(names);
	close(fd);
	data[BLOCK] = 'x';
	fd = temp_file(data, size);
	names = scan_fd_names(engine, fd, NULL);
	cr_assert_str_eq(names, "");
	free(names);
	close(fd);
	free(data);
	vigil_engine_unref(engine);
}

Test(engine, parts_megabytes_apart)
{
	struct vigil_engine *engine = engine_from("far.ndb",
		"Star:0:*:" P "*" S "\n"
		"Open:0:*:" P "{3000000-}" S "\n"
		"Range:0:*:" P "{3000000-3000010}" S "\n"
		"Exact:0:*:" P "{3500000}" S "\n"
		"TooFar:0:*:" P "{-2999999}" S "\n");
	size_t size = 4u << 20;
	uint8_t *data = malloc(size);
	char *names;
	int fd;

	cr_assert_not_null(data);
	memset(data, 0xee, size);
	memcpy(data + 1000, PB, 4);
	memcpy(data + 1004 + 3000005, SB, 4);
	fd = temp_file(data, size);
	names = scan_fd_names(engine, fd, NULL);
	cr_assert_str_eq(names, "Star Open Range");
	free(names);
	close(fd);
	memset(data + 1004 + 3000005, 0xee, 4);
	memcpy(data + 1004 + 3500000, SB, 4);
	fd = temp_file(data, size);
	names = scan_fd_names(engine, fd, NULL);
	cr_assert_str_eq(names, "Star Open Exact");
	free(names);
	close(fd);
	free(data);
	vigil_engine_unref(engine);
}

Test(engine, offsets_far_into_a_file)
{
	size_t size = 3 * BLOCK;
	char text[256];
	uint8_t *data = malloc(size);
	struct vigil_engine *engine;
	char *names;
	int fd;

	cr_assert_not_null(data);
	snprintf(text, sizeof(text), "Abs:0:%u:" P "\nEnd:0:EOF-%u:" S "\n", BLOCK + 7, BLOCK + 3);
	engine = engine_from("o.ndb", text);
	memset(data, 0xee, size);
	memcpy(data + BLOCK + 7, PB, 4);
	memcpy(data + size - BLOCK - 3, SB, 4);
	fd = temp_file(data, size);
	names = scan_fd_names(engine, fd, NULL);
	cr_assert_str_eq(names, "Abs End");
	free(names);
	close(fd);
	memset(data, 0xee, size);
	memcpy(data + BLOCK + 8, PB, 4);
	memcpy(data + size - BLOCK - 2, SB, 4);
	fd = temp_file(data, size);
	names = scan_fd_names(engine, fd, NULL);
	cr_assert_str_eq(names, "");
	free(names);
	close(fd);
	free(data);
	vigil_engine_unref(engine);
}

Test(engine, scan_fd_leaves_the_offset_alone)
{
	struct vigil_engine *engine = engine_from("f.ndb", "X:0:*:" P "\n");
	size_t size;
	uint8_t *data = test_bytes("00 " P " 00 00", &size);
	int fd = temp_file(data, size);
	char *names;

	cr_assert_eq(lseek(fd, 3, SEEK_SET), 3);
	names = scan_fd_names(engine, fd, NULL);
	cr_assert_str_eq(names, "X");
	free(names);
	cr_assert_eq(lseek(fd, 0, SEEK_CUR), 3);
	close(fd);
	free(data);
	vigil_engine_unref(engine);
}

Test(engine, scan_fd_of_what_is_not_a_regular_file)
{
	struct vigil_engine *engine = engine_from("f.ndb", "X:0:*:" P "\n");
	struct vigil_scan_result result;
	int pipe_fds[2], directory = open("/", O_RDONLY | O_DIRECTORY);

	cr_assert_geq(directory, 0);
	cr_assert_eq(vigil_engine_scan_fd(engine, directory, 0, &result), 0);
	cr_assert_eq(result.verdict, VIGIL_SCAN_ERROR);
	cr_assert_eq(result.error, -EISDIR);
	close(directory);
	cr_assert_eq(pipe(pipe_fds), 0);
	cr_assert_eq(vigil_engine_scan_fd(engine, pipe_fds[0], 0, &result), 0);
	cr_assert_eq(result.verdict, VIGIL_SCAN_ERROR);
	cr_assert_eq(result.error, -EINVAL);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	cr_assert_eq(vigil_engine_scan_fd(engine, 999, 0, &result), 0);
	cr_assert_eq(result.verdict, VIGIL_SCAN_ERROR);
	cr_assert_eq(result.error, -EBADF);
	vigil_engine_unref(engine);
}

Test(engine, unreadable_fd_is_a_scan_error)
{
	struct vigil_engine *engine = engine_from("f.ndb", "X:0:*:" P "\n");
	struct vigil_scan_result result;
	char path[] = "/tmp/vigil-engine-test-XXXXXX";
	int fd = mkstemp(path);

	/* a write-only fd: fstat works, pread fails with EBADF */
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "0123456789" PB, 14), 14);
	close(fd);
	fd = open(path, O_WRONLY);
	unlink(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(vigil_engine_scan_fd(engine, fd, 0, &result), 0);
	cr_assert_eq(result.verdict, VIGIL_SCAN_ERROR);
	cr_assert_eq(result.error, -EBADF);
	cr_assert_eq(result.match_count, 0);
	close(fd);
	/* the engine still works afterwards */
	fd = temp_file((const uint8_t *)"0123456789" PB, 14);
	cr_assert_eq(vigil_engine_scan_fd(engine, fd, 0, &result), 0);
	cr_assert_eq(result.verdict, VIGIL_INFECTED);
	vigil_scan_result_uninit(&result);
	close(fd);
	vigil_engine_unref(engine);
}

/* --- threads --------------------------------------------------------------- */

struct thread_work {
	struct vigil_engine *engine;
	unsigned seed;
	unsigned failures;
};

static void *scan_many(void *opaque)
{
	struct thread_work *work = opaque;
	uint8_t data[4096];

	for (unsigned i = 0; i < 300; ++i) {
		unsigned kind = (work->seed + i) % 4;
		struct vigil_scan_result result;
		const char *want = kind == 0 ? "" : kind == 1 ? "A" : kind == 2 ? "B" : "A B Far";
		char *names;

		memset(data, (int)(0x20 + (i & 0x3f)), sizeof(data));
		if (kind & 1)
			memcpy(data + (i * 7) % 4000, PB, 4);
		if (kind & 2)
			memcpy(data + 4090, SB, 4);
		if (kind == 3)
			memcpy(data + 10, PB, 4);
		if (vigil_engine_scan_buffer(work->engine, data, sizeof(data), 0, &result)) {
			work->failures++;
			continue;
		}
		names = result_names(&result);
		if (strcmp(names, want))
			work->failures++;
		free(names);
		vigil_scan_result_uninit(&result);
	}
	vigil_engine_unref(work->engine);
	return NULL;
}

Test(engine, many_threads_share_one_engine)
{
	struct vigil_engine *engine = engine_from("t.ndb",
		"A:0:*:" P "\nB:0:*:" S "\nFar:0:*:" P "{4000-4100}" S "\n");
	struct thread_work work[8];
	pthread_t threads[8];

	for (int i = 0; i < 8; ++i) {
		work[i] = (struct thread_work){ .engine = vigil_engine_ref(engine), .seed = (unsigned)i };
		cr_assert_eq(pthread_create(&threads[i], NULL, scan_many, &work[i]), 0);
	}
	/* the creator's reference goes first; the threads hold theirs */
	vigil_engine_unref(engine);
	for (int i = 0; i < 8; ++i) {
		cr_assert_eq(pthread_join(threads[i], NULL), 0);
		cr_assert_eq(work[i].failures, 0, "thread %d: %u wrong results", i, work[i].failures);
	}
}
