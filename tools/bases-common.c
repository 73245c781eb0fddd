// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: helpers shared by tools/bases*.c and tools/update.c (see
 * bases-common.h). Owns the mappings it creates until unmap_file(); prints
 * only the single `vigil: ...' line its callers ask for.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bases-common.h"
#include "fileio.h"
#include "subcommands.h"

int say(int status, const char *format, ...)
{
	va_list args;

	fprintf(stderr, "%s: ", program_name);
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
	fputc('\n', stderr);
	return status;
}

int map_file(const char *path, size_t max_size, struct mapped_file *ret_file)
{
	struct mapped_file file = { 0 };
	struct stat st;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out_close;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		if ((uint64_t)st.st_size > max_size) {
			r = -EFBIG;
			goto out_close;
		}
		file.data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (file.data == MAP_FAILED) {
			r = -errno;
			goto out_close;
		}
		file.len = (size_t)st.st_size;
		file.mapped = true;
		r = 0;
	} else {
		r = vigil_fd_read_all(fd, max_size, &file.data, &file.len);
	}
	if (r == 0)
		*ret_file = file;
out_close:
	close(fd);
	return r;
}

void unmap_file(struct mapped_file *file)
{
	if (file->mapped)
		munmap(file->data, file->len);
	else
		free(file->data);
	file->data = NULL;
	file->len = 0;
}

bool parse_time_option(const char *text, int64_t *ret_seconds)
{
	return vigil_time_parse(text, strlen(text), ret_seconds);
}

bool parse_u64_option(const char *text, uint64_t *ret_value)
{
	return vigil_decimal_parse(text, strlen(text), ret_value);
}

int read_public_key(const char *path, struct vigil_root_key *ret_key)
{
	uint8_t *buf;
	size_t len, header_len = strlen(PUBLIC_KEY_HEADER), name_len;
	const char *text, *hex, *name;
	int r;

	r = vigil_file_read(path, 4096, &buf, &len);
	if (r < 0)
		return say(EXIT_TROUBLE, "%s: %s", path, strerror(-r));
	text = (const char *)buf;
	/* HEADER SP 64-hex SP NAME LF */
	if (len < header_len + 1 + 64 + 2 + 1 || memcmp(text, PUBLIC_KEY_HEADER " ", header_len + 1) ||
	    text[len - 1] != '\n' || text[header_len + 1 + 64] != ' ')
		goto bad_key;
	hex = text + header_len + 1;
	name = hex + 65;
	name_len = len - 1 - (size_t)(name - text);
	if (!vigil_hex_parse(hex, 64, ret_key->public_key, VIGIL_PUBLIC_KEY_SIZE) ||
	    !vigil_name_valid(name, name_len, VIGIL_KEY_NAME_MAX))
		goto bad_key;
	memcpy(ret_key->name, name, name_len);
	ret_key->name[name_len] = '\0';
	free(buf);
	return EXIT_OK;

bad_key:
	free(buf);
	return say(EXIT_TROUBLE, "%s: not a vigil public key file", path);
}

int load_root_chain(char *const *roots, size_t count, struct vigil_root_chain **ret_chain)
{
	struct vigil_root_chain *chain = NULL;
	char reason[VIGIL_REASON_SIZE];
	uint8_t *buf;
	size_t len;
	int r;

	for (size_t i = 0; i < count; i++) {
		r = vigil_file_read(roots[i], ROOT_FILE_MAX_SIZE, &buf, &len);
		if (r < 0) {
			vigil_root_chain_free(chain);
			return say(EXIT_TROUBLE, "%s: %s", roots[i], r == -EFBIG ? "too large for a root" : strerror(-r));
		}
		if (!chain)
			r = vigil_root_chain_new(buf, len, &chain, reason, sizeof(reason));
		else
			r = vigil_root_chain_advance(chain, buf, len, reason, sizeof(reason));
		free(buf);
		if (r == -EALREADY)
			continue;
		if (r == -ENOMEM) {
			vigil_root_chain_free(chain);
			return say(EXIT_TROUBLE, "out of memory");
		}
		if (r < 0) {
			vigil_root_chain_free(chain);
			return say(EXIT_REFUSED, "%s", reason);
		}
	}
	*ret_chain = chain;
	return EXIT_OK;
}
