import { createHmac } from 'node:crypto';
import { verifyWebhookSignature, webhookHeaders, webhookSignature } from './webhookSignature';

const content = {
  secret: 'whsec-test-0123456789',
  id: 'evt_2b4f8c1e',
  timestamp: 1735689600,
  body: '{"specversion":"1.0","type":"fido2Policy.updated"}',
};
const now = content.timestamp + 10;

describe('webhook signatures (Standard Webhooks scheme)', () => {
  it('signs `${id}.${timestamp}.${body}` with HMAC-SHA256 of the secret, base64, prefixed v1', () => {
    // Computed independently: printf '%s' 'evt_2b4f8c1e.1735689600.{...}' | openssl dgst -sha256 -hmac 'whsec-test-0123456789' -binary | base64
    expect(webhookSignature(content)).toBe('v1,OMO9+G5v57hBDsp6HOp500fQ/9dga4AYVBM4DKnk6EM=');
    const mac = createHmac('sha256', content.secret)
      .update(`${content.id}.${content.timestamp}.${content.body}`)
      .digest('base64');
    expect(webhookSignature(content)).toBe(`v1,${mac}`);
  });

  it('takes the first value of a repeated header', () => {
    const headers = webhookHeaders(content);
    const repeated = { ...headers, 'webhook-signature': [headers['webhook-signature'], 'v1,bogus'] };
    expect(
      verifyWebhookSignature({ secret: content.secret, headers: repeated, body: content.body, nowSeconds: now }),
    ).toBe(true);
  });

  it('gives the three headers of a delivery', () => {
    expect(webhookHeaders(content)).toEqual({
      'webhook-id': 'evt_2b4f8c1e',
      'webhook-timestamp': '1735689600',
      'webhook-signature': webhookSignature(content),
    });
  });

  it('verifies a signed delivery, also among several signatures (key rotation)', () => {
    const headers = webhookHeaders(content);
    expect(verifyWebhookSignature({ secret: content.secret, headers, body: content.body, nowSeconds: now })).toBe(true);
    const rotated = {
      ...headers,
      'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}`,
    };
    expect(
      verifyWebhookSignature({ secret: content.secret, headers: rotated, body: content.body, nowSeconds: now }),
    ).toBe(true);
  });

  it.each([
    ['another secret', { secret: 'another-secret-0123456789' }],
    ['a changed body', { body: content.body.replace('updated', 'deleted') }],
    ['another id', { headers: { ...webhookHeaders(content), 'webhook-id': 'evt_other' } }],
    [
      'a changed timestamp',
      { headers: { ...webhookHeaders(content), 'webhook-timestamp': String(content.timestamp + 1) } },
    ],
    ['a timestamp too old (replay)', { nowSeconds: content.timestamp + 301 }],
    ['a timestamp in the future', { nowSeconds: content.timestamp - 301 }],
    ['no signature header', { headers: { 'webhook-id': content.id, 'webhook-timestamp': String(content.timestamp) } }],
    [
      'no id header',
      { headers: { 'webhook-timestamp': String(content.timestamp), 'webhook-signature': webhookSignature(content) } },
    ],
    [
      'a timestamp that is no integer',
      { headers: { ...webhookHeaders(content), 'webhook-timestamp': `${content.timestamp}.0` } },
    ],
    [
      'a signature without its version',
      { headers: { ...webhookHeaders(content), 'webhook-signature': webhookSignature(content).slice('v1,'.length) } },
    ],
    [
      'an unknown version',
      { headers: { ...webhookHeaders(content), 'webhook-signature': webhookSignature(content).replace('v1,', 'v2,') } },
    ],
    [
      'a truncated signature',
      { headers: { ...webhookHeaders(content), 'webhook-signature': webhookSignature(content).slice(0, -8) } },
    ],
  ])('refuses %s', (_name, change) => {
    const input = {
      secret: content.secret,
      headers: webhookHeaders(content) as Record<string, string>,
      body: content.body,
      nowSeconds: now,
      ...change,
    };
    expect(verifyWebhookSignature(input)).toBe(false);
  });
});
