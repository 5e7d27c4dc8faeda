import { ErrorCodes } from '../shared/domain/errorCodes';
import { DomainError } from '../shared/domain/errors';
import { GraphNotificationsBody, GraphNotificationsQuery } from '../shared/schemas/graphNotifications.schema';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';

/**
 * Microsoft Graph change notifications on `/users` (DIRECTORY=entra). The handshake answers the
 * validationToken as plain text at once (Graph waits 10 s); notifications are checked against our
 * clientState (anyone can reach this URL), then synced; 202 either way, so a forger learns nothing.
 */
const receive = graphRoute('POST', 'notifications/graph', {
  name: 'graphChangeNotifications',
  access: 'anonymous',
  rateLimited: true,
  query: GraphNotificationsQuery,
  body: GraphNotificationsBody,
  doc: {
    summary: 'Receive Microsoft Graph change and lifecycle notifications (subscription handshake included)',
    tags: ['Directory'],
    responses: {
      200: { description: 'Handshake: the validationToken, as text/plain' },
      202: { description: 'Accepted' },
    },
    errors: { 404: 'DIRECTORY is not entra' },
  },
  handler: async ({ app, query, body }) => {
    if (query.validationToken !== undefined)
      return {
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
        body: query.validationToken,
      };
    if (!app.directorySync)
      throw new DomainError(
        ErrorCodes.resourceNotFound,
        'Graph change notifications are received only with DIRECTORY=entra; this service uses its embedded directory.',
      );
    await app.directorySync.onNotifications(body.value ?? []);
    return { status: 202 };
  },
});

export const graphNotificationHttpFunctions: HttpFunction[] = [receive];
