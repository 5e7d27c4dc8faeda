/**
 * A value that changes whenever the policy, users, groups or memberships may have changed — written
 * by this process or by any other one sharing the store. Caches in the services keep what they read
 * only while it stays the same (issue 10: a PATCH is seen by the very next sign-in, on every worker).
 * A store that cannot give one cheaply (Cosmos DB: instances share nothing) offers none, and the
 * services then read the store every time.
 */
export interface ChangeSignal {
  current(): string;
}
