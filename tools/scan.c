// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: `vigil scan`, the on-demand scanner. Owns the command line,
 * the walk over the paths given, a pool of worker threads, and the output
 * (clamscan's lines and summary, or one JSON object per file). It does
 * not own matching (lib/engine.c) or the loading of database files
 * (lib/sources.c).
 *
 *   main thread: options -> sources -> vigil_engine_new() -> walk paths
 *     -> queue_push(path) ... queue_close()
 *   workers: queue_pop() -> open (O_NONBLOCK, regular files only)
 *     -> vigil_engine_scan_fd() -> report() under the output lock
 *
 * Exit status as clamscan's: 0 nothing found, 1 something found, 2 an
 * error (a file that cannot be read is reported and the scan goes on).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "engine.h"
#include "bundle.h"
#include "scan-bundle.h"
#include "sources.h"
#include "subcommands.h"
#include "version.h"
#include "utf8-escape.h"

#define QUEUE_CAPACITY 1024
#define MAX_THREADS 256

struct scan_options {
	bool recursive;
	bool json;
	bool infected_only;
	bool summary;
	unsigned threads;
};

struct path_queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	char *paths[QUEUE_CAPACITY];
	size_t head, count;
	bool closed;
};

struct scan_totals {
	unsigned long files, infected, limited, errors, directories;
	unsigned long long bytes;
};

struct scan_run {
	struct vigil_engine *engine;
	const struct scan_options *options;
	struct path_queue queue;
	pthread_mutex_t output_lock;
	struct scan_totals totals;
};

static void show_help(FILE *file)
{
	fprintf(file,
		"Usage: %s scan [OPTION]... PATH...\n"
		"Scans files with ClamAV-format signatures or a signed bases bundle.\n\n"
		"  -d, --database DB      a database file, a folder of them, or a signed bundle\n"
		"                         (repeatable)\n"
		"      --root ROOT        trust root to verify a bundle against (repeat it to walk\n"
		"                         a rotation, oldest first; default: the installed root)\n"
		"Without -d, the installed signed bases (vigil update) are used.\n"
		"  -r, --recursive        descend into folders\n"
		"      --json             one JSON object (ECS fields) per scanned file\n"
		"      --threads N        scan N files at once (default: number of cores)\n"
		"  -i, --infected         print only files where something was found\n"
		"      --no-summary       leave out the summary\n"
		"      --max-filesize N   skip files larger than N bytes (K, M, G suffixes;\n"
		"                         default 100M); they are reported as not fully scanned\n"
		"      --max-scansize N   scan at most N bytes of a file (default 400M)\n"
		"      --cache-dir DIR    keep parsed and compiled bases in DIR: the next load of\n"
		"                         unchanged files takes milliseconds\n"
		"      --compile-memory-limit N  compile the matcher in a child process capped\n"
		"                         at N bytes of memory (default: half the machine's)\n"
		"  -h, --help             show this help\n\n"
		"Exit status: 0 nothing found, 1 something found, 2 an error.\n",
		program_name);
}

/* Half the machine's memory: a compile beyond it is an error, not a
 * machine pushed into swap. */
static uint64_t default_compile_limit(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || page_size <= 0)
		return 4ULL << 30;
	return (uint64_t)pages * (uint64_t)page_size / 2;
}

static bool parse_size(const char *text, uint64_t *ret_size)
{
	char *end;
	unsigned long long value;
	unsigned shift = 0;

	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno || end == text || text[0] == '-')
		return false;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: return false;
	}
	if (*end || !value || value > (UINT64_MAX >> shift))
		return false;
	*ret_size = (uint64_t)value << shift;
	return true;
}

static void queue_init(struct path_queue *queue)
{
	memset(queue, 0, sizeof(*queue));
	pthread_mutex_init(&queue->lock, NULL);
	pthread_cond_init(&queue->not_empty, NULL);
	pthread_cond_init(&queue->not_full, NULL);
}

static void queue_push(struct path_queue *queue, char *path)
{
	pthread_mutex_lock(&queue->lock);
	while (queue->count == QUEUE_CAPACITY)
		pthread_cond_wait(&queue->not_full, &queue->lock);
	queue->paths[(queue->head + queue->count++) % QUEUE_CAPACITY] = path;
	pthread_cond_signal(&queue->not_empty);
	pthread_mutex_unlock(&queue->lock);
}

static void queue_close(struct path_queue *queue)
{
	pthread_mutex_lock(&queue->lock);
	queue->closed = true;
	pthread_cond_broadcast(&queue->not_empty);
	pthread_mutex_unlock(&queue->lock);
}

static char *queue_pop(struct path_queue *queue)
{
	char *path = NULL;

	pthread_mutex_lock(&queue->lock);
	while (!queue->count && !queue->closed)
		pthread_cond_wait(&queue->not_empty, &queue->lock);
	if (queue->count) {
		path = queue->paths[queue->head];
		queue->head = (queue->head + 1) % QUEUE_CAPACITY;
		queue->count--;
		pthread_cond_signal(&queue->not_full);
	}
	pthread_mutex_unlock(&queue->lock);
	return path;
}

static void format_timestamp(char *buffer, size_t size)
{
	struct timespec now;
	struct tm tm;
	size_t used;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	used = strftime(buffer, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buffer + used, size - used, ".%03ldZ", now.tv_nsec / 1000000);
}

static void add_string(struct json_object *object, const char *key, const char *bytes)
{
	char *escaped = vigil_utf8_escape(bytes, strlen(bytes));

	json_object_object_add(object, key, json_object_new_string(escaped ? escaped : ""));
	free(escaped);
}

static void print_json(const char *path, const struct vigil_scan_result *result)
{
	struct json_object *root = json_object_new_object();
	struct json_object *event = json_object_new_object();
	struct json_object *file = json_object_new_object();
	struct json_object *vigil = json_object_new_object();
	char timestamp[64];

	format_timestamp(timestamp, sizeof(timestamp));
	json_object_object_add(root, "@timestamp", json_object_new_string(timestamp));
	json_object_object_add(event, "kind", json_object_new_string(
		result->verdict == VIGIL_INFECTED ? "alert" : "event"));
	json_object_object_add(event, "category", json_object_new_array_ext(1));
	json_object_array_add(json_object_object_get(event, "category"),
			      json_object_new_string(result->verdict == VIGIL_INFECTED ? "malware" : "file"));
	json_object_object_add(event, "action", json_object_new_string("scan"));
	json_object_object_add(event, "outcome", json_object_new_string(
		result->verdict == VIGIL_SCAN_ERROR ? "failure" : "success"));
	json_object_object_add(root, "event", event);
	add_string(file, "path", path);
	if (result->verdict != VIGIL_SCAN_ERROR)
		json_object_object_add(file, "size", json_object_new_int64((int64_t)result->size));
	if (result->sha256_valid) {
		struct json_object *hash = json_object_new_object();
		char hex[65];

		for (int i = 0; i < 32; ++i)
			snprintf(hex + 2 * i, 3, "%02x", result->sha256[i]);
		json_object_object_add(hash, "sha256", json_object_new_string(hex));
		json_object_object_add(file, "hash", hash);
	}
	json_object_object_add(root, "file", file);
	if (result->match_count) {
		struct json_object *rule = json_object_new_object();
		struct json_object *names = json_object_new_array_ext((int)result->match_count);

		for (size_t i = 0; i < result->match_count; ++i) {
			char *escaped = vigil_utf8_escape(result->matches[i], strlen(result->matches[i]));

			json_object_array_add(names, json_object_new_string(escaped ? escaped : ""));
			free(escaped);
		}
		json_object_object_add(rule, "name", names);
		json_object_object_add(root, "rule", rule);
	}
	if (result->verdict == VIGIL_SCAN_ERROR) {
		struct json_object *error = json_object_new_object();

		json_object_object_add(error, "message", json_object_new_string(strerror(-result->error)));
		json_object_object_add(root, "error", error);
	}
	json_object_object_add(vigil, "verdict", json_object_new_string(vigil_verdict_name(result->verdict)));
	json_object_object_add(root, "vigil", vigil);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

static void report(struct scan_run *run, const char *path, const struct vigil_scan_result *result)
{
	const struct scan_options *options = run->options;

	pthread_mutex_lock(&run->output_lock);
	run->totals.files++;
	run->totals.bytes += result->scanned;
	switch (result->verdict) {
	case VIGIL_INFECTED: run->totals.infected++; break;
	case VIGIL_SCAN_LIMITED: run->totals.limited++; break;
	case VIGIL_SCAN_ERROR: run->totals.errors++; break;
	case VIGIL_CLEAN: break;
	}
	if (options->json) {
		print_json(path, result);
	} else if (result->verdict == VIGIL_INFECTED) {
		for (size_t i = 0; i < result->match_count; ++i)
			printf("%s: %s FOUND\n", path, result->matches[i]);
	} else if (result->verdict == VIGIL_SCAN_ERROR) {
		printf("%s: %s ERROR\n", path, strerror(-result->error));
	} else if (result->verdict == VIGIL_SCAN_LIMITED) {
		printf("%s: not fully scanned (beyond --max-filesize or --max-scansize) LIMITED\n", path);
	} else if (!options->infected_only) {
		printf("%s: OK\n", path);
	}
	pthread_mutex_unlock(&run->output_lock);
}

static void scan_one(struct scan_run *run, const char *path)
{
	struct vigil_scan_result result = { 0 };
	struct stat st;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		result.verdict = VIGIL_SCAN_ERROR;
		result.error = -errno;
		report(run, path, &result);
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		/* Sockets, FIFOs and devices are not files to scan. */
		close(fd);
		return;
	}
	r = vigil_engine_scan_fd(run->engine, fd, run->options->json ? VIGIL_SCAN_WANT_SHA256 : 0,
				 &result);
	close(fd);
	if (r < 0) {
		result.verdict = VIGIL_SCAN_ERROR;
		result.error = r;
	}
	report(run, path, &result);
	vigil_scan_result_uninit(&result);
}

static void *worker_main(void *opaque)
{
	struct scan_run *run = opaque;
	char *path;

	while ((path = queue_pop(&run->queue))) {
		scan_one(run, path);
		free(path);
	}
	return NULL;
}

static void report_walk_error(struct scan_run *run, const char *path, int error)
{
	struct vigil_scan_result result = { .verdict = VIGIL_SCAN_ERROR, .error = error };

	report(run, path, &result);
}

static void walk(struct scan_run *run, const char *path, bool top)
{
	struct stat st;
	struct dirent **entries;
	int count;

	if ((top ? stat(path, &st) : lstat(path, &st)) < 0) {
		report_walk_error(run, path, -errno);
		return;
	}
	if (S_ISLNK(st.st_mode))
		return; /* links met while walking are not followed */
	if (!S_ISDIR(st.st_mode)) {
		if (S_ISREG(st.st_mode)) {
			char *copy = strdup(path);

			if (copy)
				queue_push(&run->queue, copy);
		}
		return;
	}
	if (!top && !run->options->recursive)
		return;
	pthread_mutex_lock(&run->output_lock);
	run->totals.directories++;
	pthread_mutex_unlock(&run->output_lock);
	count = scandir(path, &entries, NULL, alphasort);
	if (count < 0) {
		report_walk_error(run, path, -errno);
		return;
	}
	for (int i = 0; i < count; ++i) {
		const char *name = entries[i]->d_name;

		if (strcmp(name, ".") && strcmp(name, "..")) {
			size_t length = strlen(path) + strlen(name) + 2;
			char *child = malloc(length);

			if (child) {
				snprintf(child, length, "%s%s%s", path,
					 path[strlen(path) - 1] == '/' ? "" : "/", name);
				walk(run, child, false);
				free(child);
			}
		}
		free(entries[i]);
	}
	free(entries);
}

static int load_engine(char **databases, size_t count, char **roots, size_t root_count,
		       const struct vigil_engine_options *engine_options,
		       struct vigil_engine **ret_engine)
{
	struct vigil_source_list list = { 0 };
	struct vigil_load_error error = { 0 };
	struct vigil_engine_options options;
	struct scan_bundles *bundles = NULL;
	int r = 0;

	if (!count) {
		r = scan_bundle_add(&bundles, &list, NULL, roots, root_count);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < count; ++i) {
		if (vigil_file_is_bundle(databases[i])) {
			r = scan_bundle_add(&bundles, &list, databases[i], roots, root_count);
			if (r < 0)
				goto out;
			continue;
		}
		r = vigil_source_list_add_path(&list, databases[i]);
		if (r == -EPROTONOSUPPORT)
			fprintf(stderr, "%s: %s: unknown database type (want .ndb .hdb .hsb .fp .sfp .ign2 or a folder of them)\n",
				program_name, databases[i]);
		else if (r == -ENOENT && !access(databases[i], F_OK))
			fprintf(stderr, "%s: %s: no database files in this folder\n", program_name,
				databases[i]);
		else if (r < 0)
			fprintf(stderr, "%s: %s: %s\n", program_name, databases[i], strerror(-r));
		if (r < 0)
			goto out;
	}
	options = *engine_options;
	options.precompiled = list.precompiled;
	options.precompiled_count = list.precompiled_count;
	r = vigil_engine_new(list.sources, list.count, &options, ret_engine, &error);
	if (r < 0) {
		if (error.line)
			fprintf(stderr, "%s: %s:%u: %s\n", program_name, error.file, error.line, error.reason);
		else if (error.file[0])
			fprintf(stderr, "%s: %s: %s\n", program_name, error.file, error.reason);
		else
			fprintf(stderr, "%s: %s\n", program_name, error.reason[0] ? error.reason : strerror(-r));
	}
out:
	vigil_source_list_uninit(&list);
	scan_bundles_free(bundles);
	return r;
}

static void print_summary(const struct scan_run *run, const struct timespec *start)
{
	struct timespec end;
	struct vigil_engine_stats stats;
	double seconds;

	clock_gettime(CLOCK_MONOTONIC, &end);
	seconds = (double)(end.tv_sec - start->tv_sec) + (double)(end.tv_nsec - start->tv_nsec) / 1e9;
	vigil_engine_get_stats(run->engine, &stats);
	printf("\n----------- SCAN SUMMARY -----------\n");
	printf("Known viruses: %zu\n", stats.hash_signatures + stats.body_signatures);
	printf("Engine version: vigil %s\n", VIGIL_VERSION);
	printf("Matchers: %zu compiled, %zu precompiled, %zu from cache\n", stats.parts_compiled,
	       stats.parts_precompiled, stats.parts_from_cache);
	printf("Scanned directories: %lu\n", run->totals.directories);
	printf("Scanned files: %lu\n", run->totals.files);
	printf("Infected files: %lu\n", run->totals.infected);
	printf("Not fully scanned: %lu\n", run->totals.limited);
	printf("Errors: %lu\n", run->totals.errors);
	printf("Data scanned: %.2f MiB\n", (double)run->totals.bytes / (1 << 20));
	printf("Time: %.3f sec\n", seconds);
}

int scan_main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "database", required_argument, NULL, 'd' },
		{ "root", required_argument, NULL, 'R' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "threads", required_argument, NULL, 't' },
		{ "infected", no_argument, NULL, 'i' },
		{ "no-summary", no_argument, NULL, 'S' },
		{ "max-filesize", required_argument, NULL, 'F' },
		{ "max-scansize", required_argument, NULL, 'Z' },
		{ "cache-dir", required_argument, NULL, 'C' },
		{ "compile-memory-limit", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct scan_options options = { .summary = true };
	struct vigil_engine_options engine_options = { 0 };
	struct scan_run run = { .options = &options };
	char **databases = NULL, **roots = NULL;
	size_t database_count = 0, root_count = 0;
	pthread_t *threads = NULL;
	struct timespec start;
	long cores;
	int c, r, status;

	cores = sysconf(_SC_NPROCESSORS_ONLN);
	options.threads = cores > 0 ? (unsigned)cores : 1;
	engine_options.compile_memory_limit = default_compile_limit();
	databases = calloc((size_t)argc, sizeof(*databases));
	roots = calloc((size_t)argc, sizeof(*roots));
	if (!databases || !roots) {
		free(databases);
		free(roots);
		return 2;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:rih", long_options, NULL)) != -1) {
		switch (c) {
		case 'd': databases[database_count++] = optarg; break;
		case 'R': roots[root_count++] = optarg; break;
		case 'r': options.recursive = true; break;
		case 'j': options.json = true; break;
		case 'i': options.infected_only = true; break;
		case 'S': options.summary = false; break;
		case 't': {
			char *end;
			unsigned long value;

			errno = 0;
			value = strtoul(optarg, &end, 10);
			if (errno || *end || !value || value > MAX_THREADS || optarg[0] == '-') {
				fprintf(stderr, "%s: --threads takes a number from 1 to %d\n", program_name,
					MAX_THREADS);
				free(databases);
				free(roots);
				return 2;
			}
			options.threads = (unsigned)value;
			break;
		}
		case 'F':
		case 'Z':
		case 'M':
			if (!parse_size(optarg, c == 'F' ? &engine_options.max_file_size :
					c == 'Z' ? &engine_options.max_scan_size :
					&engine_options.compile_memory_limit)) {
				fprintf(stderr, "%s: --%s takes a size like 100M\n", program_name,
					c == 'F' ? "max-filesize" : c == 'Z' ? "max-scansize" :
					"compile-memory-limit");
				free(databases);
				free(roots);
				return 2;
			}
			break;
		case 'C': engine_options.cache_dir = optarg; break;
		case 'h':
			show_help(stdout);
			free(databases);
			free(roots);
			return 0;
		default:
			show_help(stderr);
			free(databases);
			free(roots);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: scan: no path to scan\n", program_name);
		show_help(stderr);
		free(databases);
		free(roots);
		return 2;
	}
	r = load_engine(databases, database_count, roots, root_count, &engine_options, &run.engine);
	free(databases);
	free(roots);
	if (r < 0)
		return 2;

	clock_gettime(CLOCK_MONOTONIC, &start);
	queue_init(&run.queue);
	pthread_mutex_init(&run.output_lock, NULL);
	threads = calloc(options.threads, sizeof(*threads));
	if (!threads) {
		vigil_engine_unref(run.engine);
		return 2;
	}
	for (unsigned i = 0; i < options.threads; ++i)
		if (pthread_create(&threads[i], NULL, worker_main, &run)) {
			fprintf(stderr, "%s: cannot start worker threads\n", program_name);
			return 2;
		}
	for (int i = optind; i < argc; ++i)
		walk(&run, argv[i], true);
	queue_close(&run.queue);
	for (unsigned i = 0; i < options.threads; ++i)
		pthread_join(threads[i], NULL);
	free(threads);
	if (options.summary && !options.json)
		print_summary(&run, &start);
	fflush(stdout);
	status = run.totals.errors ? 2 : run.totals.infected ? 1 : 0;
	vigil_engine_unref(run.engine);
	return status;
}
