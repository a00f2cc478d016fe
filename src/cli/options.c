/* Sandbox command line -> struct nsrun_spec. See options.h. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "../engine/idmap.h"
#include "../engine/namespaces.h"

enum {
	OPT_JOIN = 0x100,
	OPT_MAP_AUTO,
	OPT_SETGROUPS,
	OPT_MOUNT_PROC,
	OPT_KEEP_FD,
	OPT_BLOCK_FD,
};

static const char short_opts[] = "+:UmpnuiCTafrzM:G:vhV";

static const struct option long_opts[] = {
	{ "user", no_argument, NULL, 'U' },
	{ "mount", no_argument, NULL, 'm' },
	{ "pid", no_argument, NULL, 'p' },
	{ "net", no_argument, NULL, 'n' },
	{ "uts", no_argument, NULL, 'u' },
	{ "ipc", no_argument, NULL, 'i' },
	{ "cgroup", no_argument, NULL, 'C' },
	{ "time", no_argument, NULL, 'T' },
	{ "all", no_argument, NULL, 'a' },
	{ "fork", no_argument, NULL, 'f' },
	{ "join", required_argument, NULL, OPT_JOIN },
	{ "map-root-user", no_argument, NULL, 'r' },
	{ "uid-map", required_argument, NULL, 'M' },
	{ "gid-map", required_argument, NULL, 'G' },
	{ "map-auto", no_argument, NULL, OPT_MAP_AUTO },
	{ "setgroups", required_argument, NULL, OPT_SETGROUPS },
	{ "mount-proc", no_argument, NULL, OPT_MOUNT_PROC },
	{ "keep-fd", required_argument, NULL, OPT_KEEP_FD },
	{ "block-fd", required_argument, NULL, OPT_BLOCK_FD },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Words that select the OCI runtime front end when they stand where the
 * command would. */
static const char *const oci_verbs[] = {
	"create", "start", "run", "state", "kill", "delete", "exec", "ps",
	"list", "features", "spec", "pause", "resume", "update", NULL,
};

bool cli_is_oci_verb(const char *word)
{
	for (size_t i = 0; oci_verbs[i]; i++)
		if (strcmp(word, oci_verbs[i]) == 0)
			return true;
	return false;
}

static int parse_fd(const char *text, const char *option, int *fd,
		    struct nsrun_error *err)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < 0 || v > INT_MAX)
		return nsrun_fail(err, 0, "%s '%s': not a descriptor number", option, text);
	*fd = (int)v;
	return 0;
}

static int add_keep_fd(struct nsrun_spec *spec, const char *text,
		       struct nsrun_error *err)
{
	int fd = -1;
	if (parse_fd(text, "--keep-fd", &fd, err) < 0)
		return -1;
	if (fd <= 2)
		return 0; /* 0-2 are always kept */
	int *grown = realloc(spec->keep_fds, (spec->n_keep_fds + 1) * sizeof(int));
	if (!grown)
		return nsrun_fail(err, errno, "--keep-fd %s", text);
	spec->keep_fds = grown;
	spec->keep_fds[spec->n_keep_fds++] = fd;
	return 0;
}

static int add_join(struct nsrun_spec *spec, const char *text, struct nsrun_error *err)
{
	const char *colon = strchr(text, ':');
	if (!colon || colon == text || colon[1] == '\0')
		return nsrun_fail(err, 0, "--join '%s': expected TYPE:PATH, e.g. net:/proc/1234/ns/net",
				  text);
	char type[16];
	size_t len = (size_t)(colon - text);
	int flag = 0;
	if (len < sizeof(type)) {
		memcpy(type, text, len);
		type[len] = '\0';
		flag = ns_flag_from_name(type);
	}
	if (flag == 0)
		return nsrun_fail(err, 0,
				  "--join '%s': unknown namespace type '%.*s' "
				  "(user, mnt, pid, net, uts, ipc, cgroup or time)",
				  text, (int)len, text);
	if (spec->n_joins == NSRUN_MAX_JOINS)
		return nsrun_fail(err, 0, "--join '%s': too many joins", text);
	spec->joins[spec->n_joins].type = flag;
	spec->joins[spec->n_joins].path = colon + 1;
	spec->n_joins++;
	return 0;
}

/* -r, -M/-G and --map-auto choose the same thing: one of them at a time. */
static int set_id_source(struct nsrun_spec *spec, enum nsrun_id_source src,
			 const char *option, const char **chosen, struct nsrun_error *err)
{
	if (*chosen && strcmp(*chosen, option) != 0 &&
	    !(src == NSRUN_IDS_EXPLICIT && spec->id_source == NSRUN_IDS_EXPLICIT))
		return nsrun_fail(err, 0, "%s: conflicts with %s", option, *chosen);
	*chosen = option;
	spec->id_source = src;
	spec->new_ns |= CLONE_NEWUSER;
	return 0;
}

int cli_parse(int argc, char **argv, struct cli_options *opts, struct nsrun_error *err)
{
	struct nsrun_spec *spec = &opts->spec;
	const char *id_option = NULL;
	int c;

	nsrun_spec_init(spec);
	opts->action = CLI_RUN;
	opterr = 0;
	optind = 0; /* 0, not 1: glibc then forgets a previous argv entirely */
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		switch (c) {
		case 'U': spec->new_ns |= CLONE_NEWUSER; break;
		case 'm': spec->new_ns |= CLONE_NEWNS; break;
		case 'p': spec->new_ns |= CLONE_NEWPID; break;
		case 'n': spec->new_ns |= CLONE_NEWNET; break;
		case 'u': spec->new_ns |= CLONE_NEWUTS; break;
		case 'i': spec->new_ns |= CLONE_NEWIPC; break;
		case 'C': spec->new_ns |= CLONE_NEWCGROUP; break;
		case 'T': spec->new_ns |= CLONE_NEWTIME; break;
		case 'a': spec->new_ns |= NS_ALL_FLAGS; break;
		case 'f': spec->force_child = true; break;
		case 'v': spec->verbose++; break;
		case 'h': opts->action = CLI_HELP; return 0;
		case 'V': opts->action = CLI_VERSION; return 0;
		case 'r':
		case 'z':
			if (set_id_source(spec, NSRUN_IDS_ROOT, "-r/--map-root-user",
					  &id_option, err) < 0)
				return -1;
			break;
		case OPT_MAP_AUTO:
			if (set_id_source(spec, NSRUN_IDS_AUTO, "--map-auto", &id_option, err) < 0)
				return -1;
			break;
		case 'M':
		case 'G': {
			const char *name = c == 'M' ? "-M/--uid-map" : "-G/--gid-map";
			if (set_id_source(spec, NSRUN_IDS_EXPLICIT, name, &id_option, err) < 0)
				return -1;
			struct nsrun_id_map *map = c == 'M' ? &spec->uid_map : &spec->gid_map;
			if (idmap_parse(optarg, c == 'M' ? "-M" : "-G", map, err) < 0)
				return -1;
			break;
		}
		case OPT_SETGROUPS:
			if (strcmp(optarg, "allow") == 0)
				spec->setgroups = NSRUN_SETGROUPS_ALLOW;
			else if (strcmp(optarg, "deny") == 0)
				spec->setgroups = NSRUN_SETGROUPS_DENY;
			else
				return nsrun_fail(err, 0, "--setgroups '%s': expected allow or deny",
						  optarg);
			break;
		case OPT_JOIN:
			if (add_join(spec, optarg, err) < 0)
				return -1;
			break;
		case OPT_MOUNT_PROC:
			spec->mount_proc = true;
			spec->new_ns |= CLONE_NEWNS;
			break;
		case OPT_KEEP_FD:
			if (add_keep_fd(spec, optarg, err) < 0)
				return -1;
			break;
		case OPT_BLOCK_FD:
			if (parse_fd(optarg, "--block-fd", &spec->block_fd, err) < 0)
				return -1;
			break;
		case ':':
			return nsrun_fail(err, 0, "option '%s' needs a value (see nsrun --help)",
					  argv[optind - 1]);
		default:
			if (optopt)
				return nsrun_fail(err, 0, "unknown option '-%c' (see nsrun --help)",
						  optopt);
			return nsrun_fail(err, 0, "unknown option '%s' (see nsrun --help)",
					  argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return nsrun_fail(err, 0, "no command given (usage: nsrun [OPTIONS] [--] COMMAND [ARG...])");
	bool after_dashes = strcmp(argv[optind - 1], "--") == 0;
	if (!after_dashes && cli_is_oci_verb(argv[optind]))
		return nsrun_fail(err, 0,
				  "%s: the OCI runtime verbs are not implemented yet; "
				  "to run a command of that name: nsrun [OPTIONS] -- %s",
				  argv[optind], argv[optind]);
	spec->argv = argv + optind;
	return nsrun_spec_validate(spec, err);
}
