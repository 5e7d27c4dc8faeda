import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import { ListQuery } from '../shared/domain/directory/directory';
import { parseODataFilter } from '../shared/domain/directory/parseODataFilter';
import { CollectionQuery } from '../shared/schemas/common.schema';
import {
  CreateGroupBody,
  CreateUserBody,
  GroupIdParams,
  GroupResource,
  MemberRefBody,
  UpdateUserBody,
  UserKeyParams,
  UserResource,
} from '../shared/schemas/directory.schema';
import { collectionOf } from '../shared/schemas/common.schema';
import { z } from '../shared/schemas/zod';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import {
  collection,
  created,
  json,
  noContent,
  odataContext,
  odataEntity,
  select,
  selectedPage,
} from './http/responses';

const DEFAULT_PAGE = 100;
const toListQuery = (q: z.infer<typeof CollectionQuery>, fields?: ReadonlySet<string>): ListQuery => ({
  filter: parseODataFilter(q.$filter, fields),
  top: q.$top ?? DEFAULT_PAGE,
  after: q.$skiptoken,
});

const createUser = graphRoute('POST', '{ver}/users', {
  name: 'usersCreate',
  access: AccessRules.userWrite,
  body: CreateUserBody,
  doc: {
    summary: 'Create a user',
    tags: ['Directory'],
    responses: { 201: { description: 'The user', schema: UserResource } },
  },
  handler: async ({ app, params, body, principal, baseUrl }) => {
    const user = await app.directory.createUser(body, actorOf(principal));
    return created(baseUrl, params.ver, 'users', user);
  },
});

const listUsers = graphRoute('GET', '{ver}/users', {
  name: 'usersList',
  access: AccessRules.directoryRead,
  query: CollectionQuery,
  doc: {
    summary: 'List users ($top, $select, $filter on displayName/userPrincipalName with eq and startswith)',
    tags: ['Directory'],
    responses: { 200: { description: 'A page of users', schema: collectionOf(UserResource, 'userCollection') } },
  },
  handler: async ({ app, params, query, baseUrl, publicUrl }) => {
    const page = await app.directory.listUsers(toListQuery(query));
    return json(200, selectedPage(baseUrl, params.ver, 'users', page, query.$select, publicUrl));
  },
});

const UserParams = UserKeyParams.shape;

const getUser = graphRoute('GET', '{ver}/users/{userId}', {
  name: 'usersGet',
  access: AccessRules.directoryRead,
  params: UserParams,
  query: CollectionQuery.pick({ $select: true }),
  doc: {
    summary: 'Read a user by id or userPrincipalName',
    tags: ['Directory'],
    responses: { 200: { description: 'The user', schema: UserResource } },
  },
  handler: async ({ app, params, query, baseUrl }) => {
    const { value: user } = await app.directory.getUser(params.userId);
    return json(200, odataEntity(baseUrl, params.ver, 'users/$entity', select(user, query.$select)));
  },
});

const updateUser = graphRoute('PATCH', '{ver}/users/{userId}', {
  name: 'usersUpdate',
  access: AccessRules.userWrite,
  params: UserParams,
  body: UpdateUserBody,
  doc: {
    summary:
      'Update a user (a userPrincipalName change is recorded as a UPN change; renaming a user with a privileged role takes a Privileged Authentication Administrator or Global Administrator)',
    tags: ['Directory'],
    responses: { 204: { description: 'Updated' } },
  },
  handler: async ({ app, params, body, principal }) => {
    await app.directory.updateUser(params.userId, body, principal);
    return noContent();
  },
});

const deleteUser = graphRoute('DELETE', '{ver}/users/{userId}', {
  name: 'usersDelete',
  access: AccessRules.userWrite,
  params: UserParams,
  doc: {
    summary:
      'Delete a user with their passkeys and role assignments (a user with a privileged role: Privileged Authentication Administrator or Global Administrator)',
    tags: ['Directory'],
    responses: { 204: { description: 'Deleted' } },
  },
  handler: async ({ app, params, principal }) => {
    await app.directory.deleteUser(params.userId, principal);
    return noContent();
  },
});

const createGroup = graphRoute('POST', '{ver}/groups', {
  name: 'groupsCreate',
  access: AccessRules.groupWrite,
  body: CreateGroupBody,
  doc: {
    summary: 'Create a group',
    tags: ['Directory'],
    responses: { 201: { description: 'The group', schema: GroupResource } },
  },
  handler: async ({ app, params, body, principal, baseUrl }) => {
    const group = await app.directory.createGroup(body, actorOf(principal));
    return created(baseUrl, params.ver, 'groups', group);
  },
});

const GROUP_FILTER_FIELDS = new Set(['displayName']);

const listGroups = graphRoute('GET', '{ver}/groups', {
  name: 'groupsList',
  access: AccessRules.directoryRead,
  query: CollectionQuery,
  doc: {
    summary: 'List groups ($top, $select, $filter on displayName)',
    tags: ['Directory'],
    responses: { 200: { description: 'A page of groups', schema: collectionOf(GroupResource, 'groupCollection') } },
  },
  handler: async ({ app, params, query, baseUrl, publicUrl }) => {
    const page = await app.directory.listGroups(toListQuery(query, GROUP_FILTER_FIELDS));
    return json(200, selectedPage(baseUrl, params.ver, 'groups', page, query.$select, publicUrl));
  },
});

const GroupParams = GroupIdParams.shape;

const getGroup = graphRoute('GET', '{ver}/groups/{groupId}', {
  name: 'groupsGet',
  access: AccessRules.directoryRead,
  params: GroupParams,
  query: CollectionQuery.pick({ $select: true }),
  doc: {
    summary: 'Read a group',
    tags: ['Directory'],
    responses: { 200: { description: 'The group', schema: GroupResource } },
  },
  handler: async ({ app, params, query, baseUrl }) => {
    const group = await app.directory.getGroup(params.groupId);
    return json(200, odataEntity(baseUrl, params.ver, 'groups/$entity', select(group, query.$select)));
  },
});

const listMembers = graphRoute('GET', '{ver}/groups/{groupId}/members', {
  name: 'groupMembersList',
  access: AccessRules.directoryRead,
  params: GroupParams,
  query: CollectionQuery,
  doc: {
    summary: "List a group's direct members",
    tags: ['Directory'],
    responses: { 200: { description: 'A page of members (users)' } },
  },
  handler: async ({ app, params, query, baseUrl, publicUrl }) => {
    const page = await app.directory.listMembers(params.groupId, toListQuery(query));
    const members = page.items.map((u) => ({ '@odata.type': '#microsoft.graph.user', ...select(u, query.$select) }));
    return json(200, collection(odataContext(baseUrl, params.ver, 'directoryObjects'), members, page.next, publicUrl));
  },
});

const addMember = graphRoute('POST', '{ver}/groups/{groupId}/members/$ref', {
  name: 'groupMembersAdd',
  access: AccessRules.groupWrite,
  params: GroupParams,
  body: MemberRefBody,
  doc: { summary: 'Add a member to a group', tags: ['Directory'], responses: { 204: { description: 'Added' } } },
  handler: async ({ app, params, body, principal }) => {
    await app.directory.addMember(params.groupId, body.userId, actorOf(principal));
    return noContent();
  },
});

const removeMember = graphRoute('DELETE', '{ver}/groups/{groupId}/members/{userId}/$ref', {
  name: 'groupMembersRemove',
  access: AccessRules.groupWrite,
  params: { ...GroupParams, ...UserParams },
  doc: { summary: 'Remove a member from a group', tags: ['Directory'], responses: { 204: { description: 'Removed' } } },
  handler: async ({ app, params, principal }) => {
    await app.directory.removeMember(params.groupId, params.userId, actorOf(principal));
    return noContent();
  },
});

export const directoryHttpFunctions: HttpFunction[] = [
  createUser,
  listUsers,
  getUser,
  updateUser,
  deleteUser,
  createGroup,
  listGroups,
  getGroup,
  listMembers,
  addMember,
  removeMember,
];
