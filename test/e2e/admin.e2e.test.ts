import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { RunningLocal } from '../../local/startLocal';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { openPolicy, POLICY_V1 } from '../support/ceremonies';
import { Roles } from '../support/localService';
import {
  expectText as waitForText,
  openBrowserWithVirtualAuthenticator,
  startOnLocalhostOrigin,
} from '../support/virtualAuthenticator';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { toGraphCredential } from '../../cli/provision/credential';
import type { TestJson } from '../support/testJson';

/**
 * The admin console (/admin/) in real headless Chromium against the real local host: the seed's
 * walkthrough (Authentication methods → Passkey (FIDO2) → Enable for a group → Configure key
 * restrictions → Save), the next sign-in of a passkey the new allow list excludes refused with the
 * rule's message, a stale-ETag conflict shown, a user's passkeys and their deletion, a provisioning
 * job's live progress and cancel, the audit log, and the page at 375 px.
 *
 * Screenshots: set E2E_SCREENSHOT_DIR=docs/images to refresh the README's pictures.
 */
const ALICE = DemoTenant.alice;
const PILOT = DemoTenant.pilotGroup;
/** The CDP virtual authenticator's AAGUID (ctap2). */
const VIRTUAL_AAGUID = '01020304-0506-0708-0102-030405060708';

jest.setTimeout(60_000);

/** Elements reaching past a 375 px viewport (a wide table may scroll inside its own `.scroll` box). */
const WIDER_THAN_375 =
  "[...document.querySelectorAll('body *')].filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > 376 && !e.parentElement.closest('.scroll')).map((e) => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))";

type Ceremony = { status: number; body: { error?: { code: string; message: string }; id?: string } };

describe('admin console (/admin/) in headless Chromium', () => {
  let running: RunningLocal | undefined;
  let base: string;
  let dataDir: string | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let policyAdmin: string;
  /** Every request the console page made: METHOD and path. */
  const requests: string[] = [];
  const screenshots = process.env.E2E_SCREENSHOT_DIR || mkdtempSync(join(tmpdir(), 'passkeys-admin-shots-'));

  const mint = (upn: string, roles: string[] = []) =>
    running!.app.devTokens.mint({ userPrincipalName: upn, roles, permissions: [], expiresInSeconds: 3600 });

  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  const shot = async (name: string) => {
    mkdirSync(screenshots, { recursive: true });
    const path = join(screenshots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    expect(statSync(path).size).toBeLessThan(300 * 1024);
  };

  /** Waits (up to 10 s) until the element is visible and shows `text`. */
  const expectText = (selector: string, text: string | RegExp) => waitForText(page, selector, text);

  /** Polls `check` (up to 10 s). */
  const until = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${check.toString()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  /** Clicks Save and waits for its answer: true when the console shows an impact to confirm first. */
  const clickSave = async () => {
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    let text = '';
    await until(async () => {
      text = (await page.locator('#policy-result').isVisible())
        ? ((await page.locator('#policy-result').textContent()) ?? '')
        : '';
      return text !== '';
    });
    return text.includes('Review the impact');
  };

  /** A ceremony in the page (same origin as the service), through @simplewebauthn/browser. */
  const inPage = (script: string, arg: Record<string, string>) =>
    page.evaluate(
      async ({ script, arg }) => {
        const lib = (globalThis as unknown as { SimpleWebAuthnBrowser: Record<string, (o: unknown) => unknown> })
          .SimpleWebAuthnBrowser;
        const post = async (path: string, body: unknown, token?: string) => {
          const res = await fetch(path, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
            body: JSON.stringify(body),
          });
          return { status: res.status, body: await res.json() };
        };
        if (script === 'register') {
          const options = await post('/webauthn/registration/options', {}, arg.token);
          const credential = await lib.startRegistration({ optionsJSON: options.body });
          return post('/webauthn/registration/verify', { credential, displayName: arg.name }, arg.token);
        }
        const options = await post('/webauthn/authentication/options', { userPrincipalName: arg.upn });
        const credential = await lib.startAuthentication({ optionsJSON: options.body });
        return post('/webauthn/authentication/verify', { credential });
      },
      { script, arg },
    ) as Promise<Ceremony>;

  beforeAll(async () => {
    ({ running, base, dataDir } = await startOnLocalhostOrigin('passkeys-admin-e2e-'));
    policyAdmin = await mint('admin@contoso.com', [Roles.authPolicyAdmin]);
    const open = await api('PATCH', POLICY_V1, policyAdmin, openPolicy());
    expect(open.status).toBe(204);

    ({ browser, page } = await openBrowserWithVirtualAuthenticator({
      viewport: { width: 1440, height: 900 },
      transport: 'usb',
      defaultTimeoutMs: 10_000,
    }));
    page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  });

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (!process.env.E2E_SCREENSHOT_DIR) rmSync(screenshots, { recursive: true, force: true });
  });

  it('alice has a passkey on the virtual authenticator, and signs in with it while the policy is open', async () => {
    await page.goto(`${base}/admin/`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.addScriptTag({ url: '/web/vendor/simplewebauthn-browser.js' });
    const registered = await inPage('register', { token: await mint(ALICE.userPrincipalName), name: 'Alice key' });
    expect(registered.status).toBe(201);
    const signedIn = await inPage('signIn', { upn: ALICE.userPrincipalName });
    expect(signedIn.status).toBe(200);
  });

  it('signs in to the console with a dev token for a chosen role (a local convenience, said on the page)', async () => {
    await expectText('#signin-note', 'Local convenience');
    await shot('admin-sign-in');
    // A user the directory does not have: the service's refusal is shown, nobody is signed in.
    await page.getByLabel('User', { exact: true }).fill('nobody@contoso.com');
    await page.getByRole('button', { name: 'Sign in with a dev token' }).click();
    await expectText('#signin-error', 'Request_ResourceNotFound (404)');
    expect(await page.locator('#nav').isHidden()).toBe(true);
    await page.getByLabel('User', { exact: true }).fill('admin@contoso.com');
    await page.getByLabel('Role').selectOption('Authentication Policy Administrator');
    await page.getByRole('button', { name: 'Sign in with a dev token' }).click();
    await expectText('#session-who', 'Signed in as admin@contoso.com');
    await expectText('#policy-title', 'Passkey (FIDO2) settings');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('policy-title');
  });

  it("does the seed's steps: enable for a group, an allow list without the virtual key's AAGUID, impact, save", async () => {
    await page.waitForSelector('#include-groups input', { state: 'attached' });
    await page.getByLabel('Enable', { exact: true }).check();
    await page.getByLabel('Select groups').check();
    await page.locator('#include-groups').getByLabel(PILOT.displayName, { exact: true }).check();
    await page.getByLabel(`Registration for ${PILOT.displayName}`).selectOption('true');

    await page.getByRole('tab', { name: 'Configure' }).click();
    await page.getByLabel('Allow self-service set up').check();
    await page.getByLabel('Enforce key restrictions').check();
    await page.getByLabel('Restrict specific keys').selectOption('allow');
    await page.getByRole('button', { name: 'Add Microsoft Authenticator' }).click();
    await expectText('#kr-list', 'Microsoft Authenticator (iOS)');
    await expectText('#kr-list', '90a3ccdf-635c-4729-a248-9b709135078f');
    await page.locator('#toast').evaluate((t) => (t.hidden = true));
    await shot('admin-passkey-policy');
    // A typo is refused in the page, before anything is sent.
    await page.getByLabel('Add AAGUID').fill('not-a-guid');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expectText('#kr-error', "'not-a-guid' is not an AAGUID");
    await page.getByLabel('Add AAGUID').fill('');

    if (await clickSave()) {
      // The lock-out preview (when the evaluateKeyRestrictions route exists): alice's key is blocked.
      await expectText('#impact-summary', /^1 passkey\(s\) would be blocked at sign-in; 1 user\(s\)/);
      await expectText('#impact-body', VIRTUAL_AAGUID);
      await shot('admin-impact');
      await page.getByRole('button', { name: 'Save anyway' }).click();
    }
    await expectText('#policy-result', 'Saved.');

    const saved = await api('GET', POLICY_V1, policyAdmin);
    expect(saved.body).toMatchObject({
      state: 'enabled',
      includeTargets: [expect.objectContaining({ targetType: 'group', id: PILOT.id, isRegistrationRequired: true })],
      keyRestrictions: {
        isEnforced: true,
        enforcementType: 'allow',
        aaGuids: ['90a3ccdf-635c-4729-a248-9b709135078f', 'de1e552d-db1d-4423-a619-566b625cdc84'],
      },
    });
    expect(JSON.stringify(saved.body)).not.toContain(VIRTUAL_AAGUID);
  });

  it("refuses alice's next sign-in with the key restriction's message", async () => {
    const refused = await inPage('signIn', { upn: ALICE.userPrincipalName });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual(
      expect.objectContaining({
        code: 'fido2KeyRestrictionViolation',
        message: expect.stringMatching(/^The passkey \(FIDO2\) policy refuses this passkey at sign-in: .*/),
      }),
    );
  });

  it('shows a stale-ETag conflict (412) instead of losing the other change', async () => {
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    await page.waitForSelector('#include-groups input', { state: 'attached' });
    // Someone else saves while the form is open.
    const other = await api('PATCH', POLICY_V1, policyAdmin, {
      '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
      isAttestationEnforced: false,
      isSelfServiceRegistrationAllowed: false,
    });
    expect(other.status).toBe(204);
    await page.getByRole('tab', { name: 'Configure' }).click();
    await page.getByLabel('Restrict specific keys').selectOption('block');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    if (await page.locator('#policy-confirm').isVisible())
      await page.getByRole('button', { name: 'Save anyway' }).click();
    await expectText('#policy-result', /Not saved: someone changed this policy .*412/);
    await shot('admin-conflict');
    const after = await api('GET', POLICY_V1, policyAdmin);
    expect(after.body).toMatchObject({
      isSelfServiceRegistrationAllowed: false,
      keyRestrictions: { enforcementType: 'allow' },
    });
    await page.getByRole('button', { name: 'Reload the current policy' }).click();
    await expectText('#policy-result', 'Reloaded');
    expect(await page.getByLabel('Allow self-service set up').isChecked()).toBe(false);
  });

  it('shows the sign-in log and the AAGUID inventory (bar chart) when the service has them', async () => {
    const signInsLink = page.getByRole('link', { name: 'Sign-in log' });
    if (await signInsLink.isVisible()) {
      await signInsLink.click();
      await expectText('#signins-body', ALICE.userPrincipalName);
      await expectText('#signins-body', /Failure \d+/);
      await page.locator('#page-signins').getByLabel('User principal name').fill('bob@contoso.com');
      await page.locator('#page-signins').getByRole('button', { name: 'Apply' }).click();
      await until(async () => (await page.locator('#signins-body tr').count()) === 0);
      await page.locator('#page-signins').getByLabel('User principal name').fill('');
      await page.locator('#page-signins').getByRole('button', { name: 'Apply' }).click();
      await expectText('#signins-body', ALICE.userPrincipalName);
      await shot('admin-sign-in-log');
    }
    const inventoryLink = page.getByRole('link', { name: 'AAGUID inventory' });
    if (await inventoryLink.isVisible()) {
      await inventoryLink.click();
      await page.waitForSelector('#inventory-chart svg[role="img"] rect');
      await expectText('#inventory-body', VIRTUAL_AAGUID);
      await shot('admin-aaguid-inventory');
    }
  });

  it('adds a passkey profile (a readable summary of the profiles, saved with the policy)', async () => {
    await page.getByRole('link', { name: 'Passkey (FIDO2)', exact: true }).click();
    await page.waitForSelector('main[data-loaded="policy"]', { state: 'attached' });
    await page.getByRole('tab', { name: 'Configure' }).click();
    await expectText('#profiles-body', 'Default passkey profile (default)');
    await page.getByRole('button', { name: 'Add a profile' }).click();
    await expectText('#profiles-body', 'Passkey profile 2');
    await page.getByLabel('Passkey profiles (JSON)').fill('[not json');
    await expectText('#profiles-error', 'not valid JSON');
    await page.getByRole('button', { name: 'Add a profile' }).click();
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await expectText('#policy-result', 'Changes discarded.');
    await page.getByRole('button', { name: 'Add a profile' }).click();
    expect(await clickSave()).toBe(false);
    await expectText('#policy-result', 'Saved.');
    const saved = await api('GET', POLICY_V1, policyAdmin);
    expect(saved.body.passkeyProfiles).toEqual([
      expect.objectContaining({ name: 'Default passkey profile' }),
      expect.objectContaining({ name: 'Passkey profile 2', passkeyTypes: 'deviceBound' }),
    ]);
  });

  it("lists a user's passkeys (AAGUID, model, attestation, type, dates, re-enrolment) and deletes one", async () => {
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search by name or user principal name').fill('ali');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: `Passkeys of ${ALICE.displayName}` }).click();
    // A policy administrator may not read users' passkeys: the console shows the service's refusal.
    await expectText('#users-error', /\(403\)/);

    // Users' passkeys and provisioning need an authentication administrator: sign in again with that role.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Role').selectOption('Authentication Administrator');
    await page.getByRole('button', { name: 'Sign in with a dev token' }).click();
    await expectText('#session-who', 'Signed in as admin@contoso.com');
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search by name or user principal name').fill('ali');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: `Passkeys of ${ALICE.displayName}` }).click();
    const rowText = await expectText('#methods-body', 'Alice key');
    expect(rowText).toContain(VIRTUAL_AAGUID);
    expect(rowText).toMatch(/notAttested/);
    expect(rowText).toMatch(/Device-bound/);
    expect(rowText).toMatch(/Not required/);
    await shot('admin-user-passkeys');

    await page.getByRole('button', { name: 'Delete passkey Alice key' }).click();
    await page.getByRole('button', { name: 'Confirm delete of passkey Alice key' }).click();
    await expectText('#methods-empty', 'no passkeys');
    const left = await api(
      'GET',
      `/v1.0/users/${ALICE.id}/authentication/fido2Methods`,
      await mint('admin@contoso.com', [Roles.authAdmin]),
    );
    expect(left.body.value).toEqual([]);
  });

  it("shows a job's counts move live while a station provisions a key (per outcome)", async () => {
    await page.getByRole('link', { name: 'Provisioning jobs' }).click();
    await page.getByLabel('From a list').check();
    await page
      .getByLabel('User principal names (one per line)')
      .fill(['alice@contoso.com', 'bob@contoso.com', 'guest@fabrikam.com'].join('\n'));
    await page.getByRole('button', { name: 'Start job' }).click();
    await expectText('#job-counts [data-outcome="ready"]', '1');
    await expectText('#job-counts [data-outcome="skippedGuest"]', '1');
    // bob is not in the targeted group: refused by the policy the console saved.
    await expectText('#job-counts [data-outcome="refusedByPolicy"]', '1');
    const jobId = (await page.locator('#job-id').inputValue()).trim();

    // A station (here: the software authenticator with an AAGUID the allow list has) writes alice's key.
    const station = await mint('admin@contoso.com', [Roles.authAdmin]);
    const next = await api('POST', `/provisioning/jobs/${jobId}/next`, station, {});
    expect(next.status).toBe(200);
    const credential = await new SoftAuthenticator({ aaguid: '90a3ccdf-635c-4729-a248-9b709135078f' }).createCredential(
      next.body.publicKey as TestJson,
      { origin: base },
    );
    const delivered = await api(
      'POST',
      `/provisioning/jobs/${jobId}/users/${String(next.body.userId)}/credential`,
      station,
      {
        publicKeyCredential: toGraphCredential(credential),
      },
    );
    expect(delivered.status).toBe(200);
    await expectText('#job-counts [data-outcome="provisioned"]', '1');
    await expectText('#job-status', 'Status: completed');
    await expectText('#job-status', '3 of 3 users done');
    expect(await page.getByRole('button', { name: 'Cancel job' }).isHidden()).toBe(true);
    await shot('admin-provisioning-job');
  });

  it("shows a provisioning job's live progress (counts per outcome) and cancels it", async () => {
    await page.getByRole('link', { name: 'Provisioning jobs' }).click();
    await page.waitForSelector(`#job-group option[value="${PILOT.id}"]`, { state: 'attached' });
    await page.getByLabel('From a group').check();
    await page.getByLabel('Group', { exact: true }).selectOption(PILOT.id);
    await page.getByRole('button', { name: 'Start job' }).click();
    await expectText('#job-status', 'Status: running');
    // The orchestration checks alice and waits for a station: the count moves without a reload.
    await expectText('#job-counts [data-outcome="ready"]', '1');
    await expectText('#job-users', ALICE.userPrincipalName);
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await expectText('#job-status', 'Status: cancelled');
    await expectText('#job-counts [data-outcome="cancelled"]', '1');
  });

  it('shows the audit log, filtered by date', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    const audit = page.locator('#page-audit');
    await expectText('#audit-body', 'admin@contoso.com');
    await page.getByLabel('Activity contains').fill('policy');
    await page.getByRole('button', { name: 'Apply' }).click();
    await until(async () => {
      const rows = await page.locator('#audit-body tr').allTextContents();
      return rows.length > 0 && rows.every((r) => /polic/i.test(r));
    });
    expect(await page.locator('#audit-body').textContent()).toContain('Update authentication methods policy');
    await audit.getByLabel('From (UTC)').fill('2000-01-01T00:00');
    await audit.getByLabel('To (UTC)').fill('2000-01-02T00:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    await until(async () => (await page.locator('#audit-body tr').count()) === 0);
    await audit.getByLabel('From (UTC)').fill('');
    await audit.getByLabel('To (UTC)').fill('');
    await page.getByLabel('Activity contains').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expectText('#audit-body', 'admin@contoso.com');
    await shot('admin-audit-log');
  });

  it('works at 375 px wide: nothing scrolls sideways, the form is reachable by keyboard', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Role').selectOption('Global Administrator');
    await page.getByRole('button', { name: 'Sign in with a dev token' }).click();
    await expectText('#session-who', 'Signed in as admin@contoso.com');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('link', { name: 'Passkey (FIDO2)', exact: true }).click();
    await page.waitForSelector('#include-groups input', { state: 'attached' });
    await page.waitForSelector('main[data-loaded="policy"]', { state: 'attached' });
    // Both tabs' panels, one after the other: no element reaches past the viewport.
    await page.getByRole('tab', { name: 'Configure' }).click();
    const wideConfigure = await page.evaluate<string[]>(WIDER_THAN_375);
    expect(wideConfigure).toEqual([]);
    await page.getByRole('tab', { name: 'Enable and target' }).click();
    await page.locator('#policy-title').focus();
    const wide = await page.evaluate<string[]>(WIDER_THAN_375);
    expect(wide).toEqual([]);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('policy-title');
    await page.keyboard.press('Tab');
    const first = await page.evaluate<string | undefined>('document.activeElement?.id');
    expect(first).toMatch(/^tab-/);
    await page.keyboard.press(first === 'tab-enable' ? 'ArrowRight' : 'ArrowLeft');
    const other = first === 'tab-enable' ? 'configure' : 'enable';
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe(`tab-${other}`);
    expect(await page.locator(`#panel-${other}`).isVisible()).toBe(true);
    await page.getByRole('tab', { name: 'Enable and target' }).click();
    await shot('admin-mobile');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('never called a route the service does not document (pages light up only when their API exists)', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, object> };
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => ({
        method: method.toUpperCase(),
        pattern: new RegExp(`^${path.replace(/[.$()]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`, 'i'),
      })),
    );
    const apiCalls = [...new Set(requests)].filter(
      (r) => !/^GET \/(admin|web)\//.test(r) && r !== 'POST /local/dev-token' && r !== 'GET /openapi.json',
    );
    expect(apiCalls.length).toBeGreaterThan(10);
    const undocumented = apiCalls.filter((call) => {
      const [method, path] = call.split(' ');
      return !documented.some((op) => op.method === method && op.pattern.test(path));
    });
    expect(undocumented).toEqual([]);
  });

  it('with an Entra tenant configured, offers no dev token: the page says to paste a token', async () => {
    const entra = await startOnLocalhostOrigin('passkeys-admin-e2e-', {
      ENTRA_TENANT_ID: '11111111-1111-4111-8111-111111111111',
    });
    const other = await browser!.newPage();
    try {
      await other.goto(`${entra.base}/admin/`);
      await other.waitForSelector('html[data-ready="true"]');
      await other.getByRole('button', { name: 'Sign in with a dev token' }).click();
      await other.getByText('This host does not mint dev tokens').waitFor();
      expect(await other.locator('#nav').isHidden()).toBe(true);
    } finally {
      await other.close();
      await entra.running.stop();
      rmSync(entra.dataDir, { recursive: true, force: true });
    }
  });
});
