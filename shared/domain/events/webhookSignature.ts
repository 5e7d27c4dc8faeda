import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, the Standard Webhooks scheme (https://www.standardwebhooks.com/, "Signature
 * scheme"), so receivers can use its libraries or a few lines of their own:
 *
 * - `webhook-id`: the event id; the same on every retry of that event (dedupe on it).
 * - `webhook-timestamp`: when the attempt was signed, in Unix seconds (reject old ones: replays).
 * - `webhook-signature`: `v1,` + base64 of HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}`,
 *   the body being the exact bytes received. Several space-separated signatures may appear (key
 *   rotation); one that verifies is enough.
 *
 * The HMAC key is the subscription's secret as UTF-8 bytes, exactly as given at creation. (The
 * Standard Webhooks libraries expect `whsec_`+base64 secrets by default; use their raw-key option.)
 */
export interface SignedContent {
  secret: string;
  /** The webhook-id (event id). */
  id: string;
  /** Unix seconds. */
  timestamp: number;
  body: string;
}

/** The `webhook-signature` value for one message: `v1,<base64 HMAC-SHA256>`. */
export function webhookSignature({ secret, id, timestamp, body }: SignedContent): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${id}.${timestamp}.${body}`, 'utf8')
    .digest('base64');
  return `v1,${mac}`;
}

/** The three headers of a signed delivery. */
export function webhookHeaders(
  content: SignedContent,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': content.id,
    'webhook-timestamp': String(content.timestamp),
    'webhook-signature': webhookSignature(content),
  };
}

export interface VerifyInput {
  secret: string;
  /** The received headers (names lower-case). */
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The receiver's clock, Unix seconds. */
  nowSeconds: number;
  /** How far the timestamp may be from now (default 300 s, as Standard Webhooks suggests). */
  toleranceSeconds?: number;
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * The receiver's check: the id, timestamp and signature headers are present, the timestamp is
 * within tolerance, and one of the `v1` signatures matches (compared in constant time).
 */
export function verifyWebhookSignature({
  secret,
  headers,
  body,
  nowSeconds,
  toleranceSeconds = 300,
}: VerifyInput): boolean {
  const id = single(headers['webhook-id']);
  const timestamp = single(headers['webhook-timestamp']);
  const signatures = single(headers['webhook-signature']);
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(
    webhookSignature({ secret, id, timestamp: Number(timestamp), body }).slice('v1,'.length),
    'base64',
  );
  return signatures.split(' ').some((candidate) => {
    const [version, mac] = candidate.split(',', 2);
    if (version !== 'v1' || !mac) return false;
    const received = Buffer.from(mac, 'base64');
    return received.length === expected.length && timingSafeEqual(received, expected);
  });
}
