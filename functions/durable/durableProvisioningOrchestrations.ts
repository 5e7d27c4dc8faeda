import type { DurableClient } from 'durable-functions';
import { Orchestrators, InstanceIds, ProvisioningEvents } from '../../orchestrations/provisioning/names';
import { CredentialDelivery, ProvisioningOrchestrations } from '../../shared/ports/provisioningOrchestrations.port';

/** The job service's view of the durable runtime, through the Durable Functions client. */
export class DurableProvisioningOrchestrations implements ProvisioningOrchestrations {
  constructor(private readonly client: DurableClient) {}

  async startJob(jobId: string, totalUsers: number): Promise<void> {
    await this.client.startNew(Orchestrators.job, { instanceId: InstanceIds.job(jobId), input: { jobId, totalUsers } });
  }

  async notifyClaimed(
    jobId: string,
    userId: string,
    event: { expiresAt: string } | { refused: string },
  ): Promise<void> {
    await this.client.raiseEvent(InstanceIds.user(jobId, userId), ProvisioningEvents.claimed, event);
  }

  async deliverCredential(jobId: string, userId: string, delivery: CredentialDelivery): Promise<void> {
    await this.client.raiseEvent(InstanceIds.user(jobId, userId), ProvisioningEvents.credential, delivery);
  }

  async cancelJob(jobId: string, userIds: string[]): Promise<void> {
    const reason = 'Provisioning job cancelled by an administrator';
    // Terminating does not cascade to sub-orchestrations, so the waiting users are stopped too.
    for (const id of [InstanceIds.job(jobId), ...userIds.map((u) => InstanceIds.user(jobId, u))]) {
      await this.client.terminate(id, reason).catch(() => undefined); // already finished: nothing to stop
    }
  }

  async runtimeStatus(jobId: string): Promise<string | null> {
    const status = await this.client.getStatus(InstanceIds.job(jobId)).catch(() => undefined);
    return status?.runtimeStatus ?? null;
  }
}
