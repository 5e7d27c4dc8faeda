import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import {
  ProtectedResourceCollection,
  ProtectedResourceParams,
  ProtectedResourceResource,
  PutProtectedResourceBody,
} from '../shared/schemas/strengths.schema';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { json, noContent } from './http/responses';

const TAGS = ['Authentication strengths'];
const PATH = 'protectedResources/{resourceName}';

/*
 * Not a Graph resource (Graph models this as Conditional Access policies), so like our other own
 * resources (webhooks, provisioning jobs) it carries no version prefix. The name is the token
 * audience, URL-encoded in the path (`api%3A%2F%2Fhr` for `api://hr`).
 */

const list = graphRoute('GET', 'protectedResources', {
  name: 'protectedResourcesList',
  access: AccessRules.strengthsRead,
  doc: {
    summary: 'Resources (token audiences) that require an authentication strength at sign-in, by name',
    tags: TAGS,
    responses: { 200: { description: 'The resources', schema: ProtectedResourceCollection } },
  },
  handler: async ({ app }) => json(200, { value: await app.protectedResources.list() }),
});

const get = graphRoute('GET', PATH, {
  name: 'protectedResourcesGet',
  access: AccessRules.strengthsRead,
  params: ProtectedResourceParams,
  doc: {
    summary: 'One protected resource',
    tags: TAGS,
    responses: { 200: { description: 'The resource', schema: ProtectedResourceResource } },
  },
  handler: async ({ app, params }) => json(200, await app.protectedResources.get(params.resourceName)),
});

const put = graphRoute('PUT', PATH, {
  name: 'protectedResourcesPut',
  access: AccessRules.strengthsWrite,
  params: ProtectedResourceParams,
  body: PutProtectedResourceBody,
  doc: {
    summary: 'Require an authentication strength for sign-ins to a resource (creates or replaces)',
    tags: TAGS,
    responses: {
      200: { description: 'Replaced', schema: ProtectedResourceResource },
      201: { description: 'Created', schema: ProtectedResourceResource },
    },
    errors: { 400: 'Invalid body, or no strength has that id' },
  },
  handler: async ({ app, params, body, principal }) => {
    const { resource, created } = await app.protectedResources.put(
      params.resourceName,
      body.authenticationStrengthId,
      actorOf(principal),
    );
    return json(created ? 201 : 200, resource);
  },
});

const remove = graphRoute('DELETE', PATH, {
  name: 'protectedResourcesDelete',
  access: AccessRules.strengthsWrite,
  params: ProtectedResourceParams,
  doc: {
    summary: 'Stop requiring a strength for a resource (sign-ins to it then behave as for any allowed audience)',
    tags: TAGS,
    responses: { 204: { description: 'Deleted' } },
  },
  handler: async ({ app, params, principal }) => {
    await app.protectedResources.delete(params.resourceName, actorOf(principal));
    return noContent();
  },
});

export const protectedResourceHttpFunctions: HttpFunction[] = [list, get, put, remove];
