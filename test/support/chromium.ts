import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where a system Chromium usually lives (Debian, Ubuntu, Fedora, Homebrew-less macOS installs). */
const SYSTEM_CHROMIUMS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/**
 * The Chromium the browser tests drive: `CHROME_PATH` when set, else a system Chromium, else the one
 * the npm package `@sparticuz/chromium` ships (unpacked on first use), so `npm install && npm test`
 * needs nothing outside npm. The package is ESM-only, so its path is asked of a child Node process.
 */
export function chromiumExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.CHROME_PATH || env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROME_PATH points at '${configured}', which does not exist.`);
    return configured;
  }
  const system = SYSTEM_CHROMIUMS.find((path) => existsSync(path));
  if (system) return system;
  const script =
    "import('@sparticuz/chromium').then(async (m) => process.stdout.write(await m.default.executablePath()))";
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 }).trim();
}

/** Flags for headless Chromium on a closed network: no background connections that would be refused. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
