import { matchesEventType } from './matchesEventType';

describe('event type patterns of a subscription', () => {
  it.each([
    [['*'], 'fido2Policy.updated', true],
    [['fido2Policy.updated'], 'fido2Policy.updated', true],
    [['fido2Policy.updated'], 'fido2Method.registered', false],
    [['fido2Method.*'], 'fido2Method.signInRefused', true],
    [['fido2Method.*'], 'fido2MethodX.registered', false],
    [['fido2Method.*'], 'fido2Method', false],
    [['provisioningJob.*', 'user.upnChanged'], 'user.upnChanged', true],
    [[], 'user.created', false],
    [['fido2policy.updated'], 'fido2Policy.updated', false],
    [['fido2*'], 'fido2Method.registered', false],
    [['*.registered'], 'fido2Method.registered', false],
  ])('%j takes %s: %s', (patterns, type, expected) => {
    expect(matchesEventType(patterns, type)).toBe(expected);
  });
});
