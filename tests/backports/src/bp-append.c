// SPDX-License-Identifier: GPL-2.0
/*
 * bp-append: two writers append fixed-size records to one file with O_APPEND, each through
 * its own path (e.g. the same file on two CephFS mounts with separate client sessions), then
 * every record is looked for.
 *   bp-append PATH_A PATH_B RECORDS RECLEN
 * Writer w (0 through PATH_A, 1 through PATH_B) writes RECORDS records "w<w> <seq>", padded
 * to RECLEN bytes and ended by '\n', one write(2) each; both start together.  Then PATH_A is
 * read back and each record checked.
 * Prints "size S expected E found0 N found1 N lost L damaged D".
 * Exit: 0 nothing lost or damaged, 1 records lost or damaged, 2 usage or I/O error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_RECORDS 100000

static int writer(const char *path, int w, long n, int reclen, int go_fd)
{
	char *rec = malloc(reclen);
	char c;
	long i;
	int fd;

	if (!rec)
		return 2;
	fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0) {
		fprintf(stderr, "bp-append: writer %d: open %s: %s\n", w, path, strerror(errno));
		return 2;
	}
	if (read(go_fd, &c, 1) != 0) /* wait until the parent closes the pipe */
		return 2;
	for (i = 0; i < n; i++) {
		int len = snprintf(rec, reclen, "w%d %08ld ", w, i);

		memset(rec + len, 'x', reclen - len - 1);
		rec[reclen - 1] = '\n';
		if (write(fd, rec, reclen) != reclen) {
			fprintf(stderr, "bp-append: writer %d: write %ld: %s\n", w, i,
				strerror(errno));
			return 2;
		}
	}
	if (fsync(fd) < 0 || close(fd) < 0)
		return 2;
	free(rec);
	return 0;
}

int main(int argc, char **argv)
{
	long n, found[2] = { 0, 0 }, damaged = 0, off;
	static unsigned char seen[2][MAX_RECORDS];
	int reclen, go[2], w, status, bad = 0;
	pid_t pid[2];
	struct stat st;
	char *buf;
	FILE *f;

	if (argc != 5)
		goto usage;
	n = strtol(argv[3], NULL, 10);
	reclen = atoi(argv[4]);
	if (n < 1 || n > MAX_RECORDS || reclen < 16 || reclen > 4096)
		goto usage;
	if (pipe(go) < 0)
		return 2;
	for (w = 0; w < 2; w++) {
		pid[w] = fork();
		if (pid[w] < 0)
			return 2;
		if (pid[w] == 0) {
			close(go[1]);
			_exit(writer(argv[1 + w], w, n, reclen, go[0]));
		}
	}
	close(go[0]);
	close(go[1]);
	for (w = 0; w < 2; w++) {
		if (waitpid(pid[w], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	}
	if (bad) {
		fprintf(stderr, "bp-append: a writer failed\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f || fstat(fileno(f), &st) < 0)
		return 2;
	buf = malloc(reclen + 1);
	if (!buf)
		return 2;
	for (off = 0; off + reclen <= st.st_size; off += reclen) {
		long seq;
		int wr;

		if (fread(buf, 1, reclen, f) != (size_t)reclen)
			return 2;
		buf[reclen] = 0;
		if (sscanf(buf, "w%d %ld ", &wr, &seq) != 2 || wr < 0 || wr > 1 || seq < 0 ||
		    seq >= n || buf[reclen - 1] != '\n' || seen[wr][seq]) {
			damaged++;
			continue;
		}
		seen[wr][seq] = 1;
		found[wr]++;
	}
	fclose(f);
	printf("size %lld expected %lld found0 %ld found1 %ld lost %ld damaged %ld\n",
	       (long long)st.st_size, (long long)2 * n * reclen, found[0], found[1],
	       2 * n - found[0] - found[1], damaged);
	return (found[0] == n && found[1] == n && !damaged &&
		st.st_size == (off_t)2 * n * reclen) ? 0 : 1;
usage:
	fprintf(stderr, "usage: bp-append PATH_A PATH_B RECORDS RECLEN\n");
	return 2;
}
