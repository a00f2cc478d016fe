/* SPDX-License-Identifier: Apache-2.0 */
/* Building the command's environment. See environ.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/environ.h"
#include "util/cleanup.h"
#include "util/file.h"

/* An env file larger than this is not a configuration file. */
#define ENV_FILE_MAX (16u << 20)

/* Room for one more entry and the NULL after it. */
static int reserve(struct env_list *env, struct nsrun_error *err)
{
	if (env->n + 1 < env->cap)
		return 0;
	size_t cap = env->cap ? env->cap * 2 : 64;
	char **grown = realloc(env->v, cap * sizeof(char *));
	if (!grown)
		return nsrun_fail(err, errno, "environment");
	env->v = grown;
	env->cap = cap;
	return 0;
}

/* Append entry, which the list then owns; reserve() made room. */
static void append(struct env_list *env, char *entry)
{
	env->v[env->n++] = entry;
	env->v[env->n] = NULL;
}

/* The index of KEY's entry among the first n of v (or up to a NULL
 * entry); where none, the index it stopped at. */
static size_t index_of(char *const *v, size_t n, const char *key, size_t klen)
{
	size_t i = 0;
	for (; i < n && v && v[i]; i++)
		if (strncmp(v[i], key, klen) == 0 && v[i][klen] == '=')
			break;
	return i;
}

int env_copy(struct env_list *env, char *const *envp, struct nsrun_error *err)
{
	*env = (struct env_list){ 0 };
	if (reserve(env, err) < 0) /* the terminator, also of an empty copy */
		return -1;
	env->v[0] = NULL;
	for (size_t i = 0; envp && envp[i]; i++) {
		if (reserve(env, err) < 0)
			return -1;
		char *copy = strdup(envp[i]);
		if (!copy)
			return nsrun_fail(err, errno, "environment");
		append(env, copy);
	}
	return 0;
}

/* KEY set to VALUE (klen and vlen bytes), replacing an earlier entry. */
static int set_n(struct env_list *env, const char *key, size_t klen, const char *value, size_t vlen,
		 struct nsrun_error *err)
{
	size_t i = index_of(env->v, env->n, key, klen);
	if (i == env->n && reserve(env, err) < 0)
		return -1;
	char *entry = malloc(klen + vlen + 2);
	if (!entry)
		return nsrun_fail(err, errno, "environment");
	memcpy(entry, key, klen);
	entry[klen] = '=';
	memcpy(entry + klen + 1, value, vlen);
	entry[klen + 1 + vlen] = '\0';
	if (i < env->n) {
		free(env->v[i]);
		env->v[i] = entry;
	} else {
		append(env, entry);
	}
	return 0;
}

int env_set(struct env_list *env, const char *key, const char *value, struct nsrun_error *err)
{
	if (key[0] == '\0' || strchr(key, '='))
		return nsrun_fail(err, 0, "--setenv '%s': not a variable name", key);
	return set_n(env, key, strlen(key), value, strlen(value), err);
}

void env_unset(struct env_list *env, const char *key)
{
	size_t i = index_of(env->v, env->n, key, strlen(key));
	if (i == env->n)
		return;
	free(env->v[i]);
	memmove(&env->v[i], &env->v[i + 1], (env->n - i) * sizeof(char *));
	env->n--;
}

void env_clear(struct env_list *env)
{
	for (size_t i = 0; i < env->n; i++)
		free(env->v[i]);
	env->n = 0;
	if (env->v)
		env->v[0] = NULL;
}

void env_free(struct env_list *env)
{
	env_clear(env);
	free(env->v);
	env->v = NULL;
	env->cap = 0;
}

static const char *lookup(char *const *envp, const char *key, size_t klen)
{
	size_t i = index_of(envp, SIZE_MAX, key, klen);
	return envp && envp[i] ? envp[i] + klen + 1 : NULL;
}

int env_parse_file_text(struct env_list *env, const char *text, size_t len, const char *source,
			char *const *lookup_env, struct nsrun_error *err)
{
	size_t pos = 0;
	for (unsigned lineno = 1; pos < len; lineno++) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;
		pos += llen + 1;
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		while (llen > 0 && (*line == ' ' || *line == '\t')) {
			line++;
			llen--;
		}
		if (llen == 0 || *line == '#')
			continue;
		if (memchr(line, '\0', llen))
			return nsrun_fail(err, 0, "--env-file %s:%u: a NUL byte", source, lineno);
		const char *eq = memchr(line, '=', llen);
		size_t klen = eq ? (size_t)(eq - line) : llen;
		if (klen == 0)
			return nsrun_fail(err, 0, "--env-file %s:%u: no variable name before '='",
					  source, lineno);
		for (size_t i = 0; i < klen; i++)
			if (line[i] == ' ' || line[i] == '\t')
				return nsrun_fail(err, 0,
						  "--env-file %s:%u: variable name '%.*s' contains "
						  "white space",
						  source, lineno, (int)klen, line);
		if (eq) {
			if (set_n(env, line, klen, eq + 1, llen - klen - 1, err) < 0)
				return -1;
		} else {
			const char *value = lookup(lookup_env, line, klen);
			if (value && set_n(env, line, klen, value, strlen(value), err) < 0)
				return -1;
		}
	}
	return 0;
}

int env_load_file(struct env_list *env, const char *path, char *const *lookup_env,
		  struct nsrun_error *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (file_read_all(path, ENV_FILE_MAX, false, &text, &len) < 0)
		return nsrun_fail(err, errno, "--env-file %s", path);
	return env_parse_file_text(env, text, len, path, lookup_env, err);
}
