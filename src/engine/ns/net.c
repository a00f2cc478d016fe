/* SPDX-License-Identifier: Apache-2.0 */
/* Loopback up over rtnetlink. See net.h. */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "engine/ns/net.h"
#include "util/cleanup.h"

int net_loopback_up(struct nsrun_error *err)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	/* lo is the first device of every network namespace: index 1. */
	req.ifi.ifi_index = 1;
	req.ifi.ifi_flags = IFF_UP;
	req.ifi.ifi_change = IFF_UP;

	cleanup_close int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return nsrun_fail(err, errno, "loopback: netlink socket");
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return nsrun_fail(err, errno, "loopback: send");
	union {
		struct nlmsghdr nh;
		char buf[512];
	} reply;
	ssize_t n = recv(fd, reply.buf, sizeof(reply.buf), 0);
	if (n < 0)
		return nsrun_fail(err, errno, "loopback: receive");
	if ((size_t)n < sizeof(struct nlmsghdr) + sizeof(struct nlmsgerr) ||
	    reply.nh.nlmsg_type != NLMSG_ERROR)
		return nsrun_fail(err, EPROTO, "loopback: unexpected reply");
	const struct nlmsgerr *ack = NLMSG_DATA(&reply.nh);
	if (ack->error != 0)
		return nsrun_fail(err, -ack->error, "loopback: set lo up");
	return 0;
}
