import { CredentialDelivery, ProvisioningOrchestrations } from '../../shared/ports/provisioningOrchestrations.port';
import { ProvisioningJobService } from '../../shared/services/provisioning/provisioningJobService';
import { WebAuthnServices } from './webauthnServices';

/**
 * The durable runtime as the job service sees it, recording every call. A delivered credential is
 * registered at once (as the user's orchestration would), so a delivery's outcome is final when
 * the service looks for it.
 */
export class FakeOrchestrations implements ProvisioningOrchestrations {
  readonly calls: Array<[string, ...unknown[]]> = [];
  service?: ProvisioningJobService;

  /** Jobs whose orchestration was started: the others have no runtime status, as in the durable runtime. */
  private readonly started = new Set<string>();

  async startJob(jobId: string, totalUsers: number): Promise<void> {
    this.calls.push(['startJob', jobId, totalUsers]);
    this.started.add(jobId);
  }
  async notifyClaimed(
    _jobId: string,
    userId: string,
    event: { expiresAt: string } | { refused: string },
  ): Promise<void> {
    this.calls.push(['notifyClaimed', userId, event]);
  }
  async deliverCredential(jobId: string, userId: string, delivery: CredentialDelivery): Promise<void> {
    this.calls.push(['deliverCredential', userId]);
    await this.service?.registerCredential(jobId, userId, delivery);
  }
  async cancelJob(jobId: string, userIds: string[]): Promise<void> {
    this.calls.push(['cancelJob', jobId, userIds]);
  }
  async runtimeStatus(jobId: string): Promise<string | null> {
    return this.started.has(jobId) ? 'Running' : null;
  }
  named(name: string) {
    return this.calls.filter(([n]) => n === name).map(([, ...args]) => args);
  }
}

/** The provisioning job service over the same store and services as `services`, wired as shared/app.ts does. */
export function createProvisioning(services: WebAuthnServices): {
  jobs: ProvisioningJobService;
  orchestrations: FakeOrchestrations;
} {
  const jobs = new ProvisioningJobService({
    jobs: services.store.provisioningJobs,
    directory: services.directory,
    policy: services.policy,
    registration: services.registration,
    credentials: services.store.credentials,
    audit: services.store.audit,
    clock: services.clock,
  });
  const orchestrations = new FakeOrchestrations();
  orchestrations.service = jobs;
  return { jobs, orchestrations };
}
