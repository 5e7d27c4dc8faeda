import { createPublicKey, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, KeyLike, SignJWT, UnsecuredJWT } from 'jose';
import { httpFunctions } from '../../functions/registry';
import { HttpFunction } from '../../functions/http/httpFunction';
import { AccessRules } from '../../shared/domain/auth/accessRules';
import { AccessRule } from '../../shared/domain/auth/principal';
import { roleAssignmentId } from '../../shared/domain/auth/roleAssignment';
import { DirectoryRoleName, DirectoryRoles } from '../../shared/domain/auth/roles';
import { startTestService, TestService } from '../support/localService';
import { recordFigure } from './figures';

/*
 * The authorization matrix: every admin route of the function registry × every token variant and
 * principal of interest → the expected status. Routes come from the registry itself, so a new route
 * is in the matrix the moment it is registered; its access rule must be one of the rules below.
 * The service validates Entra tokens (a tenant key served as a JWKS on loopback), so every token,
 * good or forged, is made here with jose.
 */

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://passkey-service-matrix';
const ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const KID = 'tenant-key-1';
const USER_ID = '11111111-1111-4111-8111-111111111111';

type RuleName = Exclude<keyof typeof AccessRules, 'signedInUser'>;

/**
 * Who may call what, written out independently of accessRules.ts from Graph's least-privileged
 * permissions and roles: a rule widened in the code but not here fails the matrix.
 */
const EXPECTED: Record<RuleName, { permissions: string[]; roles: DirectoryRoleName[] }> = {
  policyRead: {
    permissions: ['Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod', 'Policy.Read.AuthenticationMethod'],
    roles: ['Authentication Policy Administrator', 'Global Administrator', 'Global Reader', 'Security Administrator'],
  },
  policyWrite: {
    permissions: ['Policy.ReadWrite.AuthenticationMethod'],
    roles: ['Authentication Policy Administrator', 'Global Administrator'],
  },
  strengthsRead: {
    permissions: ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'],
    roles: ['Global Administrator', 'Global Reader', 'Conditional Access Administrator', 'Security Administrator'],
  },
  strengthsWrite: {
    permissions: ['Policy.ReadWrite.ConditionalAccess'],
    roles: ['Conditional Access Administrator', 'Global Administrator'],
  },
  directoryRead: {
    permissions: [
      'User.Read.All',
      'User.ReadWrite.All',
      'Group.Read.All',
      'Group.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
      'GroupMember.Read.All',
    ],
    roles: [
      'Global Administrator',
      'Global Reader',
      'User Administrator',
      'Authentication Policy Administrator',
      'Authentication Administrator',
      'Privileged Authentication Administrator',
    ],
  },
  userWrite: {
    permissions: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
    roles: ['Global Administrator', 'User Administrator'],
  },
  groupWrite: {
    permissions: ['Group.ReadWrite.All', 'GroupMember.ReadWrite.All', 'Directory.ReadWrite.All'],
    roles: ['Global Administrator', 'User Administrator'],
  },
  methodsRead: {
    permissions: [
      'UserAuthenticationMethod.Read.All',
      'UserAuthenticationMethod.ReadWrite.All',
      'UserAuthMethod-Passkey.Read.All',
      'UserAuthMethod-Passkey.ReadWrite.All',
    ],
    roles: [
      'Authentication Administrator',
      'Privileged Authentication Administrator',
      'Global Administrator',
      'Global Reader',
    ],
  },
  methodsWrite: {
    permissions: ['UserAuthenticationMethod.ReadWrite.All', 'UserAuthMethod-Passkey.ReadWrite.All'],
    roles: ['Authentication Administrator', 'Privileged Authentication Administrator', 'Global Administrator'],
  },
  auditRead: {
    permissions: ['AuditLog.Read.All'],
    roles: [
      'Global Administrator',
      'Global Reader',
      'Security Administrator',
      'Authentication Policy Administrator',
      'Authentication Administrator',
      'Privileged Authentication Administrator',
    ],
  },
  signInLogRead: {
    permissions: ['AuditLog.Read.All'],
    roles: [
      'Global Administrator',
      'Global Reader',
      'Security Administrator',
      'Reports Reader',
      'Authentication Policy Administrator',
      'Authentication Administrator',
      'Privileged Authentication Administrator',
      'Conditional Access Administrator',
    ],
  },
  aaguidInventoryRead: {
    permissions: ['Reports.Read.All', 'AuditLog.Read.All', 'Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod'],
    roles: [
      'Global Administrator',
      'Global Reader',
      'Reports Reader',
      'Security Administrator',
      'Authentication Policy Administrator',
    ],
  },
  roleAssignmentsRead: {
    permissions: [
      'RoleManagement.Read.Directory',
      'RoleManagement.ReadWrite.Directory',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
    roles: ['Global Administrator', 'Global Reader', 'Privileged Role Administrator'],
  },
  roleAssignmentsWrite: {
    permissions: ['RoleManagement.ReadWrite.Directory'],
    roles: ['Global Administrator', 'Privileged Role Administrator'],
  },
};

const ruleNameOf = (rule: AccessRule): RuleName | undefined =>
  (Object.keys(EXPECTED) as RuleName[]).find((name) => AccessRules[name] === rule);

/** Every application permission any rule names, plus ones no admin route accepts. */
const PERMISSIONS = [
  ...new Set([
    ...Object.values(EXPECTED).flatMap((e) => e.permissions),
    'User.Read',
    'Mail.Read',
    'Application.ReadWrite.All',
  ]),
];
const ROLES = Object.keys(DirectoryRoles) as DirectoryRoleName[];

/** A concrete request for a route: parameters that name nothing, and a body that fails validation, so an admitted call changes nothing. */
function requestFor(fn: HttpFunction): { method: string; path: string; body?: unknown } {
  const values: Record<string, () => string> = {
    ver: () => 'v1.0',
    configId: () => 'fido2',
    userId: () => randomUUID(),
    groupId: () => randomUUID(),
    jobId: () => randomUUID(),
    id: () => randomUUID(),
    methodId: () => 'no-such-passkey',
    operation: () => 'creationOptions',
    assignmentId: () => roleAssignmentId(randomUUID(), randomUUID()),
    strengthId: () => randomUUID(),
    configurationId: () => randomUUID(),
    resourceName: () => 'no-such-resource',
  };
  const path = fn.route.replace(/\{\*?(\w+)(?::[^}]*)?\}/g, (_m, name: string) => {
    const value = values[name];
    if (!value)
      throw new Error(
        `Route ${fn.name} (${fn.route}) has a parameter '${name}' the matrix does not know; add a value for it`,
      );
    return value();
  });
  const method = fn.methods[0];
  return { method, path: `/${path}`, body: fn.body ? {} : undefined };
}

interface Variant {
  title: string;
  token?: string;
  /** Given the route's rule: 'denied' (403), 'invalid' (401) or 'admitted' (past authorization). */
  expect: (rule: RuleName) => 'invalid' | 'denied' | 'admitted';
}

const adminRoutes = httpFunctions().filter(
  (f): f is HttpFunction & { access: AccessRule } => f.access !== 'anonymous' && !f.access.signedInUser,
);

describe('authorization matrix: every admin route × every principal and token variant', () => {
  let jwksServer: Server;
  let svc: TestService;
  const variants: Variant[] = [];
  let checks = 0;

  beforeAll(async () => {
    const tenantKey = await generateKeyPair('RS256', { extractable: true });
    const otherKey = await generateKeyPair('RS256', { extractable: true });
    const publicJwk = { ...(await exportJWK(tenantKey.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] })),
    );
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/discovery/v2.0/keys`;
    svc = await startTestService({ ENTRA_TENANT_ID: TENANT, ENTRA_AUDIENCE: AUDIENCE, ENTRA_JWKS_URI: jwksUri });

    const sign = (
      claims: Record<string, unknown>,
      o: { key?: KeyLike; issuer?: string; audience?: string; expiresIn?: string } = {},
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
        .setIssuer(o.issuer ?? ISSUER)
        .setAudience(o.audience ?? AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(o.expiresIn ?? '1h')
        .sign(o.key ?? tenantKey.privateKey);
    const delegated = (extra: Record<string, unknown>) => ({
      oid: USER_ID,
      sub: USER_ID,
      preferred_username: 'matrix@contoso.com',
      idtyp: 'user',
      ...extra,
    });
    const app = (roles: string[]) => ({ oid: 'app-object', sub: 'app-object', azp: 'app-id', idtyp: 'app', roles });
    const ga = delegated({ scp: 'user_impersonation', wids: [DirectoryRoles['Global Administrator']] });
    const now = Math.floor(Date.now() / 1000);
    const publicPem = createPublicKey({
      key: publicJwk as unknown as import('node:crypto').JsonWebKey,
      format: 'jwk',
    }).export({ type: 'spki', format: 'pem' });

    const invalid = () => 'invalid' as const;
    variants.push(
      { title: 'attack: no token', expect: invalid },
      {
        title: 'attack: expired token of a Global Administrator',
        token: await sign(ga, { expiresIn: '-5m' }),
        expect: invalid,
      },
      {
        title: 'attack: token for another audience',
        token: await sign(ga, { audience: 'api://other-api' }),
        expect: invalid,
      },
      {
        title: 'attack: token from another tenant (issuer)',
        token: await sign(ga, { issuer: 'https://login.microsoftonline.com/other-tenant/v2.0' }),
        expect: invalid,
      },
      {
        title: 'attack: alg none',
        token: new UnsecuredJWT(ga)
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('1h')
          .encode(),
        expect: invalid,
      },
      {
        title: 'attack: HS256 signed with the public key (PEM) as the HMAC secret',
        token: await new SignJWT(ga)
          .setProtectedHeader({ alg: 'HS256', kid: KID })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(String(publicPem))),
        expect: invalid,
      },
      {
        title: 'attack: HS256 signed with the public JWK (JSON) as the HMAC secret',
        token: await new SignJWT(ga)
          .setProtectedHeader({ alg: 'HS256', kid: KID })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(JSON.stringify(publicJwk))),
        expect: invalid,
      },
      {
        title: 'attack: signed by another key under the tenant key id',
        token: await sign(ga, { key: otherKey.privateKey }),
        expect: invalid,
      },
      {
        title: 'attack: token without an expiry',
        token: await new SignJWT({ ...ga, iat: now })
          .setProtectedHeader({ alg: 'RS256', kid: KID })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .sign(tenantKey.privateKey),
        expect: invalid,
      },
      { title: 'attack: garbage bearer', token: 'not.a.jwt', expect: invalid },
    );
    // Delegated tokens: the scope alone never grants; scope and role together do.
    variants.push(
      {
        title: 'attack: delegated token with every Graph scope of the rule but no directory role',
        token: await sign(delegated({ scp: [...PERMISSIONS, 'user_impersonation'].join(' ') })),
        expect: () => 'denied',
      },
      {
        title: "attack: delegated token carrying application permissions in 'roles'",
        token: await sign(delegated({ scp: 'user_impersonation', roles: PERMISSIONS })),
        expect: () => 'denied',
      },
      {
        title: 'attack: directory role without any delegated scope (a sign-in token shape)',
        token: await sign(delegated({ wids: Object.values(DirectoryRoles) })),
        expect: () => 'denied',
      },
      {
        title: 'attack: app-only token carrying every directory role in wids',
        token: await sign({ ...app([]), wids: Object.values(DirectoryRoles) }),
        expect: () => 'denied',
      },
    );
    for (const name of Object.keys(EXPECTED) as RuleName[]) {
      const e = EXPECTED[name];
      const token = await sign(delegated({ scp: e.permissions[0], wids: [DirectoryRoles[e.roles[0]]] }));
      variants.push({
        title: `delegated scope ${e.permissions[0]} with role ${e.roles[0]}`,
        token,
        expect: (rule) =>
          EXPECTED[rule].permissions.includes(e.permissions[0]) && EXPECTED[rule].roles.includes(e.roles[0])
            ? 'admitted'
            : 'denied',
      });
    }
    for (const role of ROLES) {
      const token = await sign(delegated({ scp: 'user_impersonation', wids: [DirectoryRoles[role]] }));
      variants.push({
        title: `role ${role}`,
        token,
        expect: (rule) => (EXPECTED[rule].roles.includes(role) ? 'admitted' : 'denied'),
      });
    }
    for (const permission of PERMISSIONS) {
      const token = await sign(app([permission]));
      variants.push({
        title: `application permission ${permission}`,
        token,
        expect: (rule) => (EXPECTED[rule].permissions.includes(permission) ? 'admitted' : 'denied'),
      });
    }
  });

  afterAll(async () => {
    await svc?.close();
    await new Promise((r) => jwksServer.close(r));
    recordFigure('authorization', 'admin routes', adminRoutes.length);
    recordFigure('authorization', 'principals and token variants', variants.length);
    recordFigure('authorization', 'route × principal checks', checks);
  });

  it('finds the admin routes in the registry, each with a rule of the matrix', () => {
    expect(adminRoutes.length).toBeGreaterThanOrEqual(35);
    const unknown = adminRoutes.filter((f) => !ruleNameOf(f.access)).map((f) => f.name);
    expect(unknown).toEqual([]);
  });

  it.each(adminRoutes.map((f) => [`${f.methods[0]} ${f.route}`, f] as const))(
    'attack: %s against forged, under-privileged and admitted principals',
    async (_title, fn) => {
      const rule = ruleNameOf(fn.access)!;
      const rows: Array<{ variant: string; expected: string; status: number; code?: string }> = [];
      for (let i = 0; i < variants.length; i += 16) {
        await Promise.all(
          variants.slice(i, i + 16).map(async (v) => {
            const { method, path, body } = requestFor(fn);
            const res = await svc.call(method, path, { token: v.token, body });
            rows.push({ variant: v.title, expected: v.expect(rule), status: res.status, code: res.body?.error?.code });
          }),
        );
      }
      checks += rows.length;
      const wrong = rows.filter((r) =>
        r.expected === 'invalid'
          ? !(r.status === 401 && r.code === 'InvalidAuthenticationToken')
          : r.expected === 'denied'
            ? !(r.status === 403 && r.code === 'Authorization_RequestDenied')
            : r.status === 401 || r.status === 403 || r.status >= 500,
      );
      expect(wrong).toEqual([]);
      // Every route admits someone: a route nobody can call would be a bug of its own.
      expect(rows.some((r) => r.expected === 'admitted')).toBe(true);
    },
  );
});
