import { ReEnrolmentStatusSchema, UpnReEnrolmentInputSchema } from './inputs';

const status = {
  eventId: 'e1',
  oldUserPrincipalName: 'bob@contoso.com',
  newUserPrincipalName: 'robert@contoso.com',
  oldMethodIds: ['m1'],
  deadline: null,
};

describe('re-enrolment schemas', () => {
  it.each([
    'markingOldPasskeys',
    'nothingToReEnrol',
    'waitingForNewPasskey',
    'deletingOldPasskeys',
    'completed',
    'deadlinePassed',
    'changeNotConfirmed',
  ])('reads back a custom status in state %s', (state) => {
    expect(ReEnrolmentStatusSchema.parse({ ...status, state })).toEqual({ ...status, state });
  });

  it.each([
    ['an unknown state', { ...status, state: 'exploded' }],
    ['a missing eventId', { ...status, eventId: undefined, state: 'completed' }],
    ['a deadline that is no string', { ...status, state: 'completed', deadline: 5 }],
    ['no status at all', null],
  ])('refuses a custom status with %s', (_case, value) => {
    expect(ReEnrolmentStatusSchema.safeParse(value).success).toBe(false);
  });

  it('drops a smuggled graceHours from the flow input (the grace period comes from configuration)', () => {
    const input = {
      eventId: 'e1',
      userId: 'u1',
      changedAt: '2026-01-01T00:00:00.000Z',
      oldUserPrincipalName: 'a@contoso.com',
      newUserPrincipalName: 'b@contoso.com',
    };
    expect(UpnReEnrolmentInputSchema.parse({ ...input, graceHours: 0.001 })).toEqual(input);
  });
});
