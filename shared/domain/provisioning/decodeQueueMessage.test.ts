import { decodeQueueMessage, MAX_QUEUE_MESSAGE_BYTES } from './decodeQueueMessage';

const request = { users: ['adele@contoso.com'], idempotencyKey: 'batch-1' };
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('decodeQueueMessage', () => {
  it.each<[string, unknown]>([
    ['base64-encoded JSON (the Functions default)', b64(JSON.stringify(request))],
    [
      'base64 wrapped at 76 characters (the base64 tool)',
      b64(JSON.stringify({ ...request, pad: 'x'.repeat(80) })).replace(/(.{76})/g, '$1\n'),
    ],
    ['plain JSON', JSON.stringify(request)],
    ['plain JSON with surrounding whitespace', `\n  ${JSON.stringify(request)}  \n`],
    ['an object the host already parsed', request],
    ['bytes of base64 JSON', Buffer.from(b64(JSON.stringify(request)))],
  ])('accepts %s', (_what, message) => {
    const decoded = decodeQueueMessage(message);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(decoded.value).toMatchObject(request);
  });

  it.each<[string, unknown, RegExp]>([
    ['invalid base64', 'not base64 at all!', /neither JSON nor base64 \(received 'not base64 at all!'\)/],
    ['base64 of text that is no JSON', b64('hello world'), /decodes to 'hello world', not a JSON object/],
    ['base64 of broken JSON', b64('{"users": ['), /not valid base64-encoded JSON/],
    ['broken plain JSON', '{"users": [', /not valid plain JSON/],
    ['a JSON array', '[1,2]', /plain JSON but not an object/],
    ['an empty message', '   ', /the message is empty/],
    ['a number', 42, /expected a JSON object \(plain or base64-encoded\), received 42/],
    ['null', null, /received null/],
    [
      'an oversized message',
      `{"users":["${'a'.repeat(MAX_QUEUE_MESSAGE_BYTES)}"]}`,
      /is 655\d\d bytes, more than a queue message holds \(65536\)/,
    ],
  ])('refuses %s with a reason', (_what, message, reason) => {
    const decoded = decodeQueueMessage(message);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });

  it('keeps the message as received, for the poison queue', () => {
    const text = b64('nope');
    expect(decodeQueueMessage(text).text).toBe(text);
    expect(decodeQueueMessage(request).text).toBe(JSON.stringify(request));
  });
});
