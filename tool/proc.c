// SPDX-License-Identifier: GPL-2.0
/* fork/exec with optional output capture. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CAPTURE_MAX (1u << 20)

/* In the child: stdin from /dev/null and output into the pipe when capturing, then exec. */
static void child_exec(char *const argv[], int capture, int wfd)
{
	if (capture) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(wfd, 1);
		dup2(wfd, 2);
	}
	execv(argv[0], argv);
	ck_error(NULL, "cannot run %s: %s", argv[0], strerror(errno));
	_exit(127);
}

/* Reads fd to its end into out (NUL-terminated), keeping at most CAPTURE_MAX bytes. */
static void capture(int fd, struct ck_buf *out)
{
	size_t cap = 4096;
	unsigned char *buf = malloc(cap);

	for (;;) {
		ssize_t n;

		if (buf && out->len + 1 >= cap && cap < CAPTURE_MAX) {
			unsigned char *nb = realloc(buf, cap * 2);

			if (nb) {
				buf = nb;
				cap *= 2;
			}
		}
		if (!buf || out->len + 1 >= cap) {
			char sink[4096];

			n = read(fd, sink, sizeof(sink));
		} else {
			n = read(fd, buf + out->len, cap - out->len - 1);
			if (n > 0)
				out->len += (size_t)n;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
	}
	if (buf)
		buf[out->len] = '\0';
	out->data = buf;
}

/* The child's exit status, 128 + signal when killed, -1 when waiting failed. */
static int wait_child(pid_t pid, char *const argv[], struct ck_err *e)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ck_seterr(e, "waitpid: %s", strerror(errno));
			return -1;
		}
	}
	if (WIFEXITED(status)) {
		if (WEXITSTATUS(status) == 127)
			ck_seterr(e, "cannot run %s", argv[0]);
		return WEXITSTATUS(status);
	}
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int ck_run(char *const argv[], struct ck_buf *out, struct ck_err *e)
{
	int pfd[2] = { -1, -1 };
	pid_t pid;

	if (out) {
		out->data = NULL;
		out->len = 0;
		if (pipe2(pfd, O_CLOEXEC) < 0) {
			ck_seterr(e, "pipe: %s", strerror(errno));
			return -1;
		}
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		ck_seterr(e, "fork: %s", strerror(errno));
		if (out) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return -1;
	}
	if (pid == 0)
		child_exec(argv, out != NULL, pfd[1]);
	if (out) {
		close(pfd[1]);
		capture(pfd[0], out);
		close(pfd[0]);
	}
	return wait_child(pid, argv, e);
}

const char *ck_mokutil_path(char *buf, size_t buflen)
{
	const char *env = getenv("CEPH_KMOD_MOKUTIL");
	const char *path = getenv("PATH");
	const char *p;

	if (env && *env)
		return ck_pathf(buf, buflen, "%s", env) == 0 ? buf : NULL;
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (p = path; *p;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);

		if (n > 0 && ck_pathf(buf, buflen, "%.*s/mokutil", (int)n, p) == 0 &&
		    access(buf, X_OK) == 0)
			return buf;
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}
