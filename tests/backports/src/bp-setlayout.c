// SPDX-License-Identifier: GPL-2.0
/*
 * bp-setlayout: drive CEPH_IOC_GET_LAYOUT / CEPH_IOC_SET_LAYOUT on a CephFS file.
 *   bp-setlayout get FILE                 print "object_size N stripe_unit N stripe_count N"
 *   bp-setlayout set FILE UID OBJSIZE     as UID (setresuid, no other privilege), open FILE
 *                                         read-write and ask for a layout of OBJSIZE-byte
 *                                         objects and stripe units; print "accepted" or
 *                                         "refused errno N (text)"
 * Exit: 0 accepted / got, 3 refused with EPERM or EACCES, 1 any other failure, 2 usage.
 * The ioctl numbers and struct are the CephFS kernel client's ABI (fs/ceph/ioctl.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct bp_ceph_layout {
	uint64_t stripe_unit;
	uint64_t stripe_count;
	uint64_t object_size;
	uint64_t data_pool;
	int64_t preferred_osd;
};

#define BP_CEPH_IOCTL_MAGIC 0x97
#define BP_CEPH_IOC_GET_LAYOUT _IOR(BP_CEPH_IOCTL_MAGIC, 1, struct bp_ceph_layout)
#define BP_CEPH_IOC_SET_LAYOUT _IOW(BP_CEPH_IOCTL_MAGIC, 2, struct bp_ceph_layout)

static int do_get(const char *path)
{
	struct bp_ceph_layout l;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		fprintf(stderr, "bp-setlayout: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	memset(&l, 0, sizeof(l));
	if (ioctl(fd, BP_CEPH_IOC_GET_LAYOUT, &l) < 0) {
		fprintf(stderr, "bp-setlayout: GET_LAYOUT %s: %s\n", path, strerror(errno));
		close(fd);
		return 1;
	}
	printf("object_size %llu stripe_unit %llu stripe_count %llu\n",
	       (unsigned long long)l.object_size, (unsigned long long)l.stripe_unit,
	       (unsigned long long)l.stripe_count);
	close(fd);
	return 0;
}

static int do_set(const char *path, uid_t uid, uint64_t objsize)
{
	struct bp_ceph_layout l;
	int fd, err;

	if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0) {
		fprintf(stderr, "bp-setlayout: become uid %u: %s\n", (unsigned)uid, strerror(errno));
		return 1;
	}
	fd = open(path, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "bp-setlayout: open %s as uid %u: %s\n", path, (unsigned)uid,
			strerror(errno));
		return 1;
	}
	memset(&l, 0, sizeof(l));
	l.object_size = objsize;
	l.stripe_unit = objsize;
	l.stripe_count = 1;
	l.preferred_osd = -1;
	if (ioctl(fd, BP_CEPH_IOC_SET_LAYOUT, &l) == 0) {
		printf("accepted\n");
		close(fd);
		return 0;
	}
	err = errno;
	close(fd);
	printf("refused errno %d (%s)\n", err, strerror(err));
	return (err == EPERM || err == EACCES) ? 3 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "get") == 0)
		return do_get(argv[2]);
	if (argc == 5 && strcmp(argv[1], "set") == 0)
		return do_set(argv[2], (uid_t)strtoul(argv[3], NULL, 10),
			      strtoull(argv[4], NULL, 10));
	fprintf(stderr, "usage: bp-setlayout get FILE | set FILE UID OBJSIZE\n");
	return 2;
}
