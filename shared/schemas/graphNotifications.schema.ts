import { z } from './zod';

/** One change or lifecycle notification as Graph posts it (the fields the service reads). */
export const GraphNotificationItem = z.looseObject({
  subscriptionId: z.string().max(200),
  clientState: z.string().max(256).nullish(),
  changeType: z.string().max(50).optional(),
  resource: z.string().max(1000).optional(),
  resourceData: z.looseObject({ id: z.string().max(200).optional() }).nullish(),
  lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']).optional(),
});

/** The body of `POST /notifications/graph`: empty on the validation handshake. */
export const GraphNotificationsBody = z
  .looseObject({ value: z.array(GraphNotificationItem).max(1000).optional() })
  .openapi('graphChangeNotificationCollection', { description: 'Microsoft Graph change notifications' });

/** `?validationToken=` of the subscription handshake. */
export const GraphNotificationsQuery = z.object({ validationToken: z.string().max(2048).optional() });
