import { AuditRecord } from '../domain/audit';
import { Page } from '../domain/directory/directory';
import { Versioned } from './versioned';

/** A registered passkey (Graph: fido2AuthenticationMethod), keyed by its base64url credential id. */
export interface StoredCredential {
  id: string;
  userId: string;
  displayName: string;
  /** COSE public key, base64url. */
  publicKey: string;
  signCount: number;
  transports: string[];
  aaGuid: string;
  model: string | null;
  attestationLevel: 'attested' | 'notAttested';
  attestationCertificates: string[];
  attestationFormat: string;
  /** Self-reported backup eligibility / state flags: recorded, used only for passkeyType. */
  backupEligible: boolean;
  backedUp: boolean;
  createdDateTime: string;
  lastUsedDateTime: string | null;
  /** Set when a sign count failed to increase: a possibly cloned authenticator. */
  cloneWarningDateTime: string | null;
  /** Set by the UPN-change flow: the passkey still works but must be replaced. */
  reEnrolmentRequired: boolean;
}

/** The passkeys of one model (AAGUID), aggregated by the store (never by loading every passkey). */
export interface AaguidUsage {
  aaGuid: string;
  /** The model name stored with the passkeys (from the AAGUID catalogue, so the same for all), null when unknown. */
  model: string | null;
  passkeys: number;
  /** Distinct users holding at least one passkey of this AAGUID. */
  users: number;
  attested: number;
  notAttested: number;
  /** By the self-reported backup-eligible flag: false = device-bound, true = synced. */
  deviceBound: number;
  synced: number;
  firstRegisteredDateTime: string | null;
  lastUsedDateTime: string | null;
}

export interface CredentialRepository {
  /** Throws a DomainError of kind `conflict` when the credential id is already registered. */
  create(credential: StoredCredential, audit: AuditRecord): Promise<Versioned<StoredCredential>>;
  /** Point read by credential id (the sign-in hot path). */
  get(id: string): Promise<Versioned<StoredCredential> | null>;
  listByUser(userId: string): Promise<StoredCredential[]>;
  /**
   * Every passkey of the tenant, a page at a time, ordered by credential id (keyset: pass the
   * page's `next` as `after`). For tenant-wide reports, which must not hold every credential at once.
   */
  scanPage(query: { top: number; after?: string }): Promise<Page<StoredCredential>>;
  /** Replaces the credential; throws ConcurrencyConflictError when `ifMatch` is stale. */
  update(credential: StoredCredential, ifMatch: string): Promise<Versioned<StoredCredential>>;
  /**
   * A sign-in's two conditional writes, both or neither: records `challenge` as used (single use)
   * and replaces the credential if its ETag is still `ifMatch` (the sign count). Returns null,
   * writing nothing, when the challenge was already used; throws ConcurrencyConflictError, leaving
   * the challenge unused, when the credential changed meanwhile. One transaction where the store has
   * them (SQLite); on Cosmos DB the challenge record is created first and removed again if the
   * replace loses its ETag race.
   */
  recordSignIn(
    credential: StoredCredential,
    ifMatch: string,
    challenge: ConsumedChallenge,
  ): Promise<Versioned<StoredCredential> | null>;
  /** False when there was no such credential for that user. */
  delete(userId: string, id: string, audit: AuditRecord): Promise<boolean>;
  /** One row per AAGUID in use, ordered by AAGUID: counted in the store (GROUP BY, or kept counters). */
  usageByAaguid(): Promise<AaguidUsage[]>;
}

/** A challenge as the store records its use: its id and when it stops being accepted anyway. */
export interface ConsumedChallenge {
  id: string;
  expiresAt: Date;
}

/** Records challenges that were used, until they expire, so each is usable once. */
export interface ConsumedChallengeRepository {
  /** Atomically records the challenge; false when it had already been consumed. */
  consume(challengeId: string, expiresAt: Date): Promise<boolean>;
  /** Removes records that expired before `now`; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}
