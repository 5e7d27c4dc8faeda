import { mustReEnrol } from './reEnrolmentHint';

const passkey = (reEnrolmentRequired: boolean) => ({ reEnrolmentRequired });

describe('mustReEnrol', () => {
  it.each([
    ['no passkeys: nothing to re-enrol', [], false],
    ['one passkey from before the UPN change', [passkey(true)], true],
    ['every passkey from before the UPN change', [passkey(true), passkey(true)], true],
    ['one fresh passkey beside old ones', [passkey(true), passkey(false)], false],
    ['only fresh passkeys', [passkey(false)], false],
  ])('%s', (_title, methods, expected) => {
    expect(mustReEnrol(methods)).toBe(expected);
  });
});
