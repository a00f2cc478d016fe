/* SPDX-License-Identifier: Apache-2.0 */
/* Compiled seccomp programs kept under the state root. See seccomp_cache.h.
 *
 * <root>/@seccomp/<hash> holds "NSRUNBPF", the key's length (8 bytes), the
 * key, the program's length in instructions (4 bytes) and the program. The
 * key is the parsed profile field by field, with what the compiled program
 * depends on besides it; the hash only names the file, the key decides. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seccomp.h>

#include <nsrun/nsrun.h>

#include "oci/seccomp_cache.h"
#include "util/buffer.h"
#include "util/cleanup.h"
#include "util/file.h"

#define MAGIC "NSRUNBPF"
#define MAGIC_LEN 8
/* Few profiles are in use on a node; a directory of more stops growing. */
#define MAX_KEPT 256
#define MAX_FILE (4u << 20)

struct key {
	char *data;
	size_t len, cap;
	bool failed;
};

static void put(struct key *k, const void *data, size_t len)
{
	if (k->failed)
		return;
	if (buffer_reserve(&k->data, &k->cap, k->len + len, 4096) < 0) {
		k->failed = true;
		return;
	}
	memcpy(k->data + k->len, data, len);
	k->len += len;
}

static void put_u32(struct key *k, uint32_t v)
{
	put(k, &v, sizeof(v));
}

static void put_u64(struct key *k, uint64_t v)
{
	put(k, &v, sizeof(v));
}

static void put_str(struct key *k, const char *s)
{
	size_t len = strlen(s);
	put_u32(k, (uint32_t)len);
	put(k, s, len);
}

static void put_rule(struct key *k, const struct seccomp_rule *r)
{
	put_u32(k, r->n_names);
	for (unsigned i = 0; i < r->n_names; i++)
		put_str(k, r->names[i]);
	put_u32(k, r->action);
	put_u32(k, (uint32_t)r->errno_ret);
	put_u32(k, r->n_args);
	for (unsigned i = 0; i < r->n_args; i++) {
		put_u32(k, r->args[i].index);
		put_u64(k, r->args[i].value);
		put_u64(k, r->args[i].value_two);
		put_u32(k, (uint32_t)r->args[i].op);
	}
}

/* The profile, and what else the compiled program depends on: this nsrun
 * binary (another build may compile differently), libseccomp's version and
 * the kernel API level it found. */
static bool make_key(const struct nsrun_seccomp *p, struct key *k)
{
	const struct scmp_version *v = seccomp_version();
	struct stat self;
	if (stat("/proc/self/exe", &self) < 0)
		return false;
	put_str(k, "nsrun " NSRUN_VERSION);
	put_u64(k, (uint64_t)self.st_dev);
	put_u64(k, (uint64_t)self.st_ino);
	put_u64(k, (uint64_t)self.st_size);
	put_u64(k, (uint64_t)self.st_mtim.tv_sec);
	put_u64(k, (uint64_t)self.st_mtim.tv_nsec);
	put_u32(k, v ? v->major : 0);
	put_u32(k, v ? v->minor : 0);
	put_u32(k, v ? v->micro : 0);
	put_u32(k, (uint32_t)seccomp_api_get());
	put_u32(k, p->default_action);
	put_u32(k, (uint32_t)p->default_errno);
	put_u32(k, p->flags);
	put_u32(k, p->n_archs);
	for (unsigned i = 0; i < p->n_archs; i++)
		put_u32(k, p->archs[i]);
	put_u32(k, p->n_rules);
	for (unsigned i = 0; i < p->n_rules; i++)
		put_rule(k, &p->rules[i]);
	return !k->failed;
}

/* FNV-1a: only a file name. */
static uint64_t hash_of(const struct key *k)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < k->len; i++)
		h = (h ^ (unsigned char)k->data[i]) * 0x100000001b3ULL;
	return h;
}

/* The file, if it is ours alone: a regular file of this user that nobody
 * else may write. */
static int open_kept(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
			(st.st_mode & 022))) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool load(const char *path, const struct key *k, struct nsrun_seccomp *p)
{
	cleanup_close int fd = open_kept(path);
	cleanup_free char *text = NULL;
	size_t len;
	if (fd < 0 || file_read_all_fd(fd, MAX_FILE, &text, &len) < 0)
		return false;
	uint64_t key_len;
	uint32_t n;
	size_t head = MAGIC_LEN + sizeof(key_len);
	if (len < head || memcmp(text, MAGIC, MAGIC_LEN) != 0)
		return false;
	memcpy(&key_len, text + MAGIC_LEN, sizeof(key_len));
	if (key_len != k->len || len - head < key_len + sizeof(n) ||
	    memcmp(text + head, k->data, k->len) != 0)
		return false;
	memcpy(&n, text + head + key_len, sizeof(n));
	size_t at = head + key_len + sizeof(n);
	if (n == 0 || n > BPF_MAXINSNS || len - at != (size_t)n * sizeof(struct sock_filter))
		return false;
	p->prog = malloc(len - at);
	if (!p->prog)
		return false;
	memcpy(p->prog, text + at, len - at);
	p->prog_len = n;
	return true;
}

static bool room_for_one_more(const char *dir)
{
	cleanup_closedir DIR *d = opendir(dir);
	unsigned n = 0;
	while (d && readdir(d))
		n++;
	return d && n < MAX_KEPT + 2; /* . and .. */
}

static bool write_all(int fd, const void *data, size_t len)
{
	return write(fd, data, len) == (ssize_t)len;
}

/* Written aside and renamed: a reader sees a whole file or none. */
static void keep(const char *dir, const char *path, const struct key *k,
		 const struct nsrun_seccomp *p)
{
	if ((mkdir(dir, 0700) < 0 && errno != EEXIST) || !room_for_one_more(dir))
		return;
	char tmp[PATH_MAX];
	if (path_format(tmp, sizeof(tmp), "%s.%d", path, (int)getpid()) < 0)
		return;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	uint64_t key_len = k->len;
	uint32_t n = p->prog_len;
	bool ok = write_all(fd, MAGIC, MAGIC_LEN) && write_all(fd, &key_len, sizeof(key_len)) &&
		  write_all(fd, k->data, k->len) && write_all(fd, &n, sizeof(n)) &&
		  write_all(fd, p->prog, (size_t)n * sizeof(*p->prog));
	if (close(fd) < 0 || !ok || rename(tmp, path) < 0)
		unlink(tmp);
}

void seccomp_cache_fill(const char *root, struct nsrun_seccomp *profile)
{
	if (!profile || profile->prog || !root)
		return;
	struct key k = { 0 };
	char dir[PATH_MAX], path[PATH_MAX];
	if (make_key(profile, &k) &&
	    path_format(dir, sizeof(dir), "%s/" SECCOMP_CACHE_DIR, root) == 0 &&
	    path_format(path, sizeof(path), "%s/%016" PRIx64, dir, hash_of(&k)) == 0 &&
	    !load(path, &k, profile)) {
		struct nsrun_error ignored = { 0 };
		if (seccomp_compile(profile, &ignored) == 0)
			keep(dir, path, &k, profile);
	}
	free(k.data);
}
