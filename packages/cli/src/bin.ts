#!/usr/bin/env node
import { main } from './main.js';

// The only place that sets the exit code. exitCode (not exit()) lets stdout drain first.
main(process.argv.slice(2), {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`auditrail: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
