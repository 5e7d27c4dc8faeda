/**
 * User enumeration at sign-in options (issue 8 §4): 200 users with passkeys and 200 UPNs nobody
 * has ask for UPN-first options over HTTP; simple classifiers trained on half the responses' shape
 * (descriptor count, id lengths, transports, every field) must guess the other half no better
 * than chance. Known users' passkeys are written straight to the store, as browsers would have
 * registered them (raw transport lists, ids of several lengths, provisioned keys with none).
 */
import { randomBytes } from 'node:crypto';
import { auditRecord } from '../../shared/domain/auditRecords';
import type { StoredCredential } from '../../shared/ports/credentials.port';
import { authenticationOptions } from '../support/ceremonies';
import { startTestService, TestService } from '../support/localService';
import { recordFigure } from './figures';
import { EventTypes } from '../../shared/domain/events/eventTypes';

const USERS = 200;
/** Fixed, so the population, the decoys and so the accuracies are the same on every run. */
const SERVER_SECRET = Buffer.alloc(32, 0x5a).toString('base64');

/** A seeded PRNG (mulberry32): the population is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(table: Array<[T, number]>, u: number): T => {
  let point = u * table.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of table) {
    if (point < weight) return value;
    point -= weight;
  }
  return table[table.length - 1][0];
};

/** What browsers report at registration (raw lists, as stored), by authenticator. */
const FLEET: Array<[{ idBytes: number; transports: string[] }, number]> = [
  [{ idBytes: 16, transports: ['hybrid', 'internal'] }, 25], // Google Password Manager, Bitwarden
  [{ idBytes: 20, transports: ['internal'] }, 8], // iCloud Keychain, Safari on a Mac
  [{ idBytes: 20, transports: ['hybrid', 'internal'] }, 12], // iCloud Keychain on an iPhone
  [{ idBytes: 32, transports: ['internal'] }, 15], // Windows Hello
  [{ idBytes: 64, transports: ['usb'] }, 10], // security key, USB only
  [{ idBytes: 64, transports: ['nfc', 'usb'] }, 20], // security key, NFC and USB
  [{ idBytes: 64, transports: [] }, 10], // security key provisioned by a station: nothing reported
];
const PASSKEYS_PER_USER: Array<[number, number]> = [
  [1, 60],
  [2, 30],
  [3, 10],
];

type Body = { challenge: string; allowCredentials: Array<Record<string, unknown>> } & Record<string, unknown>;

/** Every observable of a response except values that are random per request. */
const features: Record<string, (body: Body) => string> = {
  count: (b) => String(b.allowCredentials.length),
  idLengths: (b) => b.allowCredentials.map((d) => Buffer.from(String(d.id), 'base64url').length).join(','),
  totalIdBytes: (b) =>
    String(b.allowCredentials.reduce((sum, d) => sum + Buffer.from(String(d.id), 'base64url').length, 0)),
  transports: (b) => JSON.stringify(b.allowCredentials.map((d) => d.transports ?? null)),
  descriptorKeys: (b) => JSON.stringify(b.allowCredentials.map((d) => Object.keys(d).sort())),
  challengeBytes: (b) => String(Buffer.from(b.challenge, 'base64url').length),
  everyField: (b) =>
    JSON.stringify({
      ...b,
      challenge: Buffer.from(b.challenge, 'base64url').length,
      allowCredentials: b.allowCredentials.map((d) => ({ ...d, id: Buffer.from(String(d.id), 'base64url').length })),
    }),
};

/**
 * A lookup classifier: the majority label of each feature value in the training half; values
 * never seen in training are guessed "unknown". Returns the accuracy on the test half.
 */
function accuracy(feature: (b: Body) => string, train: Array<[Body, boolean]>, test: Array<[Body, boolean]>): number {
  const votes = new Map<string, number>();
  for (const [body, known] of train) votes.set(feature(body), (votes.get(feature(body)) ?? 0) + (known ? 1 : -1));
  const correct = test.filter(([body, known]) => (votes.get(feature(body)) ?? 0) > 0 === known).length;
  return correct / test.length;
}

describe('sign-in options for known and unknown UPNs', () => {
  let svc: TestService;
  const knownUpns: string[] = [];
  const unknownUpns = Array.from({ length: USERS }, (_, i) => `visitor${i}@contoso.com`);

  beforeAll(async () => {
    svc = await startTestService({ SERVER_SECRET });
    const random = seeded(8);
    const actor = { user: null, app: { appId: 'user-enumeration-test' } };
    for (let i = 0; i < USERS; i++) {
      const user = await svc.app.directory.createUser(
        { userPrincipalName: `member${i}@contoso.com`, displayName: `Member ${i}` },
        actor,
      );
      knownUpns.push(user.userPrincipalName);
      const count = pick(PASSKEYS_PER_USER, random());
      for (let k = 0; k < count; k++) {
        const kind = pick(FLEET, random());
        const credential: StoredCredential = {
          id: randomBytes(kind.idBytes).toString('base64url'),
          userId: user.id,
          displayName: 'Passkey',
          publicKey: randomBytes(77).toString('base64url'),
          signCount: 0,
          transports: kind.transports,
          aaGuid: '00000000-0000-0000-0000-000000000000',
          model: null,
          attestationLevel: 'notAttested',
          attestationCertificates: [],
          attestationFormat: 'none',
          backupEligible: false,
          backedUp: false,
          createdDateTime: new Date().toISOString(),
          lastUsedDateTime: null,
          cloneWarningDateTime: null,
          reEnrolmentRequired: false,
        };
        const audit = auditRecord({
          id: randomBytes(8).toString('hex'),
          at: new Date(),
          actor,
          category: 'UserManagement',
          activityDisplayName: 'Add Passkey',
          eventType: EventTypes.fido2MethodRegistered,
          operationType: 'Add',
          target: { id: user.id, displayName: user.userPrincipalName, type: 'User' },
          before: null,
          after: null,
        });
        await svc.app.store.credentials.create(credential, audit);
      }
    }
  });
  afterAll(async () => {
    await svc.close();
  });

  it('attack: user enumeration by response shape: classifiers on count, id lengths, transports and every field do no better than chance', async () => {
    const ask = async (upn: string) => {
      const res = await authenticationOptions(svc, upn);
      expect(res.status).toBe(200);
      return res.body as Body;
    };
    const known: Array<[Body, boolean]> = [];
    const unknown: Array<[Body, boolean]> = [];
    for (let i = 0; i < USERS; i++) {
      known.push([await ask(knownUpns[i]), true]);
      unknown.push([await ask(unknownUpns[i]), false]);
    }
    const half = USERS / 2;
    const train = [...known.slice(0, half), ...unknown.slice(0, half)];
    const test = [...known.slice(half), ...unknown.slice(half)];
    // 200 guesses at chance: mean 0.5, standard deviation 0.035; 0.1 is almost three of them.
    const results = Object.fromEntries(
      Object.entries(features).map(([name, feature]) => [name, accuracy(feature, train, test)]),
    );
    if (process.env.SHOW_ACCURACY) console.log(results);
    for (const [name, value] of Object.entries(results)) {
      expect({ name, value, withinChance: Math.abs(value - 0.5) <= 0.1 }).toEqual({ name, value, withinChance: true });
    }
    recordFigure('user enumeration', 'UPNs asked (known + unknown)', USERS * 2);
    recordFigure('user enumeration', 'best classifier accuracy', Math.max(...Object.values(results)).toFixed(3));
  });

  it('attack: user enumeration by store work: a known and an unknown UPN make the same store calls', async () => {
    // Call-through spies on every method of the credential and directory repositories. They sit on
    // the prototypes: the store hands out error-translating proxies whose methods are wrappers.
    const repositories = {
      credentials: svc.app.store.credentials,
      directory: svc.app.store.directory,
    } as unknown as Record<string, object>;
    const spies = Object.entries(repositories).flatMap(([repository, instance]) => {
      const prototype = Object.getPrototypeOf(instance) as Record<string, () => unknown>;
      return Object.getOwnPropertyNames(prototype)
        .filter((name) => name !== 'constructor' && typeof prototype[name] === 'function')
        .map((name) => [`${repository}.${name}`, jest.spyOn(prototype, name)] as const);
    });
    const work = async (upn: string) => {
      for (const [, spy] of spies) spy.mockClear();
      expect((await authenticationOptions(svc, upn)).status).toBe(200);
      return spies
        .filter(([, spy]) => spy.mock.calls.length > 0)
        .map(([name, spy]) => `${name} x${spy.mock.calls.length}`);
    };
    const knownWork = await work(knownUpns[0]);
    expect(knownWork).toContain('credentials.listByUser x1');
    expect(await work(unknownUpns[0])).toEqual(knownWork);
    for (const [, spy] of spies) spy.mockRestore();
  });
});
