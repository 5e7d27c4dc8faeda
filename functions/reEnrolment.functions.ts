import { durableClientOf } from './durable/durableClientOf';
import { AccessRules } from '../shared/domain/auth/accessRules';
import { UserKeyParams } from '../shared/schemas/directory.schema';
import { DurableReEnrolmentOrchestrations } from './durable/durableReEnrolmentOrchestrations';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { json, odataEntity } from './http/responses';

const reEnrolmentStatus = graphRoute('GET', '{ver}/users/{userId}/authentication/reEnrolment', {
  name: 'userReEnrolmentGet',
  access: AccessRules.methodsRead,
  durableClient: true,
  params: UserKeyParams.shape,
  doc: {
    summary: "The user's passkey re-enrolment after a UPN change: state, old passkeys, deadline",
    tags: ['Passkeys'],
    responses: { 200: { description: 'Runtime status and custom status of the re-enrolment orchestration' } },
    errors: { 404: 'No such user, or no re-enrolment for the user' },
  },
  handler: async ({ app, params, context, baseUrl }) => {
    const flow = await app.reEnrolment.status(
      params.userId,
      new DurableReEnrolmentOrchestrations(durableClientOf(context)),
    );
    const custom = flow.customStatus;
    return json(
      200,
      odataEntity(baseUrl, params.ver, 'users/authentication/reEnrolment/$entity', {
        userId: flow.userId,
        instanceId: flow.instanceId,
        status: flow.runtimeStatus,
        state: custom?.state ?? null,
        oldUserPrincipalName: custom?.oldUserPrincipalName ?? flow.input?.oldUserPrincipalName ?? null,
        newUserPrincipalName: custom?.newUserPrincipalName ?? flow.input?.newUserPrincipalName ?? null,
        oldMethodIds: custom?.oldMethodIds ?? [],
        deadline: custom?.deadline ?? null,
        newMethodId: custom?.newMethodId ?? null,
        message: custom?.message ?? null,
        eventId: flow.input?.eventId ?? null,
        changedDateTime: flow.input?.changedAt ?? null,
        createdDateTime: flow.createdTime,
        lastUpdatedDateTime: flow.lastUpdatedTime,
      }),
    );
  },
});

export const reEnrolmentHttpFunctions: HttpFunction[] = [reEnrolmentStatus];
