// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: vigild's entry point. main() owns the command line, the
 * struct vigild context, the start order and the signal loop; it must not
 * own any part's state (each part has its own file and _new/_free).
 *
 *   config -> state-folder lock -> recorder (log open) -> clean cache ->
 *   bases (loaded before anything is protected) -> scan workers + watchdog
 *   -> backend (marks: from then on opens wait on us) -> control socket
 *   (so a status that answers means the paths are protected) -> sd_notify
 *   READY=1 -> signals: SIGHUP reload, SIGUSR1 reopen
 *   logs, SIGTERM/SIGINT stop; mount table changes re-mark.
 *
 * Stopping closes the kernel side first (the kernel allows what is
 * pending), then the parts in reverse order.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "quarantine.h"
#include "record.h"
#include "version.h"
#include "vigild.h"

static void usage(FILE *stream)
{
	fprintf(stream,
		"Usage: vigild [--config FILE] [--check-config]\n"
		"On-access malware scanning daemon (see vigild(8), vigild.conf(5)).\n"
		"  -c, --config FILE   read FILE instead of %s\n"
		"      --check-config  check the configuration and exit\n"
		"  -h, --help          show this help\n"
		"  -V, --version       show the version\n", VIGILD_DEFAULT_CONFIG);
}

static int mkdir_parents(const char *path, mode_t mode)
{
	char buffer[4096];

	snprintf(buffer, sizeof(buffer), "%s", path);
	for (char *p = buffer + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buffer, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buffer, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* One vigild per state folder: an flock held for the process's life. */
static int lock_state_dir(struct vigild *vigild, char *error, size_t error_size)
{
	const char *state_dir = vigild->config.state_dir ? vigild->config.state_dir :
		VIGILD_DEFAULT_STATE_DIR;
	char path[4096], pid[32];
	int fd, r;

	r = mkdir_parents(state_dir, 0755);
	if (r < 0) {
		snprintf(error, error_size, "state_dir %s: %s", state_dir, strerror(-r));
		return r;
	}
	snprintf(path, sizeof(path), "%s/vigild.lock", state_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		r = -errno;
		snprintf(error, error_size, "%s: %s", path, strerror(-r));
		return r;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r = -errno;
		ssize_t length = pread(fd, pid, sizeof(pid) - 1, 0);

		pid[length > 0 ? length : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(error, error_size, "another vigild (pid %s) uses the state folder %s",
			 pid[0] ? pid : "?", state_dir);
		close(fd);
		return r == -EWOULDBLOCK ? -EBUSY : r;
	}
	snprintf(pid, sizeof(pid), "%d\n", (int)vigild->pid);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0)
		fprintf(stderr, "vigild: warning: cannot write %s: %s\n", path, strerror(errno));
	vigild->lock_fd = fd;
	return 0;
}

void vigild_status(struct vigild *vigild, struct json_object *object)
{
	const struct vigild_config *config = &vigild->config;
	struct json_object *coverage = json_object_new_array();
	struct json_object *settings = json_object_new_object();

	json_object_object_add(object, "version", json_object_new_string(VIGIL_VERSION));
	json_object_object_add(object, "pid", json_object_new_int(vigild->pid));
	json_object_object_add(object, "host", json_object_new_string(vigild->host_name));
	json_object_object_add(object, "uptime_seconds", json_object_new_int64(
		(int64_t)((monotonic_ns() - vigild->started_ns) / 1000000000ULL)));
	json_object_object_add(object, "backend",
			       json_object_new_string(vigild->backend ? vigild->backend->ops->name :
						      "starting"));
	bases_status(vigild->bases, object);
	dispatch_status(vigild, object);
	recorder_status(vigild->recorder, object);
	if (vigild->backend)
		vigild->backend->ops->coverage(vigild->backend, coverage);
	json_object_object_add(object, "coverage", coverage);
	if (vigild->backend && vigild->backend->ops->statistics)
		vigild->backend->ops->statistics(vigild->backend, object);
	json_object_object_add(settings, "action", json_object_new_string(
		config->action == CONFIG_ACTION_DENY ? "deny" : "audit"));
	json_object_object_add(settings, "timeout_ms", json_object_new_int((int)config->timeout_ms));
	json_object_object_add(settings, "on_timeout",
			       json_object_new_string(config_verdict_name(config->on_timeout)));
	json_object_object_add(settings, "on_error",
			       json_object_new_string(config_verdict_name(config->on_error)));
	json_object_object_add(object, "settings", settings);
	json_object_object_add(object, "hardening", json_object_new_string(vigild->hardening));
}

/* RELOADING=1 and READY=1 come from the reload thread (daemon/bases.c). */
static void request_reload(struct vigild *vigild)
{
	bases_request_reload(vigild->bases);
}

static int run(struct vigild *vigild, int signal_fd)
{
	uint64_t watchdog_usec = 0;
	int mounts_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	int timeout_ms = -1;
	bool unhealthy_reported = false;

	if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec)
		timeout_ms = (int)(watchdog_usec / 2000);
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = signal_fd, .events = POLLIN },
			{ .fd = mounts_fd, .events = POLLPRI },
		};
		struct signalfd_siginfo info;
		int r = poll(fds, mounts_fd >= 0 ? 2 : 1, timeout_ms);

		if (r < 0 && errno != EINTR)
			break;
		if (watchdog_usec) {
			char why[160];

			/* No ping while scanning is wedged: systemd restarts us. */
			if (dispatch_healthy(vigild->dispatch, why, sizeof(why))) {
				sd_notify(0, "WATCHDOG=1");
				unhealthy_reported = false;
			} else if (!unhealthy_reported) {
				fprintf(stderr, "vigild: unhealthy, watchdog pings withheld: %s\n", why);
				sd_notifyf(0, "STATUS=unhealthy: %s", why);
				unhealthy_reported = true;
			}
		}
		if (mounts_fd >= 0 && (fds[1].revents & (POLLPRI | POLLERR)))
			vigild->backend->ops->refresh_marks(vigild->backend);
		if (!(fds[0].revents & POLLIN))
			continue;
		if (read(signal_fd, &info, sizeof(info)) != sizeof(info))
			continue;
		switch (info.ssi_signo) {
		case SIGHUP:
			request_reload(vigild);
			break;
		case SIGUSR1:
			recorder_reopen(vigild->recorder);
			break;
		case SIGTERM:
		case SIGINT:
			if (mounts_fd >= 0)
				close(mounts_fd);
			return 0;
		}
	}
	if (mounts_fd >= 0)
		close(mounts_fd);
	return -errno;
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *config_file = VIGILD_DEFAULT_CONFIG;
	struct vigild *vigild;
	bool check_only = false;
	char error[8192] = "";
	sigset_t signals;
	int option, r, signal_fd, status = 1;

	while ((option = getopt_long(argc, argv, "c:hV", options, NULL)) != -1) {
		switch (option) {
		case 'c':
			config_file = optarg;
			break;
		case 'k':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vigild %s\n", VIGIL_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	vigild = calloc(1, sizeof(*vigild));
	if (!vigild)
		return 1;
	vigild->lock_fd = -1;
	config_init(&vigild->config);
	r = config_load_file(&vigild->config, config_file, error, sizeof(error));
	if (r == 0)
		r = config_validate(&vigild->config, error, sizeof(error));
	if (r == 0)
		r = config_check_system(&vigild->config, error, sizeof(error));
	if (r < 0) {
		fprintf(stderr, "vigild: %s\n", error);
		if (!check_only)
			sd_notifyf(0, "STATUS=%s", error);
		goto out_free_config;
	}
	if (check_only) {
		printf("%s: ok\n", config_file);
		status = 0;
		goto out_free_config;
	}
	/* auto: the module when it is loaded, else fanotify */
	if (vigild->config.backend == CONFIG_BACKEND_AUTO)
		vigild->config.backend = kmod_backend_available() ? CONFIG_BACKEND_KMOD :
			CONFIG_BACKEND_FANOTIFY;
	if (vigild->config.backend == CONFIG_BACKEND_KMOD && !kmod_backend_available()) {
		fprintf(stderr, "vigild: backend = kmod: /dev/vigil does not exist (load vigil.ko, "
			"or set backend = auto or fanotify)\n");
		goto out_free_config;
	}
	/* backend = kmod with scan_on = close_write written out is refused by
	 * config_validate(); auto may still land here. */
	if (vigild->config.backend == CONFIG_BACKEND_KMOD && vigild->config.scan_on_line &&
	    (vigild->config.scan_on & CONFIG_SCAN_CLOSE_WRITE))
		fprintf(stderr, "vigild: warning: %s:%u: scan_on = close_write is not honoured: "
			"backend = auto chose vigil.ko, which sends no close-after-write events "
			"(files are scanned when opened or executed)\n",
			vigild->config.file ? vigild->config.file : "vigild.conf",
			vigild->config.scan_on_line);
	if (vigild->config.backend == CONFIG_BACKEND_FANOTIFY &&
	    (vigild->config.deny_errno != EPERM || vigild->config.overflow_verdict != CONFIG_ALLOW))
		fprintf(stderr, "vigild: warning: backend = auto found no /dev/vigil: fanotify "
			"answers EPERM and allows on queue overflow (deny_errno and "
			"overflow_verdict need vigil.ko)\n");
	vigild->pid = getpid();
	vigild->started_ns = monotonic_ns();
	vigild->started_at = time(NULL);
	if (gethostname(vigild->host_name, sizeof(vigild->host_name) - 1) < 0)
		snprintf(vigild->host_name, sizeof(vigild->host_name), "localhost");

	/* Every thread inherits this mask; signals arrive on signal_fd only. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGHUP);
	sigaddset(&signals, SIGUSR1);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal_fd = signalfd(-1, &signals, SFD_CLOEXEC);
	if (signal_fd < 0) {
		fprintf(stderr, "vigild: signalfd: %s\n", strerror(errno));
		goto out_free_config;
	}

	{
		struct rlimit limit;

		/* Room for events: the soft fd limit up to the hard one. */
		if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
			limit.rlim_cur = limit.rlim_max;
			setrlimit(RLIMIT_NOFILE, &limit);
		}
	}
	r = privileges_drop_capabilities(error, sizeof(error));
	if (r < 0)
		goto err_report;
	r = lock_state_dir(vigild, error, sizeof(error));
	if (r < 0)
		goto err_report;
	snprintf(vigild->quarantine_dir, sizeof(vigild->quarantine_dir), "%s",
		 vigild->config.quarantine_dir ? vigild->config.quarantine_dir : "");
	if (!vigild->quarantine_dir[0])
		snprintf(vigild->quarantine_dir, sizeof(vigild->quarantine_dir), "%s/quarantine",
			 vigild->config.state_dir ? vigild->config.state_dir : VIGILD_DEFAULT_STATE_DIR);
	if (vigild->config.quarantine == CONFIG_QUARANTINE_MOVE) {
		r = quarantine_prepare(vigild->quarantine_dir, error, sizeof(error));
		if (r < 0)
			goto err_report;
	}
	r = recorder_new(&vigild->config, vigild->host_name, &vigild->recorder, error,
			 sizeof(error));
	if (r < 0)
		goto err_report;
	r = cache_new(&vigild->cache);
	if (r < 0) {
		snprintf(error, sizeof(error), "clean cache: %s", strerror(-r));
		goto err_report;
	}
	sd_notify(0, "STATUS=loading bases");
	r = bases_new(vigild, &vigild->bases, error, sizeof(error));
	if (r < 0)
		goto err_report;
	r = dispatch_new(vigild, &vigild->dispatch);
	if (r < 0) {
		snprintf(error, sizeof(error), "scan workers: %s", strerror(-r));
		goto err_report;
	}
	if (vigild->config.backend == CONFIG_BACKEND_KMOD)
		r = kmod_backend_new(vigild, &vigild->backend, error, sizeof(error));
	else
		r = fanotify_backend_new(vigild, &vigild->backend, error, sizeof(error));
	if (r < 0)
		goto err_report;
	/* The socket answers only once the marks are in place: a `vigil
	 * status` that answers means the paths are protected. */
	r = control_new(vigild, &vigild->control, error, sizeof(error));
	if (r < 0)
		goto err_report;
	{
		struct bases_snapshot *snapshot;
		char summary[200];

		r = privileges_restrict_syscalls(summary, sizeof(summary));
		snprintf(vigild->hardening, sizeof(vigild->hardening), "capabilities dropped; %s",
			 summary);
		if (r < 0)
			fprintf(stderr, "vigild: warning: %s\n", vigild->hardening);
		snapshot = bases_acquire(vigild->bases);

		fprintf(stderr, "vigild: ready: %zu path(s) protected, bases %s (%zu signatures)\n",
			vigild->config.paths.count, snapshot->version, snapshot->signatures);
		sd_notifyf(0, "READY=1\nSTATUS=running with bases %s\nMAINPID=%d",
			   snapshot->version, (int)vigild->pid);
		bases_release(snapshot);
	}

	r = run(vigild, signal_fd);
	status = r < 0 ? 1 : 0;
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	goto out_stop;

err_report:
	fprintf(stderr, "vigild: %s\n", error);
	sd_notifyf(0, "STATUS=%s", error);
	status = 1;
out_stop:
	if (vigild->backend)
		vigild->backend->ops->stop(vigild->backend);
	control_free(vigild->control);
	if (vigild->dispatch)
		dispatch_free(vigild->dispatch);
	if (vigild->backend)
		vigild->backend->ops->free(vigild->backend);
	bases_free(vigild->bases);
	if (vigild->recorder)
		recorder_drain(vigild->recorder);
	recorder_free(vigild->recorder);
	cache_free(vigild->cache);
	close(signal_fd);
	if (vigild->lock_fd >= 0)
		close(vigild->lock_fd);
out_free_config:
	config_uninit(&vigild->config);
	free(vigild);
	return status;
}
