/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI runtime's additions to a spec. See container.h. */
#include <string.h>

#include "engine/container.h"

void container_init(struct nsrun_container *c)
{
	memset(c, 0, sizeof(*c));
	c->exec_fifo_fd = -1;
	c->console_socket_fd = -1;
}

const struct nsrun_container *spec_container(const struct nsrun_spec *spec)
{
	static const struct nsrun_container none = { .exec_fifo_fd = -1, .console_socket_fd = -1 };
	return spec->container ? spec->container : &none;
}
