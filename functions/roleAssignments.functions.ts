import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import { parseRoleAssignmentFilter } from '../shared/domain/auth/parseRoleAssignmentFilter';
import { collectionOf } from '../shared/schemas/common.schema';
import {
  CreateRoleAssignmentBody,
  RoleAssignmentIdParams,
  RoleAssignmentQuery,
  RoleAssignmentResource,
} from '../shared/schemas/directory.schema';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { created, json, noContent, odataContext, odataEntity } from './http/responses';

const base = '{ver}/roleManagement/directory/roleAssignments';
const TAGS = ['Directory'];
const errors = { 404: 'No such role assignment' };
const CONTEXT = 'roleManagement/directory/roleAssignments';

const listAssignments = graphRoute('GET', base, {
  name: 'roleAssignmentsList',
  access: AccessRules.roleAssignmentsRead,
  query: RoleAssignmentQuery,
  doc: {
    summary: "List directory role assignments ($filter: principalId eq '...' and/or roleDefinitionId eq '...')",
    tags: TAGS,
    responses: {
      200: {
        description: 'The assignments',
        schema: collectionOf(RoleAssignmentResource, 'unifiedRoleAssignmentCollection'),
      },
    },
  },
  handler: async ({ app, params, query, baseUrl }) => {
    const value = await app.directory.listRoleAssignments(parseRoleAssignmentFilter(query.$filter));
    return json(200, { '@odata.context': odataContext(baseUrl, params.ver, CONTEXT), value });
  },
});

const createAssignment = graphRoute('POST', base, {
  name: 'roleAssignmentsCreate',
  access: AccessRules.roleAssignmentsWrite,
  body: CreateRoleAssignmentBody,
  doc: {
    summary: 'Assign a directory role to a user, tenant-wide (audited as "Add member to role")',
    tags: TAGS,
    responses: { 201: { description: 'The assignment', schema: RoleAssignmentResource } },
    errors: { 409: 'Already assigned' },
  },
  handler: async ({ app, params, body, principal, baseUrl }) => {
    const assignment = await app.directory.createRoleAssignment(body, actorOf(principal));
    return created(baseUrl, params.ver, CONTEXT, assignment);
  },
});

const Params = RoleAssignmentIdParams.shape;

const getAssignment = graphRoute('GET', `${base}/{assignmentId}`, {
  name: 'roleAssignmentsGet',
  access: AccessRules.roleAssignmentsRead,
  params: Params,
  doc: {
    summary: 'Read a directory role assignment',
    tags: TAGS,
    responses: { 200: { description: 'The assignment', schema: RoleAssignmentResource } },
    errors,
  },
  handler: async ({ app, params, baseUrl }) => {
    const assignment = await app.directory.getRoleAssignment(params.assignmentId);
    return json(200, odataEntity(baseUrl, params.ver, `${CONTEXT}/$entity`, assignment));
  },
});

const deleteAssignment = graphRoute('DELETE', `${base}/{assignmentId}`, {
  name: 'roleAssignmentsDelete',
  access: AccessRules.roleAssignmentsWrite,
  params: Params,
  doc: {
    summary: 'Remove a directory role assignment (audited as "Remove member from role")',
    tags: TAGS,
    responses: { 204: { description: 'Removed' } },
    errors,
  },
  handler: async ({ app, params, principal }) => {
    await app.directory.deleteRoleAssignment(params.assignmentId, actorOf(principal));
    return noContent();
  },
});

/** Graph: /roleManagement/directory/roleAssignments, the directory's record of who holds which role. */
export const roleAssignmentHttpFunctions: HttpFunction[] = [
  listAssignments,
  createAssignment,
  getAssignment,
  deleteAssignment,
];
