import { createGraphClient } from '../../shared/adapters/graph/graphClient';
import { EntraDirectory } from '../../shared/adapters/graph/entraDirectory';
import { createSqliteStore } from '../../shared/adapters/sqlite/store.sqlite';
import { ErrorCodes } from '../../shared/domain/errorCodes';
import { isErrorOf } from '../../shared/domain/errors';
import { Store } from '../../shared/ports/store.port';
import { GraphTestServer, startGraphTestServer, testCredential } from '../support/graphTestServer';
import { startTlsProxy, TlsProxy } from '../support/tlsProxy';

describe('Entra directory connector over Microsoft Graph (through TLS)', () => {
  let graph: GraphTestServer;
  let proxy: TlsProxy;
  let store: Store;
  let now: number;
  const clock = { now: () => new Date(now) };

  beforeAll(async () => {
    graph = await startGraphTestServer();
    proxy = await startTlsProxy(graph.port);
    store = await createSqliteStore(':memory:');
  });
  afterAll(async () => {
    await proxy.close();
    await graph.close();
    await store.close();
  });

  function connector(ttlMs = 60_000) {
    now = Date.parse('2026-12-01T10:00:00Z');
    const credential = testCredential(graph.token);
    const client = createGraphClient({ baseUrl: proxy.url, credential, ca: proxy.cert, maxRetryAfterMs: 2000 });
    return {
      credential,
      directory: new EntraDirectory({ graph: client, roleAssignments: store.directory, clock, membershipTtlMs: ttlMs }),
    };
  }

  it('reads a user by id and by UPN with $select, in the service shape, sending the token', async () => {
    const alice = graph.addUser({ userPrincipalName: 'alice@contoso.com', displayName: 'Alice', userType: 'Guest' });
    const { directory, credential } = connector();
    expect((await directory.getUserById(alice.id))?.value).toEqual(alice);
    expect((await directory.getUserByUpn('ALICE@contoso.com'))?.value.id).toBe(alice.id);
    expect(await directory.getUserById('00000000-0000-0000-0000-000000000000')).toBeNull();
    const sent = graph.wire(`/v1.0/users/${alice.id}`)[0]!;
    expect(decodeURIComponent(sent.url)).toContain('$select=id,userPrincipalName,userType,accountEnabled,displayName');
    expect(sent.authorization).toBe(`Bearer ${graph.token}`);
    expect(credential.calls[0]).toEqual([`${new URL(proxy.url).origin}/.default`]);
  });

  it('pages users with skiptoken cursors from @odata.nextLink', async () => {
    for (const n of ['p1', 'p2', 'p3']) graph.addUser({ userPrincipalName: `${n}@paging.example` });
    const { directory } = connector();
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await directory.listUsers({ filter: [], top: 2, after });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((u) => u.userPrincipalName));
      after = page.next;
    } while (after);
    expect(seen).toEqual([...graph.users.values()].map((u) => u.userPrincipalName));
  });

  it('resolves transitive group membership, following nextLink, and caches it for the TTL', async () => {
    const bob = graph.addUser({ userPrincipalName: 'bob@contoso.com' });
    const inner = graph.addGroup('inner', [bob.id]);
    const outer = graph.addGroup('outer', [inner.id]);
    const other = graph.addGroup('other', [bob.id]);
    graph.addGroup('unrelated', []);
    const { directory } = connector(30_000);
    const before = graph.wire().length;
    expect((await directory.groupIdsOfUser(bob.id)).sort()).toEqual([inner.id, outer.id, other.id].sort());
    const pages = graph.wire().length - before;
    expect(pages).toBe(2); // three groups, two per page
    await directory.groupIdsOfUser(bob.id);
    expect(graph.wire().length - before).toBe(pages);
    now += 31_000;
    await directory.groupIdsOfUser(bob.id);
    expect(graph.wire().length - before).toBe(pages * 2);
  });

  it('sends membership look-ups that arrive together as one $batch', async () => {
    const users = ['b1', 'b2', 'b3'].map((n) => graph.addUser({ userPrincipalName: `${n}@batch.example` }));
    const group = graph.addGroup(
      'batched',
      users.map((u) => u.id),
    );
    const { directory } = connector();
    const before = graph.wire().length;
    const results = await Promise.all(users.map((u) => directory.groupIdsOfUser(u.id)));
    expect(results).toEqual(users.map(() => [group.id]));
    const sent = graph.wire().slice(before);
    expect(sent.map((r) => r.url)).toEqual(['/v1.0/$batch']);
  });

  it('honours 429 with Retry-After and retries, bounded', async () => {
    const carol = graph.addUser({ userPrincipalName: 'carol@contoso.com' });
    const { directory } = connector();
    graph.throttleNext(2, { status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    expect((await directory.getUserById(carol.id))?.value.id).toBe(carol.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);

    graph.throttleNext(10, { status: 503, retryAfterSeconds: 0 });
    const refused = await directory.getUserById(carol.id).catch((e: unknown) => e);
    expect(isErrorOf(refused, ErrorCodes.serviceUnavailable)).toBe(true);
    graph.throttleNext(0);
  });

  it('retries throttled $batch steps after their Retry-After', async () => {
    const users = ['t1', 't2'].map((n) => graph.addUser({ userPrincipalName: `${n}@throttle.example` }));
    const group = graph.addGroup(
      'throttled',
      users.map((u) => u.id),
    );
    const { directory } = connector();
    graph.throttleNext(1, { inBatch: true, retryAfterSeconds: 0 });
    const before = graph.wire().length;
    expect(await Promise.all(users.map((u) => directory.groupIdsOfUser(u.id)))).toEqual([[group.id], [group.id]]);
    expect(
      graph
        .wire()
        .slice(before)
        .map((r) => r.url),
    ).toEqual(['/v1.0/$batch', '/v1.0/$batch']);
  });

  it('refuses the writes Entra owns with directoryManagedByEntra', async () => {
    const { directory } = connector();
    const refused = await Promise.resolve()
      .then(() => directory.createUser())
      .catch((e: unknown) => e);
    expect(isErrorOf(refused, ErrorCodes.directoryManagedByEntra)).toBe(true);
  });

  it('attack: a plain-http Graph URL is refused, so the token never travels in clear', () => {
    expect(() =>
      createGraphClient({ baseUrl: `http://127.0.0.1:${graph.port}`, credential: testCredential('t') }),
    ).toThrow(/https/);
  });
});
