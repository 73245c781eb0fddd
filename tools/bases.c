// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: `vigil bases`, the release side: keygen, root, build and sign
 * live here; verify and log (which also serve admins and auditors) live in
 * bases-verify.c. Owns secret key material only inside keygen and sign,
 * wiped with sodium_memzero() before either returns.
 *
 *   keygen -> KEY (0600, O_EXCL) + KEY.pub
 *   root   -> unsigned root -> sign (threshold of root keys) -> ROOT
 *   build  -> [--precompile: engine.c compiles each part per target in a
 *             capped child -> `<part>.<target>.vpc' payloads] -> unsigned
 *             bundle -> sign (threshold of release keys) -> BUNDLE
 *
 * Exit status: 0 success, 1 refusal (`vigil: REASON'), 2 usage or I/O.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bases-common.h"
#include "engine.h"
#include "fileio.h"
#include "sources.h"
#include "subcommands.h"

int bases_verify_main(int argc, char *argv[]);
int bases_log_main(int argc, char *argv[]);

static int usage_error(const char *command, const char *usage)
{
	fprintf(stderr, "Usage: %s bases %s %s\n", program_name, command, usage);
	return EXIT_TROUBLE;
}

static bool wants_help(int argc, char *argv[])
{
	return argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
}

#define KEYGEN_USAGE "--out KEY [--name NAME]"

static int keygen_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned char public_key[crypto_sign_PUBLICKEYBYTES], secret_key[crypto_sign_SECRETKEYBYTES];
	unsigned char seed[crypto_sign_SEEDBYTES];
	char seed_hex[2 * crypto_sign_SEEDBYTES + 1], public_hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
	char secret_text[256], public_text[256], public_path[4096], base[4096];
	const char *out = NULL, *name = NULL;
	int option, r, status;

	optind = 0;
	while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (option) {
		case 'o': out = optarg; break;
		case 'n': name = optarg; break;
		case 'h': printf("Usage: %s bases keygen %s\n", program_name, KEYGEN_USAGE); return EXIT_OK;
		default: return usage_error("keygen", KEYGEN_USAGE);
		}
	}
	if (!out || optind != argc)
		return usage_error("keygen", KEYGEN_USAGE);
	if (!name) {
		char *dot;

		snprintf(base, sizeof(base), "%s", out);
		name = basename(base);
		dot = strrchr(name, '.');
		if (dot && dot != name && !strcmp(dot, ".key"))
			*dot = '\0';
	}
	if (!vigil_name_valid(name, strlen(name), VIGIL_KEY_NAME_MAX))
		return say(EXIT_TROUBLE, "key name `%s' is not plain ([A-Za-z0-9][A-Za-z0-9._+-]*, at most %d bytes); use --name",
			   name, VIGIL_KEY_NAME_MAX);
	if (snprintf(public_path, sizeof(public_path), "%s.pub", out) >= (int)sizeof(public_path))
		return say(EXIT_TROUBLE, "%s: name too long", out);
	if (sodium_init() < 0)
		return say(EXIT_TROUBLE, "libsodium failed to initialise");

	randombytes_buf(seed, sizeof(seed));
	crypto_sign_seed_keypair(public_key, secret_key, seed);
	sodium_bin2hex(seed_hex, sizeof(seed_hex), seed, sizeof(seed));
	sodium_bin2hex(public_hex, sizeof(public_hex), public_key, sizeof(public_key));
	snprintf(secret_text, sizeof(secret_text), SECRET_KEY_HEADER " %s %s\n", seed_hex, name);
	snprintf(public_text, sizeof(public_text), PUBLIC_KEY_HEADER " %s %s\n", public_hex, name);

	status = EXIT_OK;
	r = vigil_file_write_exclusive(out, (const uint8_t *)secret_text, strlen(secret_text), 0600);
	if (r < 0) {
		status = say(EXIT_TROUBLE, "%s: %s", out, strerror(-r));
		goto out_wipe;
	}
	r = vigil_file_write_exclusive(public_path, (const uint8_t *)public_text, strlen(public_text), 0644);
	if (r < 0) {
		unlink(out); /* no secret without its public half */
		status = say(EXIT_TROUBLE, "%s: %s", public_path, strerror(-r));
		goto out_wipe;
	}
	printf("%s: secret key (keep it offline); %s: public key `%s' %s\n", out, public_path, name, public_hex);
out_wipe:
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(secret_key, sizeof(secret_key));
	sodium_memzero(seed_hex, sizeof(seed_hex));
	sodium_memzero(secret_text, sizeof(secret_text));
	return status;
}

/* Reads KEY into secret_key/public_key and its name. Returns an exit status. */
static int read_secret_key(const char *path, unsigned char secret_key[crypto_sign_SECRETKEYBYTES],
			   unsigned char public_key[crypto_sign_PUBLICKEYBYTES], char name[VIGIL_KEY_NAME_MAX + 1])
{
	unsigned char seed[crypto_sign_SEEDBYTES];
	size_t header_len = strlen(SECRET_KEY_HEADER), len, name_len;
	uint8_t *buf;
	const char *text;
	int r, status = EXIT_OK;

	r = vigil_file_read(path, 4096, &buf, &len);
	if (r < 0)
		return say(EXIT_TROUBLE, "%s: %s", path, strerror(-r));
	text = (const char *)buf;
	if (len < header_len + 1 + 64 + 2 + 1 || memcmp(text, SECRET_KEY_HEADER " ", header_len + 1) ||
	    text[len - 1] != '\n' || text[header_len + 65] != ' ' ||
	    !vigil_hex_parse(text + header_len + 1, 64, seed, sizeof(seed))) {
		status = say(EXIT_TROUBLE, "%s: not a vigil secret key file", path);
		goto out_wipe;
	}
	name_len = len - 1 - (header_len + 66);
	if (!vigil_name_valid(text + header_len + 66, name_len, VIGIL_KEY_NAME_MAX)) {
		status = say(EXIT_TROUBLE, "%s: not a vigil secret key file", path);
		goto out_wipe;
	}
	memcpy(name, text + header_len + 66, name_len);
	name[name_len] = '\0';
	crypto_sign_seed_keypair(public_key, secret_key, seed);
out_wipe:
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(buf, len);
	free(buf);
	return status;
}

#define SIGN_USAGE "--key KEY FILE"

static int sign_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned char public_key[crypto_sign_PUBLICKEYBYTES], secret_key[crypto_sign_SECRETKEYBYTES];
	uint8_t message[VIGIL_SIGNED_MESSAGE_MAX_SIZE], *signatures = NULL, *out_buf = NULL, *buf = NULL;
	char name[VIGIL_KEY_NAME_MAX + 1], reason[VIGIL_REASON_SIZE];
	struct vigil_container container;
	const char *key_path = NULL, *path;
	size_t message_len, len, out_len;
	int option, r, status;

	optind = 0;
	while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (option) {
		case 'k': key_path = optarg; break;
		case 'h': printf("Usage: %s bases sign %s\n", program_name, SIGN_USAGE); return EXIT_OK;
		default: return usage_error("sign", SIGN_USAGE);
		}
	}
	if (!key_path || optind != argc - 1)
		return usage_error("sign", SIGN_USAGE);
	path = argv[optind];
	if (sodium_init() < 0)
		return say(EXIT_TROUBLE, "libsodium failed to initialise");
	r = vigil_file_read(path, VIGIL_BUNDLE_FILE_MAX_SIZE, &buf, &len);
	if (r < 0)
		return say(EXIT_TROUBLE, "%s: %s", path, strerror(-r));
	r = vigil_container_split(buf, len, &container, reason, sizeof(reason));
	if (r < 0) {
		status = say(EXIT_REFUSED, "%s", reason);
		goto out_free;
	}
	/* Sign only what decodes canonically. */
	if (container.kind == VIGIL_CONTAINER_ROOT) {
		struct vigil_root *root;

		r = vigil_root_parse(buf, len, &root, reason, sizeof(reason));
		if (r == 0)
			vigil_root_free(root);
	} else {
		struct vigil_bundle_manifest *manifest;

		r = vigil_bundle_manifest_parse(container.manifest, container.manifest_size, &manifest, reason,
						sizeof(reason));
		if (r == 0)
			vigil_bundle_manifest_free(manifest);
	}
	if (r < 0) {
		status = say(r == -ENOMEM ? EXIT_TROUBLE : EXIT_REFUSED, "%s", reason);
		goto out_free;
	}
	status = read_secret_key(key_path, secret_key, public_key, name);
	if (status != EXIT_OK)
		goto out_free;
	message_len = vigil_signed_message(container.kind, container.manifest_digest, message);
	for (size_t i = 0; i < container.signature_count; i++) {
		const uint8_t *entry = container.signatures + i * VIGIL_SIGNATURE_ENTRY_SIZE;

		if (!memcmp(entry, public_key, VIGIL_PUBLIC_KEY_SIZE) &&
		    !crypto_sign_verify_detached(entry + VIGIL_PUBLIC_KEY_SIZE, message, message_len, public_key)) {
			printf("%s: already signed by %s\n", path, name);
			status = EXIT_OK;
			goto out_wipe;
		}
	}
	if (container.signature_count >= VIGIL_SIGNATURES_MAX) {
		status = say(EXIT_REFUSED, "%s already carries %d signatures", path, VIGIL_SIGNATURES_MAX);
		goto out_wipe;
	}
	signatures = malloc((container.signature_count + 1) * VIGIL_SIGNATURE_ENTRY_SIZE);
	if (!signatures) {
		status = say(EXIT_TROUBLE, "out of memory");
		goto out_wipe;
	}
	memcpy(signatures, container.signatures, container.signature_count * VIGIL_SIGNATURE_ENTRY_SIZE);
	memcpy(signatures + container.signature_count * VIGIL_SIGNATURE_ENTRY_SIZE, public_key, VIGIL_PUBLIC_KEY_SIZE);
	crypto_sign_detached(signatures + container.signature_count * VIGIL_SIGNATURE_ENTRY_SIZE + VIGIL_PUBLIC_KEY_SIZE,
			     NULL, message, message_len, secret_key);
	r = vigil_container_encode(container.kind, container.manifest, container.manifest_size, signatures,
				   container.signature_count + 1, container.payload, container.payload_size, &out_buf,
				   &out_len);
	if (r < 0) {
		status = say(EXIT_TROUBLE, "%s: %s", path, strerror(-r));
		goto out_wipe;
	}
	r = vigil_file_write_atomic(path, out_buf, out_len, 0644);
	if (r < 0) {
		status = say(EXIT_TROUBLE, "%s: %s", path, strerror(-r));
		goto out_wipe;
	}
	printf("%s: signed by %s (%zu signatures)\n", path, name, container.signature_count + 1);
out_wipe:
	sodium_memzero(secret_key, sizeof(secret_key));
out_free:
	free(out_buf);
	free(signatures);
	free(buf);
	return status;
}

/* Adds a key to a sorted, distinct set; a key given twice counts once. */
static void add_key(struct vigil_root_key *keys, size_t *count, const struct vigil_root_key *key)
{
	size_t i = 0;

	while (i < *count && memcmp(keys[i].public_key, key->public_key, VIGIL_PUBLIC_KEY_SIZE) < 0)
		i++;
	if (i < *count && !memcmp(keys[i].public_key, key->public_key, VIGIL_PUBLIC_KEY_SIZE))
		return;
	memmove(&keys[i + 1], &keys[i], (*count - i) * sizeof(*keys));
	keys[i] = *key;
	(*count)++;
}

#define ROOT_USAGE "--threshold M --expires T --out ROOT [--previous OLDROOT] [--version N]\n" \
	"       [--root-threshold R --root-key PUB]... PUB..."

static int root_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "expires", required_argument, NULL, 'e' },
		{ "out", required_argument, NULL, 'o' },
		{ "previous", required_argument, NULL, 'p' },
		{ "version", required_argument, NULL, 'v' },
		{ "root-threshold", required_argument, NULL, 'T' },
		{ "root-key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct vigil_root_key keys[VIGIL_ROOT_KEYS_MAX], root_keys[VIGIL_ROOT_KEYS_MAX], key;
	struct vigil_root root = { .format = VIGIL_FORMAT_VERSION };
	const char *out = NULL, *previous = NULL;
	char reason[VIGIL_REASON_SIZE];
	bool have_threshold = false, have_expires = false, have_version = false;
	uint8_t *manifest = NULL, *file = NULL;
	size_t manifest_len, file_len;
	int option, r, status;

	optind = 0;
	while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (option) {
		case 't':
			if (!parse_u64_option(optarg, &root.threshold))
				return say(EXIT_TROUBLE, "bad --threshold `%s'", optarg);
			have_threshold = true;
			break;
		case 'e':
			if (!parse_time_option(optarg, &root.expires))
				return say(EXIT_TROUBLE, "bad --expires `%s' (want YYYY-MM-DDTHH:MM:SSZ)", optarg);
			have_expires = true;
			break;
		case 'o': out = optarg; break;
		case 'p': previous = optarg; break;
		case 'v':
			if (!parse_u64_option(optarg, &root.version) || root.version == 0)
				return say(EXIT_TROUBLE, "bad --version `%s'", optarg);
			have_version = true;
			break;
		case 'T':
			if (!parse_u64_option(optarg, &root.root_threshold))
				return say(EXIT_TROUBLE, "bad --root-threshold `%s'", optarg);
			break;
		case 'k':
			if (root.root_key_count == VIGIL_ROOT_KEYS_MAX)
				return say(EXIT_REFUSED, "more than %d root keys", VIGIL_ROOT_KEYS_MAX);
			status = read_public_key(optarg, &key);
			if (status != EXIT_OK)
				return status;
			add_key(root_keys, &root.root_key_count, &key);
			break;
		case 'h': printf("Usage: %s bases root %s\n", program_name, ROOT_USAGE); return EXIT_OK;
		default: return usage_error("root", ROOT_USAGE);
		}
	}
	if (!out || !have_threshold || !have_expires || optind == argc)
		return usage_error("root", ROOT_USAGE);
	for (int i = optind; i < argc; i++) {
		if (root.key_count == VIGIL_ROOT_KEYS_MAX)
			return say(EXIT_REFUSED, "more than %d release keys", VIGIL_ROOT_KEYS_MAX);
		status = read_public_key(argv[i], &key);
		if (status != EXIT_OK)
			return status;
		add_key(keys, &root.key_count, &key);
	}
	root.keys = keys;
	root.root_keys = root_keys;
	if (root.root_key_count && !root.root_threshold)
		return say(EXIT_TROUBLE, "--root-key needs --root-threshold");
	if (root.root_threshold && !root.root_key_count)
		return say(EXIT_TROUBLE, "--root-threshold needs --root-key");
	if (root.threshold == 0 || root.threshold > root.key_count)
		return say(EXIT_REFUSED, "threshold %llu with %zu distinct release keys (want 1..%zu)",
			   (unsigned long long)root.threshold, root.key_count, root.key_count);
	if (root.root_key_count && root.root_threshold > root.root_key_count)
		return say(EXIT_REFUSED, "root threshold %llu with %zu distinct root keys",
			   (unsigned long long)root.root_threshold, root.root_key_count);
	if (previous) {
		struct vigil_root *old;
		uint8_t *old_buf;
		size_t old_len;

		r = vigil_file_read(previous, ROOT_FILE_MAX_SIZE, &old_buf, &old_len);
		if (r < 0)
			return say(EXIT_TROUBLE, "%s: %s", previous, strerror(-r));
		r = vigil_root_parse(old_buf, old_len, &old, reason, sizeof(reason));
		free(old_buf);
		if (r < 0)
			return say(EXIT_REFUSED, "%s: %s", previous, reason);
		if (have_version && root.version != old->version + 1) {
			vigil_root_free(old);
			return say(EXIT_REFUSED, "--version must be %llu, one above --previous",
				   (unsigned long long)old->version + 1);
		}
		root.version = old->version + 1;
		vigil_root_free(old);
	} else if (!have_version) {
		root.version = 1;
	}
	r = vigil_root_manifest_encode(&root, &manifest, &manifest_len, reason, sizeof(reason));
	if (r < 0)
		return say(r == -ENOMEM ? EXIT_TROUBLE : EXIT_REFUSED, "%s", reason);
	r = vigil_container_encode(VIGIL_CONTAINER_ROOT, manifest, manifest_len, NULL, 0, NULL, 0, &file, &file_len);
	if (r == 0)
		r = vigil_file_write_atomic(out, file, file_len, 0644);
	status = r < 0 ? say(EXIT_TROUBLE, "%s: %s", out, strerror(-r)) : EXIT_OK;
	if (status == EXIT_OK)
		printf("%s: root version %llu, %llu of %zu release keys, unsigned (run `%s bases sign')\n", out,
		       (unsigned long long)root.version, (unsigned long long)root.threshold, root.key_count,
		       program_name);
	free(file);
	free(manifest);
	return status;
}

#define BUILD_USAGE "--version N --expires T (--previous BUNDLE | --first) [--root ROOT]\n" \
	"       [--channel NAME] [--issued T] [--precompile TARGET]... --out BUNDLE SIGFILE..."
#define PRECOMPILE_TARGETS_MAX 8

/* The payloads precompiled so far: appended after the SIGFILEs. */
struct precompile_output {
	const struct vigil_precompile_target *target;
	struct vigil_payload_file *files;
	struct mapped_file *contents;
	size_t count, capacity;
	int status;
};

static int add_precompiled(void *opaque, const char *part, const uint8_t *bytes, size_t size)
{
	struct precompile_output *output = opaque;
	struct vigil_payload_file *file;
	char name[VIGIL_PAYLOAD_NAME_MAX + 1];
	int length;

	length = snprintf(name, sizeof(name), "%s.%s%s", part, output->target->name,
			  VIGIL_PRECOMPILED_SUFFIX);
	if (length < 0 || (size_t)length >= sizeof(name) ||
	    !vigil_name_valid(name, (size_t)length, VIGIL_PAYLOAD_NAME_MAX)) {
		output->status = say(EXIT_REFUSED, "precompiled payload name `%s.%s%s' is not a plain file name",
				     part, output->target->name, VIGIL_PRECOMPILED_SUFFIX);
		return -EINVAL;
	}
	if (output->count == output->capacity || size > VIGIL_PAYLOAD_FILE_MAX_SIZE) {
		output->status = say(EXIT_REFUSED, "too many or too large payload files");
		return -E2BIG;
	}
	file = &output->files[output->count];
	output->contents[output->count].data = malloc(size ? size : 1);
	if (!output->contents[output->count].data) {
		output->status = say(EXIT_TROUBLE, "out of memory");
		return -ENOMEM;
	}
	memcpy(output->contents[output->count].data, bytes, size);
	output->contents[output->count].len = size;
	output->contents[output->count].mapped = false;
	snprintf(file->name, sizeof(file->name), "%s", name);
	file->size = size;
	vigil_sha256(bytes, size, file->sha256);
	output->count++;
	return 0;
}

static int compare_sources(const void *a, const void *b)
{
	return strcmp(((const struct vigil_source *)a)->name, ((const struct vigil_source *)b)->name);
}

/* Half the machine's memory caps each compile child. */
static uint64_t precompile_memory_limit(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || page_size <= 0)
		return 4ULL << 30;
	return (uint64_t)pages * (uint64_t)page_size / 2;
}

/*
 * Compiles the signature files among the first @count payloads for each
 * target, as the engine will load them from the bundle (bundle order,
 * their manifest SHA-256s), and appends one `<part>.<target>.vpc' payload
 * per part and target. Returns an exit status.
 */
static int precompile(const struct vigil_precompile_target *targets, size_t target_count,
		      struct vigil_payload_file *files, struct mapped_file *contents, size_t *count,
		      size_t capacity)
{
	struct vigil_source *sources = calloc(*count + 1, sizeof(*sources));
	struct precompile_output output = {
		.files = files + *count, .contents = contents + *count,
		.capacity = capacity - *count, .status = EXIT_OK,
	};
	size_t source_count = 0;
	int status = EXIT_OK;

	if (!sources)
		return say(EXIT_TROUBLE, "out of memory");
	for (size_t i = 0; i < *count; i++) {
		if (!vigil_source_name_supported(files[i].name))
			continue;
		sources[source_count++] = (struct vigil_source){
			.name = files[i].name, .data = contents[i].data, .size = contents[i].len,
			.fd = -1, .sha256 = files[i].sha256,
		};
	}
	if (!source_count) {
		free(sources);
		return say(EXIT_REFUSED, "--precompile: no signature files to compile");
	}
	qsort(sources, source_count, sizeof(*sources), compare_sources);
	for (size_t t = 0; t < target_count && status == EXIT_OK; t++) {
		struct vigil_load_error error = { 0 };
		size_t before = output.count;
		int r;

		output.target = &targets[t];
		r = vigil_engine_precompile(sources, source_count, &targets[t], precompile_memory_limit(),
					    add_precompiled, &output, &error);
		if (r < 0 && output.status == EXIT_OK) {
			if (error.line)
				status = say(EXIT_REFUSED, "%s:%u: %s", error.file, error.line, error.reason);
			else if (error.reason[0])
				status = say(EXIT_REFUSED, "precompile for %s: %s: %s", targets[t].name,
					     error.file, error.reason);
			else
				status = say(EXIT_TROUBLE, "precompile for %s: %s", targets[t].name, strerror(-r));
		} else if (r < 0) {
			status = output.status;
		} else {
			printf("precompiled %zu part%s for %s\n", output.count - before,
			       output.count - before == 1 ? "" : "s", targets[t].name);
		}
	}
	*count += output.count;
	free(sources);
	return status;
}

static int compare_files(const void *a, const void *b)
{
	return strcmp(((const struct vigil_payload_file *)a)->name, ((const struct vigil_payload_file *)b)->name);
}

static int build_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "version", required_argument, NULL, 'v' },
		{ "expires", required_argument, NULL, 'e' },
		{ "issued", required_argument, NULL, 'i' },
		{ "previous", required_argument, NULL, 'p' },
		{ "first", no_argument, NULL, 'f' },
		{ "root", required_argument, NULL, 'r' },
		{ "channel", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "precompile", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct vigil_precompile_target targets[PRECOMPILE_TARGETS_MAX];
	size_t target_count = 0, capacity = 0;
	struct vigil_bundle_manifest manifest = { .format = VIGIL_FORMAT_VERSION, .root_version = 0 };
	const char *out = NULL, *previous = NULL, *root_path = NULL, *channel = "stable";
	bool have_version = false, have_expires = false, have_issued = false;
	char reason[VIGIL_REASON_SIZE];
	struct mapped_file *sources = NULL;
	uint8_t *manifest_buf = NULL, *payload = NULL, *file = NULL;
	size_t manifest_len, file_len, payload_len = 0, count;
	int option, r, status = EXIT_OK;

	optind = 0;
	while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (option) {
		case 'v':
			if (!parse_u64_option(optarg, &manifest.version))
				return say(EXIT_TROUBLE, "bad --version `%s'", optarg);
			have_version = true;
			break;
		case 'e':
			if (!parse_time_option(optarg, &manifest.expires))
				return say(EXIT_TROUBLE, "bad --expires `%s' (want YYYY-MM-DDTHH:MM:SSZ)", optarg);
			have_expires = true;
			break;
		case 'i':
			if (!parse_time_option(optarg, &manifest.issued))
				return say(EXIT_TROUBLE, "bad --issued `%s' (want YYYY-MM-DDTHH:MM:SSZ)", optarg);
			have_issued = true;
			break;
		case 'p': previous = optarg; break;
		case 'f': manifest.first = true; break;
		case 'r': root_path = optarg; break;
		case 'c': channel = optarg; break;
		case 'o': out = optarg; break;
		case 'P':
			if (target_count == PRECOMPILE_TARGETS_MAX)
				return say(EXIT_TROUBLE, "more than %d --precompile targets", PRECOMPILE_TARGETS_MAX);
			if (vigil_precompile_target_parse(optarg, &targets[target_count]) < 0)
				return say(EXIT_TROUBLE, "unknown --precompile target `%s' (generic, avx2, avx512, avx512vbmi, native)",
					   optarg);
			for (size_t t = 0; t < target_count; t++)
				if (!strcmp(targets[t].name, targets[target_count].name))
					return say(EXIT_TROUBLE, "--precompile %s given twice", optarg);
			target_count++;
			break;
		case 'h': printf("Usage: %s bases build %s\n", program_name, BUILD_USAGE); return EXIT_OK;
		default: return usage_error("build", BUILD_USAGE);
		}
	}
	if (!out || !have_version || !have_expires || optind == argc || (!previous == !manifest.first))
		return usage_error("build", BUILD_USAGE);
	if (!vigil_channel_valid(channel, strlen(channel)))
		return say(EXIT_TROUBLE, "bad channel `%s' ([a-z0-9-], at most %d bytes)", channel, VIGIL_CHANNEL_MAX);
	strcpy(manifest.channel, channel);
	if (!have_issued)
		manifest.issued = time(NULL);
	count = (size_t)(argc - optind);
	if (count > VIGIL_PAYLOAD_FILES_MAX)
		return say(EXIT_REFUSED, "more than %d payload files", VIGIL_PAYLOAD_FILES_MAX);
	if (root_path) {
		struct vigil_root *root;
		uint8_t *buf;
		size_t len;

		r = vigil_file_read(root_path, ROOT_FILE_MAX_SIZE, &buf, &len);
		if (r < 0)
			return say(EXIT_TROUBLE, "%s: %s", root_path, strerror(-r));
		r = vigil_root_parse(buf, len, &root, reason, sizeof(reason));
		free(buf);
		if (r < 0)
			return say(EXIT_REFUSED, "%s: %s", root_path, reason);
		manifest.root_version = root->version;
		vigil_root_free(root);
	}
	if (previous) {
		struct vigil_bundle_manifest *old;
		struct mapped_file old_file;

		r = map_file(previous, VIGIL_BUNDLE_FILE_MAX_SIZE, &old_file);
		if (r < 0)
			return say(EXIT_TROUBLE, "%s: %s", previous, strerror(-r));
		r = vigil_bundle_read_manifest(old_file.data, old_file.len, &old, manifest.previous, reason, sizeof(reason));
		unmap_file(&old_file);
		if (r < 0)
			return say(EXIT_REFUSED, "%s: %s", previous, reason);
		if (manifest.version <= old->version) {
			vigil_bundle_manifest_free(old);
			return say(EXIT_REFUSED, "version %llu is not above the previous bundle's %llu",
				   (unsigned long long)manifest.version, (unsigned long long)old->version);
		}
		if (!manifest.root_version)
			manifest.root_version = old->root_version;
		vigil_bundle_manifest_free(old);
	}
	if (!manifest.root_version)
		manifest.root_version = 1;

	/* Room for one precompiled payload per input and target at most. */
	capacity = count * (target_count + 1);
	manifest.files = calloc(capacity, sizeof(*manifest.files));
	sources = calloc(capacity, sizeof(*sources));
	if (!manifest.files || !sources) {
		status = say(EXIT_TROUBLE, "out of memory");
		goto out_free;
	}
	for (size_t i = 0; i < count; i++) {
		const char *path = argv[optind + i], *name = strrchr(path, '/');

		name = name ? name + 1 : path;
		if (!vigil_name_valid(name, strlen(name), VIGIL_PAYLOAD_NAME_MAX)) {
			status = say(EXIT_REFUSED, "payload name `%s' is not a plain file name", name);
			goto out_free;
		}
		r = map_file(path, VIGIL_PAYLOAD_FILE_MAX_SIZE, &sources[i]);
		if (r < 0) {
			status = say(EXIT_TROUBLE, "%s: %s", path, strerror(-r));
			goto out_free;
		}
		manifest.file_count++;
		strcpy(manifest.files[i].name, name);
		manifest.files[i].size = sources[i].len;
		vigil_sha256(sources[i].data, sources[i].len, manifest.files[i].sha256);
	}
	if (target_count) {
		status = precompile(targets, target_count, manifest.files, sources, &count, capacity);
		if (status != EXIT_OK)
			goto out_free;
		if (count > VIGIL_PAYLOAD_FILES_MAX) {
			status = say(EXIT_REFUSED, "more than %d payload files", VIGIL_PAYLOAD_FILES_MAX);
			goto out_free;
		}
		manifest.file_count = count;
	}
	{
		/* Sort names with their sources: sort an index, then lay out. */
		struct vigil_payload_file *sorted = calloc(count, sizeof(*sorted));
		size_t *order = calloc(count, sizeof(*order));

		if (!sorted || !order) {
			free(sorted);
			free(order);
			status = say(EXIT_TROUBLE, "out of memory");
			goto out_free;
		}
		memcpy(sorted, manifest.files, count * sizeof(*sorted));
		qsort(sorted, count, sizeof(*sorted), compare_files);
		for (size_t i = 0; i < count; i++) {
			for (size_t j = 0; j < count; j++) {
				if (!strcmp(sorted[i].name, manifest.files[j].name))
					order[i] = j;
			}
			if (i && !strcmp(sorted[i - 1].name, sorted[i].name)) {
				status = say(EXIT_REFUSED, "payload name `%s' given twice", sorted[i].name);
				free(sorted);
				free(order);
				goto out_free;
			}
			payload_len += sorted[i].size;
		}
		payload = malloc(payload_len ? payload_len : 1);
		if (!payload) {
			free(sorted);
			free(order);
			status = say(EXIT_TROUBLE, "out of memory");
			goto out_free;
		}
		payload_len = 0;
		for (size_t i = 0; i < count; i++) {
			memcpy(payload + payload_len, sources[order[i]].data, sources[order[i]].len);
			payload_len += sources[order[i]].len;
		}
		memcpy(manifest.files, sorted, count * sizeof(*sorted));
		free(sorted);
		free(order);
	}
	r = vigil_bundle_manifest_encode(&manifest, &manifest_buf, &manifest_len, reason, sizeof(reason));
	if (r < 0) {
		status = say(r == -ENOMEM ? EXIT_TROUBLE : EXIT_REFUSED, "%s", reason);
		goto out_free;
	}
	r = vigil_container_encode(VIGIL_CONTAINER_BUNDLE, manifest_buf, manifest_len, NULL, 0, payload, payload_len,
				   &file, &file_len);
	if (r == 0)
		r = vigil_file_write_atomic(out, file, file_len, 0644);
	if (r < 0) {
		status = say(EXIT_TROUBLE, "%s: %s", out, strerror(-r));
		goto out_free;
	}
	printf("%s: version %llu, %zu files, unsigned (run `%s bases sign')\n", out,
	       (unsigned long long)manifest.version, count, program_name);
out_free:
	if (sources) {
		for (size_t i = 0; i < capacity; i++) {
			if (sources[i].data)
				unmap_file(&sources[i]);
		}
	}
	free(sources);
	free(file);
	free(payload);
	free(manifest_buf);
	free(manifest.files);
	return status;
}

static const struct {
	const char *name;
	int (*function)(int argc, char *argv[]);
	const char *description;
} commands[] = {
	{ "keygen", keygen_main, "Creates a signing key pair (secret 0600, and KEY.pub)" },
	{ "root", root_main, "Writes an unsigned trust root (release keys, thresholds, expiry)" },
	{ "build", build_main, "Writes an unsigned bundle of signature files" },
	{ "sign", sign_main, "Adds one signature to a bundle or a root, atomically" },
	{ "verify", bases_verify_main, "Verifies a bundle against a root (chain), as vigil update would" },
	{ "log", bases_log_main, "Audits bundles as a release history: order, links, forks, signers" },
};

static void show_usage(FILE *file)
{
	fprintf(file, "Usage: %s bases <command> [<args>]\n\n", program_name);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(file, "  %-8s%s\n", commands[i].name, commands[i].description);
	fprintf(file, "\nExit status: 0 success, 1 refused (one line `%s: REASON'), 2 usage or I/O error.\n",
		program_name);
}

int bases_main(int argc, char *argv[])
{
	if (argc < 2) {
		show_usage(stderr);
		return EXIT_TROUBLE;
	}
	if (wants_help(argc, argv) || !strcmp(argv[1], "help")) {
		show_usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].function(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: bases: unknown command `%s'\n", program_name, argv[1]);
	show_usage(stderr);
	return EXIT_TROUBLE;
}
