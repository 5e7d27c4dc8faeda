import type { OrchestrationContext, Task } from 'durable-functions';
import {
  Activities,
  BATCH_SIZE,
  InstanceIds,
  Orchestrators,
  ProvisioningEvents,
} from '../../../orchestrations/provisioning/names';
import {
  provisioningBatchOrchestrator,
  provisioningJobOrchestrator,
} from '../../../orchestrations/provisioning/provisioningJob.orchestrator';
import { provisionUserOrchestrator } from '../../../orchestrations/provisioning/provisionUser.orchestrator';

/** A fake orchestration context: every call returns a marker task, so the test sees what was scheduled. */
function fakeContext(input: unknown, instanceId = 'provisioning-job-1') {
  const task = (kind: string, ...args: unknown[]) =>
    ({ kind, args, cancel: jest.fn() }) as unknown as Task & { kind: string; args: unknown[]; cancel: jest.Mock };
  const df = {
    instanceId,
    getInput: () => input,
    setCustomStatus: jest.fn(),
    callActivity: jest.fn((name: string, arg?: unknown) => task('activity', name, arg)),
    callSubOrchestrator: jest.fn((name: string, arg?: unknown, id?: string) => task('sub', name, arg, id)),
    waitForExternalEvent: jest.fn((name: string) => task('event', name)),
    createTimer: jest.fn((at: Date) => task('timer', at.toISOString())),
    Task: { all: jest.fn((tasks: Task[]) => task('all', tasks)), any: jest.fn((tasks: Task[]) => task('any', tasks)) },
  };
  return { context: { df } as unknown as OrchestrationContext, df };
}

describe('provisioning orchestrators (generators stepped with fakes)', () => {
  it('the job runs one batch sub-orchestration per 100 users, then completes the job', () => {
    const { context, df } = fakeContext({ jobId: 'j1', totalUsers: 250 });
    const run = provisioningJobOrchestrator(context) as Generator;
    run.next();
    expect(df.setCustomStatus).toHaveBeenCalledWith({ batches: 3 });
    expect(df.callSubOrchestrator.mock.calls).toEqual([
      [Orchestrators.batch, { jobId: 'j1', fromSequence: 0, toSequence: BATCH_SIZE }, InstanceIds.batch('j1', 0)],
      [Orchestrators.batch, { jobId: 'j1', fromSequence: 100, toSequence: 200 }, InstanceIds.batch('j1', 1)],
      [Orchestrators.batch, { jobId: 'j1', fromSequence: 200, toSequence: 250 }, InstanceIds.batch('j1', 2)],
    ]);
    run.next([{ provisioned: 100 }, { provisioned: 100 }, { provisioned: 50 }]);
    expect(df.callActivity).toHaveBeenCalledWith(Activities.completeJob, 'j1');
    expect(run.next({ provisioned: 250 })).toEqual({ done: true, value: { provisioned: 250 } });
  });

  it('a batch lists its users and runs one small orchestration per user, counting outcomes', () => {
    const { context, df } = fakeContext({ jobId: 'j1', fromSequence: 0, toSequence: 3 });
    const run = provisioningBatchOrchestrator(context) as Generator;
    run.next();
    expect(df.callActivity).toHaveBeenCalledWith(Activities.listBatchUsers, {
      jobId: 'j1',
      fromSequence: 0,
      toSequence: 3,
    });
    run.next(['u1', 'u2', 'u3']);
    expect(df.callSubOrchestrator.mock.calls.map((c) => c[2])).toEqual(
      ['u1', 'u2', 'u3'].map((u) => InstanceIds.user('j1', u)),
    );
    expect(run.next(['provisioned', 'skippedGuest', 'provisioned'])).toEqual({
      done: true,
      value: { provisioned: 2, skippedGuest: 1 },
    });
  });

  it('a user that is not ready (guest, refused) ends after the check', () => {
    const { context, df } = fakeContext({ jobId: 'j1', userId: 'u1' });
    const run = provisionUserOrchestrator(context) as Generator;
    run.next();
    expect(run.next('skippedGuest')).toEqual({ done: true, value: 'skippedGuest' });
    expect(df.waitForExternalEvent).not.toHaveBeenCalled();
  });

  it('a claimed user waits for the credential until the challenge times out, and cancels the timer when it arrives', () => {
    const { context, df } = fakeContext({ jobId: 'j1', userId: 'u1' });
    const run = provisionUserOrchestrator(context) as Generator;
    run.next();
    const claimWait = run.next('ready').value as { kind: string; args: unknown[] };
    expect(claimWait).toMatchObject({ kind: 'event', args: [ProvisioningEvents.claimed] });
    const race = run.next({ expiresAt: '2026-11-27T10:00:00.000Z' }).value as {
      kind: string;
      args: [Array<{ kind: string }>];
    };
    expect(race.kind).toBe('any');
    expect(df.createTimer).toHaveBeenCalledWith(new Date('2026-11-27T10:00:00.000Z'));
    const [credentialEvent, timer] = race.args[0] as unknown as [{ result?: unknown }, { cancel: jest.Mock }];
    credentialEvent.result = { id: 'cred' };
    run.next(credentialEvent);
    expect(timer.cancel).toHaveBeenCalled();
    expect(df.callActivity).toHaveBeenLastCalledWith(Activities.registerCredential, {
      jobId: 'j1',
      userId: 'u1',
      credential: { id: 'cred' },
    });
    expect(run.next('provisioned')).toEqual({ done: true, value: 'provisioned' });
  });

  it('records a time-out when the timer wins, and a refused claim as refusedByPolicy', () => {
    const timedOut = fakeContext({ jobId: 'j1', userId: 'u1' });
    const run = provisionUserOrchestrator(timedOut.context) as Generator;
    run.next();
    run.next('ready');
    const race = run.next({ expiresAt: '2026-11-27T10:00:00.000Z' }).value as { args: [unknown[]] };
    run.next(race.args[0][1]);
    expect(timedOut.df.callActivity).toHaveBeenLastCalledWith(Activities.markTimedOut, { jobId: 'j1', userId: 'u1' });

    const refused = fakeContext({ jobId: 'j1', userId: 'u2' });
    const second = provisionUserOrchestrator(refused.context) as Generator;
    second.next();
    second.next('ready');
    expect(second.next({ refused: 'key restrictions' })).toEqual({ done: true, value: 'refusedByPolicy' });
  });
  it.each([
    ['job', provisioningJobOrchestrator, null],
    ['job', provisioningJobOrchestrator, { jobId: 'j1', totalUsers: 10_000_000 }],
    ['job', provisioningJobOrchestrator, { jobId: 'j1', totalUsers: -1 }],
    ['job', provisioningJobOrchestrator, { jobId: '', totalUsers: 5 }],
    ['batch', provisioningBatchOrchestrator, { jobId: 'j1', fromSequence: 0, toSequence: BATCH_SIZE + 1 }],
    ['batch', provisioningBatchOrchestrator, { jobId: 'j1', fromSequence: 5, toSequence: 5 }],
    ['user', provisionUserOrchestrator, { jobId: 'j1' }],
    ['user', provisionUserOrchestrator, 'u1'],
  ])(
    'attack: a bad %s input (case %#) fails the instance before anything is scheduled',
    (_which, orchestrator, input) => {
      const { context, df } = fakeContext(input);
      const run = orchestrator(context) as Generator;
      expect(() => run.next()).toThrow(/^Invalid input for provision/);
      expect(df.callActivity).not.toHaveBeenCalled();
      expect(df.callSubOrchestrator).not.toHaveBeenCalled();
    },
  );

  it('a claimed event that is neither an expiry nor a refusal fails the user instance', () => {
    const { context } = fakeContext({ jobId: 'j1', userId: 'u1' });
    const run = provisionUserOrchestrator(context) as Generator;
    run.next();
    run.next('ready');
    expect(() => run.next({ expiresAt: 'soon' })).toThrow(/Invalid input for provisionUser event claimed/);
  });
});
