import { existsSync } from 'node:fs';

/** Debian's chromium (apt-get install chromium; `npm run setup` installs it): never a downloaded browser. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export const chromiumAvailable = (): boolean => existsSync(chromiumPath());

/** Headless, and quiet on the network: nothing but the page itself may load. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
