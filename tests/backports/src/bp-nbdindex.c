// SPDX-License-Identifier: GPL-2.0
/*
 * bp-nbdindex: what an nbd netlink connect without an index gets when every index the
 * minor numbers allow is taken (patches/0014, upstream f12bc113ce90).
 *   bp-nbdindex N   open /dev/nbd0 .. /dev/nbd(N-1) and keep them open (an open device
 *                   holds a config, so the connect cannot reuse it), then ask for a new
 *                   device: NBD_CMD_CONNECT with one socket and no NBD_ATTR_INDEX.
 * Prints "opened N; connect: accepted index I" or "opened N; connect: refused errno E (text)".
 * Exit: 0 the kernel answered (either way), 1 setup failure, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/nbd-netlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

struct nl_msg {
	char buf[512];
	size_t len;
};

static struct nlattr *attr_put(struct nl_msg *m, uint16_t type, const void *data, size_t n)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	if (n)
		memcpy((char *)a + NLA_HDRLEN, data, n);
	m->len += NLA_ALIGN(a->nla_len);
	return a;
}

static void attr_end(struct nl_msg *m, struct nlattr *nest)
{
	nest->nla_len = (uint16_t)(m->buf + m->len - (char *)nest);
}

static void msg_init(struct nl_msg *m, uint16_t family, uint8_t cmd)
{
	struct nlmsghdr *h = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);

	memset(m, 0, sizeof(*m));
	h->nlmsg_type = family;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g->cmd = cmd;
	g->version = 1;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

/*
 * Sends M and reads until the ACK. Returns 0 or a negative errno from the kernel; *value
 * gets the u16/u32 attribute WANT of a reply message, when there is one.
 */
static int transact(int sk, struct nl_msg *m, uint16_t want, uint32_t *value)
{
	struct nlmsghdr *h = (struct nlmsghdr *)m->buf;
	char rbuf[8192];

	h->nlmsg_len = (uint32_t)m->len;
	if (send(sk, m->buf, m->len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(sk, rbuf, sizeof(rbuf), 0);
		struct nlmsghdr *r;

		if (n < 0)
			return -errno;
		for (r = (struct nlmsghdr *)rbuf; NLMSG_OK(r, (unsigned int)n); r = NLMSG_NEXT(r, n)) {
			if (r->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(r);

				return e->error;
			}
			if (r->nlmsg_type == NLMSG_DONE)
				return 0;
			{
				char *p = (char *)NLMSG_DATA(r) + GENL_HDRLEN;
				char *end = (char *)r + r->nlmsg_len;

				while (p + NLA_HDRLEN <= end) {
					struct nlattr *a = (struct nlattr *)p;

					if (a->nla_len < NLA_HDRLEN)
						break;
					if (value && a->nla_type == want)
						*value = a->nla_len >= NLA_HDRLEN + 4 ?
								 *(uint32_t *)(p + NLA_HDRLEN) :
								 *(uint16_t *)(p + NLA_HDRLEN);
					p += NLA_ALIGN(a->nla_len);
				}
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct rlimit rl = { 65536, 65536 };
	struct nl_msg m;
	struct nlattr *socks, *item;
	uint32_t family = 0, index = UINT32_MAX, fd32;
	uint64_t size = 1 << 20;
	int n, i, sk, sv[2], rc, opened = 0;

	if (argc != 2 || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: bp-nbdindex N\n");
		return 2;
	}
	setrlimit(RLIMIT_NOFILE, &rl);
	for (i = 0; i < n; i++) {
		char dev[32];

		snprintf(dev, sizeof(dev), "/dev/nbd%d", i);
		if (open(dev, O_RDONLY) >= 0)
			opened++;
	}
	sk = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (sk < 0 || bind(sk, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		perror("bp-nbdindex: socket");
		return 1;
	}
	msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	attr_put(&m, CTRL_ATTR_FAMILY_NAME, NBD_GENL_FAMILY_NAME,
		 strlen(NBD_GENL_FAMILY_NAME) + 1);
	rc = transact(sk, &m, CTRL_ATTR_FAMILY_ID, &family);
	if (rc < 0 || !family) {
		fprintf(stderr, "bp-nbdindex: no nbd netlink family: %s\n", strerror(-rc));
		return 1;
	}
	msg_init(&m, (uint16_t)family, NBD_CMD_CONNECT);
	attr_put(&m, NBD_ATTR_SIZE_BYTES, &size, sizeof(size));
	socks = attr_put(&m, NBD_ATTR_SOCKETS | NLA_F_NESTED, NULL, 0);
	item = attr_put(&m, NBD_SOCK_ITEM | NLA_F_NESTED, NULL, 0);
	fd32 = (uint32_t)sv[0];
	attr_put(&m, NBD_SOCK_FD, &fd32, sizeof(fd32));
	attr_end(&m, item);
	attr_end(&m, socks);
	rc = transact(sk, &m, NBD_ATTR_INDEX, &index);
	if (rc == 0)
		printf("opened %d; connect: accepted index %u\n", opened, index);
	else
		printf("opened %d; connect: refused errno %d (%s)\n", opened, -rc, strerror(-rc));
	return 0;
}
