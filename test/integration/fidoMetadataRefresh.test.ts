/**
 * FIDO metadata kept fresh (issue 13 item 4), end to end on the local host: an MDS3 server on
 * 127.0.0.1 serves blobs signed under the tests' own root (FIDO_MDS_ROOT_CERT), the verified
 * statements are cached in Azurite's Blob Storage (AzureWebJobsStorage), and registration's
 * attestation trust decision uses them. Refused blobs and failed downloads keep the last good copy;
 * a new instance starts from the cached copy without any network.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { createServer, Server, ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMetadataEntry,
  createMetadataStatement,
  SoftAuthenticator,
  TestAttestationCa,
  type AttestationCertificate,
} from '../../cli/authenticators/soft';
import { PinnedHttpSender } from '../../shared/adapters/http/pinnedHttpSender';
import { METADATA_BLOB, METADATA_CONTAINER } from '../../shared/adapters/storage/metadataDocument';
import type { HttpDownloader } from '../../shared/ports/httpSender.port';
import { SCHEDULED_WORK } from '../../shared/scheduledWork';
import type { FidoMetadataService } from '../../shared/services/metadata/fidoMetadataService';
import { startTestAzurite, type TestAzurite } from '../support/azurite';
import { register, setPolicy } from '../support/ceremonies';
import { Roles, startTestService, TestService } from '../support/localService';
import { createMdsSigner, MdsPayload, MdsSigner, signMdsBlob, tamperMdsBlob } from '../support/mdsBlob';
import { freePort } from '../support/processes';

const CONTOSO_KEY = '5ca1ab1e-0000-4000-8000-00000000c0de';
const ALICE = 'alice@contoso.com';
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** The MDS3 server: answers with whatever `answer` says now, counting requests. */
interface MdsServer {
  url: string;
  requests: number;
  answer: (res: ServerResponse) => void;
  close(): Promise<void>;
}

async function startMdsServer(): Promise<MdsServer> {
  const state: MdsServer = {
    url: '',
    requests: 0,
    answer: (res) => res.writeHead(404).end(),
    close: async () => undefined,
  };
  const server: Server = createServer((_req, res) => {
    state.requests++;
    state.answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

describe('FIDO metadata refresh (FIDO_MDS_URL) with Blob Storage on Azurite', () => {
  let azurite: TestAzurite;
  let mds: MdsServer;
  let mdsRoot: TestAttestationCa;
  let signer: MdsSigner;
  let vendorCa: TestAttestationCa;
  let vendorLeaf: AttestationCertificate;
  let svc: TestService;
  const services: TestService[] = [];

  /** A payload whose one entry says the Contoso model chains to the vendor CA, with this status. */
  const payload = (no: number, options: { nextUpdate?: string; status?: string } = {}): MdsPayload => ({
    no,
    nextUpdate: options.nextUpdate ?? day(30),
    entries: [
      createMetadataEntry(createMetadataStatement(CONTOSO_KEY, vendorCa), [
        { status: options.status ?? 'FIDO_CERTIFIED_L1', effectiveDate: '2025-01-01' },
      ]),
    ],
  });
  const serve = (blob: string) =>
    (mds.answer = (res) => res.writeHead(200, { 'content-type': 'application/jwt' }).end(blob));

  const settings = (overrides: Record<string, string> = {}) => ({
    FIDO_MDS_URL: mds.url,
    FIDO_MDS_ROOT_CERT: mdsRoot.certificatePem,
    FIDO_MDS_ALLOW_PRIVATE_NETWORKS: 'true',
    AzureWebJobsStorage: azurite.connectionString,
    ...overrides,
  });
  /** A short download timeout (the default is a minute), through the real pinned sender. */
  const quickDownloads = (): HttpDownloader => {
    const sender = new PinnedHttpSender({ allowPrivateNetworks: true });
    return { download: (request) => sender.download({ ...request, timeoutMs: 500 }) };
  };
  /** An instance on the settings; `downloader: null` keeps the app's own (FIDO_MDS_ALLOW_PRIVATE_NETWORKS as set). */
  const start = async (
    overrides: Record<string, string> = {},
    downloader: HttpDownloader | null = quickDownloads(),
  ) => {
    const started = await startTestService(settings(overrides), downloader ? { mdsDownloader: downloader } : {});
    services.push(started);
    const admin = await started.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    await setPolicy(started, admin, { isAttestationEnforced: false });
    return started;
  };
  const metadataOf = (s: TestService): FidoMetadataService => {
    if (!s.app.fidoMetadata) throw new Error('FIDO_MDS_URL is set: the app should have a metadata refresh');
    return s.app.fidoMetadata;
  };
  /** The cached document in Azurite, as another instance would read it. */
  const cachedInAzurite = async () => {
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient(METADATA_CONTAINER)
      .getBlockBlobClient(METADATA_BLOB);
    return JSON.parse((await blob.downloadToBuffer()).toString('utf8')) as { no: number; [k: string]: unknown };
  };
  /** Registers a packed-x5c passkey whose chain ends in the vendor CA; the trust decision reads the statements in use. */
  const registerVendorKey = async (s: TestService) => {
    const { res } = await register(
      s,
      await s.token({ upn: ALICE }),
      new SoftAuthenticator({ aaguid: CONTOSO_KEY, attestation: 'packed-x5c', attestationCertificate: vendorLeaf }),
    );
    expect(res.status).toBe(201);
    return res.body as { attestationLevel: string; model: string | null };
  };

  beforeAll(async () => {
    [azurite, mds, mdsRoot, vendorCa] = await Promise.all([
      startTestAzurite(),
      startMdsServer(),
      TestAttestationCa.create({ commonName: 'Contoso Test MDS Root' }),
      TestAttestationCa.create({ commonName: 'Contoso Test Vendor Root' }),
    ]);
    [signer, vendorLeaf] = await Promise.all([
      createMdsSigner(mdsRoot),
      vendorCa.issueAttestationCertificate({ aaguid: CONTOSO_KEY }),
    ]);
  }, 30_000);
  afterAll(async () => {
    for (const s of services) await s.close();
    await mds?.close();
    await azurite?.stop();
  });

  it('nothing is fetched or read at start; the first attestation check reads the cache (none yet) and does not wait for the download, which caches the verified statements in Blob Storage for the next one', async () => {
    serve(await signMdsBlob(signer, payload(1)));
    svc = await start();
    expect(mds.requests).toBe(0);
    expect(await registerVendorKey(svc)).toMatchObject({ attestationLevel: 'notAttested' });
    await metadataOf(svc).idle();
    expect(mds.requests).toBe(1);
    expect(await cachedInAzurite()).toEqual({
      no: 1,
      nextUpdate: day(30),
      fetchedDateTime: expect.any(String),
      sourceUrl: mds.url,
      entries: [
        expect.objectContaining({
          aaguid: CONTOSO_KEY,
          metadataStatement: expect.objectContaining({ attestationRootCertificates: [vendorCa.certificateBase64] }),
        }),
      ],
    });
    expect(await registerVendorKey(svc)).toMatchObject({ attestationLevel: 'attested', model: 'Contoso Test Key' });
  });

  it.each([
    [
      'attack: a tampered blob (payload changed, signature kept)',
      async () => tamperMdsBlob(await signMdsBlob(signer, payload(2)), payload(2, { status: 'REVOKED' })),
      'verify',
      /signature does not verify/,
    ],
    [
      'attack: a blob signed under another root (wrong root)',
      async () =>
        signMdsBlob(
          await createMdsSigner(await TestAttestationCa.create({ commonName: 'Fabrikam MDS Root' })),
          payload(2),
        ),
      'verify',
      /does not end in the configured root/,
    ],
    [
      'a blob whose nextUpdate has passed (expired)',
      async () => signMdsBlob(signer, payload(2, { nextUpdate: day(-2) })),
      'freshness',
      /has passed/,
    ],
    [
      'attack: an older blob replayed',
      async () => signMdsBlob(signer, payload(0)),
      'freshness',
      /no=0 is lower than the cached no=1/,
    ],
  ])('%s is refused; the last good copy stays, in Blob Storage and in use', async (_name, blob, stage, reason) => {
    serve(await blob());
    const outcome = await metadataOf(svc).refresh();
    expect(outcome).toMatchObject({ outcome: 'failed', stage, servingNo: 1, reason: expect.stringMatching(reason) });
    expect((await cachedInAzurite()).no).toBe(1);
    expect(await registerVendorKey(svc)).toMatchObject({ attestationLevel: 'attested' });
  });

  it.each([
    ['the MDS server answers 500', () => (mds.answer = (res) => res.writeHead(500).end('down'))],
    ['the MDS server never answers (timeout)', () => (mds.answer = () => undefined)],
  ])('%s: the refresh fails with the reason, the last good copy stays', async (_name, arrange) => {
    arrange();
    const outcome = await metadataOf(svc).refresh();
    expect(outcome).toMatchObject({ outcome: 'failed', stage: 'download', servingNo: 1 });
    expect((await cachedInAzurite()).no).toBe(1);
    expect(await registerVendorKey(svc)).toMatchObject({ attestationLevel: 'attested' });
  });

  it('the refreshFidoMetadata timer takes a newer blob: cached, and swapped in this instance at once (the model revoked: no longer attested)', async () => {
    serve(await signMdsBlob(signer, payload(3, { status: 'REVOKED' })));
    await SCHEDULED_WORK.find((w) => w.name === 'refreshFidoMetadata')!.run(svc.app);
    expect(metadataOf(svc).status()).toMatchObject({
      serving: { no: 3 },
      lastRefresh: { outcome: 'refreshed', no: 3 },
    });
    expect((await cachedInAzurite()).no).toBe(3);
    expect(await registerVendorKey(svc)).toMatchObject({ attestationLevel: 'notAttested' });
  });

  it('a new instance starts from the cached copy without any network (FIDO_MDS_URL on a closed port)', async () => {
    const requests = mds.requests;
    const closedPort = await freePort();
    const second = await start({ FIDO_MDS_URL: `http://127.0.0.1:${closedPort}/` });
    expect(metadataOf(second).status().serving).toBeUndefined();
    expect(await registerVendorKey(second)).toMatchObject({
      attestationLevel: 'notAttested',
      model: 'Contoso Test Key',
    });
    await metadataOf(second).idle();
    // The copy is current (nextUpdate in a month): no refresh was even tried at start.
    expect(metadataOf(second).status()).toEqual({ serving: { no: 3, nextUpdate: day(30) }, lastRefresh: undefined });
    expect(mds.requests).toBe(requests);
  });

  it('precedence: FIDO_MDS_PATH seeds until a verified copy is cached; without storage the copy is a file under DATA_DIR that outlives a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-mds-seed-'));
    try {
      const seedPath = join(dataDir, 'seed.json');
      writeFileSync(seedPath, JSON.stringify({ statements: [createMetadataStatement(CONTOSO_KEY, vendorCa)] }));
      const local = { DATA_DIR: dataDir, FIDO_MDS_PATH: seedPath, AzureWebJobsStorage: '' };
      mds.answer = (res) => res.writeHead(503).end();
      const first = await start(local);
      expect(await registerVendorKey(first)).toMatchObject({ attestationLevel: 'attested' });
      await metadataOf(first).idle();
      expect(metadataOf(first).status()).toMatchObject({
        serving: undefined,
        lastRefresh: { outcome: 'failed', stage: 'download' },
      });

      serve(await signMdsBlob(signer, payload(5, { status: 'REVOKED' })));
      expect(await metadataOf(first).refresh()).toMatchObject({ outcome: 'refreshed', no: 5 });
      expect(JSON.parse(readFileSync(join(dataDir, 'fido-metadata', 'mds3-verified.json'), 'utf8'))).toMatchObject({
        no: 5,
      });
      expect(await registerVendorKey(first)).toMatchObject({ attestationLevel: 'notAttested' });
      await first.close();
      services.splice(services.indexOf(first), 1);

      const restarted = await start({ ...local, FIDO_MDS_URL: `http://127.0.0.1:${await freePort()}/` });
      expect(await registerVendorKey(restarted)).toMatchObject({ attestationLevel: 'notAttested' });
      expect(metadataOf(restarted).status().serving?.no).toBe(5);
      await restarted.close();
      services.splice(services.indexOf(restarted), 1);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('attack: an MDS URL on a private address is refused (FIDO_MDS_ALLOW_PRIVATE_NETWORKS off): nothing is sent, the cached copy stays', async () => {
    const requests = mds.requests;
    const third = await start({ FIDO_MDS_ALLOW_PRIVATE_NETWORKS: '' }, null);
    expect(await registerVendorKey(third)).toMatchObject({ attestationLevel: 'notAttested' });
    const outcome = await metadataOf(third).refresh();
    expect(outcome).toMatchObject({
      outcome: 'failed',
      stage: 'download',
      servingNo: 3,
      reason: expect.stringMatching(/^refusedAddress: /),
    });
    expect(mds.requests).toBe(requests);
  });
});
