import { decoyCredentialsFor, decoyUserIdFor } from './derivedIds';
import { TRANSPORT_CLASSES } from './descriptorShape';

const secret = Buffer.alloc(32, 7);
const upns = Array.from({ length: 600 }, (_, i) => `nobody${i}@contoso.com`);

describe('decoyCredentialsFor', () => {
  it('is stable per UPN (case-insensitive) and differs between UPNs and between secrets', () => {
    expect(decoyCredentialsFor(secret, 'Carol@Contoso.com')).toEqual(decoyCredentialsFor(secret, 'carol@contoso.com'));
    expect(decoyCredentialsFor(secret, 'carol@contoso.com')).not.toEqual(
      decoyCredentialsFor(secret, 'dave@contoso.com'),
    );
    expect(decoyCredentialsFor(Buffer.alloc(32, 8), 'carol@contoso.com')).not.toEqual(
      decoyCredentialsFor(secret, 'carol@contoso.com'),
    );
  });

  it('attack: user enumeration by descriptor count: decoy lists have 1, 2 or 3 descriptors, mostly 1', () => {
    const counts = upns.map((upn) => decoyCredentialsFor(secret, upn).length);
    const share = (n: number) => counts.filter((c) => c === n).length / counts.length;
    expect(share(1)).toBeGreaterThan(0.5);
    expect(share(2)).toBeGreaterThan(0.2);
    expect(share(3)).toBeGreaterThan(0.05);
    expect(share(1) + share(2) + share(3)).toBe(1);
  });

  it('attack: user enumeration by id length or transports: decoys use the lengths and canonical transport sets real passkeys have', () => {
    const descriptors = upns.flatMap((upn) => decoyCredentialsFor(secret, upn));
    expect(new Set(descriptors.map((d) => Buffer.from(d.id, 'base64url').length))).toEqual(new Set([16, 20, 32, 64]));
    const transportSets = new Set(descriptors.map((d) => JSON.stringify(d.transports ?? null)));
    expect(transportSets).toEqual(
      new Set([JSON.stringify(TRANSPORT_CLASSES.platform), JSON.stringify(TRANSPORT_CLASSES.securityKey), 'null']),
    );
    for (const d of descriptors) expect(Buffer.from(d.id, 'base64url').toString('base64url')).toBe(d.id);
  });
});

describe('decoyUserIdFor', () => {
  it('is a stable, UUID-shaped id per UPN', () => {
    expect(decoyUserIdFor(secret, 'Carol@contoso.com')).toBe(decoyUserIdFor(secret, 'carol@contoso.com'));
    expect(decoyUserIdFor(secret, 'carol@contoso.com')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(decoyUserIdFor(secret, 'carol@contoso.com')).not.toBe(decoyUserIdFor(secret, 'dave@contoso.com'));
  });
});
