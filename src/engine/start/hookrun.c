/* SPDX-License-Identifier: Apache-2.0 */
/* Running OCI hooks. See hookrun.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/start/hookrun.h"
#include "util/cleanup.h"

/* A NULL-terminated copy of a JSON array of strings (borrowed pointers). */
static char **strv(json_t *array, const char *first)
{
	size_t n = json_array_size(array);
	char **v = calloc(n + 2, sizeof(char *));
	if (!v)
		return NULL;
	size_t k = 0;
	if (n == 0 && first)
		v[k++] = (char *)first;
	for (size_t i = 0; i < n; i++)
		if (json_is_string(json_array_get(array, i)))
			v[k++] = (char *)json_string_value(json_array_get(array, i));
	return v;
}

/* Wait for the hook, at most limit_ms (-1: no limit); its wait status. */
static int wait_hook(pid_t pid, long limit_ms, const char *kind, size_t index, const char *path,
		     int *status, struct nsrun_error *err)
{
	long waited = 0;
	for (;;) {
		pid_t r = waitpid(pid, status, limit_ms < 0 ? 0 : WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return nsrun_fail(err, errno, "hooks.%s[%zu]: wait", kind, index);
		if (limit_ms >= 0 && waited >= limit_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return nsrun_fail(err, 0, "hooks.%s[%zu]: %s timed out after %ld s", kind,
					  index, path, limit_ms / 1000);
		}
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
		waited += 10;
	}
}

int hookrun_one(json_t *h, const char *kind, size_t index, const char *state,
		struct nsrun_error *err)
{
	const char *path = json_string_value(json_object_get(h, "path"));
	json_t *timeout = json_object_get(h, "timeout");
	long limit_ms = timeout ? (long)json_integer_value(timeout) * 1000 : -1;
	cleanup_free char **argv = strv(json_object_get(h, "args"), path);
	cleanup_free char **envp = strv(json_object_get(h, "env"), NULL);
	cleanup_close int reader = -1;
	cleanup_close int writer = -1;
	int pipefd[2];
	if (!path || !argv || !envp || pipe2(pipefd, O_CLOEXEC) < 0)
		return nsrun_fail(err, path ? errno : EINVAL, "hooks.%s[%zu]: %s", kind, index,
				  path ? path : "no path");
	reader = pipefd[0];
	writer = pipefd[1];
	/* A hook that does not read its stdin must not kill us with SIGPIPE;
	 * the hook itself gets the default action back before execve. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return nsrun_fail(err, errno, "hooks.%s[%zu]: ignore SIGPIPE", kind, index);
	pid_t pid = fork();
	if (pid < 0)
		return nsrun_fail(err, errno, "hooks.%s[%zu]: fork", kind, index);
	if (pid == 0) {
		if (dup2(reader, STDIN_FILENO) < 0 || signal(SIGPIPE, SIG_DFL) == SIG_ERR)
			_exit(126);
		execve(path, argv, envp);
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(take_fd(&reader));
	ssize_t w = write(writer, state, strlen(state));
	(void)w; /* a hook may ignore its stdin */
	close(take_fd(&writer));
	int status = 0;
	if (wait_hook(pid, limit_ms, kind, index, path, &status, err) < 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return nsrun_fail(err, 0, "hooks.%s[%zu]: %s failed (status %d)", kind, index, path,
				  WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

int hookrun_list(json_t *list, const char *kind, const char *state, struct nsrun_error *err)
{
	size_t i;
	json_t *h;
	json_array_foreach (list, i, h) {
		if (hookrun_one(h, kind, i, state, err) < 0)
			return -1;
	}
	return 0;
}

/* The state hooks in the container read: the runtime's, with our host pid. */
static json_t *container_state;

int hookrun_prepare(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	const struct nsrun_container *ct = spec_container(spec);
	if (!ct->hooks || !ct->hooks_state)
		return 0;
	/* The host's /proc is still mounted: its "self" is our host pid. */
	char self[32];
	ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
	if (n <= 0)
		return nsrun_fail(err, errno, "hooks: read the container's pid from /proc/self");
	self[n] = '\0';
	char *end;
	long pid = strtol(self, &end, 10);
	if (*end != '\0' || pid <= 0)
		return nsrun_fail(err, EINVAL, "hooks: /proc/self is '%s', not a pid", self);
	json_decref(container_state);
	container_state = json_loads(ct->hooks_state, 0, NULL);
	if (!container_state || json_object_set_new(container_state, "pid", json_integer(pid)) < 0)
		return nsrun_fail(err, EINVAL, "hooks: the container's state");
	return 0;
}

int hookrun_container(const struct nsrun_spec *spec, const char *kind, struct nsrun_error *err)
{
	const struct nsrun_container *ct = spec_container(spec);
	if (!ct->hooks || !container_state)
		return 0;
	json_t *hooks = json_loads(ct->hooks, 0, NULL);
	json_t *list = json_object_get(hooks, kind);
	if (json_array_size(list) == 0) {
		json_decref(hooks);
		return 0;
	}
	/* createContainer runs while the container is made; startContainer
	 * once it is made and being started. */
	bool starting = strcmp(kind, "startContainer") == 0;
	json_object_set_new(container_state, "status",
			    json_string(starting ? "created" : "creating"));
	char *state = json_dumps(container_state, JSON_COMPACT);
	int rc = state ? hookrun_list(list, kind, state, err)
		       : nsrun_fail(err, ENOMEM, "hooks.%s: the container's state", kind);
	free(state);
	json_decref(hooks);
	return rc;
}
