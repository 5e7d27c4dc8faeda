import type { Actor } from '../domain/auth/actor';
import type { RegistrationResponseJSON } from './webauthn.port';

/**
 * What a station's POST .../credential hands to the user's orchestration: the credential and, taken
 * server-side from the caller's token, who delivered it (the actor of the passkey's audit record).
 */
export interface CredentialDelivery {
  credential: RegistrationResponseJSON;
  deliveredBy: Actor;
}

/** What the job service asks of the durable runtime (Durable Functions client in Azure or locally). */
export interface ProvisioningOrchestrations {
  startJob(jobId: string, totalUsers: number): Promise<void>;
  /** Tells a user's orchestration that a station claimed them (or that the claim was refused). */
  notifyClaimed(jobId: string, userId: string, event: { expiresAt: string } | { refused: string }): Promise<void>;
  deliverCredential(jobId: string, userId: string, delivery: CredentialDelivery): Promise<void>;
  /** Stops the job's orchestrations (the job itself and the given users'). */
  cancelJob(jobId: string, userIds: string[]): Promise<void>;
  /** The job orchestration's runtime status (Running, Completed, Failed, Terminated, ...), if known. */
  runtimeStatus(jobId: string): Promise<string | null>;
}
