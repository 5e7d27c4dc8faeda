import { MAX_ORIGINAL_MESSAGE_CHARS, poisonMessage } from './poisonMessage';

const now = new Date('2026-12-03T05:00:00.000Z');
const source = { queue: 'provisioning-requests', messageId: 'm1', dequeueCount: 1 };

describe('poisonMessage', () => {
  it.each([
    [
      'a queue message',
      { reason: "Invalid value for 'users'", source, now, originalMessage: 'eyJ9' },
      { originalMessage: 'eyJ9' },
    ],
    [
      'a blob (no message: the blob stays)',
      { reason: 'bad CSV', source: { blob: 'provisioning-requests/a.csv', etag: '"0x1"' }, now },
      {},
    ],
  ])('%s: the reason, when, where from, and the message as received', (_what, input, extra) => {
    expect(poisonMessage(input)).toEqual({
      reason: input.reason,
      failedDateTime: '2026-12-03T05:00:00.000Z',
      source: input.source,
      ...extra,
    });
  });

  it('cuts an original message that would not fit a queue message, and says so', () => {
    const long = 'a'.repeat(MAX_ORIGINAL_MESSAGE_CHARS + 10);
    const envelope = poisonMessage({ reason: 'too long', source, now, originalMessage: long });
    expect(envelope.originalMessage).toHaveLength(MAX_ORIGINAL_MESSAGE_CHARS);
    expect(envelope.originalMessageTruncated).toBe(true);
    // The envelope of the largest message a queue holds still fits one, base64-encoded.
    const encoded = Buffer.from(
      JSON.stringify(
        poisonMessage({ reason: 'r'.repeat(10_000), source, now, originalMessage: 'x'.repeat(64 * 1024) }),
      ),
    ).toString('base64');
    expect(encoded.length).toBeLessThanOrEqual(64 * 1024);
  });
});
