// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: the running bases. This file owns the pointer to the current
 * bases snapshot (an engine plus its generation and version), the reload
 * thread, and the folder loader. It must not own the scan workers (they
 * hold snapshots by reference) nor the clean cache (it is flushed here
 * through cache_flush() after a swap).
 *
 *   SIGHUP / `vigil reload` -> bases_request_reload() (a ticket)
 *   -> reload thread: a bundle read once through bases/bundle-load.c
 *      (the loader `vigil scan` shares: sources keyed by their manifest
 *      SHA-256, carried `.vpc` matchers), or a folder's files opened once
 *      through bases-folder.c (fds and their SHA-256; never the paths
 *      again) -> vigil_engine_new() with the running engine as previous
 *      (unchanged parts shared; others from the cache, a carried
 *      matcher, else a compile in a capped child) -> swap the pointer
 *      under the lock -> old snapshot released (freed when the last scan on
 *      it finishes) -> cache flushed -> RECORD_RELOAD -> waiters woken.
 *   At a reload, check_replacement() first compares what was read with the
 *   running snapshot: the same bases are a no-op; a signed bundle that rolls
 *   back, equivocates or has expired is refused before any engine is built.
 *   systemd hears RELOADING=1 when the thread starts a load and READY=1
 *   with the outcome as STATUS= when it is done, for every kind of request.
 *   A failed load leaves the running snapshot untouched and is recorded.
 *
 * Workers take a snapshot with bases_acquire() (a reference, taken under
 * the lock) and give it back with bases_release(); a scan therefore always
 * finishes on the bases it started with.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <malloc.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "bases-folder.h"
#include "bundle-load.h"
#include "bundle.h"
#include "encoding.h"
#include "engine.h"
#include "sources.h"
#include "record.h"
#include "vigild.h"

struct bases {
	struct vigild *vigild;
	pthread_mutex_t lock;
	pthread_cond_t requested_cond;
	pthread_cond_t completed_cond;
	struct bases_snapshot *current;
	uint64_t next_generation;
	uint64_t requested, completed;
	int last_result;
	char last_message[512];
	uint64_t reloads_done, reloads_failed, reloads_unchanged;
	time_t last_reload_at;
	pthread_t thread;
	bool thread_started;
	bool stopping;
	char cache_dir[4200];		/* compiled matchers, in the state folder */
	struct folder_digests *folder_digests;	/* `bases = FOLDER`: what was hashed */
};

static uint64_t half_of_memory(void)
{
#ifdef VIGILD_UNDER_ASAN
	return 0;	/* compile in this process: see vigild.h */
#endif
	long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || page_size <= 0)
		return 4ULL << 30;
	return (uint64_t)pages * (uint64_t)page_size / 2;
}

#define DEFAULT_ROOT VIGIL_SYSCONFDIR "/vigil/root.vroot"

/* What a signed bundle is, kept in its snapshot: a reload compares it. */
struct bundle_identity {
	bool from_bundle;
	bool expired;
	uint64_t version;
	uint8_t digest[VIGIL_SHA256_SIZE];
	char text[64];			/* "N" or "N-EXPIRED" */
};

/* Notes a verified bundle's identity; the version text says EXPIRED when
 * it is, so every record and status shows it. */
static void note_identity(const struct vigil_loaded_bundle *loaded, struct bundle_identity *identity)
{
	const struct vigil_verified_bundle *bundle = loaded->bundle;

	identity->from_bundle = true;
	identity->expired = bundle->expired;
	identity->version = bundle->manifest->version;
	memcpy(identity->digest, bundle->digest, VIGIL_SHA256_SIZE);
	snprintf(identity->text, sizeof(identity->text), "%llu%s", (unsigned long long)identity->version,
		 identity->expired ? "-EXPIRED" : "");
}

/* `bases = FILE.vbundle`: verified against `root` (default the packaged
 * root) as an installed bundle: an expired one still loads, loudly. */
static int load_bundle_file(const struct vigild_config *config,
			    struct vigil_loaded_bundle **ret_loaded, char *message, size_t message_size)
{
	const char *root_path = config->root ? config->root : DEFAULT_ROOT;
	const char *failed = config->bases;
	char reason[VIGIL_REASON_SIZE] = "";
	int r;

	r = vigil_bundle_load_file(config->bases, &(struct vigil_bundle_trust){
					   .root_paths = &root_path, .root_count = 1, .installed = true,
					   .now = time(NULL),
					   .channel = config->channel ? config->channel : "stable",
				   }, ret_loaded, &failed, reason, sizeof(reason));
	if (r < 0)
		snprintf(message, message_size, "%s %s: %s", failed == config->bases ? "bases" : "root",
			 failed, reason[0] ? reason : strerror(-r));
	return r;
}

/* No `bases`: the bundle `vigil update` installed in state_dir. */
static int load_installed(const struct vigild_config *config,
			  struct vigil_loaded_bundle **ret_loaded, char *message, size_t message_size)
{
	const char *state_dir = config->state_dir ? config->state_dir : VIGILD_DEFAULT_STATE_DIR;
	char reason[VIGIL_REASON_SIZE] = "";
	int r;

	r = vigil_bundle_load_installed(state_dir, config->root ? config->root : DEFAULT_ROOT,
					time(NULL), config->channel ? config->channel : "stable",
					ret_loaded, reason, sizeof(reason));
	if (r == -ENOENT)
		snprintf(message, message_size, "no bases installed in %s (run vigil update, or set `bases')",
			 state_dir);
	else if (r < 0)
		snprintf(message, message_size, "installed bases in %s: %s", state_dir,
			 reason[0] ? reason : strerror(-r));
	return r;
}

/* At a reload, whether the bases just read may replace the running ones:
 * 0 if so, 1 when they are the running ones (nothing to do), or -errno with
 * the reason. A signed bundle may not roll back, equivocate (the running
 * version with another digest) or be expired; an expired bundle loads only
 * at start (loudly), so that a server never starts without bases. */
static int check_replacement(const struct bases_snapshot *running, const struct bundle_identity *offered,
			     const char *version, char *message, size_t message_size)
{
	char offered_hex[VIGIL_SHA256_HEX_SIZE + 1], running_hex[VIGIL_SHA256_HEX_SIZE + 1];

	if (!offered->from_bundle || !running->from_bundle)
		return strcmp(version, running->version) ? 0 : 1;
	vigil_hex_format(offered->digest, VIGIL_SHA256_SIZE, offered_hex);
	vigil_hex_format(running->bundle_digest, VIGIL_SHA256_SIZE, running_hex);
	if (offered->version == running->bundle_version) {
		if (!memcmp(offered->digest, running->bundle_digest, VIGIL_SHA256_SIZE))
			return 1;
		snprintf(message, message_size,
			 "EQUIVOCATION: bundle version %" PRIu64 " is running as %.16s and offered as %.16s",
			 offered->version, running_hex, offered_hex);
		return -EBADMSG;
	}
	if (offered->version < running->bundle_version) {
		snprintf(message, message_size,
			 "rollback: bundle version %" PRIu64 " is older than the running version %" PRIu64,
			 offered->version, running->bundle_version);
		return -ESTALE;
	}
	if (offered->expired) {
		snprintf(message, message_size, "bundle version %" PRIu64 " has expired (or its root has)",
			 offered->version);
		return -EKEYEXPIRED;
	}
	return 0;
}

/* Loads the configured bases into a new snapshot (not yet running). At a
 * reload, running is the current snapshot: the same bases return 1 (no
 * snapshot made), and check_replacement() refuses before anything is
 * loaded into an engine. */
static int load_snapshot(struct bases *bases, const struct bases_snapshot *running,
			 struct bases_snapshot **ret_snapshot, char *message, size_t message_size)
{
	const struct vigild_config *config = &bases->vigild->config;
	struct folder_file *files = NULL;
	struct vigil_source_list list = { 0 };
	struct vigil_loaded_bundle *bundle = NULL;
	/* Never compile in vigild's own process: load the compiled matcher
	 * from the cache (vigil update prepares it), else compile in a child
	 * capped at half the machine's memory. */
	struct vigil_engine_options options = {
		.max_file_size = config->max_file_size,
		.max_scan_size = config->max_scan_size,
		.cache_dir = bases->cache_dir,
		.compile_memory_limit = half_of_memory(),
		/* Parts whose sources did not change are the running ones,
		 * shared: a reload loads and holds only what changed. */
		.previous = running ? running->engine : NULL,
	};
	struct vigil_load_error load_error = { 0 };
	struct bases_snapshot *snapshot = NULL;
	struct vigil_engine_stats stats;
	unsigned char digest[32];
	unsigned digest_length = 0;
	EVP_MD_CTX *hash = NULL;
	size_t count = 0;
	struct bundle_identity identity = { 0 };
	char version[sizeof(((struct bases_snapshot *)0)->version)];
	int r;

	if (!config->bases || vigil_file_is_bundle(config->bases)) {
		r = config->bases ? load_bundle_file(config, &bundle, message, message_size) :
				    load_installed(config, &bundle, message, message_size);
		if (r < 0)
			goto out;
		note_identity(bundle, &identity);
		/* Signature files with their manifest SHA-256 (the cache key
		 * `vigil update` prepared) and the carried matchers. */
		r = vigil_loaded_bundle_add_sources(bundle, &list);
		if (r < 0) {
			snprintf(message, message_size, "bases: %s", strerror(-r));
			goto out;
		}
		if (!list.count) {
			r = -ENOENT;
			snprintf(message, message_size, "the bundle holds no signature files");
			goto out;
		}
	} else {
		/* A folder or one file: opened, hashed only if changed, read
		 * by the engine only if a part must be parsed. */
		r = folder_open(config->bases, bases->folder_digests, &files, message, message_size);
		if (r < 0)
			goto out;
		count = (size_t)r;
	}

	hash = EVP_MD_CTX_new();
	if (!hash || !EVP_DigestInit_ex(hash, EVP_sha256(), NULL)) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		r = vigil_source_list_add_fd(&list, files[i].name, files[i].fd, files[i].sha256);
		if (r < 0)
			goto out;
		files[i].fd = -1;	/* the list's now */
		EVP_DigestUpdate(hash, files[i].name, strlen(files[i].name) + 1);
		EVP_DigestUpdate(hash, files[i].sha256, sizeof(files[i].sha256));
	}
	EVP_DigestFinal_ex(hash, digest, &digest_length);
	options.precompiled = list.precompiled;
	options.precompiled_count = list.precompiled_count;

	if (identity.from_bundle) {
		snprintf(version, sizeof(version), "%s", identity.text);
	} else {
		snprintf(version, sizeof(version), "folder-");
		for (int i = 0; i < 8; i++)
			sprintf(version + strlen(version), "%02x", digest[i]);
	}
	if (running) {
		r = check_replacement(running, &identity, version, message, message_size);
		if (r == 1)
			snprintf(message, message_size, "%s unchanged", running->version);
		if (r != 0)
			goto out;
	}
	snapshot = calloc(1, sizeof(*snapshot));
	if (!snapshot) {
		r = -ENOMEM;
		goto out;
	}
	atomic_init(&snapshot->refs, 1);
	snprintf(snapshot->version, sizeof(snapshot->version), "%s", version);
	snapshot->from_bundle = identity.from_bundle;
	snapshot->expired = identity.expired;
	snapshot->bundle_version = identity.version;
	memcpy(snapshot->bundle_digest, identity.digest, sizeof(snapshot->bundle_digest));
	r = vigil_engine_new(list.sources, list.count, &options, &snapshot->engine, &load_error);
	if (r < 0) {
		if (load_error.line)
			snprintf(message, message_size, "%s:%u: %s", load_error.file, load_error.line,
				 load_error.reason);
		else if (load_error.reason[0])
			snprintf(message, message_size, "%s: %s", load_error.file, load_error.reason);
		else
			snprintf(message, message_size, "bases %s: %s", config->bases, strerror(-r));
		free(snapshot);
		snapshot = NULL;
		goto out;
	}
	vigil_engine_get_stats(snapshot->engine, &stats);
	snapshot->signatures = stats.hash_signatures + stats.body_signatures;
	snapshot->parsed = stats.parts_parsed > 0;
	snapshot->loaded_at = time(NULL);
	*ret_snapshot = snapshot;
	snprintf(message, message_size, "%s (%zu signatures)", snapshot->version,
		 snapshot->signatures);
	r = 0;
out:
	EVP_MD_CTX_free(hash);
	vigil_source_list_uninit(&list);
	vigil_loaded_bundle_free(bundle);
	folder_files_free(files, count);
	return r;
}

struct bases_snapshot *bases_acquire(struct bases *bases)
{
	struct bases_snapshot *snapshot;

	pthread_mutex_lock(&bases->lock);
	snapshot = bases->current;
	atomic_fetch_add(&snapshot->refs, 1);
	pthread_mutex_unlock(&bases->lock);
	return snapshot;
}

void bases_release(struct bases_snapshot *snapshot)
{
	if (!snapshot || atomic_fetch_sub(&snapshot->refs, 1) != 1)
		return;
	vigil_engine_unref(snapshot->engine);
	free(snapshot);
}

uint64_t bases_generation(struct bases *bases)
{
	uint64_t generation;

	pthread_mutex_lock(&bases->lock);
	generation = bases->current->generation;
	pthread_mutex_unlock(&bases->lock);
	return generation;
}

static void record_reload(struct bases *bases, bool success, const char *message,
			  const char *version)
{
	struct verdict_record *record = calloc(1, sizeof(*record));
	struct timespec now;

	if (!record)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	record->kind = RECORD_RELOAD;
	record->timestamp_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	record->action = "bases-reload";
	record->success = success;
	record->uid = -1;
	record->message = strdup(message);
	record->bases_version = version ? strdup(version) : NULL;
	recorder_submit(bases->vigild->recorder, record);
}

/* Reloads read, hash and load on this thread (and compile, when needed, in
 * a child forked from it); nice 10 lets the scan workers go first, so a
 * reload costs openers little (bench/README.md, the reload storm). */
#define RELOAD_THREAD_NICE 10

static void *reload_thread(void *data)
{
	struct bases *bases = data;

	setpriority(PRIO_PROCESS, (id_t)gettid(), RELOAD_THREAD_NICE);
	pthread_mutex_lock(&bases->lock);
	for (;;) {
		struct bases_snapshot *snapshot = NULL, *old = NULL;
		const struct bases_snapshot *running;
		char message[512];
		uint64_t target;
		bool unchanged = false;
		int r;

		while (bases->requested == bases->completed && !bases->stopping)
			pthread_cond_wait(&bases->requested_cond, &bases->lock);
		if (bases->stopping)
			break;
		target = bases->requested;
		/* Only this thread replaces current, so it stays valid unlocked. */
		running = bases->current;
		pthread_mutex_unlock(&bases->lock);

		/* systemd hears of every reload, whoever asked (SIGHUP, the
		 * control socket); requests that arrive meanwhile join it. */
		sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
			   (unsigned long long)(monotonic_ns() / 1000));
		r = load_snapshot(bases, running, &snapshot, message, sizeof(message));

		pthread_mutex_lock(&bases->lock);
		if (r == 1) {
			unchanged = true;
			r = 0;
		} else if (r == 0) {
			snapshot->generation = bases->next_generation++;
			old = bases->current;
			bases->current = snapshot;	/* the swap */
		}
		bases->last_result = r;
		snprintf(bases->last_message, sizeof(bases->last_message), "%s", message);
		bases->last_reload_at = time(NULL);
		if (r < 0)
			bases->reloads_failed++;
		else if (unchanged)
			bases->reloads_unchanged++;
		else
			bases->reloads_done++;
		pthread_mutex_unlock(&bases->lock);

		if (r == 0 && !unchanged) {
			cache_flush(bases->vigild->cache);
			if (bases->vigild->backend && bases->vigild->backend->ops->flush_cache)
				bases->vigild->backend->ops->flush_cache(bases->vigild->backend);
		}
		if (!unchanged)
			record_reload(bases, r == 0, message, r == 0 ? snapshot->version : NULL);
		if (r < 0)
			fprintf(stderr, "vigild: reload refused, running bases kept: %s\n", message);
		else if (!unchanged)
			fprintf(stderr, "vigild: bases reloaded: %s\n", message);
		bases_release(old);
		/* A parse (a part not shared nor cached, or a load that failed)
		 * freed its buffers into this thread's malloc arena: give the
		 * pages back, or each such reload leaves vigild tens of MiB
		 * larger (bench/README.md, memory). Not after a reload that only
		 * shared parts or mapped them from the cache: malloc_trim() walks
		 * every arena under its lock, which scan workers would wait for. */
		if (r < 0 || (snapshot && !unchanged && snapshot->parsed))
			malloc_trim(0);
		sd_notifyf(0, "READY=1\nSTATUS=%s%s", r == 0 ? "running with bases " :
			   "reload refused, running bases kept: ", message);

		/* Done only now: a `vigil reload` (or `vigil update`) returns once
		 * the caches that held the old bases' verdicts are flushed, so no
		 * open after it is answered from them. */
		pthread_mutex_lock(&bases->lock);
		bases->completed = target;
		pthread_cond_broadcast(&bases->completed_cond);
	}
	pthread_mutex_unlock(&bases->lock);
	return NULL;
}

int bases_new(struct vigild *vigild, struct bases **ret_bases, char *error, size_t error_size)
{
	struct bases *bases = calloc(1, sizeof(*bases));
	int r;

	if (!bases)
		return -ENOMEM;
	bases->vigild = vigild;
	bases->next_generation = 1;
	bases->folder_digests = folder_digests_new();
	if (!bases->folder_digests) {
		r = -ENOMEM;
		goto err_free;
	}
	snprintf(bases->cache_dir, sizeof(bases->cache_dir), "%s/matcher-cache",
		 vigild->config.state_dir ? vigild->config.state_dir : VIGILD_DEFAULT_STATE_DIR);
	if (mkdir(bases->cache_dir, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		snprintf(error, error_size, "%s: %s", bases->cache_dir, strerror(-r));
		goto err_free;
	}
	pthread_mutex_init(&bases->lock, NULL);
	pthread_cond_init(&bases->requested_cond, NULL);
	pthread_cond_init(&bases->completed_cond, NULL);
	r = load_snapshot(bases, NULL, &bases->current, error, error_size);
	if (r < 0)
		goto err_free;
	bases->current->generation = bases->next_generation++;
	r = -pthread_create(&bases->thread, NULL, reload_thread, bases);
	if (r < 0) {
		snprintf(error, error_size, "reload thread: %s", strerror(-r));
		goto err_free;
	}
	bases->thread_started = true;
	*ret_bases = bases;
	return 0;

err_free:
	bases_free(bases);
	return r;
}

void bases_free(struct bases *bases)
{
	if (!bases)
		return;
	if (bases->thread_started) {
		pthread_mutex_lock(&bases->lock);
		bases->stopping = true;
		pthread_cond_broadcast(&bases->requested_cond);
		pthread_mutex_unlock(&bases->lock);
		pthread_join(bases->thread, NULL);
	}
	bases_release(bases->current);
	folder_digests_free(bases->folder_digests);
	pthread_mutex_destroy(&bases->lock);
	pthread_cond_destroy(&bases->requested_cond);
	pthread_cond_destroy(&bases->completed_cond);
	free(bases);
}

uint64_t bases_request_reload(struct bases *bases)
{
	uint64_t ticket;

	pthread_mutex_lock(&bases->lock);
	ticket = ++bases->requested;
	pthread_cond_signal(&bases->requested_cond);
	pthread_mutex_unlock(&bases->lock);
	return ticket;
}

int bases_wait_reload(struct bases *bases, uint64_t ticket, char *message, size_t message_size)
{
	int r;

	pthread_mutex_lock(&bases->lock);
	while (bases->completed < ticket && !bases->stopping)
		pthread_cond_wait(&bases->completed_cond, &bases->lock);
	r = bases->stopping && bases->completed < ticket ? -ECANCELED : bases->last_result;
	snprintf(message, message_size, "%s", r == -ECANCELED ? "vigild is stopping" :
		 bases->last_message);
	pthread_mutex_unlock(&bases->lock);
	return r;
}

void bases_status(struct bases *bases, struct json_object *object)
{
	struct json_object *status = json_object_new_object();
	time_t now = time(NULL);

	pthread_mutex_lock(&bases->lock);
	json_object_object_add(status, "version", json_object_new_string(bases->current->version));
	json_object_object_add(status, "generation",
			       json_object_new_int64((int64_t)bases->current->generation));
	json_object_object_add(status, "signatures",
			       json_object_new_int64((int64_t)bases->current->signatures));
	json_object_object_add(status, "age_seconds",
			       json_object_new_int64((int64_t)(now - bases->current->loaded_at)));
	json_object_object_add(status, "expires", NULL);
	json_object_object_add(status, "reloads", json_object_new_int64((int64_t)bases->reloads_done));
	{
		/* How the running matchers came to be: a start or reload that
		 * compiled shows it here (vigil update prepares the cache). */
		struct json_object *matchers = json_object_new_object();
		struct vigil_engine_stats stats;

		vigil_engine_get_stats(bases->current->engine, &stats);
		json_object_object_add(matchers, "compiled",
				       json_object_new_int64((int64_t)stats.parts_compiled));
		json_object_object_add(matchers, "precompiled",
				       json_object_new_int64((int64_t)stats.parts_precompiled));
		json_object_object_add(matchers, "from_cache",
				       json_object_new_int64((int64_t)stats.parts_from_cache));
		/* Of those, taken over from the bases running before the last
		 * reload, because their sources were the same. */
		json_object_object_add(matchers, "shared",
				       json_object_new_int64((int64_t)stats.parts_shared));
		json_object_object_add(status, "matchers", matchers);
	}
	json_object_object_add(status, "reloads_failed",
			       json_object_new_int64((int64_t)bases->reloads_failed));
	json_object_object_add(status, "reloads_unchanged",
			       json_object_new_int64((int64_t)bases->reloads_unchanged));
	if (bases->last_reload_at) {
		json_object_object_add(status, "last_reload_result",
				       json_object_new_string(bases->last_result ? "refused" : "ok"));
		json_object_object_add(status, "last_reload_message",
				       json_object_new_string(bases->last_message));
	}
	pthread_mutex_unlock(&bases->lock);
	json_object_object_add(object, "bases", status);
}
