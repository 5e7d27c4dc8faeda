import type { AuditRepository } from '../../ports/audit.port';
import type { Clock, TimerClock } from '../../ports/clock.port';
import type { CredentialRepository } from '../../ports/credentials.port';
import type { ProvisioningJobRepository } from '../../ports/provisioningJobs.port';
import type { DirectoryService } from '../directoryService';
import type { PolicyService } from '../policyService';
import type { RegistrationService } from '../webauthn/registrationService';
import type { JobOutcomeSignal } from './jobOutcomeSignal';

/** What the provisioning use cases need: the job store and the services they call. */
export interface ProvisioningDeps {
  jobs: ProvisioningJobRepository;
  directory: DirectoryService;
  policy: PolicyService;
  registration: RegistrationService;
  credentials: CredentialRepository;
  audit: AuditRepository;
  clock: Clock;
}

/** What the use cases see: the deps, a clock that can wait, and the service's outcome signal. */
export interface ProvisioningContext extends Omit<ProvisioningDeps, 'clock'> {
  clock: TimerClock;
  outcomes: JobOutcomeSignal;
}

/** The clock's time as the ISO string the job rows store. */
export const nowIso = (deps: Pick<ProvisioningDeps, 'clock'>): string => deps.clock.now().toISOString();
