// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: `vigil update`: fetch from a mirror, verify, install, record.
 * Owns the state folder's writer lock for the whole run, the downloaded
 * bytes (in memory; what is verified is exactly what is written) and the
 * root chain. Mirror layout (a folder, file:// or https:// base):
 *   BASE/root-N.vroot      each rotation, N = trusted version + 1, + 2, ...
 *   BASE/CHANNEL.vbundle   the current bundle of that channel
 *
 *   lock state -> trusted chain (--root..., or the state's newer root)
 *   -> for each mirror: walk root-N.vroot -> fetch bundle ->
 *      vigil_bundle_open_verified() -> vigil_bundle_check_installed() ->
 *      vigil_state_install() (bundle + newest root, one atomic switch)
 *   -> decision recorded (decisions.jsonl) for every outcome
 *   -> prepare_matchers(): the installed bases' matchers for this machine
 *      into STATE/matcher-cache (carried form, else a capped compile)
 *
 * A mirror that fails (I/O, timeout, size cap) or serves something refused
 * hands over to the next --from; the state changes only on an install.
 * Run as root for a state folder another user owns, it becomes that user
 * first (drop_privileges()). After an install, a running vigild is asked
 * to reload (tools/update-reload.c; --no-reload, --socket PATH).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "bases-common.h"
#include "bundle-load.h"
#include "engine.h"
#include "fileio.h"
#include "subcommands.h"
#include "update-reload.h"
#include "version.h"

#define MIRRORS_MAX 16
#define ROOTS_MAX 256
#define ROOT_WALK_MAX 1000
#define DEFAULT_MAX_SIZE (1ULL << 30)
#define DEFAULT_TIMEOUT_SECONDS 300
#define LOW_SPEED_BYTES 1024
#define LOW_SPEED_SECONDS 30
#define DEFAULT_STATE_DIR VIGIL_LOCALSTATEDIR "/lib/vigil"
#define DEFAULT_ROOT VIGIL_SYSCONFDIR "/vigil/root.vroot"
/* Compiled matchers no vigil or vigild has loaded for this long are removed
 * after an update (the running bases' are touched at every load). */
#define MATCHER_CACHE_KEEP_SECONDS (24 * 3600)

#define UPDATE_USAGE "[--from URL|DIR]... [--state-dir DIR] [--root ROOT]... [--channel NAME]\n" \
	"       [--max-size BYTES] [--timeout SECONDS] [--cacert FILE] [--socket PATH] [--no-reload]"

struct update {
	const char *state_dir;
	const char *channel;
	char *roots[ROOTS_MAX];
	size_t root_count;
	uint64_t max_size;
	long timeout_seconds;
	const char *cacert;
	struct vigil_state *state;
	uint8_t *installed_bundle, *installed_root;
	size_t installed_bundle_len, installed_root_len;
	struct vigil_bundle_manifest *installed;
	uint8_t installed_digest[VIGIL_SHA256_SIZE];
	int64_t now;
	char first_refusal[VIGIL_REASON_SIZE];
	char last_error[VIGIL_REASON_SIZE];
	bool installed_new;		/* this run installed new_version */
	uint64_t new_version;
	struct update_reload reload;
};

struct download {
	uint8_t *data;
	size_t len, capacity, max_size;
	bool too_big;
};

static size_t download_write(char *chunk, size_t size, size_t count, void *context)
{
	struct download *download = context;
	size_t n = size * count;

	if (n > download->max_size - download->len) {
		download->too_big = true;
		return 0;
	}
	if (download->len + n > download->capacity) {
		size_t capacity = download->capacity ? download->capacity : 65536;
		uint8_t *data;

		while (capacity < download->len + n)
			capacity *= 2;
		if (capacity > download->max_size)
			capacity = download->max_size;
		data = realloc(download->data, capacity);
		if (!data)
			return 0;
		download->data = data;
		download->capacity = capacity;
	}
	memcpy(download->data + download->len, chunk, n);
	download->len += n;
	return n;
}

static bool is_url(const char *source)
{
	return !strncmp(source, "https://", 8) || !strncmp(source, "file://", 7) || !strncmp(source, "http://", 7);
}

/*
 * Fetches BASE/NAME into memory, at most max_size bytes. Returns 0,
 * -ENOENT when the mirror says it has no such file, other -errno with
 * update->last_error set.
 */
static int fetch(struct update *update, const char *base, const char *name, uint64_t max_size, uint8_t **ret_buf,
		 size_t *ret_len)
{
	struct download download = { .max_size = max_size > SIZE_MAX - 1 ? SIZE_MAX - 1 : (size_t)max_size };
	char url[8192], error[CURL_ERROR_SIZE] = "";
	const char *slash = base[0] && base[strlen(base) - 1] == '/' ? "" : "/";
	long response = 0;
	CURLcode code;
	CURL *curl;
	int r;

	if (snprintf(url, sizeof(url), "%s%s%s", base, slash, name) >= (int)sizeof(url))
		return -ENAMETOOLONG;
	if (!is_url(base)) {
		r = vigil_file_read(url, download.max_size, ret_buf, ret_len);
		if (r == -EFBIG)
			snprintf(update->last_error, sizeof(update->last_error), "%.300s: larger than %" PRIu64 " bytes", url,
				 max_size);
		else if (r < 0 && r != -ENOENT)
			snprintf(update->last_error, sizeof(update->last_error), "%.300s: %s", url, strerror(-r));
		return r;
	}
	curl = curl_easy_init();
	if (!curl)
		return -ENOMEM;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,file");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (update->cacert)
		curl_easy_setopt(curl, CURLOPT_CAINFO, update->cacert);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, update->timeout_seconds);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, (long)LOW_SPEED_BYTES);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, (long)LOW_SPEED_SECONDS);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)download.max_size);
	curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "vigil-update/" VIGIL_VERSION);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, download_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &download);
	code = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response);
	curl_easy_cleanup(curl);
	if (code == CURLE_OK) {
		*ret_buf = download.data ? download.data : calloc(1, 1);
		*ret_len = download.len;
		return *ret_buf ? 0 : -ENOMEM;
	}
	free(download.data);
	if ((code == CURLE_HTTP_RETURNED_ERROR && (response == 404 || response == 410)) ||
	    code == CURLE_FILE_COULDNT_READ_FILE)
		return -ENOENT;
	if (download.too_big || code == CURLE_FILESIZE_EXCEEDED) {
		snprintf(update->last_error, sizeof(update->last_error), "%.300s: larger than %" PRIu64 " bytes", url,
			 max_size);
		return -EFBIG;
	}
	snprintf(update->last_error, sizeof(update->last_error), "%.300s: %s", url,
		 error[0] ? error : curl_easy_strerror(code));
	return code == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO;
}

static void record(struct update *update, const char *source, const char *outcome,
		   const struct vigil_verified_bundle *bundle, const char *reason)
{
	struct vigil_decision decision = {
		.outcome = outcome,
		.source = source,
		.channel = update->channel,
		.reason = reason,
	};
	int r;

	if (bundle) {
		decision.has_bundle = true;
		decision.version = bundle->manifest->version;
		memcpy(decision.digest, bundle->digest, VIGIL_SHA256_SIZE);
		decision.root_version = bundle->root_version;
	}
	if (update->installed) {
		decision.has_installed = true;
		decision.installed_version = update->installed->version;
	}
	r = vigil_state_record_decision(update->state, &decision, update->now);
	if (r < 0)
		fprintf(stderr, "%s: warning: cannot record the decision in %s/%s: %s\n", program_name,
			update->state_dir, VIGIL_STATE_DECISIONS_NAME, strerror(-r));
}

static void refused(struct update *update, const char *source, const char *outcome,
		    const struct vigil_verified_bundle *bundle, const char *reason)
{
	record(update, source, outcome, bundle, reason);
	if (!update->first_refusal[0])
		snprintf(update->first_refusal, sizeof(update->first_refusal), "%s", reason);
}

/*
 * The trusted chain: the first --root, or the state's newer root, then the
 * newer --root options. Returns an exit status; a refusal fills @reason.
 */
static int trusted_chain(struct update *update, struct vigil_root_chain **ret_chain, char *reason,
			 size_t reason_size)
{
	struct vigil_root_chain *chain = NULL, *state_chain;
	char why[VIGIL_REASON_SIZE];
	uint8_t *buf;
	size_t len;
	int r;

	for (size_t i = 0; i < update->root_count; i++) {
		r = vigil_file_read(update->roots[i], ROOT_FILE_MAX_SIZE, &buf, &len);
		if (r < 0) {
			vigil_root_chain_free(chain);
			return say(EXIT_TROUBLE, "%s: %s", update->roots[i], strerror(-r));
		}
		if (i == 0)
			r = vigil_root_chain_new(buf, len, &chain, why, sizeof(why));
		else
			r = vigil_root_chain_advance(chain, buf, len, why, sizeof(why));
		free(buf);
		if (r == -ENOMEM) {
			vigil_root_chain_free(chain);
			return say(EXIT_TROUBLE, "out of memory");
		}
		if (r < 0 && r != -EALREADY) {
			vigil_root_chain_free(chain);
			snprintf(reason, reason_size, "%.200s: %.300s", update->roots[i], why);
			return EXIT_REFUSED;
		}
		if (i == 0 && update->installed_root) {
			/* The state's root was verified when installed; a newer one wins. */
			r = vigil_root_chain_new(update->installed_root, update->installed_root_len, &state_chain, why,
						 sizeof(why));
			if (r < 0) {
				vigil_root_chain_free(chain);
				return say(EXIT_TROUBLE, "%s: installed root unreadable: %s", update->state_dir, why);
			}
			if (vigil_root_chain_newest(state_chain)->version > vigil_root_chain_newest(chain)->version) {
				vigil_root_chain_free(chain);
				chain = state_chain;
			} else {
				vigil_root_chain_free(state_chain);
			}
		}
	}
	*ret_chain = chain;
	return EXIT_OK;
}

/*
 * prepare_matchers - after an install (or "already installed"), builds the
 * matchers for this machine into the state's matcher cache, the one vigild
 * reads (STATE/matcher-cache, keyed by the payloads' manifest SHA-256), so
 * that a running vigild only loads. A precompiled matcher the bundle
 * carries is used when it fits this machine; otherwise the compile runs in
 * a child capped at half the machine's memory, in this process's time,
 * never vigild's. A failure here costs vigild a compile, not the install.
 */
static void prepare_matchers(struct update *update, struct vigil_verified_bundle *bundle)
{
	struct vigil_loaded_bundle loaded = { .bundle = bundle };
	struct vigil_source_list list = { 0 };
	struct vigil_load_error error = { 0 };
	struct vigil_engine *engine = NULL;
	struct vigil_engine_stats stats;
	struct vigil_engine_options options = { 0 };
	long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
	char cache_dir[4200];
	size_t removed = 0;
	int r;

	snprintf(cache_dir, sizeof(cache_dir), "%s/matcher-cache", update->state_dir);
	if (mkdir(cache_dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "%s: warning: %s: %s; vigild will compile the matchers itself\n",
			program_name, cache_dir, strerror(errno));
		return;
	}
	r = vigil_loaded_bundle_add_sources(&loaded, &list);
	if (r <= 0)
		goto out;
	options.cache_dir = cache_dir;
	options.compile_memory_limit = pages > 0 && page_size > 0 ?
				       (uint64_t)pages * (uint64_t)page_size / 2 : 4ULL << 30;
	options.precompiled = list.precompiled;
	options.precompiled_count = list.precompiled_count;
	r = vigil_engine_new(list.sources, list.count, &options, &engine, &error);
	if (r < 0) {
		fprintf(stderr, "%s: warning: cannot prepare the matchers: %s%s%s\n", program_name,
			error.file, error.file[0] ? ": " : "", error.reason[0] ? error.reason : strerror(-r));
		goto out;
	}
	vigil_engine_get_stats(engine, &stats);
	printf("matchers ready in %s: %zu precompiled (carried in the bundle), %zu compiled, %zu already there\n",
	       cache_dir, stats.parts_precompiled, stats.parts_compiled, stats.parts_from_cache);
	vigil_engine_unref(engine);
	/* The installed bases' matchers were just used; older bases' would
	 * grow the folder by one set an update. */
	r = vigil_engine_cache_prune(cache_dir, time(NULL) - MATCHER_CACHE_KEEP_SECONDS, &removed);
	if (r < 0)
		fprintf(stderr, "%s: warning: pruning %s: %s\n", program_name, cache_dir, strerror(-r));
	if (removed)
		printf("removed %zu matcher%s unused for %d hours from %s\n", removed, removed == 1 ? "" : "s",
		       MATCHER_CACHE_KEEP_SECONDS / 3600, cache_dir);
out:
	vigil_source_list_uninit(&list);
}

/*
 * One mirror, start to end. Returns EXIT_OK when installed or already
 * installed, EXIT_REFUSED when the mirror served something refused,
 * EXIT_TROUBLE when it could not be read.
 */
static int update_from(struct update *update, const char *source)
{
	struct vigil_verified_bundle *bundle = NULL;
	struct vigil_root_chain *chain = NULL;
	char reason[VIGIL_REASON_SIZE], name[64], hex[VIGIL_SHA256_HEX_SIZE + 1];
	enum vigil_install_verdict verdict;
	const struct vigil_root *newest;
	uint8_t *buf = NULL;
	size_t len;
	int status, r;

	status = trusted_chain(update, &chain, reason, sizeof(reason));
	if (status == EXIT_REFUSED)
		refused(update, source, "refused", NULL, reason);
	if (status != EXIT_OK)
		return status;
	for (unsigned walked = 0; walked < ROOT_WALK_MAX; walked++) {
		snprintf(name, sizeof(name), "root-%" PRIu64 ".vroot", vigil_root_chain_newest(chain)->version + 1);
		r = fetch(update, source, name, ROOT_FILE_MAX_SIZE, &buf, &len);
		if (r == -ENOENT)
			break;
		if (r < 0) {
			record(update, source, "fetch-failed", NULL, update->last_error);
			status = EXIT_TROUBLE;
			goto out_free_chain;
		}
		r = vigil_root_chain_advance(chain, buf, len, reason, sizeof(reason));
		free(buf);
		buf = NULL;
		if (r == -EALREADY)
			break;
		if (r < 0) {
			refused(update, source, "refused", NULL, reason);
			status = EXIT_REFUSED;
			goto out_free_chain;
		}
	}
	snprintf(name, sizeof(name), "%s.vbundle", update->channel);
	r = fetch(update, source, name, update->max_size, &buf, &len);
	if (r == -ENOENT)
		snprintf(update->last_error, sizeof(update->last_error), "%s: no %s on this mirror", source, name);
	if (r < 0) {
		record(update, source, "fetch-failed", NULL, update->last_error);
		status = EXIT_TROUBLE;
		goto out_free_chain;
	}
	r = vigil_bundle_open_verified(buf, len, chain, update->now, update->channel, &bundle, reason, sizeof(reason));
	if (r == -ENOMEM) {
		status = say(EXIT_TROUBLE, "out of memory");
		goto out_free_buf;
	}
	if (r < 0) {
		refused(update, source, "refused", NULL, reason);
		status = EXIT_REFUSED;
		goto out_free_buf;
	}
	verdict = vigil_bundle_check_installed(bundle, update->installed, update->installed_digest, reason,
					       sizeof(reason));
	switch (verdict) {
	case VIGIL_INSTALL_ALREADY_INSTALLED:
		record(update, source, "already-installed", bundle, reason);
		printf("%s\n", reason);
		prepare_matchers(update, bundle);
		status = EXIT_OK;
		goto out_free_bundle;
	case VIGIL_INSTALL_ROLLBACK:
		refused(update, source, "refused", bundle, reason);
		status = EXIT_REFUSED;
		goto out_free_bundle;
	case VIGIL_INSTALL_EQUIVOCATION:
		refused(update, source, "equivocation", bundle, reason);
		fprintf(stderr, "%s: WARNING: the release chain signed two different bundles as version %" PRIu64
			"; keep both files as evidence\n", program_name, bundle->manifest->version);
		status = EXIT_REFUSED;
		goto out_free_bundle;
	case VIGIL_INSTALL_NEW:
		break;
	}
	newest = vigil_root_chain_newest(chain);
	r = vigil_state_install(update->state, buf, len, newest->bytes, newest->size, bundle->manifest->version,
				bundle->digest);
	if (r < 0) {
		snprintf(update->last_error, sizeof(update->last_error), "%s: cannot install: %s", update->state_dir,
			 strerror(-r));
		record(update, source, "install-failed", bundle, update->last_error);
		status = EXIT_TROUBLE;
		goto out_free_bundle;
	}
	record(update, source, "installed", bundle, NULL);
	update->installed_new = true;
	update->new_version = bundle->manifest->version;
	vigil_hex_format(bundle->digest, VIGIL_SHA256_SIZE, hex);
	printf("installed version %" PRIu64 " (%.16s, root version %" PRIu64 ") from %s\n", bundle->manifest->version,
	       hex, bundle->root_version, source);
	prepare_matchers(update, bundle);
	status = EXIT_OK;
out_free_bundle:
	vigil_verified_bundle_free(bundle);
out_free_buf:
	free(buf);
out_free_chain:
	vigil_root_chain_free(chain);
	return status;
}

/*
 * No more privilege than writing the state folder needs: started as root
 * for a folder another user owns (packaging creates it for user vigil),
 * become that user before touching the network or any downloaded byte.
 */
static int drop_privileges(const char *state_dir)
{
	struct stat st;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (geteuid() != 0 || stat(state_dir, &st) < 0 || st.st_uid == 0)
		return 0;
	if (setgroups(0, NULL) < 0 || setgid(st.st_gid) < 0 || setuid(st.st_uid) < 0)
		return -errno;
	if (setuid(0) == 0)
		return -EPERM;
	return 0;
}

static int read_installed(struct update *update)
{
	char reason[VIGIL_REASON_SIZE];
	int r;

	r = vigil_state_read_installed(update->state, &update->installed_bundle, &update->installed_bundle_len,
				       &update->installed_root, &update->installed_root_len);
	if (r == -ENOENT)
		return EXIT_OK;
	if (r < 0)
		return say(EXIT_TROUBLE, "%s: installed bundle unreadable (%s); refusing to update without a high-water mark",
			   update->state_dir, strerror(-r));
	r = vigil_bundle_read_manifest(update->installed_bundle, update->installed_bundle_len, &update->installed,
				       update->installed_digest, reason, sizeof(reason));
	if (r < 0)
		return say(EXIT_TROUBLE, "%s: installed bundle unreadable (%s); refusing to update without a high-water mark",
			   update->state_dir, reason);
	return EXIT_OK;
}

int update_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "root", required_argument, NULL, 'r' },
		{ "channel", required_argument, NULL, 'c' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "socket", required_argument, NULL, 'S' },
		{ "no-reload", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct update update = {
		.state_dir = DEFAULT_STATE_DIR,
		.channel = "stable",
		.max_size = DEFAULT_MAX_SIZE,
		.timeout_seconds = DEFAULT_TIMEOUT_SECONDS,
	};
	const char *mirrors[MIRRORS_MAX];
	size_t mirror_count = 0;
	uint64_t value;
	int option, r, status = EXIT_TROUBLE;
	bool refused_any = false;

	update_reload_init(&update.reload);
	optind = 0;
	while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (option) {
		case 'f':
			if (mirror_count == MIRRORS_MAX)
				return say(EXIT_TROUBLE, "more than %d --from options", MIRRORS_MAX);
			mirrors[mirror_count++] = optarg;
			break;
		case 's': update.state_dir = optarg; break;
		case 'r':
			if (update.root_count == ROOTS_MAX)
				return say(EXIT_TROUBLE, "more than %d --root options", ROOTS_MAX);
			update.roots[update.root_count++] = optarg;
			break;
		case 'c': update.channel = optarg; break;
		case 'm':
			if (!parse_u64_option(optarg, &update.max_size) || update.max_size == 0)
				return say(EXIT_TROUBLE, "bad --max-size `%s'", optarg);
			break;
		case 't':
			if (!parse_u64_option(optarg, &value) || value == 0 || value > 86400)
				return say(EXIT_TROUBLE, "bad --timeout `%s' (1..86400 seconds)", optarg);
			update.timeout_seconds = (long)value;
			break;
		case 'C': update.cacert = optarg; break;
		case 'S': update.reload.socket_path = optarg; break;
		case 'n': update.reload.enabled = false; break;
		case 'h': printf("Usage: %s update %s\n", program_name, UPDATE_USAGE); return EXIT_OK;
		default:
			fprintf(stderr, "Usage: %s update %s\n", program_name, UPDATE_USAGE);
			return EXIT_TROUBLE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "Usage: %s update %s\n", program_name, UPDATE_USAGE);
		return EXIT_TROUBLE;
	}
	if (!mirror_count)
		return say(EXIT_TROUBLE, "no mirror given (--from URL|DIR)");
	if (!vigil_channel_valid(update.channel, strlen(update.channel)))
		return say(EXIT_TROUBLE, "bad channel `%s'", update.channel);
	if (!update.root_count)
		update.roots[update.root_count++] = (char *)DEFAULT_ROOT;
	for (size_t i = 0; i < mirror_count; i++) {
		if (!strncmp(mirrors[i], "http://", 7))
			return say(EXIT_TROUBLE, "%s: plain http is not accepted; use https://", mirrors[i]);
	}
	update.now = time(NULL);

	if (update_reload_split(&update.reload, update.state_dir, &status))
		return status;
	r = drop_privileges(update.state_dir);
	if (r < 0)
		return say(EXIT_TROUBLE, "%s: cannot switch to the state folder's owner: %s", update.state_dir,
			   strerror(-r));
	r = vigil_state_open(update.state_dir, true, &update.state);
	if (r == -EWOULDBLOCK)
		return say(EXIT_TROUBLE, "%s: another vigil update is running", update.state_dir);
	if (r < 0)
		return say(EXIT_TROUBLE, "%s: %s", update.state_dir, strerror(-r));
	status = read_installed(&update);
	if (status != EXIT_OK)
		goto out;
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		status = say(EXIT_TROUBLE, "libcurl failed to initialise");
		goto out;
	}
	for (size_t i = 0; i < mirror_count; i++) {
		status = update_from(&update, mirrors[i]);
		if (status == EXIT_OK)
			break;
		refused_any |= status == EXIT_REFUSED;
	}
	curl_global_cleanup();
	if (status != EXIT_OK) {
		if (refused_any && update.first_refusal[0])
			status = say(EXIT_REFUSED, "%s", update.first_refusal);
		else if (update.last_error[0])
			status = say(EXIT_TROUBLE, "%s", update.last_error);
	}
	if (update.installed_new)
		status = update_reload_ask(&update.reload, update.new_version, status);
out:
	vigil_bundle_manifest_free(update.installed);
	free(update.installed_bundle);
	free(update.installed_root);
	vigil_state_free(update.state);
	return status;
}
