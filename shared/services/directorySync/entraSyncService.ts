import { randomUUID, timingSafeEqual } from 'node:crypto';
import { Actor } from '../../domain/auth/actor';
import { auditRecord } from '../../domain/auditRecords';
import { User } from '../../domain/directory/directory';
import { EventTypes } from '../../domain/events/eventTypes';
import { Clock } from '../../ports/clock.port';
import { DirectoryRepository } from '../../ports/directory.port';
import { DirectoryChangeFeed, DirectorySyncStateRepository } from '../../ports/directorySync.port';

/** One item of a Graph change (or lifecycle) notification, as `POST /notifications/graph` parsed it. */
export interface GraphNotification {
  subscriptionId: string;
  clientState?: string | null;
  changeType?: string;
  resource?: string;
  resourceData?: { id?: string } | null;
  lifecycleEvent?: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';
}

export interface EntraSyncOptions {
  feed: DirectoryChangeFeed;
  /** The store's own copy of the users it has seen: the last known UPN, and the audited write that emits the event. */
  mirror: DirectoryRepository;
  state: DirectorySyncStateRepository;
  clock: Clock;
  /** The public URL of `POST /notifications/graph`; without it no subscription is made (delta only). */
  notificationUrl?: string;
  clientState: string;
  /** Told when a user changed, so cached memberships are dropped. */
  onUserChanged?(userId: string): void;
  /** Subscription lifetime asked for (Graph allows users up to 29 days), and how early it is renewed. */
  subscriptionLifetimeMs?: number;
  renewBeforeMs?: number;
}

/** The writer of the records a sync makes: the service's Graph connector, not a person. */
const SYNC_ACTOR: Actor = { user: null, app: { appId: 'microsoft-graph-sync' } };
const SIGNIFICANT: Array<keyof User> = ['userPrincipalName', 'displayName', 'userType', 'accountEnabled', 'mail'];

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Follows the Entra tenant (DIRECTORY=entra): change notifications and a delta query bring user
 * changes; each is written to the store's copy of the user with its audit record, so a UPN change
 * becomes `user.upnChanged` exactly as an embedded-directory change does (audit → outbox → event).
 */
export class EntraSyncService {
  constructor(private readonly options: EntraSyncOptions) {}

  /** Brings one user up to date with the tenant; returns the event type recorded, if any. */
  async syncUser(user: User): Promise<string | null> {
    const { mirror } = this.options;
    const known = await mirror.getUserById(user.id);
    this.options.onUserChanged?.(user.id);
    const target = { id: user.id, displayName: user.userPrincipalName, type: 'User' };
    const record = (eventType: (typeof EventTypes)[keyof typeof EventTypes], before: User | null, after: User) =>
      auditRecord({
        id: randomUUID(),
        at: this.options.clock.now(),
        actor: SYNC_ACTOR,
        category: 'UserManagement',
        activityDisplayName: before ? 'Update user' : 'Add user',
        eventType,
        operationType: before ? 'Update' : 'Add',
        target,
        before,
        after,
      });
    if (!known) {
      await mirror.createUser(user, record(EventTypes.userCreated, null, user));
      return EventTypes.userCreated;
    }
    if (!SIGNIFICANT.some((p) => known.value[p] !== user[p])) return null;
    const next = { ...known.value, ...user, createdDateTime: known.value.createdDateTime };
    const eventType =
      known.value.userPrincipalName === user.userPrincipalName ? EventTypes.userUpdated : EventTypes.userUpnChanged;
    await mirror.updateUser(next, known.etag, record(eventType, known.value, next));
    return eventType;
  }

  /**
   * Handles a notification batch. Items whose `clientState` is not ours are ignored (anyone can
   * POST here; only Graph knows the secret), and counted.
   */
  async onNotifications(items: GraphNotification[]): Promise<{ handled: number; ignored: number }> {
    let handled = 0;
    let ignored = 0;
    for (const item of items) {
      if (!item.clientState || !sameSecret(item.clientState, this.options.clientState)) {
        ignored++;
        continue;
      }
      handled++;
      if (item.lifecycleEvent === 'reauthorizationRequired') await this.renewSubscription(true);
      else if (item.lifecycleEvent === 'subscriptionRemoved') await this.createSubscription();
      else if (item.lifecycleEvent === 'missed') await this.runDelta();
      else {
        const id = item.resourceData?.id ?? item.resource?.split('/').pop();
        if (!id) continue;
        const user = await this.options.feed.getUser(id);
        if (user) await this.syncUser(user);
      }
    }
    return { handled, ignored };
  }

  /** The safety net: every user changed since the persisted delta link, then the new link persisted. */
  async runDelta(): Promise<number> {
    const state = (await this.options.state.get()) ?? {};
    const { users, deltaLink } = await this.options.feed.delta(state.deltaLink);
    for (const user of users) await this.syncUser(user);
    await this.options.state.put({ ...((await this.options.state.get()) ?? {}), deltaLink });
    return users.length;
  }

  private expiry(): string {
    return new Date(
      this.options.clock.now().getTime() + (this.options.subscriptionLifetimeMs ?? 3 * 86_400_000),
    ).toISOString();
  }

  /** A new subscription on `/users` (also when Graph removed ours). */
  async createSubscription(): Promise<void> {
    const { notificationUrl, clientState, feed, state } = this.options;
    if (!notificationUrl) return;
    const created = await feed.createSubscription({ notificationUrl, clientState, expirationDateTime: this.expiry() });
    await state.put({
      ...((await state.get()) ?? {}),
      subscriptionId: created.id,
      subscriptionExpiresAt: created.expirationDateTime,
    });
  }

  /**
   * The renewal timer (and `reauthorizationRequired`): renews before expiry, creates one when there
   * is none or Graph no longer knows it.
   */
  async renewSubscription(now = false): Promise<void> {
    const { feed, state, clock } = this.options;
    if (!this.options.notificationUrl) return;
    const current = (await state.get()) ?? {};
    if (!current.subscriptionId) return this.createSubscription();
    const left = Date.parse(current.subscriptionExpiresAt ?? '') - clock.now().getTime();
    if (!now && left > (this.options.renewBeforeMs ?? 86_400_000)) return;
    const renewed = await feed.renewSubscription(current.subscriptionId, this.expiry());
    if (!renewed) return this.createSubscription();
    await state.put({ ...current, subscriptionExpiresAt: renewed.expirationDateTime });
  }
}
