import { User } from '../domain/directory/directory';

/** Where following the Entra tenant's changes stands: persisted, so a restart resumes the delta. */
export interface DirectorySyncState {
  /** Graph's `@odata.deltaLink` of the last completed `/users/delta` round. */
  deltaLink?: string;
  /** The change-notification subscription on `/users` and when it expires. */
  subscriptionId?: string;
  subscriptionExpiresAt?: string;
}

/** The sync state, one document (sqlite table `meta`, Cosmos container `meta`). */
export interface DirectorySyncStateRepository {
  get(): Promise<DirectorySyncState | null>;
  put(state: DirectorySyncState): Promise<void>;
}

/** A subscription to ask Graph for. */
export interface SubscriptionRequest {
  notificationUrl: string;
  clientState: string;
  expirationDateTime: string;
}

/** The tenant's side of the sync: Microsoft Graph (shared/adapters/graph/graphChangeFeed.ts). */
export interface DirectoryChangeFeed {
  /** The user as Graph has it now; null when deleted. */
  getUser(id: string): Promise<User | null>;
  /** Every user changed since `deltaLink` (all users without one), following every page. */
  delta(deltaLink?: string): Promise<{ users: User[]; deltaLink: string }>;
  createSubscription(request: SubscriptionRequest): Promise<{ id: string; expirationDateTime: string }>;
  /** Renews; null when Graph no longer knows the subscription (then create a new one). */
  renewSubscription(id: string, expirationDateTime: string): Promise<{ expirationDateTime: string } | null>;
}
