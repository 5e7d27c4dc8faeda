import { ErrorCodes } from '../errorCodes';
import { IDEMPOTENCY_KEY_PATTERN, idempotencyKeyInProgress, idempotencyKeyReused } from './idempotencyKey';

describe('idempotency keys', () => {
  it.each([
    ['a GUID', '6f1c2a7e-0d1e-4c55-9a43-2b1f0e9d8c7b', true],
    ['a message id with dots, colons and underscores', 'batch:2026-12-03.hr_onboarding', true],
    ['one character', 'k', true],
    ['128 characters', 'k'.repeat(128), true],
    ['129 characters', 'k'.repeat(129), false],
    ['empty', '', false],
    ['a space', 'batch 1', false],
    ['a slash', 'a/b', false],
    ['a newline at the end', 'abc\n', false],
    ['non-ASCII letters', 'clé', false],
  ])('%s: %j is %s', (_title, key, valid) => {
    expect(IDEMPOTENCY_KEY_PATTERN.test(key)).toBe(valid);
  });

  it.each([
    [idempotencyKeyReused, ErrorCodes.idempotencyKeyReused.code],
    [idempotencyKeyInProgress, ErrorCodes.idempotencyKeyInProgress.code],
  ])('its refusals are 409 conflicts naming the key', (make, code) => {
    expect(make('batch:7')).toMatchObject({ kind: 'conflict', code, message: expect.stringContaining("'batch:7'") });
  });
});
