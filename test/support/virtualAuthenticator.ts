import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, CDPSession, chromium, Page } from 'playwright-core';
import { createLogger } from '../../local/logger';
import { RunningLocal, startLocal } from '../../local/startLocal';
import { loadConfig } from '../../shared/config';
import { chromiumExecutable, CHROMIUM_ARGS } from './chromium';
import { freePort } from './processes';

/**
 * What the browser tests (test/e2e/*.e2e.test.ts) share: the local host on a localhost origin, and
 * headless Chromium with a CTAP2 virtual authenticator from the DevTools Protocol.
 */

export interface LocalhostHost {
  running: RunningLocal;
  /** `http://localhost:<port>`: origin, token issuer and (host part) RP ID. */
  base: string;
  /** A fresh temporary DATA_DIR; the caller removes it after `running.stop()`. */
  dataDir: string;
}

/**
 * Starts the real local host on `http://localhost:<free port>`. Browsers accept RP ID `localhost`
 * only on a localhost origin, so the port is chosen before the host starts (and chosen again, up to
 * five times, when another process takes it first).
 */
export async function startOnLocalhostOrigin(
  dataDirPrefix: string,
  settings: Record<string, string> = {},
): Promise<LocalhostHost> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const base = `http://localhost:${port}`;
    const dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
    const config = loadConfig(
      {
        PORT: String(port),
        ORIGINS: base,
        TOKEN_ISSUER: base,
        RP_ID: 'localhost',
        DATA_DIR: dataDir,
        AZURITE: 'off',
        ...settings,
      },
      dataDir,
    );
    try {
      const running = await startLocal(config, { logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'none') });
      return { running, base, dataDir };
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
}

export interface VirtualAuthenticatorBrowserOptions {
  viewport: { width: number; height: number };
  /** The virtual authenticator's transport: `usb` (a security key) or `internal` (a platform authenticator). */
  transport: 'usb' | 'internal';
  /** Plain JavaScript run in every page of the context before the page's own scripts. */
  initScript?: string;
  /** The context's default timeout for Playwright actions, when not Playwright's own. */
  defaultTimeoutMs?: number;
}

export interface VirtualAuthenticatorBrowser {
  /** Close it in `afterAll`. */
  browser: Browser;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
}

/**
 * Launches headless Chromium (test/support/chromium), opens one page whose script errors go to
 * stderr, and attaches a CTAP2 virtual authenticator with resident keys and user verification,
 * presence simulated. On a failure after the launch the browser is closed before the error is rethrown.
 */
export async function openBrowserWithVirtualAuthenticator(
  options: VirtualAuthenticatorBrowserOptions,
): Promise<VirtualAuthenticatorBrowser> {
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  try {
    const context: BrowserContext = await browser.newContext({ viewport: options.viewport });
    if (options.defaultTimeoutMs !== undefined) context.setDefaultTimeout(options.defaultTimeoutMs);
    if (options.initScript !== undefined) await context.addInitScript({ content: options.initScript });
    const page = await context.newPage();
    page.on('pageerror', (error) => process.stderr.write(`[browser pageerror] ${error.message}\n`));
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: options.transport,
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    return { browser, page, cdp, authenticatorId };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/**
 * Waits (up to 10 s) until the element is visible and its text contains / matches `text`; returns
 * the text shown. On a timeout the error names what was shown, and the text of `errorBox` when given
 * (the page's own error element).
 */
export async function expectText(
  page: Page,
  selector: string,
  text: string | RegExp,
  options: { errorBox?: string } = {},
): Promise<string> {
  const locator = page.locator(selector);
  const deadline = Date.now() + 10_000;
  let shown: string;
  for (;;) {
    shown = (await locator.textContent().catch(() => '')) ?? '';
    const matches = typeof text === 'string' ? shown.includes(text) : text.test(shown);
    if (matches && (await locator.isVisible())) return shown;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const expected = `expected ${selector} to show ${String(text)}; it shows ${JSON.stringify(shown)}`;
  if (options.errorBox === undefined) throw new Error(expected);
  const errorBox = await page.locator(options.errorBox).textContent();
  throw new Error(`${expected} (error box: ${JSON.stringify(errorBox)})`);
}
