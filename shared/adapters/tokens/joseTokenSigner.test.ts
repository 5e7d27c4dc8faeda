import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createEphemeralSigningKey } from '../keys/localKeys';
import { JoseTokenSigner } from './joseTokenSigner';

describe('JoseTokenSigner', () => {
  it('writes an ES256 JWT that jose verifies against the JWKS, with every claim SignJWT would set', async () => {
    const key = await createEphemeralSigningKey();
    const signer = new JoseTokenSigner('http://localhost:7071', key);
    const before = Math.floor(Date.now() / 1000);
    const token = await signer.sign(
      { oid: 'u1', amr: ['fido'] },
      { lifetimeSeconds: 3600, audience: 'api://passkeys', subject: 'u1' },
    );
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: key.kid, typ: 'JWT' });
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: [key.publicJwk] }), {
      issuer: 'http://localhost:7071',
      audience: 'api://passkeys',
      algorithms: ['ES256'],
    });
    expect(payload).toMatchObject({ oid: 'u1', amr: ['fido'], sub: 'u1' });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.exp).toBe((payload.iat ?? 0) + 3600);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });
});
