import { InvocationContext } from '@azure/functions';
import type { App } from '../../shared/app';
import { DomainEvent, EventEnvelope } from '../../shared/domain/events/domainEvent';
import { EventTypes } from '../../shared/domain/events/eventTypes';
import { UnprocessableEventError } from '../../shared/ports/eventBus.port';
import { envelope, outcome } from '../../test/support/eventEnvelopes';
import { ConsumerInput, defineConsumer } from './consumer';

const upnChanged = envelope('user.upnChanged', {
  userId: 'u-1',
  oldUserPrincipalName: 'bob@contoso.com',
  newUserPrincipalName: 'robert@contoso.com',
  ...outcome,
});

function input(): ConsumerInput & { errors: unknown[][] } {
  const errors: unknown[][] = [];
  const context = new InvocationContext({
    functionName: 'test',
    logHandler: (level, ...args) => void (level === 'error' && errors.push(args)),
  });
  return { app: {} as App, context, delivery: { deliveryCount: 1, subscription: 'test' }, errors };
}

describe('defineConsumer', () => {
  it('hands its handler the parsed event of a type it takes', async () => {
    const seen: Array<DomainEvent<typeof EventTypes.userUpnChanged>> = [];
    const consumer = defineConsumer({
      name: 'c',
      subscription: 's',
      eventTypes: [EventTypes.userUpnChanged],
      handle: async (event) => void seen.push(event),
    });
    await consumer.handler(upnChanged, input());
    expect(seen).toEqual([upnChanged]);
    expect(consumer.eventTypes).toEqual(['user.upnChanged']);
  });

  it('skips a declared type it does not take; `*` takes every declared type', async () => {
    const seen: string[] = [];
    const only = defineConsumer({
      name: 'c',
      subscription: 's',
      eventTypes: [EventTypes.fido2MethodRegistered],
      handle: async (event) => void seen.push(`only ${event.type}`),
    });
    const every = defineConsumer({
      name: 'c',
      subscription: 's',
      eventTypes: ['*'],
      handle: async (event) => void seen.push(`every ${event.type}`),
    });
    await only.handler(upnChanged, input());
    await every.handler(upnChanged, input());
    expect(seen).toEqual(['every user.upnChanged']);
  });

  it.each([
    ['an undeclared type', envelope('user.renamed', {})],
    ['data not of its type', envelope('user.upnChanged', { userId: 42 })],
    ['no envelope at all', { hello: 'world' } as unknown as EventEnvelope],
  ])('logs and dead-letters (UnprocessableEventError) %s, and does not act on it', async (_what, event) => {
    const handle = jest.fn();
    const consumer = defineConsumer({ name: 'c', subscription: 's', eventTypes: ['*'], handle });
    const given = input();
    await expect(consumer.handler(event, given)).rejects.toThrow(UnprocessableEventError);
    expect(handle).not.toHaveBeenCalled();
    expect(given.errors).toEqual([[expect.stringContaining('[c] event not processed')]]);
  });
});
