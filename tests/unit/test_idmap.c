/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: id map parsing, checking, formatting and /etc/subuid lookup. */
#include <stdlib.h>
#include <unistd.h>

#include "engine/ns/idmap.h"
#include "tap.h"

static struct nsrun_id_map map;
static struct nsrun_error err;

static int parse(const char *text)
{
	memset(&err, 0, sizeof(err));
	return idmap_parse(text, "-M", &map, &err);
}

static void test_valid(void)
{
	TAP_OK(parse("0 1000 1") == 0 && map.n == 1 && map.range[0].inside == 0 &&
		       map.range[0].outside == 1000 && map.range[0].count == 1,
	       "single range");
	TAP_OK(parse("0 1000 1,1 100000 65536") == 0 && map.n == 2 && map.range[1].inside == 1 &&
		       map.range[1].outside == 100000 && map.range[1].count == 65536,
	       "two ranges, as userns_child_exec takes them");
	TAP_OK(parse("  0\t1000   1 ") == 0 && map.n == 1, "spaces and tabs around numbers");
	TAP_OK(parse("0 0 4294967295") == 0, "the whole id space up to 4294967294");
	char buf[64];
	parse("0 1000 1,1 100000 65536");
	TAP_OK(idmap_format(&map, buf, sizeof(buf)) > 0 &&
		       strcmp(buf, "0 1000 1\n1 100000 65536\n") == 0,
	       "kernel text form");
	TAP_OK(idmap_format(&map, buf, 8) == -1, "format reports a short buffer");
}

static void test_invalid(void)
{
	TAP_OK(parse("0 1000") < 0, "two numbers are refused");
	TAP_CONTAINS(err.msg, "-M '0 1000': range '0 1000' needs three numbers",
		     "the error names the option and the range");
	TAP_OK(parse("0 1000 1 5") < 0, "four numbers are refused");
	TAP_OK(parse("a b c") < 0, "non-numbers are refused");
	TAP_CONTAINS(err.msg, "'a' is not a number", "the error names the bad field");
	TAP_OK(parse("-1 1000 1") < 0, "a negative number is refused");
	TAP_OK(parse("0 4294967296 1") < 0, "a number past 32 bits is refused");
	TAP_OK(parse("0 1000 0") < 0, "a count of 0 is refused");
	TAP_CONTAINS(err.msg, "COUNT must be at least 1", "the error says why");
	TAP_OK(parse("0 4294967290 10") < 0, "a range past the last id is refused");
	TAP_OK(parse("0 1000 10,5 2000 10") < 0, "overlapping inside ranges are refused");
	TAP_CONTAINS(err.msg, "overlap inside", "the error says which side overlaps");
	TAP_OK(parse("0 1000 10,100 1005 10") < 0, "overlapping outside ranges are refused");
	TAP_CONTAINS(err.msg, "overlap outside", "the error says which side overlaps");
	TAP_OK(parse("0 1000 10,10 1010 10") == 0, "adjacent ranges are fine");
	TAP_OK(parse("") < 0, "an empty map is refused");
	TAP_OK(parse("0 1000 1,") < 0, "a trailing comma is refused");
}

static void test_line_limit(void)
{
	size_t cap = (NSRUN_MAX_MAP_LINES + 1) * 24;
	char *text = malloc(cap);
	size_t len = 0;
	for (int i = 0; i <= NSRUN_MAX_MAP_LINES; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s%d %d 1", i ? "," : "", i,
					1000 + i);
	TAP_OK(parse(text) < 0, "341 ranges are refused");
	TAP_CONTAINS(err.msg, "more than 340 ranges", "the error names the kernel's limit");
	text[strlen(text) - strlen(strrchr(text, ','))] = '\0';
	TAP_OK(parse(text) == 0 && map.n == NSRUN_MAX_MAP_LINES, "340 ranges are accepted");
	len = 0;
	for (int i = 0; i < 250; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s%d %d 1", i ? "," : "",
					1000000 + i, 2000000 + 2 * i);
	TAP_OK(parse(text) < 0, "250 long ranges: a page of text or more is refused");
	TAP_CONTAINS(err.msg, "which takes less than 4096", "the error names the kernel's limit");
	free(text);
}

static void test_subid(void)
{
	char path[] = "/tmp/nsrun-subid-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "alice:100000:65536\n1001:200000:1000\nbroken-line\nbob:x:5\n";
	TAP_OK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text),
	       "write a subid file");
	close(fd);
	uint32_t start = 0, count = 0;
	TAP_OK(idmap_subid_lookup(path, "alice", 1000, &start, &count, &err) == 0 &&
		       start == 100000 && count == 65536,
	       "lookup by name");
	TAP_OK(idmap_subid_lookup(path, "carol", 1001, &start, &count, &err) == 0 &&
		       start == 200000 && count == 1000,
	       "lookup by numeric id");
	TAP_OK(idmap_subid_lookup(path, "bob", 1002, &start, &count, &err) < 0,
	       "a malformed entry does not count");
	TAP_CONTAINS(err.msg, "no range for user 'bob' (id 1002)", "the error names the user");
	TAP_OK(idmap_subid_lookup("/nonexistent/subuid", "alice", 1, &start, &count, &err) < 0,
	       "a missing file is an error");
	unlink(path);
}

int main(void)
{
	test_valid();
	test_invalid();
	test_line_limit();
	test_subid();
	return tap_done();
}
