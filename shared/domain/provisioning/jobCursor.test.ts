import { DomainError } from '../errors';
import { decodeJobCursor, encodeJobCursor } from './jobCursor';

describe('job list cursor', () => {
  it.each([
    { createdDateTime: '2026-12-03T05:40:00.000Z', id: '6f1c2a7e-0d1e-4c55-9a43-2b1f0e9d8c7b' },
    { createdDateTime: '2026-01-01T00:00:00Z', id: 'ffffffff-ffff-4fff-8fff-ffffffffffff' },
  ])('round-trips %j through an opaque token', (cursor) => {
    const token = encodeJobCursor(cursor);
    expect(token).not.toContain(cursor.id);
    expect(decodeJobCursor(token)).toEqual(cursor);
  });

  it.each([
    ['not base64 of a cursor', 'hello'],
    ['an empty token', ''],
    ['a time that is not an instant', Buffer.from('yesterday|abc').toString('base64url')],
    ['an id with SQL in it', Buffer.from("2026-01-01T00:00:00Z|x' OR 1=1 --").toString('base64url')],
    ['an extra field', Buffer.from('2026-01-01T00:00:00Z|abc|def').toString('base64url')],
  ])('refuses %s with 400 badRequest', (_title, token) => {
    let thrown: unknown;
    try {
      decodeJobCursor(token);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ kind: 'badRequest' });
  });
});
