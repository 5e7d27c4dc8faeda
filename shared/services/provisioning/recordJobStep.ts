import { randomUUID } from 'node:crypto';
import type { Actor } from '../../domain/auth/actor';
import { auditRecord } from '../../domain/auditRecords';
import { EventTypes } from '../../domain/events/eventTypes';
import type { ProvisioningJob } from '../../ports/provisioningJobs.port';
import type { ProvisioningDeps } from './provisioningDeps';

const JOB_EVENT_TYPES = {
  created: EventTypes.provisioningJobCreated,
  completed: EventTypes.provisioningJobCompleted,
  cancelled: EventTypes.provisioningJobCancelled,
} as const;

/** Records a job's lifecycle step; the outbox relay publishes it as `provisioningJob.<step>`. */
export async function recordJobStep(
  deps: Pick<ProvisioningDeps, 'audit' | 'clock'>,
  step: 'created' | 'completed' | 'cancelled',
  job: ProvisioningJob,
  actor: Actor,
  details: Record<string, unknown>,
): Promise<void> {
  await deps.audit.append(
    auditRecord({
      id: randomUUID(),
      at: deps.clock.now(),
      actor,
      category: 'UserManagement',
      activityDisplayName: `Provisioning job ${step}`,
      eventType: JOB_EVENT_TYPES[step],
      operationType: step === 'created' ? 'Add' : 'Update',
      target: { id: job.id, displayName: job.displayNameTemplate, type: 'ProvisioningJob' },
      before: null,
      after: { jobId: job.id, totalUsers: job.totalUsers, ...details },
    }),
  );
}
