import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { Browser, CDPSession, Page } from 'playwright-core';
import { RunningLocal } from '../../local/startLocal';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { openPolicy, POLICY_V1 } from '../support/ceremonies';
import { Roles } from '../support/localService';
import {
  expectText as waitForText,
  openBrowserWithVirtualAuthenticator,
  startOnLocalhostOrigin,
} from '../support/virtualAuthenticator';

/**
 * The demo sign-in frontend (web/) in real headless Chromium, against the real local host, with a
 * CTAP2 virtual authenticator from the DevTools Protocol: registration and sign-in go through the
 * browser's WebAuthn implementation and @simplewebauthn/browser exactly as for a user.
 *
 * Uses CHROME_PATH, else a system Chromium, else the one the npm package @sparticuz/chromium ships
 * (see test/support/chromium). Set E2E_SCREENSHOT_DIR to keep screenshots of the page.
 */
const ALICE = DemoTenant.alice;

jest.setTimeout(30_000);

const policy = (state: 'enabled' | 'disabled') => ({ ...openPolicy(), state });

describe('demo sign-in frontend (web/) in headless Chromium with a virtual authenticator', () => {
  let running: RunningLocal | undefined;
  let base: string;
  let dataDir: string | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let authenticatorId: string;
  let cdp: CDPSession;
  let policyAdmin: string;
  let aliceDevToken: string;
  const screenshots = process.env.E2E_SCREENSHOT_DIR || mkdtempSync(join(tmpdir(), 'passkeys-web-shots-'));

  const mint = (upn: string, roles: string[] = []) =>
    running!.app.devTokens.mint({ userPrincipalName: upn, roles, permissions: [], expiresInSeconds: 3600 });

  const setPolicy = async (state: 'enabled' | 'disabled') => {
    const res = await fetch(`${base}${POLICY_V1}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${policyAdmin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(policy(state)),
    });
    if (res.status !== 204) throw new Error(`policy PATCH failed: ${res.status} ${await res.text()}`);
  };

  /** Verifies a sign-in token the way a relying app would: against the published JWKS and issuer. */
  const verifyToken = async (token: string) => {
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as Parameters<
      typeof createLocalJWKSet
    >[0];
    const discovery = (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as { issuer: string };
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: discovery.issuer });
    return payload;
  };

  const shot = async (name: string) => {
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  };

  /**
   * Signs out with presence held back: the page arms autofill again on sign-out, which the virtual
   * authenticator would answer at once; pending, it is aborted by the path the next test picks.
   */
  const signOut = async () => {
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectText('#status', 'Signed out.');
    // (a USB authenticator without presence may also just end the autofill request: either is fine)
    await new Promise((resolve) => setTimeout(resolve, 300));
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true });
  };

  /** Waits (up to 10 s) until the element is visible and its text contains / matches `text`. */
  const expectText = (selector: string, text: string | RegExp) =>
    waitForText(page, selector, text, { errorBox: '#error' });

  beforeAll(async () => {
    ({ running, base, dataDir } = await startOnLocalhostOrigin('passkeys-web-e2e-'));
    policyAdmin = await mint('admin@contoso.com', [Roles.authPolicyAdmin]);
    aliceDevToken = await mint(ALICE.userPrincipalName);

    ({ browser, page, cdp, authenticatorId } = await openBrowserWithVirtualAuthenticator({
      viewport: { width: 900, height: 900 },
      transport: 'usb',
    }));
  });

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (!process.env.E2E_SCREENSHOT_DIR) rmSync(screenshots, { recursive: true, force: true });
  });

  it('serves the page and its WebAuthn library', async () => {
    await setPolicy('enabled');
    const response = await page.goto(`${base}/web/`);
    expect(response?.status()).toBe(200);
    await page.waitForSelector('html[data-ready="true"]');
    expect(await page.title()).toContain('passkeys');
    expect(
      await page.evaluate(
        () =>
          typeof (globalThis as { SimpleWebAuthnBrowser?: { startAuthentication?: unknown } }).SimpleWebAuthnBrowser
            ?.startAuthentication,
      ),
    ).toBe('function');
    expect(await page.locator('#unsupported').isHidden()).toBe(true);
    await expect(page.getByRole('heading', { name: 'Sign in with a passkey' }).isVisible()).resolves.toBe(true);
  });

  let credentialId: string;

  it('registers a passkey in the browser with a pasted dev token (Security info)', async () => {
    await page.getByLabel('Development token').fill(aliceDevToken);
    await page.getByRole('button', { name: 'Use this token' }).click();
    await expectText('#status', `Using a development token for ${ALICE.userPrincipalName}`);
    await expectText('#methods-empty', 'no passkeys');

    await page.getByLabel('Name (optional)').fill('Chromium virtual key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expectText('#status', 'Passkey "Chromium virtual key" added.');
    await expectText('#methods-body', 'Chromium virtual key');
    await shot('1-registered');

    // The browser's authenticator holds a discoverable credential, and the service has the same one.
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0].isResidentCredential).toBe(true);
    credentialId = Buffer.from(credentials[0].credentialId, 'base64').toString('base64url');
    const rows = page.locator('#methods-body tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-method-id')).toBe(credentialId);
    const listed = (await (
      await fetch(`${base}/v1.0/me/authentication/fido2Methods`, {
        headers: { Authorization: `Bearer ${aliceDevToken}` },
      })
    ).json()) as { value: unknown[] };
    expect(listed.value).toEqual([
      expect.objectContaining({ id: credentialId, displayName: 'Chromium virtual key', passkeyType: 'deviceBound' }),
    ]);

    await signOut();
    expect(await page.locator('#methods').isHidden()).toBe(true);
  });

  it('signs alice in UPN-first; the token verifies against the JWKS', async () => {
    await page.getByLabel('Username').fill(ALICE.userPrincipalName);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectText('#status', `Signed in as ${ALICE.displayName}.`);
    await expectText('#session-name', ALICE.displayName);
    await expectText('#session-upn', ALICE.userPrincipalName);
    await expectText('#session-how', 'a passkey');
    await expectText('#methods-body', 'Chromium virtual key');
    await shot('2-signed-in');

    const token = await page.locator('#session-token').inputValue();
    const claims = await verifyToken(token);
    expect(claims).toMatchObject({ sub: ALICE.id, upn: ALICE.userPrincipalName, amr: ['fido'], cred_id: credentialId });
    await signOut();
  });

  it('signs alice in usernameless (discoverable credential)', async () => {
    await page.getByLabel('Username').fill('');
    await page.getByRole('button', { name: 'Sign in without a username' }).click();
    await expectText('#session-upn', ALICE.userPrincipalName);
    const claims = await verifyToken(await page.locator('#session-token').inputValue());
    expect(claims).toMatchObject({ sub: ALICE.id, upn: ALICE.userPrincipalName, cred_id: credentialId });
    // The token is kept across a reload (sessionStorage) and still lists the passkeys.
    await page.reload();
    await expectText('#session-upn', ALICE.userPrincipalName);
    await expectText('#methods-body', 'Chromium virtual key');
    await signOut();
  });

  it("refuses sign-in once the policy disables the method, showing the policy's Graph error", async () => {
    await setPolicy('disabled');
    await page.getByLabel('Username').fill(ALICE.userPrincipalName);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectText('#error', 'Sign-in failed');
    await expectText('#error-message', /disabled/);
    await expectText('#error-code', /^fido2MethodDisabled · HTTP 403 · request-id /);
    expect(await page.locator('#session').isHidden()).toBe(true);
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem(
          'passkeyDemo.session',
        ),
      ),
    ).toBeNull();
    await shot('3-refused');
  });

  it('deletes the passkey from Security info', async () => {
    await page.getByLabel('Development token').fill(aliceDevToken);
    await page.getByRole('button', { name: 'Use this token' }).click();
    await expectText('#methods-body', 'Chromium virtual key');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete passkey Chromium virtual key' }).click();
    await expectText('#status', 'Deleted Chromium virtual key.');
    await expectText('#methods-empty', 'no passkeys');
  });
});
