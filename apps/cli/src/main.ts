#!/usr/bin/env node
/**
 * `physwatch`: the on-call command line for physwatch. Exit codes: 0 done, 1 failed (server
 * error, not found, unreachable, hosts that did not arm), 2 bad input (the message names
 * the flag, file field or setting).
 */
import { processIo } from './io';
import { run } from './program';

// Exit explicitly: `hits tail` ends on Ctrl-C with a request or timer still pending.
void run(process.argv.slice(2), processIo()).then((code) => process.exit(code));
