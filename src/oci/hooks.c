/* OCI hooks. See hooks.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"

static const char *const run_here[] = { "prestart", "createRuntime", "poststart", "poststop" };

int oci_hooks_check(json_t *hooks, struct nsrun_error *err)
{
	if (!hooks || json_is_null(hooks))
		return 0;
	if (!json_is_object(hooks))
		return nsrun_fail(err, 0, "config.json: hooks: expected an object");
	const char *kind;
	json_t *list;
	json_object_foreach(hooks, kind, list) {
		bool known = false;
		for (size_t i = 0; i < sizeof(run_here) / sizeof(run_here[0]); i++)
			known |= strcmp(kind, run_here[i]) == 0;
		if (!known && json_array_size(list) > 0)
			return nsrun_fail(err, 0, "config.json: hooks.%s: not supported by nsrun", kind);
		size_t i;
		json_t *h;
		json_array_foreach(list, i, h) {
			const char *path = json_string_value(json_object_get(h, "path"));
			json_t *timeout = json_object_get(h, "timeout");
			if (!path || path[0] != '/')
				return nsrun_fail(err, 0, "config.json: hooks.%s[%zu].path: expected an "
						  "absolute path", kind, i);
			if (timeout && (!json_is_integer(timeout) || json_integer_value(timeout) <= 0))
				return nsrun_fail(err, 0, "config.json: hooks.%s[%zu].timeout: expected "
						  "a number of seconds above 0", kind, i);
		}
	}
	return 0;
}

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

static int run_one(json_t *h, const char *kind, size_t index, const char *state,
		   struct nsrun_error *err)
{
	const char *path = json_string_value(json_object_get(h, "path"));
	json_t *timeout = json_object_get(h, "timeout");
	long limit_ms = timeout ? (long)json_integer_value(timeout) * 1000 : -1;
	char **argv = strv(json_object_get(h, "args"), path);
	char **envp = strv(json_object_get(h, "env"), NULL);
	int pipefd[2] = { -1, -1 };
	int rc = -1;
	if (!argv || !envp || pipe2(pipefd, O_CLOEXEC) < 0) {
		nsrun_fail(err, errno, "hooks.%s[%zu]: %s", kind, index, path);
		goto out;
	}
	/* A hook that does not read its stdin must not kill us with SIGPIPE;
	 * the hook itself gets the default action back before execve. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		nsrun_fail(err, errno, "hooks.%s[%zu]: ignore SIGPIPE", kind, index);
		goto out;
	}
	pid_t pid = fork();
	if (pid < 0) {
		nsrun_fail(err, errno, "hooks.%s[%zu]: fork", kind, index);
		goto out;
	}
	if (pid == 0) {
		if (dup2(pipefd[0], STDIN_FILENO) < 0 || signal(SIGPIPE, SIG_DFL) == SIG_ERR)
			_exit(126);
		execve(path, argv, envp);
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(pipefd[0]);
	pipefd[0] = -1;
	ssize_t w = write(pipefd[1], state, strlen(state));
	(void)w;
	close(pipefd[1]);
	pipefd[1] = -1;
	int status = 0;
	long waited = 0;
	for (;;) {
		pid_t r = waitpid(pid, &status, limit_ms < 0 ? 0 : WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			nsrun_fail(err, errno, "hooks.%s[%zu]: wait", kind, index);
			goto out;
		}
		if (limit_ms >= 0 && waited >= limit_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			nsrun_fail(err, 0, "hooks.%s[%zu]: %s timed out after %ld s", kind, index, path,
				   limit_ms / 1000);
			goto out;
		}
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
		waited += 10;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		nsrun_fail(err, 0, "hooks.%s[%zu]: %s failed (status %d)", kind, index, path,
			   WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		goto out;
	}
	rc = 0;
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	free(argv);
	free(envp);
	return rc;
}

int oci_hooks_run(json_t *hooks, const char *kind, json_t *state, struct nsrun_error *err)
{
	json_t *list = json_object_get(hooks, kind);
	if (json_array_size(list) == 0)
		return 0;
	char *text = json_dumps(state, JSON_COMPACT);
	if (!text)
		return nsrun_fail(err, ENOMEM, "hooks.%s", kind);
	size_t i;
	json_t *h;
	int rc = 0;
	json_array_foreach(list, i, h) {
		if ((rc = run_one(h, kind, i, text, err)) < 0)
			break;
	}
	free(text);
	return rc;
}
