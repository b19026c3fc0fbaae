// SPDX-License-Identifier: GPL-2.0
/* User-space unit tests of the command parser and the conditions. */
#include "test_main.h"

int pw_tests_passed, pw_tests_failed;

/*
 * Every CHECK this binary evaluates, counted once by hand: a test that returns early
 * or a CHECK deleted by mistake makes the run fail instead of passing with fewer.
 */
#define PW_PLANNED_CHECKS 294

int main(void)
{
	test_cmd();
	test_cond();
	if (pw_tests_passed + pw_tests_failed != PW_PLANNED_CHECKS) {
		printf("FAIL plan: %d checks ran, %d planned\n",
		       pw_tests_passed + pw_tests_failed, PW_PLANNED_CHECKS);
		pw_tests_failed++;
	}
	printf("unit: %d passed, %d failed\n", pw_tests_passed, pw_tests_failed);
	return pw_tests_failed ? 1 : 0;
}
