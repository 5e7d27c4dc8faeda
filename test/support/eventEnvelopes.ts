import type { EventEnvelope } from '../../shared/domain/events/domainEvent';

/** A CloudEvents 1.0 envelope of `type` around `data`, as the outbox relay publishes one. */
export const envelope = (type: string, data: unknown): EventEnvelope => ({
  specversion: '1.0',
  id: 'evt-1',
  type,
  source: 'https://passkeys.example',
  subject: 'users/u-1',
  time: '2030-01-01T00:00:00.000Z',
  datacontenttype: 'application/json',
  data,
});

/** Who did it and how it went: the fields every declared event carries. */
export const outcome = { initiatedBy: { user: null, app: { appId: 'a' } }, result: 'success' } as const;
