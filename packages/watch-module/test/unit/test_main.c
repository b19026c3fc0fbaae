// SPDX-License-Identifier: GPL-2.0
/* User-space unit tests of the command parser and the conditions. */
#include "test_main.h"

int pw_tests_passed, pw_tests_failed;

int main(void)
{
	test_cmd();
	test_cond();
	printf("unit: %d passed, %d failed\n", pw_tests_passed, pw_tests_failed);
	return pw_tests_failed ? 1 : 0;
}
