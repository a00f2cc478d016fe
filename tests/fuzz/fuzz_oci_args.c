/* Fuzz target: the OCI verbs' command lines: the global flags before the
 * verb (oci_wants, as main() decides between the sandbox CLI and the
 * runtime), create's and run's options, and kill's signal names. The input
 * is split at NUL bytes into argv words; the first byte picks run or
 * create. Nothing is executed: only the parsers run. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_argv.h"

/* Their parsers are static: the files are compiled into this target. */
#include "oci/main.c"
#include "oci/create.c"
#include "oci/lifecycle.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	bool is_run = data[0] & 1;
	char *argv[FUZZ_ARGV_SIZE];
	int argc;
	char *text = fuzz_argv(data + 1, size - 1, is_run ? "run" : "create", argv, &argc);
	if (!text)
		return 0;

	/* The verb oci_wants finds is a real one, after flags only. */
	int verb = find_verb(argc, argv);
	if (verb > 0) {
		bool known = false;
		for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
			known |= strcmp(argv[verb], verbs[k].name) == 0;
		if (!known)
			abort();
	}

	struct create_opts o;
	struct nsrun_error err;
	if (parse_create_opts(argc, argv, is_run, &o, &err) == 0) {
		if (!o.id || !o.bundle || o.preserve_fds < 0 || o.preserve_fds > 1000 ||
		    (o.detach && !is_run))
			abort();
	} else if (strchr(err.msg, '\n')) {
		abort(); /* errors are one line */
	}

	for (int i = 1; i < argc; i++) {
		int sig = parse_signal(argv[i]);
		if (sig != -1 && (sig < 1 || sig >= NSIG))
			abort();
	}
	free(text);
	return 0;
}
