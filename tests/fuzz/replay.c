// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: a plain main() for every fuzz target (ClamAV's standalone
 * runner idea), so `make check` replays the seed corpora under ASan without
 * libFuzzer. Arguments are files or folders; each file is read whole and
 * handed to LLVMFuzzerTestOneInput() once.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *file = fopen(path, "rb");
	uint8_t *data;
	long size;

	if (!file) {
		perror(path);
		return -1;
	}
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	fseek(file, 0, SEEK_SET);
	data = malloc(size > 0 ? size : 1);
	if (!data || fread(data, 1, size, file) != (size_t)size) {
		fprintf(stderr, "%s: read failed\n", path);
		fclose(file);
		free(data);
		return -1;
	}
	fclose(file);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

static int replay_path(const char *path, unsigned *count)
{
	struct stat st;
	struct dirent **entries;
	int n, ret = 0;

	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		++*count;
		return replay_file(path);
	}
	n = scandir(path, &entries, NULL, alphasort);
	if (n < 0) {
		perror(path);
		return -1;
	}
	for (int i = 0; i < n; ++i) {
		char child[4096];

		if (entries[i]->d_name[0] != '.') {
			snprintf(child, sizeof(child), "%s/%s", path, entries[i]->d_name);
			if (replay_path(child, count) < 0)
				ret = -1;
		}
		free(entries[i]);
	}
	free(entries);
	return ret;
}

int main(int argc, char *argv[])
{
	unsigned count = 0;
	int ret = 0;

	for (int i = 1; i < argc; ++i)
		if (replay_path(argv[i], &count) < 0)
			ret = 1;
	printf("replayed %u inputs\n", count);
	if (!count) {
		fprintf(stderr, "no corpus files found\n");
		return 1;
	}
	return ret;
}
