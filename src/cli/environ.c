/* Building the command's environment. See environ.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/environ.h"

/* An env file larger than this is not a configuration file. */
#define ENV_FILE_MAX (16u << 20)

static int push(struct env_list *env, char *entry, struct nsrun_error *err)
{
	if (env->n + 1 >= env->cap) {
		size_t cap = env->cap ? env->cap * 2 : 64;
		char **grown = realloc(env->v, cap * sizeof(char *));
		if (!grown) {
			free(entry);
			return nsrun_fail(err, errno, "environment");
		}
		env->v = grown;
		env->cap = cap;
	}
	env->v[env->n++] = entry;
	env->v[env->n] = NULL;
	return 0;
}

static size_t find(const struct env_list *env, const char *key, size_t klen)
{
	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], key, klen) == 0 && env->v[i][klen] == '=')
			return i;
	return env->n;
}

int env_copy(struct env_list *env, char *const *envp, struct nsrun_error *err)
{
	env->v = NULL;
	env->n = env->cap = 0;
	if (push(env, NULL, err) < 0) /* allocates the terminator */
		return -1;
	env->n = 0;
	for (size_t i = 0; envp && envp[i]; i++) {
		char *copy = strdup(envp[i]);
		if (!copy || push(env, copy, err) < 0)
			return copy ? -1 : nsrun_fail(err, errno, "environment");
	}
	return 0;
}

static int set_n(struct env_list *env, const char *key, size_t klen, const char *value,
		 struct nsrun_error *err)
{
	size_t vlen = strlen(value);
	char *entry = malloc(klen + vlen + 2);
	if (!entry)
		return nsrun_fail(err, errno, "environment");
	memcpy(entry, key, klen);
	entry[klen] = '=';
	memcpy(entry + klen + 1, value, vlen + 1);
	size_t i = find(env, key, klen);
	if (i < env->n) {
		free(env->v[i]);
		env->v[i] = entry;
		return 0;
	}
	return push(env, entry, err);
}

int env_set(struct env_list *env, const char *key, const char *value, struct nsrun_error *err)
{
	if (key[0] == '\0' || strchr(key, '='))
		return nsrun_fail(err, 0, "--setenv '%s': not a variable name", key);
	return set_n(env, key, strlen(key), value, err);
}

void env_unset(struct env_list *env, const char *key)
{
	size_t i = find(env, key, strlen(key));
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
	for (size_t i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], key, klen) == 0 && envp[i][klen] == '=')
			return envp[i] + klen + 1;
	return NULL;
}

int env_parse_file_text(struct env_list *env, const char *text, size_t len,
			const char *source, char *const *lookup_env, struct nsrun_error *err)
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
						  "--env-file %s:%u: variable name '%.*s' contains white space",
						  source, lineno, (int)klen, line);
		if (eq) {
			size_t vlen = llen - klen - 1;
			char *value = strndup(eq + 1, vlen);
			if (!value)
				return nsrun_fail(err, errno, "--env-file %s", source);
			int rc = set_n(env, line, klen, value, err);
			free(value);
			if (rc < 0)
				return -1;
		} else {
			const char *value = lookup(lookup_env, line, klen);
			if (value && set_n(env, line, klen, value, err) < 0)
				return -1;
		}
	}
	return 0;
}

int env_load_file(struct env_list *env, const char *path, char *const *lookup_env,
		  struct nsrun_error *err)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return nsrun_fail(err, errno, "--env-file %s", path);
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	int rc = 0;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			char *grown = cap <= ENV_FILE_MAX ? realloc(text, cap) : NULL;
			if (!grown) {
				rc = nsrun_fail(err, cap > ENV_FILE_MAX ? EFBIG : errno,
						"--env-file %s", path);
				break;
			}
			text = grown;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (rc == 0 && ferror(f))
		rc = nsrun_fail(err, EIO, "--env-file %s", path);
	(void)fclose(f); /* read only: ferror above saw any error */
	if (rc == 0)
		rc = env_parse_file_text(env, text, len, path, lookup_env, err);
	free(text);
	return rc;
}
