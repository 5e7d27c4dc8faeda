import { AccessRules } from '../shared/domain/auth/accessRules';
import { ProposedKeyRestrictionsResource } from '../shared/schemas/fido2Policy.schema';
import { z } from '../shared/schemas/zod';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { json, odataContext } from './http/responses';
import { impactResource } from './policy.functions';

/**
 * The keyRestrictions body that allows every model in use by users in scope (Microsoft
 * Authenticator's AAGUIDs included), with the impact of applying it: nobody locked out by construction.
 */
const proposedKeyRestrictions = graphRoute('GET', '{ver}/reports/fido2/aaguids/proposedKeyRestrictions', {
  name: 'fido2ProposedKeyRestrictions',
  access: AccessRules.policyRead,
  doc: {
    summary:
      'An allow list of every passkey model in use by users in scope, ready to PATCH as keyRestrictions, with its lock-out impact',
    tags: ['Reports'],
    responses: { 200: { description: 'The proposal', schema: ProposedKeyRestrictionsResource } },
  },
  handler: async ({ app, params, baseUrl }) => {
    const proposal = await app.policy.proposeKeyRestrictions();
    const body: z.infer<typeof ProposedKeyRestrictionsResource> = {
      '@odata.context': odataContext(baseUrl, params.ver, 'microsoft.graph.fido2ProposedKeyRestrictions'),
      keyRestrictions: proposal.keyRestrictions,
      models: proposal.models,
      impact: impactResource(proposal.impact, proposal.evaluatedAt),
    };
    return json(200, body);
  },
});

export const proposedKeyRestrictionsHttpFunctions: HttpFunction[] = [proposedKeyRestrictions];
