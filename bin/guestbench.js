#!/usr/bin/env node
// Entry point: runs the compiled CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/* global URL */
const compiled = new URL('../dist/runners/guestbench.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  process.stderr.write('guestbench: the library is not compiled (no dist/)\n  fix: run `npm run build` in the guestbench checkout\n');
  process.exit(1);
}
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv.slice(2));
