import { blobIdempotencyKey, csvBlobRequest, MAX_CSV_BLOB_BYTES } from './csvBlobRequest';

const blob = (content: string, metadata: Record<string, string> = {}, etag = '"0x8DC1"') => ({
  container: 'provisioning-requests',
  name: 'wave 1/users.csv',
  etag,
  metadata,
  content: Buffer.from(content),
});
const CSV = 'userPrincipalName,displayName\nadele@contoso.com,Adele\nalex@contoso.com,Alex\n';

describe('csvBlobRequest', () => {
  it.each<[string, Record<string, string>, Record<string, unknown>]>([
    ['no metadata: the schema defaults apply', {}, {}],
    [
      'options from metadata, names in any case',
      { DisplayName: '{displayName} key', challengeTimeoutInMinutes: '120', requestedby: 'ops@contoso.com' },
      { displayName: '{displayName} key', challengeTimeoutInMinutes: 120, requestedBy: 'ops@contoso.com' },
    ],
    [
      'a timeout that is no number is left for the schema to refuse',
      { challengetimeoutinminutes: 'soon' },
      { challengeTimeoutInMinutes: 'soon' },
    ],
  ])('%s', (_what, metadata, options) => {
    const result = csvBlobRequest(blob(CSV, metadata));
    expect(result).toEqual({
      ok: true,
      request: {
        users: ['adele@contoso.com', 'alex@contoso.com'],
        ...options,
        idempotencyKey: expect.stringMatching(/^blob:[0-9a-f]{64}$/),
      },
    });
  });

  it.each([
    [
      'no header',
      'adele@contoso.com\n',
      /provisioning-requests\/wave 1\/users\.csv: expected a header 'userPrincipalName,displayName'/,
    ],
    [
      'a bad row',
      'userPrincipalName\nadele@contoso.com\nnobody\n',
      /users\.csv line 3: expected a user principal name, received 'nobody'/,
    ],
    ['a header only', 'userPrincipalName,displayName\n', /lists no users/],
    ['an oversized blob', 'x'.repeat(MAX_CSV_BLOB_BYTES + 1), /is 16777217 bytes; a users CSV holds at most 16777216/],
  ])('refuses %s with a reason naming the blob', (_what, content, reason) => {
    const result = csvBlobRequest(blob(content));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('one key per blob version: the same name and ETag give the same key, a new ETag or name another', () => {
    const key = blobIdempotencyKey(blob(CSV));
    expect(blobIdempotencyKey(blob(CSV))).toBe(key);
    expect(blobIdempotencyKey(blob(CSV, {}, '"0x8DC2"'))).not.toBe(key);
    expect(blobIdempotencyKey({ ...blob(CSV), name: 'other.csv' })).not.toBe(key);
    // Within the idempotency key alphabet (1..128 of letters, digits and ._:-) whatever the blob is called.
    expect(blobIdempotencyKey({ ...blob(CSV), name: 'ünïcode and spaces/…/x.csv' })).toMatch(
      /^[A-Za-z0-9._:-]{1,128}$/,
    );
  });
});
