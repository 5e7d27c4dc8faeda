import type { DurableClient } from 'durable-functions';
import { ReEnrolmentStatusSchema, UpnReEnrolmentInputSchema } from '../../orchestrations/reenrolment/inputs';
import {
  ReEnrolmentEvents,
  ReEnrolmentOrchestrator,
  reEnrolmentInstanceId,
} from '../../orchestrations/reenrolment/names';
import {
  isRunningFlow,
  NewPasskeyRegistered,
  ReEnrolmentInstance,
  ReEnrolmentOrchestrations,
  UpnReEnrolmentInput,
} from '../../shared/ports/reEnrolmentOrchestrations.port';

const STOP_TIMEOUT_MS = 10_000;
const STOP_POLL_MS = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const iso = (d: Date | string | undefined) => (d instanceof Date ? d.toISOString() : (d ?? ''));

/** The re-enrolment service's view of the durable runtime, through the Durable Functions client. */
export class DurableReEnrolmentOrchestrations implements ReEnrolmentOrchestrations {
  constructor(private readonly client: DurableClient) {}

  async get(userId: string): Promise<ReEnrolmentInstance | null> {
    const instanceId = reEnrolmentInstanceId(userId);
    // The client rejects with a 404 message when there is no such instance.
    const status = await this.client.getStatus(instanceId, { showInput: true }).catch(() => undefined);
    if (!status?.runtimeStatus) return null;
    return {
      instanceId,
      runtimeStatus: status.runtimeStatus,
      // An instance started with a bad input (it failed) reports no input rather than a wrong one.
      input: UpnReEnrolmentInputSchema.safeParse(status.input).data ?? null,
      // Written by the orchestrator; anything else (a status set by hand) reads as none.
      customStatus: ReEnrolmentStatusSchema.safeParse(status.customStatus).data ?? null,
      createdTime: iso(status.createdTime),
      lastUpdatedTime: iso(status.lastUpdatedTime),
    };
  }

  async start(input: UpnReEnrolmentInput): Promise<void> {
    await this.client.startNew(ReEnrolmentOrchestrator, {
      instanceId: reEnrolmentInstanceId(input.userId),
      input: UpnReEnrolmentInputSchema.parse(input),
    });
  }

  async stop(userId: string, reason: string): Promise<void> {
    await this.client.terminate(reEnrolmentInstanceId(userId), reason);
    // Termination is asynchronous; the next start needs the instance finished.
    for (const until = Date.now() + STOP_TIMEOUT_MS; Date.now() < until; await sleep(STOP_POLL_MS)) {
      const flow = await this.get(userId);
      if (!flow || !isRunningFlow(flow.runtimeStatus)) return;
    }
    throw new Error(
      `The re-enrolment of user ${userId} did not stop within ${STOP_TIMEOUT_MS} ms of being terminated; expected Terminated.`,
    );
  }

  async notifyNewPasskey(userId: string, event: NewPasskeyRegistered): Promise<void> {
    await this.client.raiseEvent(reEnrolmentInstanceId(userId), ReEnrolmentEvents.newPasskeyRegistered, event);
  }
}
