import { generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';

/** One raw `node:crypto` rate, single thread: the floor every ceremony figure is compared with. */
export interface CryptoRate {
  name: string;
  operationsPerSecond: number;
}

/** Runs `operation` in a tight loop for about `durationMs` and returns its rate. */
function rateOf(durationMs: number, operation: () => unknown): number {
  for (let i = 0; i < 50; i++) operation(); // warm-up, so the first figure is not the JIT's
  let count = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(durationMs) * 1_000_000n;
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < 20; i++) operation();
    count += 20;
    now = process.hrtime.bigint();
  }
  return Math.round(count / (Number(now - started) / 1e9));
}

/** A WebAuthn-sized message: authenticator data (37 bytes) plus a SHA-256 of the client data. */
const MESSAGE = Buffer.alloc(69, 7);

function verifyRate(
  durationMs: number,
  algorithm: string | null,
  keys: { privateKey: KeyObject; publicKey: KeyObject },
) {
  const signature = sign(algorithm, MESSAGE, keys.privateKey);
  return rateOf(durationMs, () => {
    if (!verify(algorithm, MESSAGE, keys.publicKey, signature)) throw new Error('signature did not verify');
  });
}

/**
 * The raw rates of the signatures a passkey service verifies (ES256, EdDSA, RS256) and the one it
 * makes (ES256 token signing), on this thread with imported keys: what a ceremony cannot beat.
 */
export function benchCrypto(durationMs: number): CryptoRate[] {
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed25519 = generateKeyPairSync('ed25519');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return [
    { name: 'ES256 verify (P-256, node:crypto)', operationsPerSecond: verifyRate(durationMs, 'sha256', p256) },
    { name: 'EdDSA verify (Ed25519, node:crypto)', operationsPerSecond: verifyRate(durationMs, null, ed25519) },
    { name: 'RS256 verify (RSA 2048, node:crypto)', operationsPerSecond: verifyRate(durationMs, 'sha256', rsa) },
    {
      name: 'ES256 sign (P-256, node:crypto)',
      operationsPerSecond: rateOf(durationMs, () => sign('sha256', MESSAGE, p256.privateKey)),
    },
  ];
}
