/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing OCI seccomp profiles (linux.seccomp) with jansson. Every field is
 * checked and a bad one is named in the error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <seccomp.h>

#include "engine/limits/seccomp.h"

static const struct {
	const char *name;
	uint32_t action;
} actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG },
};

static const struct {
	const char *name;
	int op;
} operators[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* SECCOMP_FILTER_FLAG_* values (linux/seccomp.h), spelled as OCI does. */
static const struct {
	const char *name;
	unsigned flag;
} filter_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", 1U << 0 },
	{ "SECCOMP_FILTER_FLAG_LOG", 1U << 1 },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 1U << 2 },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1U << 5 },
};

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The field names and reasons built with snprintf below only go into error
 * messages: one cut short still names the field; their results are not
 * checked. */

void nsrun_seccomp_free(struct nsrun_seccomp *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n_rules; i++) {
		for (unsigned j = 0; j < p->rules[i].n_names; j++)
			free(p->rules[i].names[j]);
		free(p->rules[i].names);
	}
	free(p->rules);
	free(p->archs);
	free(p->prog);
	free(p);
}

static int bad(struct nsrun_error *err, const char *what, const char *field, const char *why)
{
	return nsrun_fail(err, 0, "%s: %s: %s", what, field, why);
}

static int get_action(json_t *v, const char *what, const char *field, uint32_t *out,
		      struct nsrun_error *err)
{
	const char *name = json_string_value(v);
	if (!name)
		return bad(err, what, field, "expected a string such as SCMP_ACT_ERRNO");
	if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		return bad(err, what, field, "SCMP_ACT_NOTIFY (a seccomp agent) is not supported");
	for (size_t i = 0; i < LEN(actions); i++) {
		if (strcmp(name, actions[i].name) == 0) {
			*out = actions[i].action;
			return 0;
		}
	}
	char why[96];
	(void)snprintf(why, sizeof(why), "unknown action '%.60s'", name);
	return bad(err, what, field, why);
}

/* An optional unsigned field; -1 when absent. */
static int get_errno(json_t *obj, const char *key, const char *what, const char *field, int *out,
		     struct nsrun_error *err)
{
	json_t *v = json_object_get(obj, key);
	*out = -1;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 4095)
		return bad(err, what, field, "expected an errno number from 0 to 4095");
	*out = (int)json_integer_value(v);
	return 0;
}

static int get_u64(json_t *obj, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	*out = 0;
	if (!v)
		return 0;
	/* jansson integers are signed 64-bit: large masks come as negative */
	if (!json_is_integer(v))
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int parse_args(json_t *args, struct seccomp_rule *rule, const char *what, const char *field,
		      struct nsrun_error *err)
{
	char f[96];
	if (!json_is_array(args))
		return bad(err, what, field, "expected an array");
	if (json_array_size(args) > SECCOMP_MAX_ARGS)
		return bad(err, what, field, "more than 6 argument conditions");
	size_t i;
	json_t *a;
	json_array_foreach (args, i, a) {
		struct seccomp_arg_rule *r = &rule->args[rule->n_args];
		(void)snprintf(f, sizeof(f), "%s[%zu]", field, i);
		json_t *index = json_object_get(a, "index");
		if (!json_is_object(a) || !json_is_integer(index) ||
		    json_integer_value(index) < 0 || json_integer_value(index) >= SECCOMP_MAX_ARGS)
			return bad(err, what, f, "needs an index from 0 to 5");
		r->index = (unsigned)json_integer_value(index);
		if (get_u64(a, "value", &r->value) < 0 || get_u64(a, "valueTwo", &r->value_two) < 0)
			return bad(err, what, f, "value and valueTwo must be integers");
		const char *op = json_string_value(json_object_get(a, "op"));
		r->op = -1;
		for (size_t k = 0; op && k < LEN(operators); k++)
			if (strcmp(op, operators[k].name) == 0)
				r->op = operators[k].op;
		if (r->op < 0)
			return bad(err, what, f,
				   "op must be one of SCMP_CMP_NE, LT, LE, EQ, GE, GT, MASKED_EQ");
		rule->n_args++;
	}
	return 0;
}

static int parse_rule(json_t *obj, size_t index, struct seccomp_rule *rule, const char *what,
		      struct nsrun_error *err)
{
	char field[64];
	(void)snprintf(field, sizeof(field), "syscalls[%zu]", index);
	if (!json_is_object(obj))
		return bad(err, what, field, "expected an object");
	json_t *names = json_object_get(obj, "names");
	json_t *name = json_object_get(obj, "name"); /* older profiles */
	if (names && !json_is_array(names))
		return bad(err, what, field, "names: expected an array of strings");
	size_t n = names ? json_array_size(names) : (name ? 1 : 0);
	if (n == 0)
		return bad(err, what, field, "names: no system call named");
	rule->names = calloc(n, sizeof(char *));
	if (!rule->names)
		return nsrun_fail(err, errno, "%s", what);
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(names ? json_array_get(names, i) : name);
		if (!s) {
			(void)snprintf(field, sizeof(field), "syscalls[%zu].names[%zu]", index, i);
			return bad(err, what, field, "expected a string");
		}
		if (!(rule->names[i] = strdup(s)))
			return nsrun_fail(err, errno, "%s", what);
		rule->n_names++;
	}
	(void)snprintf(field, sizeof(field), "syscalls[%zu].action", index);
	if (get_action(json_object_get(obj, "action"), what, field, &rule->action, err) < 0)
		return -1;
	(void)snprintf(field, sizeof(field), "syscalls[%zu].errnoRet", index);
	if (get_errno(obj, "errnoRet", what, field, &rule->errno_ret, err) < 0)
		return -1;
	json_t *args = json_object_get(obj, "args");
	(void)snprintf(field, sizeof(field), "syscalls[%zu].args", index);
	if (args && !json_is_null(args) && parse_args(args, rule, what, field, err) < 0)
		return -1;
	return 0;
}

static int parse_archs(json_t *archs, struct nsrun_seccomp *p, const char *what,
		       struct nsrun_error *err)
{
	if (!json_is_array(archs))
		return bad(err, what, "architectures", "expected an array of strings");
	p->archs = calloc(json_array_size(archs) + 1, sizeof(uint32_t));
	if (!p->archs)
		return nsrun_fail(err, errno, "%s", what);
	size_t i;
	json_t *a;
	json_array_foreach (archs, i, a) {
		const char *name = json_string_value(a);
		char lower[32], field[48];
		(void)snprintf(field, sizeof(field), "architectures[%zu]", i);
		if (!name || strncmp(name, "SCMP_ARCH_", 10) != 0 ||
		    strlen(name + 10) >= sizeof(lower))
			return bad(err, what, field, "expected a name such as SCMP_ARCH_X86_64");
		size_t k = 0;
		for (const char *c = name + 10; *c; c++)
			lower[k++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		lower[k] = '\0';
		uint32_t token = seccomp_arch_resolve_name(lower);
		if (token == 0)
			return bad(err, what, field, "an architecture libseccomp does not know");
		p->archs[p->n_archs++] = token;
	}
	return 0;
}

static int parse_flags(json_t *flags, struct nsrun_seccomp *p, const char *what,
		       struct nsrun_error *err)
{
	if (!json_is_array(flags))
		return bad(err, what, "flags", "expected an array of strings");
	size_t i;
	json_t *f;
	json_array_foreach (flags, i, f) {
		const char *name = json_string_value(f);
		char field[32];
		(void)snprintf(field, sizeof(field), "flags[%zu]", i);
		size_t k = 0;
		while (name && k < LEN(filter_flags) && strcmp(name, filter_flags[k].name) != 0)
			k++;
		if (!name || k == LEN(filter_flags))
			return bad(err, what, field, "an unknown or unsupported filter flag");
		p->flags |= filter_flags[k].flag;
	}
	return 0;
}

struct nsrun_seccomp *seccomp_from_json(const void *json_object, const char *what,
					struct nsrun_error *err)
{
	json_t *obj = (json_t *)json_object;
	struct nsrun_seccomp *p = calloc(1, sizeof(*p));
	if (!p) {
		nsrun_fail(err, errno, "%s", what);
		return NULL;
	}
	if (!json_is_object(obj)) {
		bad(err, what, "seccomp", "expected an object");
		goto fail;
	}
	const char *listener = json_string_value(json_object_get(obj, "listenerPath"));
	if (listener && *listener) {
		bad(err, what, "listenerPath", "seccomp agents are not supported");
		goto fail;
	}
	if (get_action(json_object_get(obj, "defaultAction"), what, "defaultAction",
		       &p->default_action, err) < 0 ||
	    get_errno(obj, "defaultErrnoRet", what, "defaultErrnoRet", &p->default_errno, err) < 0)
		goto fail;
	json_t *v;
	if ((v = json_object_get(obj, "architectures")) && !json_is_null(v) &&
	    parse_archs(v, p, what, err) < 0)
		goto fail;
	if ((v = json_object_get(obj, "flags")) && !json_is_null(v) &&
	    parse_flags(v, p, what, err) < 0)
		goto fail;
	json_t *syscalls = json_object_get(obj, "syscalls");
	if (syscalls && !json_is_null(syscalls)) {
		if (!json_is_array(syscalls)) {
			bad(err, what, "syscalls", "expected an array");
			goto fail;
		}
		p->rules = calloc(json_array_size(syscalls) + 1, sizeof(*p->rules));
		if (!p->rules) {
			nsrun_fail(err, errno, "%s", what);
			goto fail;
		}
		size_t i;
		json_array_foreach (syscalls, i, v) {
			p->n_rules++;
			if (parse_rule(v, i, &p->rules[i], what, err) < 0)
				goto fail;
		}
	}
	return p;
fail:
	nsrun_seccomp_free(p);
	return NULL;
}

struct nsrun_seccomp *nsrun_seccomp_parse(const char *json, size_t len, const char *source,
					  struct nsrun_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		nsrun_fail(err, 0, "%s:%d:%d: %s", source, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	struct nsrun_seccomp *p = seccomp_from_json(root, source, err);
	json_decref(root);
	return p;
}

/* The way back, for nsrun --print-config: a parsed profile as a
 * linux.seccomp object. */

static const char *action_name(uint32_t action)
{
	/* SCMP_ACT_KILL_THREAD first: SCMP_ACT_KILL is the same action. */
	for (size_t i = 1; i < LEN(actions); i++)
		if (actions[i].action == action)
			return actions[i].name;
	return NULL;
}

/* What OCI calls the architectures, as libseccomp resolves them. */
static const char *const arch_names[] = {
	"X86",	     "X86_64", "X32",	   "ARM",	  "AARCH64", "MIPS",	    "MIPS64",
	"MIPS64N32", "MIPSEL", "MIPSEL64", "MIPSEL64N32", "PPC",     "PPC64",	    "PPC64LE",
	"S390",	     "S390X",  "PARISC",   "PARISC64",	  "RISCV64", "LOONGARCH64",
};

static json_t *archs_to_json(const struct nsrun_seccomp *p)
{
	json_t *list = json_array();
	for (unsigned i = 0; list && i < p->n_archs; i++) {
		for (size_t k = 0; k < LEN(arch_names); k++) {
			char lower[32], name[48];
			size_t n = 0;
			for (const char *c = arch_names[k]; *c && n + 1 < sizeof(lower); c++)
				lower[n++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
			lower[n] = '\0';
			if (seccomp_arch_resolve_name(lower) != p->archs[i])
				continue;
			(void)snprintf(name, sizeof(name), "SCMP_ARCH_%s", arch_names[k]);
			json_array_append_new(list, json_string(name));
			break;
		}
	}
	return list;
}

static json_t *flags_to_json(unsigned flags)
{
	json_t *list = json_array();
	for (size_t k = 0; list && k < LEN(filter_flags); k++)
		if (flags & filter_flags[k].flag)
			json_array_append_new(list, json_string(filter_flags[k].name));
	return list;
}

static json_t *args_to_json(const struct seccomp_rule *rule)
{
	json_t *list = json_array();
	for (unsigned i = 0; list && i < rule->n_args; i++) {
		const struct seccomp_arg_rule *a = &rule->args[i];
		const char *op = NULL;
		for (size_t k = 0; k < LEN(operators); k++)
			if (operators[k].op == a->op)
				op = operators[k].name;
		/* jansson's integers are signed: large masks go as negative,
		 * as get_u64 reads them. */
		json_array_append_new(list,
				      json_pack("{s:i, s:I, s:I, s:s*}", "index", (int)a->index,
						"value", (json_int_t)a->value, "valueTwo",
						(json_int_t)a->value_two, "op", op));
	}
	return list;
}

static json_t *rule_to_json(const struct seccomp_rule *rule)
{
	json_t *names = json_array();
	for (unsigned i = 0; names && i < rule->n_names; i++)
		json_array_append_new(names, json_string(rule->names[i]));
	json_t *r = json_pack("{s:o, s:s*}", "names", names, "action", action_name(rule->action));
	if (r && rule->errno_ret >= 0)
		json_object_set_new(r, "errnoRet", json_integer(rule->errno_ret));
	if (r && rule->n_args)
		json_object_set_new(r, "args", args_to_json(rule));
	return r;
}

void *seccomp_to_json(const struct nsrun_seccomp *p)
{
	json_t *obj = json_pack("{s:s*}", "defaultAction", action_name(p->default_action));
	if (obj && p->default_errno >= 0)
		json_object_set_new(obj, "defaultErrnoRet", json_integer(p->default_errno));
	if (obj && p->n_archs)
		json_object_set_new(obj, "architectures", archs_to_json(p));
	if (obj && p->flags)
		json_object_set_new(obj, "flags", flags_to_json(p->flags));
	json_t *syscalls = obj ? json_array() : NULL;
	if (!syscalls || json_object_set_new(obj, "syscalls", syscalls) < 0) {
		json_decref(obj);
		return NULL;
	}
	for (unsigned i = 0; i < p->n_rules; i++)
		json_array_append_new(syscalls, rule_to_json(&p->rules[i]));
	return obj;
}
