/* SPDX-License-Identifier: GPL-2.0 */
/* A tiny test harness: CHECK records a failure and carries on. */
#ifndef PW_TEST_MAIN_H
#define PW_TEST_MAIN_H

#include <stdio.h>

extern int pw_tests_passed, pw_tests_failed;

#define CHECK(name, cond)						\
	do {								\
		if (cond) {						\
			pw_tests_passed++;				\
		} else {						\
			pw_tests_failed++;				\
			printf("FAIL %s:%d %s: %s\n", __FILE__, __LINE__,\
			       (name), #cond);				\
		}							\
	} while (0)

void test_cmd(void);
void test_cond(void);

#endif
