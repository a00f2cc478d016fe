/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the sandbox command line into the spec. */
#include <sched.h>
#include <sys/resource.h>

#include "cli/errors.h"
#include "cli/options.h"
#include "engine/ns/namespaces.h"
#include "tap.h"

static struct cli_options opts;
static struct nsrun_error err;
/* The spec keeps pointers into argv: it must outlive each PARSE. */
static char *parsed_argv[64];

#define PARSE(...)                                                                                 \
	({                                                                                         \
		char *argv_[] = { "nsrun", __VA_ARGS__, NULL };                                    \
		memcpy(parsed_argv, argv_, sizeof(argv_));                                         \
		memset(&err, 0, sizeof(err));                                                      \
		cli_options_release(&opts);                                                        \
		cli_parse((int)(sizeof(argv_) / sizeof(argv_[0])) - 1, parsed_argv, &opts, &err);  \
	})

static void test_namespaces(void)
{
	TAP_OK(PARSE("-Urpmuin", "true") == 0 &&
		       opts.spec.new_ns == (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS |
					    CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET) &&
		       opts.spec.id_source == NSRUN_IDS_ROOT,
	       "-Urpmuin sets six namespaces and -r");
	TAP_OK(PARSE("-a", "true") == 0 && opts.spec.new_ns == NS_ALL_FLAGS, "-a sets all eight");
	TAP_OK(PARSE("--user", "--mount", "--pid", "--net", "--uts", "--ipc", "--cgroup", "--time",
		     "true") == 0 &&
		       opts.spec.new_ns == NS_ALL_FLAGS,
	       "long names for every namespace");
	TAP_OK(PARSE("-C", "-T", "true") == 0 &&
		       opts.spec.new_ns == (CLONE_NEWCGROUP | CLONE_NEWTIME),
	       "-C and -T");
	TAP_OK(PARSE("-f", "true") == 0 && opts.spec.force_child, "-f forces a child");
	TAP_OK(PARSE("--mount-proc", "true") == 0 && opts.spec.mount_proc &&
		       (opts.spec.new_ns & CLONE_NEWNS),
	       "--mount-proc implies -m");
}

static void test_command(void)
{
	TAP_OK(PARSE("-U", "ls", "-l", "/") == 0 && strcmp(opts.spec.argv[0], "ls") == 0 &&
		       strcmp(opts.spec.argv[1], "-l") == 0,
	       "parsing stops at the first non-option");
	TAP_OK(PARSE("-U", "--", "-weird", "-x") == 0 && strcmp(opts.spec.argv[0], "-weird") == 0,
	       "-- ends the options");
	TAP_OK(PARSE("-U") < 0, "a missing command is an error");
	TAP_CONTAINS(err.msg, "no command given", "and says so");
	TAP_OK(PARSE("--", "create") == 0 && strcmp(opts.spec.argv[0], "create") == 0,
	       "after -- an OCI verb is a command");
	TAP_OK(PARSE("-h") == 0 && opts.action == CLI_HELP, "-h asks for help");
	TAP_OK(PARSE("-V") == 0 && opts.action == CLI_VERSION, "-V asks for the version");
}

static void test_errors(void)
{
	TAP_OK(PARSE("--bogus", "true") < 0, "an unknown long option is an error");
	TAP_CONTAINS(err.msg, "unknown option '--bogus'", "naming it");
	TAP_OK(PARSE("-Q", "true") < 0, "an unknown short option is an error");
	TAP_CONTAINS(err.msg, "unknown option '-Q'", "naming it");
	TAP_OK(PARSE("true", "-M") == 0, "options after the command belong to it");
	TAP_OK(PARSE("-M") < 0, "a missing value is an error");
	TAP_CONTAINS(err.msg, "'-M' needs a value", "naming the option");
	TAP_OK(PARSE("-M", "0 1000", "true") < 0, "a malformed map is an error");
	TAP_CONTAINS(err.msg, "-M '0 1000'", "naming option and value");
	TAP_OK(PARSE("-r", "-M", "0 0 1", "true") < 0, "-r and -M conflict");
	TAP_CONTAINS(err.msg, "conflicts with -r/--map-root-user", "and the error says so");
	TAP_OK(PARSE("--map-auto", "-r", "true") < 0, "--map-auto and -r conflict");
	TAP_OK(PARSE("--setgroups", "maybe", "true") < 0, "--setgroups takes allow or deny");
	TAP_OK(PARSE("--join", "bogus:/proc/1/ns/net", "true") < 0, "an unknown join type");
	TAP_CONTAINS(err.msg, "unknown namespace type 'bogus'", "is named");
	TAP_OK(PARSE("--join", "/proc/1/ns/net", "true") < 0, "--join needs TYPE:PATH");
	TAP_OK(PARSE("-n", "--join", "net:/proc/1/ns/net", "true") < 0,
	       "joining and creating the same type conflict");
	TAP_CONTAINS(err.msg,
		     "--join net:/proc/1/ns/net: conflicts with creating a new net namespace",
		     "naming the join");
	TAP_OK(PARSE("--bind", "/a", "/b", "--join", "mount:/proc/1/ns/mnt", "true") < 0,
	       "a filesystem option makes the mount namespace a join would give");
	TAP_CONTAINS(err.msg, "--join mnt:/proc/1/ns/mnt: conflicts", "naming the join");
	TAP_OK(PARSE("--join", "uts:/proc/1/ns/uts", "--join", "uts:/proc/2/ns/uts", "true") < 0,
	       "two joins of one type");
	TAP_CONTAINS(err.msg, "--join uts:/proc/2/ns/uts: a uts namespace is already joined",
		     "naming the second");
	TAP_OK(PARSE("--tmpfs", "", "true") < 0, "an empty destination");
	TAP_CONTAINS(err.msg, "--tmpfs: filesystem step 1 has no destination", "naming the option");
	TAP_OK(PARSE("--keep-fd", "x", "true") < 0, "--keep-fd takes a number");
	TAP_OK(PARSE("--block-fd", "-1", "true") < 0, "--block-fd takes a descriptor");
}

static void test_maps(void)
{
	TAP_OK(PARSE("-M", "0 1000 1,1 100000 65536", "-G", "0 1000 1", "true") == 0 &&
		       opts.spec.uid_map.n == 2 && opts.spec.gid_map.n == 1 &&
		       (opts.spec.new_ns & CLONE_NEWUSER),
	       "-M and -G together; they imply -U");
	TAP_OK(PARSE("--map-auto", "true") == 0 && opts.spec.id_source == NSRUN_IDS_AUTO,
	       "--map-auto");
	TAP_OK(PARSE("--setgroups", "deny", "-r", "true") == 0 &&
		       opts.spec.setgroups == NSRUN_SETGROUPS_DENY,
	       "--setgroups deny");
	TAP_OK(PARSE("--join", "net:/proc/1/ns/net", "--join", "mount:/proc/1/ns/mnt", "true") ==
			       0 &&
		       opts.spec.n_joins == 2 && opts.spec.joins[0].type == CLONE_NEWNET &&
		       opts.spec.joins[1].type == CLONE_NEWNS &&
		       strcmp(opts.spec.joins[0].path, "/proc/1/ns/net") == 0,
	       "two joins, mount alias");
	TAP_OK(PARSE("--keep-fd", "3", "--keep-fd", "7", "--keep-fd", "1", "true") == 0 &&
		       opts.spec.n_keep_fds == 2 && opts.spec.keep_fds[1] == 7,
	       "--keep-fd list");
}

static void test_sandbox_options(void)
{
	TAP_OK(PARSE("--ro-bind", "/usr", "/usr", "--size", "1m", "--perms", "700", "--tmpfs",
		     "/tmp", "--dir", "/x", "--symlink", "usr/lib", "/lib", "--chmod", "755", "/x",
		     "true") == 0 &&
		       opts.spec.n_fs_ops == 5 && (opts.spec.new_ns & CLONE_NEWNS),
	       "filesystem steps in order; they imply -m");
	const struct nsrun_fs_op *op = opts.spec.fs_ops;
	TAP_OK(op[0].kind == NSRUN_FS_RO_BIND && strcmp(op[0].src, "/usr") == 0 &&
		       strcmp(op[0].dest, "/usr") == 0 && op[0].mode == -1,
	       "--ro-bind SRC DEST");
	TAP_OK(op[1].kind == NSRUN_FS_TMPFS && op[1].size == 1 << 20 && op[1].mode == 0700,
	       "--size and --perms apply to the next step");
	TAP_OK(op[2].kind == NSRUN_FS_DIR && op[2].mode == -1, "and only to it");
	TAP_OK(op[3].kind == NSRUN_FS_SYMLINK && strcmp(op[3].src, "usr/lib") == 0 &&
		       strcmp(op[3].dest, "/lib") == 0,
	       "--symlink TARGET DEST");
	TAP_OK(op[4].kind == NSRUN_FS_CHMOD && op[4].mode == 0755, "--chmod MODE PATH");
	TAP_OK(PARSE("--bind-try", "/nope", "/x", "true") == 0 && opts.spec.fs_ops[0].optional,
	       "--bind-try is optional");
	TAP_OK(PARSE("--bind", "/usr") < 0, "--bind needs two values");
	TAP_CONTAINS(err.msg, "'--bind' needs two values", "naming the option");
	TAP_OK(PARSE("--bind", "/tmp", "--", "true") < 0, "\"--\" is no second value");
	TAP_CONTAINS(err.msg, "'--bind' needs two values", "naming the option");
	TAP_OK(PARSE("--perms", "999", "--dir", "/x", "true") < 0, "a non-octal mode");
	TAP_OK(PARSE("--size", "-5", "--tmpfs", "/x", "true") < 0, "a negative size");
	TAP_OK(PARSE("--perms", "700", "true") < 0, "--perms with nothing after it");
	TAP_OK(PARSE("--hostname", "box", "true") < 0, "--hostname without -u");
	TAP_CONTAINS(err.msg, "needs a new UTS namespace (-u)", "says so");
	TAP_OK(PARSE("-u", "--hostname", "box", "--domainname", "dom", "true") == 0 &&
		       strcmp(opts.spec.hostname, "box") == 0,
	       "--hostname with -u");
	TAP_OK(PARSE("--propagation", "slave", "-m", "true") == 0 &&
		       opts.spec.propagation == NSRUN_PROPAGATION_SLAVE,
	       "--propagation slave");
	TAP_OK(PARSE("--propagation", "weird", "-m", "true") < 0, "an unknown propagation");
	TAP_OK(PARSE("--init-group", "true") == 0 && opts.spec.init && opts.spec.init_group,
	       "--init-group implies --init");
	TAP_OK(PARSE("--umask", "027", "--as", "app:app", "--chdir", "/srv", "true") == 0 &&
		       opts.spec.umask == 027 && strcmp(opts.spec.as_user, "app:app") == 0 &&
		       strcmp(opts.spec.chdir, "/srv") == 0,
	       "--umask, --as, --chdir");
	TAP_OK(PARSE("--umask", "1777", "true") < 0, "a umask above 0777");
	TAP_OK(PARSE("--clearenv", "--setenv", "A", "1", "--setenv", "B", "2", "--unsetenv", "A",
		     "true") == 0 &&
		       opts.spec.env && strcmp(opts.spec.env[0], "B=2") == 0 &&
		       opts.spec.env[1] == NULL,
	       "environment options apply in order");
	TAP_OK(PARSE("true") == 0 && opts.spec.env == NULL, "no option: the caller's environment");
	TAP_OK(PARSE("--env-file", "/nonexistent", "true") < 0, "a missing env file");
	TAP_OK(PARSE("--sandbox", "true") == 0 && opts.spec.new_ns == NS_ALL_FLAGS &&
		       opts.spec.id_source == NSRUN_IDS_ROOT && opts.spec.n_fs_ops == 4 &&
		       strcmp(opts.spec.hostname, "nsrun") == 0,
	       "--sandbox sets the preset");
	TAP_OK(PARSE("--sandbox", "--share-net", "--hostname", "h", "--map-auto", "true") == 0 &&
		       !(opts.spec.new_ns & CLONE_NEWNET) && strcmp(opts.spec.hostname, "h") == 0 &&
		       opts.spec.id_source == NSRUN_IDS_AUTO,
	       "later options override the preset");
}

/* An engine error about part `about` (element `index`) of the last PARSE,
 * as the CLI words it. */
static const char *wrapped(enum nsrun_about about, int index, const char *what)
{
	memset(&err, 0, sizeof(err));
	nsrun_fail_about(&err, about, index, 0, "%s", what);
	cli_error_wrap(&opts, &err);
	return err.msg;
}

static void test_error_names(void)
{
	TAP_OK(PARSE("--ro-bind", "/usr", "/usr", "--sandbox", "--tmpfs", "/x", "--mask", "/m",
		     "true") == 0 &&
		       opts.fs_ops.n == opts.spec.n_fs_ops &&
		       opts.masked_paths.n == opts.spec.n_masked_paths &&
		       opts.readonly_paths.n == opts.spec.n_readonly_paths,
	       "every element has its option");
	TAP_CONTAINS(wrapped(NSRUN_ABOUT_FS_OP, 0, "bind"), "--ro-bind /usr /usr: bind",
		     "a step the user gave names its option and values");
	TAP_CONTAINS(wrapped(NSRUN_ABOUT_FS_OP, 1, "bind"), "--sandbox /: bind",
		     "the preset's read-only / names --sandbox");
	TAP_CONTAINS(wrapped(NSRUN_ABOUT_FS_OP, 2, "mount"), "--sandbox /proc: mount",
		     "and its /proc");
	TAP_CONTAINS(wrapped(NSRUN_ABOUT_FS_OP, 5, "mount"), "--tmpfs /x: mount",
		     "a later step its own option");
	TAP_CONTAINS(wrapped(NSRUN_ABOUT_MASKED_PATH, 0, "mask"), "--sandbox /proc/acpi: mask",
		     "a path the preset masks names --sandbox");
	TAP_CONTAINS(wrapped(NSRUN_ABOUT_MASKED_PATH, (int)opts.spec.n_masked_paths - 1, "mask"),
		     "--mask /m: mask", "a path --mask gave names --mask");
	TAP_CONTAINS(wrapped(NSRUN_ABOUT_READONLY_PATH, 0, "ro"), "--sandbox /proc/bus: ro",
		     "a read-only path of the preset names --sandbox");
	TAP_CONTAINS(wrapped(NSRUN_ABOUT_HOSTNAME, -1, "set the hostname"),
		     "--sandbox: set the hostname", "so does the preset's hostname");
	TAP_CONTAINS(wrapped(NSRUN_ABOUT_SECCOMP, -1, "load"), "--sandbox: load",
		     "and its seccomp profile");
	TAP_OK(PARSE("--sandbox", "--hostname", "h", "--ro", "/r", "--seccomp-default", "-M",
		     "0 0 1", "true") == 0,
	       "the preset, then options of the same parts");
	TAP_CONTAINS(wrapped(NSRUN_ABOUT_HOSTNAME, -1, "set the hostname"),
		     "--hostname h: set the hostname",
		     "a later --hostname is named, with its value");
	TAP_CONTAINS(wrapped(NSRUN_ABOUT_SECCOMP, -1, "load"), "--seccomp: load",
		     "a later seccomp option too");
	TAP_CONTAINS(wrapped(NSRUN_ABOUT_READONLY_PATH, (int)opts.spec.n_readonly_paths - 1, "ro"),
		     "--ro /r: ro", "and --ro");
	TAP_CONTAINS(wrapped(NSRUN_ABOUT_UID_MAP, -1, "write"), "-M: write", "and -M");
}

static void test_control_options(void)
{
	TAP_OK(PARSE("--cap-drop", "ALL", "--cap-add", "net_bind_service", "true") == 0 &&
		       opts.spec.caps.set && opts.spec.caps.bounding == 1ULL << 10 &&
		       opts.spec.caps.ambient == 1ULL << 10 &&
		       opts.spec.caps.inheritable == 1ULL << 10,
	       "--cap-drop ALL --cap-add NAME");
	TAP_OK(PARSE("--cap-drop", "CAP_SYS_ADMIN", "true") == 0 &&
		       !(opts.spec.caps.bounding & (1ULL << 21)) && (opts.spec.caps.bounding & 1) &&
		       opts.spec.caps.ambient == 0,
	       "--cap-drop one from all");
	TAP_OK(PARSE("true") == 0 && !opts.spec.caps.set, "no cap option: capabilities untouched");
	TAP_OK(PARSE("--cap-add", "CAP_FLY", "true") < 0, "an unknown capability is an error");
	TAP_CONTAINS(err.msg, "--cap-add 'CAP_FLY': unknown capability", "naming it");
	TAP_OK(PARSE("--rlimit", "nofile=100:200", "--rlimit", "CORE=0", "--rlimit", "AS=unlimited",
		     "true") == 0 &&
		       opts.spec.n_rlimits == 3 && opts.spec.rlimits[0].soft == 100 &&
		       opts.spec.rlimits[0].hard == 200 && opts.spec.rlimits[1].hard == 0 &&
		       opts.spec.rlimits[2].soft == (uint64_t)RLIM_INFINITY,
	       "--rlimit NAME=SOFT[:HARD]");
	TAP_OK(PARSE("--rlimit", "nofile=300:200", "true") < 0, "soft above hard");
	TAP_OK(PARSE("--rlimit", "files=1", "true") < 0, "an unknown limit");
	TAP_CONTAINS(err.msg, "unknown limit 'files'", "is named");
	TAP_OK(PARSE("--rlimit", "nofile=x", "true") < 0, "a limit that is not a number");
	TAP_OK(PARSE("--memory", "64m", "--memory-swap", "-1", "--pids", "50", "--cpus", "1.5",
		     "--cpu-weight", "200", "true") == 0 &&
		       opts.spec.cgroup.memory == 64 << 20 && opts.spec.cgroup.memory_swap == -1 &&
		       opts.spec.cgroup.pids == 50 && opts.spec.cgroup.cpu_quota == 150000 &&
		       opts.spec.cgroup.cpu_period == 100000 && opts.spec.cgroup.cpu_weight == 200,
	       "cgroup limits");
	TAP_OK(PARSE("--pids", "0", "true") < 0 && PARSE("--cpus", "0", "true") < 0 &&
		       PARSE("--cpu-weight", "10001", "true") < 0 &&
		       PARSE("--memory", "lots", "true") < 0,
	       "bad cgroup limits");
	TAP_OK(PARSE("--mask", "/etc/shadow", "--ro", "/srv", "true") == 0 &&
		       opts.spec.n_masked_paths == 1 && opts.spec.n_readonly_paths == 1 &&
		       (opts.spec.new_ns & CLONE_NEWNS),
	       "--mask and --ro imply -m");
	TAP_OK(PARSE("--seccomp", "/nonexistent.json", "true") < 0, "a missing profile");
	TAP_OK(PARSE("--seccomp-default", "--no-new-privs", "true") == 0 && opts.spec.seccomp &&
		       opts.spec.no_new_privs,
	       "--seccomp-default, --no-new-privs");
	TAP_OK(PARSE("--sandbox", "true") == 0 && opts.spec.seccomp &&
		       opts.spec.n_masked_paths > 5 && opts.spec.n_readonly_paths > 3,
	       "--sandbox brings the default profile and paths");
}

int main(void)
{
	test_namespaces();
	test_command();
	test_errors();
	test_maps();
	test_sandbox_options();
	test_control_options();
	test_error_names();
	cli_options_release(&opts);
	return tap_done();
}
