/**
 * How guestbench starts Debian's Chromium headless (through npm's playwright-core, never a browser
 * download): the one binary and the one set of flags the report's figure images and the browser
 * tests share.
 */

/** Debian's Chromium; $GUESTBENCH_CHROMIUM overrides. */
export const CHROMIUM = process.env.GUESTBENCH_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags for a headless Chromium that talks to no network on its own (on a closed network its
 * background connections are refused, many at a time) and runs as root without a sandbox.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
