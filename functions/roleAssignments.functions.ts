import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import { parseRoleAssignmentFilter } from '../shared/domain/auth/parseRoleAssignmentFilter';
import { collectionOf, GraphError, GraphVersion } from '../shared/schemas/common.schema';
import { CreateRoleAssignmentBody, RoleAssignmentIdParams, RoleAssignmentQuery, RoleAssignmentResource } from '../shared/schemas/directory.schema';
import { z } from '../shared/schemas/zod';
import { defineHttpFunction, HttpFunction } from './http/httpFunction';
import { json, noContent, odataContext } from './http/responses';

const VER = '{ver:regex(^(beta|v1\\.0)$)}';
const Ver = z.object({ ver: GraphVersion });
const base = `${VER}/roleManagement/directory/roleAssignments`;
const TAGS = ['Directory'];
const errors = { 400: { description: 'Invalid input', schema: GraphError }, 401: { description: 'No valid token', schema: GraphError }, 403: { description: 'Not allowed', schema: GraphError } };
const notFound = { 404: { description: 'No such role assignment', schema: GraphError } };
const CONTEXT = 'roleManagement/directory/roleAssignments';

const listAssignments = defineHttpFunction({
  name: 'roleAssignmentsList',
  route: base,
  methods: ['GET'],
  access: AccessRules.roleAssignmentsRead,
  params: Ver,
  paramsNotFound: true,
  query: RoleAssignmentQuery,
  doc: { summary: "List directory role assignments ($filter: principalId eq '...' and/or roleDefinitionId eq '...')", tags: TAGS, responses: { 200: { description: 'The assignments', schema: collectionOf(RoleAssignmentResource, 'unifiedRoleAssignmentCollection') }, ...errors } },
  handler: async ({ app, params, query, baseUrl }) => {
    const value = await app.directory.listRoleAssignments(parseRoleAssignmentFilter(query.$filter));
    return json(200, { '@odata.context': odataContext(baseUrl, params.ver, CONTEXT), value });
  },
});

const createAssignment = defineHttpFunction({
  name: 'roleAssignmentsCreate',
  route: base,
  methods: ['POST'],
  access: AccessRules.roleAssignmentsWrite,
  params: Ver,
  paramsNotFound: true,
  body: CreateRoleAssignmentBody,
  doc: { summary: 'Assign a directory role to a user, tenant-wide (audited as "Add member to role")', tags: TAGS, responses: { 201: { description: 'The assignment', schema: RoleAssignmentResource }, 409: { description: 'Already assigned', schema: GraphError }, ...errors } },
  handler: async ({ app, params, body, principal, baseUrl }) => {
    const assignment = await app.directory.createRoleAssignment(body, actorOf(principal));
    return json(201, { '@odata.context': odataContext(baseUrl, params.ver, `${CONTEXT}/$entity`), ...assignment }, { Location: `${baseUrl}/${params.ver}/${CONTEXT}/${assignment.id}` });
  },
});

const Params = Ver.extend(RoleAssignmentIdParams.shape);

const getAssignment = defineHttpFunction({
  name: 'roleAssignmentsGet',
  route: `${base}/{assignmentId}`,
  methods: ['GET'],
  access: AccessRules.roleAssignmentsRead,
  params: Params,
  paramsNotFound: true,
  doc: { summary: 'Read a directory role assignment', tags: TAGS, responses: { 200: { description: 'The assignment', schema: RoleAssignmentResource }, ...errors, ...notFound } },
  handler: async ({ app, params, baseUrl }) => {
    const assignment = await app.directory.getRoleAssignment(params.assignmentId);
    return json(200, { '@odata.context': odataContext(baseUrl, params.ver, `${CONTEXT}/$entity`), ...assignment });
  },
});

const deleteAssignment = defineHttpFunction({
  name: 'roleAssignmentsDelete',
  route: `${base}/{assignmentId}`,
  methods: ['DELETE'],
  access: AccessRules.roleAssignmentsWrite,
  params: Params,
  paramsNotFound: true,
  doc: { summary: 'Remove a directory role assignment (audited as "Remove member from role")', tags: TAGS, responses: { 204: { description: 'Removed' }, ...errors, ...notFound } },
  handler: async ({ app, params, principal }) => {
    await app.directory.deleteRoleAssignment(params.assignmentId, actorOf(principal));
    return noContent();
  },
});

/** Graph: /roleManagement/directory/roleAssignments, the directory's record of who holds which role. */
export const roleAssignmentHttpFunctions: HttpFunction[] = [listAssignments, createAssignment, getAssignment, deleteAssignment];
