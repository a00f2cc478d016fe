/* SPDX-License-Identifier: Apache-2.0 */
/* The command's environment as the options build it: --setenv, --unsetenv,
 * --clearenv and --env-file, applied in order to a copy of the caller's. */
#ifndef NSRUN_CLI_ENVIRON_H
#define NSRUN_CLI_ENVIRON_H

#include <stddef.h>

#include <nsrun/error.h>

struct env_list {
	char **v; /* malloc'd "KEY=VALUE" strings, NULL-terminated */
	size_t n, cap;
};

/* Start from a copy of envp. */
int env_copy(struct env_list *env, char *const *envp, struct nsrun_error *err);
int env_set(struct env_list *env, const char *key, const char *value, struct nsrun_error *err);
void env_unset(struct env_list *env, const char *key);
void env_clear(struct env_list *env);
void env_free(struct env_list *env);

/* Apply Docker's env-file format: KEY=VALUE lines, '#' comments and blank
 * lines skipped, leading white space ignored, a bare KEY takes the value
 * from lookup_env (and is skipped when that has none). `source` names the
 * file in errors, with the line number. */
int env_parse_file_text(struct env_list *env, const char *text, size_t len, const char *source,
			char *const *lookup_env, struct nsrun_error *err);

/* Read FILE and apply it as above. */
int env_load_file(struct env_list *env, const char *path, char *const *lookup_env,
		  struct nsrun_error *err);

#endif
