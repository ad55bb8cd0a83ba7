import { chromium, type Browser } from 'playwright-core';

/** The distribution's Chromium (`apt-get install chromium`), or the one CHROMIUM_PATH names. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/**
 * Flags for a browser that talks to nobody but the page under test: no sandbox (CI runs as root),
 * no GPU, no QUIC, no first-run, background, component-update or sync traffic.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Headless Chromium; playwright-core gives each launch a fresh temporary profile (--user-data-dir). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: FLAGS });
}
