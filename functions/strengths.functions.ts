import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import {
  AuthenticationStrength,
  Fido2CombinationConfiguration,
} from '../shared/domain/strengths/authenticationStrength';
import {
  CombinationConfigurationBody,
  CombinationConfigurationPatchBody,
  CombinationConfigurationResource,
  ConfigurationParams,
  CreateStrengthBody,
  FIDO2_COMBINATION_ODATA_TYPE,
  STRENGTH_ODATA_TYPE,
  StrengthParams,
  StrengthPatchBody,
  StrengthResource,
  UpdateAllowedCombinationsBody,
  UpdateAllowedCombinationsResultResource,
} from '../shared/schemas/strengths.schema';
import { z } from '../shared/schemas/zod';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { serviceLink } from './http/links';
import { json, noContent, odataContext, odataEntity } from './http/responses';

const BASE = '{ver}/policies/authenticationStrengthPolicies';
const ENTITY_SET = 'policies/authenticationStrengthPolicies';
const TAGS = ['Authentication strengths'];
const builtInRefused = 'A built-in strength is read-only, or the combinations or configuration are invalid';

const configurationView = (c: Fido2CombinationConfiguration): z.infer<typeof CombinationConfigurationResource> => ({
  '@odata.type': FIDO2_COMBINATION_ODATA_TYPE,
  id: c.id,
  appliesToCombinations: c.appliesToCombinations,
  allowedAAGUIDs: c.allowedAAGUIDs,
});

/** A strength in Graph's authenticationStrengthPolicy shape, its combination configurations expanded. */
const strengthView = (s: AuthenticationStrength): z.infer<typeof StrengthResource> => ({
  '@odata.type': STRENGTH_ODATA_TYPE,
  id: s.id,
  createdDateTime: s.createdDateTime,
  modifiedDateTime: s.modifiedDateTime,
  displayName: s.displayName,
  description: s.description,
  policyType: s.policyType,
  requirementsSatisfied: s.requirementsSatisfied,
  allowedCombinations: s.allowedCombinations,
  combinationConfigurations: s.combinationConfigurations.map(configurationView),
});

const list = graphRoute('GET', BASE, {
  name: 'authenticationStrengthPoliciesList',
  access: AccessRules.strengthsRead,
  doc: {
    summary: 'Authentication strengths: the three built-ins, then the custom ones oldest first',
    tags: TAGS,
    responses: { 200: { description: 'authenticationStrengthPolicy collection' } },
  },
  handler: async ({ app, baseUrl, params }) =>
    json(200, {
      '@odata.context': odataContext(baseUrl, params.ver, ENTITY_SET),
      value: (await app.strengths.list()).map(strengthView),
    }),
});

const create = graphRoute('POST', BASE, {
  name: 'authenticationStrengthPoliciesCreate',
  access: AccessRules.strengthsWrite,
  body: CreateStrengthBody,
  doc: {
    summary: 'Create a custom authentication strength (at most 15)',
    tags: TAGS,
    responses: { 201: { description: 'The new strength', schema: StrengthResource } },
    errors: { 400: 'Invalid combinations or configuration, or 15 custom strengths exist' },
  },
  handler: async ({ app, body, principal, baseUrl, params }) => {
    const { '@odata.type': _t, combinationConfigurations, ...input } = body;
    const strength = await app.strengths.create(
      { ...input, combinationConfigurations: combinationConfigurations?.map(({ '@odata.type': _c, ...c }) => c) },
      actorOf(principal),
    );
    return json(201, odataEntity(baseUrl, params.ver, `${ENTITY_SET}/$entity`, strengthView(strength)), {
      Location: serviceLink(baseUrl, `${params.ver}/${ENTITY_SET}/${strength.id}`),
    });
  },
});

const get = graphRoute('GET', `${BASE}/{strengthId}`, {
  name: 'authenticationStrengthPoliciesGet',
  access: AccessRules.strengthsRead,
  params: StrengthParams,
  doc: {
    summary: 'One authentication strength',
    tags: TAGS,
    responses: { 200: { description: 'The strength', schema: StrengthResource } },
  },
  handler: async ({ app, baseUrl, params }) =>
    json(
      200,
      odataEntity(
        baseUrl,
        params.ver,
        `${ENTITY_SET}/$entity`,
        strengthView(await app.strengths.get(params.strengthId)),
      ),
    ),
});

const update = graphRoute('PATCH', `${BASE}/{strengthId}`, {
  name: 'authenticationStrengthPoliciesUpdate',
  access: AccessRules.strengthsWrite,
  params: StrengthParams,
  body: StrengthPatchBody,
  doc: {
    summary: 'Rename or describe a custom strength (combinations: updateAllowedCombinations); built-ins refused',
    tags: TAGS,
    responses: { 200: { description: 'The updated strength', schema: StrengthResource } },
    errors: { 400: builtInRefused },
  },
  handler: async ({ app, body, principal, baseUrl, params }) => {
    const { '@odata.type': _t, ...patch } = body;
    const strength = await app.strengths.update(params.strengthId, patch, actorOf(principal));
    return json(200, odataEntity(baseUrl, params.ver, `${ENTITY_SET}/$entity`, strengthView(strength)));
  },
});

const remove = graphRoute('DELETE', `${BASE}/{strengthId}`, {
  name: 'authenticationStrengthPoliciesDelete',
  access: AccessRules.strengthsWrite,
  params: StrengthParams,
  doc: {
    summary: 'Delete a custom strength; built-ins refused (400), one a protected resource requires refused (409)',
    tags: TAGS,
    responses: { 204: { description: 'Deleted' } },
    errors: { 400: builtInRefused, 409: 'A protected resource requires this strength' },
  },
  handler: async ({ app, principal, params }) => {
    await app.strengths.delete(params.strengthId, actorOf(principal));
    return noContent();
  },
});

const updateAllowedCombinations = graphRoute('POST', `${BASE}/{strengthId}/updateAllowedCombinations`, {
  name: 'authenticationStrengthPoliciesUpdateAllowedCombinations',
  access: AccessRules.strengthsWrite,
  params: StrengthParams,
  body: UpdateAllowedCombinationsBody,
  doc: {
    summary: "Replace a custom strength's allowedCombinations; built-ins refused",
    tags: TAGS,
    responses: {
      200: { description: 'updateAllowedCombinationsResult', schema: UpdateAllowedCombinationsResultResource },
    },
    errors: { 400: builtInRefused },
  },
  handler: async ({ app, body, principal, params }) => {
    const result = await app.strengths.updateAllowedCombinations(
      params.strengthId,
      body.allowedCombinations,
      actorOf(principal),
    );
    return json(200, { '@odata.type': '#microsoft.graph.updateAllowedCombinationsResult', ...result });
  },
});

const CONFIGS = `${BASE}/{strengthId}/combinationConfigurations` as const;
const configurationsContext = (baseUrl: string, ver: string, id: string) =>
  odataContext(baseUrl, ver, `${ENTITY_SET}('${id}')/combinationConfigurations`);

const listConfigurations = graphRoute('GET', CONFIGS, {
  name: 'authenticationCombinationConfigurationsList',
  access: AccessRules.strengthsRead,
  params: StrengthParams,
  doc: {
    summary: "A strength's combination configurations",
    tags: TAGS,
    responses: { 200: { description: 'authenticationCombinationConfiguration collection' } },
  },
  handler: async ({ app, baseUrl, params }) =>
    json(200, {
      '@odata.context': configurationsContext(baseUrl, params.ver, params.strengthId),
      value: (await app.strengths.listConfigurations(params.strengthId)).map(configurationView),
    }),
});

const createConfiguration = graphRoute('POST', CONFIGS, {
  name: 'authenticationCombinationConfigurationsCreate',
  access: AccessRules.strengthsWrite,
  params: StrengthParams,
  body: CombinationConfigurationBody,
  doc: {
    summary: 'Restrict the fido2 combination of a custom strength to passkey models (allowedAAGUIDs)',
    tags: TAGS,
    responses: { 201: { description: 'The configuration', schema: CombinationConfigurationResource } },
    errors: { 400: builtInRefused },
  },
  handler: async ({ app, body, principal, baseUrl, params }) => {
    const { '@odata.type': _t, id: _id, ...input } = body;
    const configuration = await app.strengths.createConfiguration(params.strengthId, input, actorOf(principal));
    return json(
      201,
      {
        '@odata.context': `${configurationsContext(baseUrl, params.ver, params.strengthId)}/$entity`,
        ...configurationView(configuration),
      },
      {
        Location: serviceLink(
          baseUrl,
          `${params.ver}/${ENTITY_SET}/${params.strengthId}/combinationConfigurations/${configuration.id}`,
        ),
      },
    );
  },
});

const getConfiguration = graphRoute('GET', `${CONFIGS}/{configurationId}`, {
  name: 'authenticationCombinationConfigurationsGet',
  access: AccessRules.strengthsRead,
  params: ConfigurationParams,
  doc: {
    summary: 'One combination configuration',
    tags: TAGS,
    responses: { 200: { description: 'The configuration', schema: CombinationConfigurationResource } },
  },
  handler: async ({ app, params }) =>
    json(200, configurationView(await app.strengths.getConfiguration(params.strengthId, params.configurationId))),
});

const updateConfiguration = graphRoute('PATCH', `${CONFIGS}/{configurationId}`, {
  name: 'authenticationCombinationConfigurationsUpdate',
  access: AccessRules.strengthsWrite,
  params: ConfigurationParams,
  body: CombinationConfigurationPatchBody,
  doc: {
    summary: "Change a combination configuration's allowedAAGUIDs",
    tags: TAGS,
    responses: { 200: { description: 'The updated configuration', schema: CombinationConfigurationResource } },
    errors: { 400: builtInRefused },
  },
  handler: async ({ app, body, principal, params }) => {
    const { '@odata.type': _t, ...patch } = body;
    const configuration = await app.strengths.updateConfiguration(
      params.strengthId,
      params.configurationId,
      patch,
      actorOf(principal),
    );
    return json(200, configurationView(configuration));
  },
});

const deleteConfiguration = graphRoute('DELETE', `${CONFIGS}/{configurationId}`, {
  name: 'authenticationCombinationConfigurationsDelete',
  access: AccessRules.strengthsWrite,
  params: ConfigurationParams,
  doc: {
    summary: 'Delete a combination configuration (the fido2 combination then allows every model)',
    tags: TAGS,
    responses: { 204: { description: 'Deleted' } },
    errors: { 400: builtInRefused },
  },
  handler: async ({ app, principal, params }) => {
    await app.strengths.deleteConfiguration(params.strengthId, params.configurationId, actorOf(principal));
    return noContent();
  },
});

/** Graph's authenticationStrengthPolicies, under /beta and /v1.0. */
export const strengthHttpFunctions: HttpFunction[] = [
  list,
  create,
  get,
  update,
  remove,
  updateAllowedCombinations,
  listConfigurations,
  createConfiguration,
  getConfiguration,
  updateConfiguration,
  deleteConfiguration,
];
