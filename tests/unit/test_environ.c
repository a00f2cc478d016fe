/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: building the command's environment, and docker's env-file
 * format. */
#include <stdlib.h>

#include "cli/environ.h"
#include "tap.h"

static const char *get(const struct env_list *env, const char *key)
{
	size_t klen = strlen(key);
	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], key, klen) == 0 && env->v[i][klen] == '=')
			return env->v[i] + klen + 1;
	return NULL;
}

int main(void)
{
	char *caller[] = { "PATH=/bin", "HOME=/root", "FROM_CALLER=yes", NULL };
	struct env_list env;
	struct nsrun_error err;
	TAP_OK(env_copy(&env, caller, &err) == 0 && env.n == 3, "copy the caller's");
	TAP_OK(env_set(&env, "HOME", "/home/x", &err) == 0 && env.n == 3 &&
		       strcmp(get(&env, "HOME"), "/home/x") == 0,
	       "set replaces");
	TAP_OK(env_set(&env, "NEW", "v=w", &err) == 0 && strcmp(get(&env, "NEW"), "v=w") == 0,
	       "set appends; '=' in a value is fine");
	TAP_OK(env_set(&env, "A=B", "v", &err) < 0, "a name with '=' is refused");
	env_unset(&env, "PATH");
	TAP_OK(get(&env, "PATH") == NULL && env.n == 3 && env.v[env.n] == NULL,
	       "unset removes and keeps the terminator");
	env_clear(&env);
	TAP_OK(env.n == 0 && env.v[0] == NULL, "clear");

	const char text[] = "# comment\n"
			    "\n"
			    "  SPACED=kept value \n"
			    "EMPTY=\n"
			    "FROM_CALLER\n"
			    "NOT_IN_CALLER\n"
			    "WINDOWS=crlf\r\n"
			    "LAST=no newline";
	TAP_OK(env_parse_file_text(&env, text, sizeof(text) - 1, "f", caller, &err) == 0,
	       "parse an env file");
	TAP_OK(strcmp(get(&env, "SPACED"), "kept value ") == 0,
	       "leading space dropped, value verbatim");
	TAP_OK(get(&env, "EMPTY") && get(&env, "EMPTY")[0] == '\0', "an empty value");
	TAP_OK(strcmp(get(&env, "FROM_CALLER"), "yes") == 0, "a bare KEY takes the caller's value");
	TAP_OK(get(&env, "NOT_IN_CALLER") == NULL, "a bare KEY the caller lacks is skipped");
	TAP_OK(strcmp(get(&env, "WINDOWS"), "crlf") == 0, "CRLF line ends");
	TAP_OK(strcmp(get(&env, "LAST"), "no newline") == 0, "a last line without newline");

	const char bad_name[] = "OK=1\nBAD NAME=2\n";
	TAP_OK(env_parse_file_text(&env, bad_name, sizeof(bad_name) - 1, "my.env", caller, &err) <
		       0,
	       "white space in a name is refused");
	TAP_CONTAINS(err.msg, "--env-file my.env:2: variable name 'BAD NAME' contains white space",
		     "the error names file and line");
	const char no_name[] = "=value\n";
	TAP_OK(env_parse_file_text(&env, no_name, sizeof(no_name) - 1, "e", caller, &err) < 0,
	       "a line without a name is refused");
	TAP_CONTAINS(err.msg, "e:1: no variable name", "naming the line");
	TAP_OK(env_load_file(&env, "/nonexistent/env", caller, &err) < 0, "a missing file");
	TAP_CONTAINS(err.msg, "--env-file /nonexistent/env", "is named");
	env_free(&env);
	return tap_done();
}
