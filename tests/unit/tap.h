/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal TAP producer for the unit tests: ok/not ok lines and a plan. */
#ifndef NSRUN_TESTS_TAP_H
#define NSRUN_TESTS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

#define TAP_OK(cond, ...)                                                                          \
	do {                                                                                       \
		int tap_c_ = (cond);                                                               \
		tap_count++;                                                                       \
		if (!tap_c_)                                                                       \
			tap_failed++;                                                              \
		printf("%sok %d - ", tap_c_ ? "" : "not ", tap_count);                             \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		if (!tap_c_)                                                                       \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
	} while (0)

/* Passes when haystack contains needle; shows both when it does not. */
#define TAP_CONTAINS(haystack, needle, ...)                                                        \
	do {                                                                                       \
		const char *tap_h_ = (haystack), *tap_n_ = (needle);                               \
		TAP_OK(tap_h_ &&strstr(tap_h_, tap_n_) != NULL, __VA_ARGS__);                      \
		if (!tap_h_ || !strstr(tap_h_, tap_n_))                                            \
			printf("#   '%s' does not contain '%s'\n", tap_h_ ? tap_h_ : "(null)",     \
			       tap_n_);                                                            \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
