import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { StoredCredential } from '../../shared/ports/credentials.port';
import {
  SoftAuthenticator,
  type CreateCredentialOptions,
  type GetAssertionOptions,
} from '../../cli/authenticators/soft';
import { FRONTEND_ORIGIN, TestService } from './localService';
import type { TestJson } from './testJson';

/** Helpers shared by the ceremony rule tests (test/integration/ceremonies.*.http.test.ts). */

export const POLICY_V1 = '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';
export const FIDO2_CONFIGURATION = '#microsoft.graph.fido2AuthenticationMethodConfiguration';
export const DEFAULT_PROFILE_ID = '00000000-0000-0000-0000-000000000001';
export const YUBIKEY_5 = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
export const BASE64URL = /^[A-Za-z0-9_-]+$/;

type Response = Awaited<ReturnType<TestService['call']>>;

const noRestrictions = { isEnforced: false, enforcementType: 'block', aaGuids: [] as string[] };

/** A policy under which every member may register and sign in with any passkey. */
export function openPolicy(): Record<string, unknown> {
  return {
    '@odata.type': FIDO2_CONFIGURATION,
    state: 'enabled',
    isSelfServiceRegistrationAllowed: true,
    isAttestationEnforced: false,
    keyRestrictions: noRestrictions,
    includeTargets: [{ targetType: 'group', id: 'all_users' }],
    excludeTargets: [],
    passkeyProfiles: [
      {
        id: DEFAULT_PROFILE_ID,
        name: 'Default passkey profile',
        passkeyTypes: 'deviceBound,synced',
        attestationEnforcement: 'disabled',
        keyRestrictions: noRestrictions,
      },
    ],
    defaultPasskeyProfile: DEFAULT_PROFILE_ID,
  };
}

/** PATCHes (v1.0) the open policy with `changes` on top; every test states the whole policy it needs. */
export async function setPolicy(
  svc: TestService,
  adminToken: string,
  changes: Record<string, unknown> = {},
): Promise<void> {
  const res = await svc.call('PATCH', POLICY_V1, { token: adminToken, body: { ...openPolicy(), ...changes } });
  if (res.status !== 204) throw new Error(`policy PATCH failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Graph error: status, code, and a message naming the rule. */
export function expectRefused(res: Response, status: number, code: string, rule: RegExp): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.error.message).toMatch(rule);
}

export async function registrationOptions(
  svc: TestService,
  token: string,
  body: Record<string, unknown> = {},
): Promise<Response> {
  return svc.call('POST', '/webauthn/registration/options', { token, body });
}

/** Gets options (expects 200), creates the credential on `key` and posts it. */
export async function register(
  svc: TestService,
  token: string,
  key: SoftAuthenticator,
  ceremony: Partial<CreateCredentialOptions> = {},
): Promise<{ res: Response; id: string; options: TestJson }> {
  const options = await registrationOptions(svc, token);
  if (options.status !== 200)
    throw new Error(`registration options refused: ${options.status} ${JSON.stringify(options.body)}`);
  const credential = await key.createCredential(options.body, { origin: FRONTEND_ORIGIN, ...ceremony });
  const res = await svc.call('POST', '/webauthn/registration/verify', { token, body: { credential } });
  return { res, id: credential.id, options: options.body };
}

export async function authenticationOptions(svc: TestService, userPrincipalName?: string): Promise<Response> {
  return svc.call('POST', '/webauthn/authentication/options', { body: userPrincipalName ? { userPrincipalName } : {} });
}

/** UPN-first sign-in with `key`'s credential `credentialId` (or the one the options allow). */
export async function signIn(
  svc: TestService,
  key: SoftAuthenticator,
  userPrincipalName: string,
  ceremony: Partial<GetAssertionOptions> = {},
): Promise<Response> {
  const options = await authenticationOptions(svc, userPrincipalName);
  const assertion = await key.getAssertion(options.body, { origin: FRONTEND_ORIGIN, ...ceremony });
  return svc.call('POST', '/webauthn/authentication/verify', { body: { credential: assertion } });
}

/**
 * Reads the local host's SQLite file through a second, read-only connection: what a refused
 * request must not have written (credentials, consumed challenges, anything at all).
 */
export class StoreProbe {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    this.db = new Database(join(dataDir, 'passkeys.db'), { readonly: true, fileMustExist: true });
  }

  /** Changes whenever another connection committed anything since the last call. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** Row count of every table. */
  counts(): Record<string, number> {
    const tables = this.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as Array<{ name: string }>;
    return Object.fromEntries(
      tables.map(({ name }) => [
        name,
        (this.db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n,
      ]),
    );
  }

  /** Every stored credential and the consumed-challenge count: the state a ceremony writes. */
  ceremonyState(): { credentials: StoredCredential[]; consumedChallenges: number } {
    const rows = this.db.prepare('SELECT doc FROM credentials ORDER BY id').all() as Array<{ doc: string }>;
    const consumed = this.db.prepare('SELECT COUNT(*) AS n FROM consumed_challenges').get() as { n: number };
    return { credentials: rows.map((r) => JSON.parse(r.doc)), consumedChallenges: consumed.n };
  }

  auditCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
