import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { User } from '../../domain/directory/directory';
import { DirectoryChangeFeed, SubscriptionRequest } from '../../ports/directorySync.port';
import { USER_SELECT, userFromGraph } from './entraDirectory';

const DeltaPage = z.looseObject({
  value: z.array(z.looseObject({ id: z.string(), '@removed': z.unknown().optional() })),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});
const Subscription = z.looseObject({ id: z.string(), expirationDateTime: z.string() });

const statusOf = (e: unknown): number | undefined =>
  typeof e === 'object' && e !== null && 'statusCode' in e && typeof e.statusCode === 'number'
    ? e.statusCode
    : undefined;

/** Graph's side of following the tenant: users, `/users/delta`, subscriptions on `/users`. */
export class GraphChangeFeed implements DirectoryChangeFeed {
  constructor(private readonly graph: Client) {}

  async getUser(id: string): Promise<User | null> {
    try {
      return userFromGraph(
        await this.graph
          .api(`/users/${encodeURIComponent(id)}`)
          .select(USER_SELECT)
          .get(),
      );
    } catch (e) {
      if (statusOf(e) === 404) return null;
      throw e;
    }
  }

  async delta(deltaLink?: string): Promise<{ users: User[]; deltaLink: string }> {
    const users: User[] = [];
    let page = DeltaPage.parse(
      await (deltaLink ? this.graph.api(deltaLink) : this.graph.api('/users/delta').select(USER_SELECT)).get(),
    );
    for (;;) {
      // Removed users (`@removed`) keep their passkeys' fate to the delete flow; only live users are synced.
      for (const item of page.value) if (!item['@removed']) users.push(userFromGraph(item));
      if (page['@odata.deltaLink']) return { users, deltaLink: page['@odata.deltaLink'] };
      const next = page['@odata.nextLink'];
      if (!next) throw new Error('Graph /users/delta answered a page with neither nextLink nor deltaLink');
      page = DeltaPage.parse(await this.graph.api(next).get());
    }
  }

  async createSubscription(request: SubscriptionRequest): Promise<{ id: string; expirationDateTime: string }> {
    return Subscription.parse(
      await this.graph.api('/subscriptions').post({
        changeType: 'updated',
        resource: '/users',
        notificationUrl: request.notificationUrl,
        lifecycleNotificationUrl: request.notificationUrl,
        clientState: request.clientState,
        expirationDateTime: request.expirationDateTime,
      }),
    );
  }

  async renewSubscription(id: string, expirationDateTime: string): Promise<{ expirationDateTime: string } | null> {
    try {
      return Subscription.parse(
        await this.graph.api(`/subscriptions/${encodeURIComponent(id)}`).patch({ expirationDateTime }),
      );
    } catch (e) {
      if (statusOf(e) === 404) return null;
      throw e;
    }
  }
}
