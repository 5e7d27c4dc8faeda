import type { InvocationContext } from '@azure/functions';
import type { OrchestrationContext } from 'durable-functions';
import { z } from 'zod';
import type { App } from '../shared/app';
import { activityHandlers, defineActivity } from './activity';
import { registerCredential } from './provisioning/provisioning.activities';
import { durableFunctions } from './registry';

const invocation = {} as InvocationContext;
const double = defineActivity(
  'double',
  { input: z.object({ n: z.number().int() }), result: z.number() },
  async ({ n }) => n * 2,
);
const noApp = async () => ({}) as App;

describe('defineActivity', () => {
  it('schedules the activity by its name with the typed input', () => {
    const callActivity = jest.fn(() => 'task');
    const context = { df: { callActivity } } as unknown as OrchestrationContext;
    expect(double.call(context, { n: 2 })).toBe('task');
    expect(callActivity).toHaveBeenCalledWith('double', { n: 2 });
  });

  it('runs the handler on the parsed input', async () => {
    await expect(double.handler(noApp)({ n: 21 }, invocation)).resolves.toBe(42);
  });

  it('refuses an input that does not match the schema before the service runs, naming the activity', async () => {
    const run = jest.fn();
    const spy = defineActivity('spy', { input: z.object({ jobId: z.string() }), result: z.unknown() }, run);
    await expect(spy.handler(noApp)({ jobId: 7 }, invocation)).rejects.toThrow(/Invalid input for spy: .*jobId/);
    expect(run).not.toHaveBeenCalled();
  });

  it('parses the result an orchestrator reads back, and refuses one of the wrong shape', () => {
    expect(double.result(4)).toBe(4);
    expect(() => double.result('4')).toThrow(/Invalid input for double result/);
  });

  it('registers each activity under its name', () => {
    expect(Object.keys(activityHandlers([double], noApp))).toEqual(['double']);
  });
});

describe('the registered activities', () => {
  it('keep the names durable histories reference', () => {
    expect(Object.keys(durableFunctions(noApp).activities).sort()).toEqual([
      'provisioningCompleteJob',
      'provisioningListBatchUsers',
      'provisioningMarkTimedOut',
      'provisioningPrepareUser',
      'provisioningRegisterCredential',
      'reEnrolmentDeleteOldPasskeys',
      'reEnrolmentMarkOldPasskeys',
    ]);
  });

  const credential = {
    id: 'Y3JlZA',
    rawId: 'Y3JlZA',
    type: 'public-key',
    response: { clientDataJSON: 'Y2Q', attestationObject: 'YW8' },
    clientExtensionResults: {},
  };
  const appWith = (registerCredentialSpy: jest.Mock) => async () =>
    ({ provisioningJobs: { registerCredential: registerCredentialSpy } }) as unknown as App;

  it('registerCredential hands a delivered credential and its deliverer to the job service', async () => {
    const spy = jest.fn(async () => 'provisioned');
    const deliveredBy = { user: { id: 'u-admin', userPrincipalName: 'admin@contoso.com' }, app: null };
    await registerCredential.handler(appWith(spy))(
      { jobId: 'j1', userId: 'u1', credential: { credential, deliveredBy } },
      invocation,
    );
    expect(spy).toHaveBeenCalledWith('j1', 'u1', { credential, deliveredBy });
  });

  it('registerCredential still takes a bare credential (histories from before deliverers were recorded)', async () => {
    const spy = jest.fn(async () => 'provisioned');
    await registerCredential.handler(appWith(spy))({ jobId: 'j1', userId: 'u1', credential }, invocation);
    expect(spy).toHaveBeenCalledWith('j1', 'u1', credential);
  });

  it('registerCredential refuses a credential event payload that is no credential', async () => {
    const spy = jest.fn();
    await expect(
      registerCredential.handler(appWith(spy))({ jobId: 'j1', userId: 'u1', credential: { id: 'cred' } }, invocation),
    ).rejects.toThrow(/Invalid input for provisioningRegisterCredential/);
    expect(spy).not.toHaveBeenCalled();
  });
});
