import { EventTypes } from '../../shared/domain/events/eventTypes';
import { durableClientOf } from '../durable/durableClientOf';
import { DurableReEnrolmentOrchestrations } from '../durable/durableReEnrolmentOrchestrations';
import { EventSubscriptions } from '../../shared/eventTopology';
import { defineConsumer } from './consumer';

/**
 * The UPN-change trigger: `user.upnChanged` (re)starts the user's re-enrolment orchestration,
 * `fido2Method.registered` tells a running one that the new passkey arrived. Idempotent by event id.
 * The event is a claim: the service confirms the change against the store (the audit record under
 * the event's id, the user's current UPN) before starting anything, and the flow confirms it again
 * before deleting, so a forged or stale event deletes nothing.
 */
export const reEnrolmentConsumer = defineConsumer({
  name: 'reEnrolmentConsumer',
  subscription: EventSubscriptions.reenrolment.name,
  maxDeliveryCount: EventSubscriptions.reenrolment.maxDeliveryCount,
  eventTypes: [EventTypes.userUpnChanged, EventTypes.fido2MethodRegistered],
  durableClient: true,
  handle: async (event, { app, context }) => {
    const flows = new DurableReEnrolmentOrchestrations(durableClientOf(context));
    if (event.type === EventTypes.userUpnChanged) await app.reEnrolment.onUpnChanged(event, flows);
    else await app.reEnrolment.onPasskeyRegistered(event, flows);
  },
});
