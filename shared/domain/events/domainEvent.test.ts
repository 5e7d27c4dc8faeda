import { envelope, outcome } from '../../../test/support/eventEnvelopes';
import { parseDomainEvent } from './domainEvent';

const upnChanged = {
  userId: 'u-1',
  oldUserPrincipalName: 'bob@contoso.com',
  newUserPrincipalName: 'robert@contoso.com',
  ...outcome,
};

describe('parseDomainEvent', () => {
  it('takes a declared type whose data matches its schema, typed by it', () => {
    const parsed = parseDomainEvent(envelope('user.upnChanged', upnChanged));
    expect(parsed).toEqual({ event: envelope('user.upnChanged', upnChanged) });
    if (!('event' in parsed) || parsed.event.type !== 'user.upnChanged')
      throw new Error('expected a user.upnChanged event');
    expect(parsed.event.data.newUserPrincipalName).toBe('robert@contoso.com'); // typed by the narrowing on `type`
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'text', /CloudEvents 1\.0 envelope/],
    [
      'another specversion',
      { ...envelope('user.upnChanged', upnChanged), specversion: '0.3' },
      /CloudEvents 1\.0 envelope/,
    ],
    ['no id', { ...envelope('user.upnChanged', upnChanged), id: undefined }, /CloudEvents 1\.0 envelope/],
    [
      'an undeclared type',
      envelope('user.renamed', upnChanged),
      /type 'user\.renamed', which this service does not declare/,
    ],
    ['a type of another case', envelope('user.upnchanged', upnChanged), /does not declare/],
    [
      'data of another shape',
      envelope('user.upnChanged', { userId: 42 }),
      /user\.upnChanged\) has data that does not match its schema/,
    ],
    [
      'data without who did it',
      envelope('user.upnChanged', { ...upnChanged, initiatedBy: undefined }),
      /does not match its schema/,
    ],
    [
      'a passkey without id',
      envelope('fido2Method.registered', { userId: 'u-1', userPrincipalName: null, method: {}, ...outcome }),
      /does not match its schema/,
    ],
  ])('refuses %s, saying why', (_what, input, reason) => {
    const parsed = parseDomainEvent(input);
    expect(parsed).toEqual({ invalid: expect.stringMatching(reason) });
  });
});
