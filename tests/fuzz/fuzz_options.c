/* Fuzz target: the sandbox command line. The input is split at NUL bytes
 * into argv words. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char *argv[66] = { "nsrun" };
	int argc = 1;
	for (size_t i = 0; i <= size && argc < 65;) {
		argv[argc++] = text + i;
		i += strlen(text + i) + 1;
	}
	argv[argc] = NULL;
	struct cli_options opts;
	struct nsrun_error err;
	cli_parse(argc, argv, &opts, &err);
	nsrun_spec_release(&opts.spec);
	free(text);
	return 0;
}
