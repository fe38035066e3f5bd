// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_SOCK_USE_TASK_FRAG: struct sock has sk_use_task_frag, the per-socket
 * opt-out of current->task_frag (upstream "net: Introduce sk_use_task_frag in
 * struct sock.", v6.2, backported to 6.1.y after 6.1.170). Sources that have it
 * set it to false on libceph and nbd sockets.
 */
#include <net/sock.h>

void ck_probe_sock_use_task_frag(struct sock *sk);
void ck_probe_sock_use_task_frag(struct sock *sk)
{
	sk->sk_use_task_frag = false;
}
