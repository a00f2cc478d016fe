/* SPDX-License-Identifier: Apache-2.0 */
/* passwd and group file parsing. See passwd.h. */
#include <string.h>

#include "engine/ns/passwd.h"

/* Split one line into up to max ':'-separated fields (pointers and lengths
 * into the line). Returns the number of fields. */
static size_t split_fields(const char *line, size_t len, const char **field, size_t *flen,
			   size_t max)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= len && n < max; i++) {
		if (i == len || line[i] == ':') {
			field[n] = line + start;
			flen[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

bool passwd_parse_id(const char *s, size_t len, uint32_t *id)
{
	if (len == 0 || len > 10)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v >= UINT32_MAX)
		return false;
	*id = (uint32_t)v;
	return true;
}

static bool field_is(const char *f, size_t flen, const char *s)
{
	return strlen(s) == flen && memcmp(f, s, flen) == 0;
}

/* The next line of text from *pos into line/llen; false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *llen)
{
	if (*pos >= len)
		return false;
	const char *start = text + *pos;
	const char *nl = memchr(start, '\n', len - *pos);
	*llen = nl ? (size_t)(nl - start) : len - *pos;
	*line = start;
	*pos += *llen + 1;
	return true;
}

bool passwd_find(const char *text, size_t len, const char *name, uint32_t uid,
		 struct passwd_entry *out)
{
	const char *line;
	size_t llen, pos = 0;
	while (next_line(text, len, &pos, &line, &llen)) {
		const char *f[7];
		size_t fl[7];
		if (split_fields(line, llen, f, fl, 7) != 7)
			continue;
		uint32_t u, g;
		if (fl[0] == 0 || fl[0] >= PASSWD_NAME_MAX || fl[5] >= PASSWD_HOME_MAX ||
		    !passwd_parse_id(f[2], fl[2], &u) || !passwd_parse_id(f[3], fl[3], &g))
			continue;
		if (name ? !field_is(f[0], fl[0], name) : u != uid)
			continue;
		memcpy(out->name, f[0], fl[0]);
		out->name[fl[0]] = '\0';
		out->uid = u;
		out->gid = g;
		memcpy(out->home, f[5], fl[5]);
		out->home[fl[5]] = '\0';
		return true;
	}
	return false;
}

/* A group line: name, password, gid, members. */
struct group_line {
	const char *field[4];
	size_t len[4];
	uint32_t gid;
};

/* The next well-formed group line from *pos; false at the end. */
static bool next_group(const char *text, size_t len, size_t *pos, struct group_line *g)
{
	const char *line;
	size_t llen;
	while (next_line(text, len, pos, &line, &llen))
		if (split_fields(line, llen, g->field, g->len, 4) == 4 &&
		    passwd_parse_id(g->field[2], g->len[2], &g->gid))
			return true;
	return false;
}

static bool lists_member(const struct group_line *g, const char *user)
{
	const char *m = g->field[3], *end = g->field[3] + g->len[3];
	while (m < end) {
		const char *comma = memchr(m, ',', (size_t)(end - m));
		size_t mlen = comma ? (size_t)(comma - m) : (size_t)(end - m);
		if (field_is(m, mlen, user))
			return true;
		m += mlen + 1;
	}
	return false;
}

bool group_find_gid(const char *text, size_t len, const char *name, uint32_t *gid)
{
	struct group_line g;
	size_t pos = 0;
	while (next_group(text, len, &pos, &g)) {
		if (field_is(g.field[0], g.len[0], name)) {
			*gid = g.gid;
			return true;
		}
	}
	return false;
}

size_t group_memberships(const char *text, size_t len, const char *user, uint32_t *groups,
			 size_t count, size_t max)
{
	struct group_line g;
	size_t pos = 0;
	while (next_group(text, len, &pos, &g)) {
		if (!lists_member(&g, user))
			continue;
		bool seen = false;
		for (size_t i = 0; i < count && !seen; i++)
			seen = groups[i] == g.gid;
		if (!seen && count < max)
			groups[count++] = g.gid;
	}
	return count;
}
