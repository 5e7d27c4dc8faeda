import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import { ListQuery } from '../shared/domain/directory/directory';
import { parseODataFilter } from '../shared/domain/directory/parseODataFilter';
import { CollectionQuery, GraphError, GraphVersion } from '../shared/schemas/common.schema';
import { CreateGroupBody, CreateUserBody, GroupIdParams, GroupResource, MemberRefBody, UpdateUserBody, UserKeyParams, UserResource } from '../shared/schemas/directory.schema';
import { collectionOf } from '../shared/schemas/common.schema';
import { z } from '../shared/schemas/zod';
import { defineHttpFunction, HttpFunction } from './http/httpFunction';
import { collection, json, noContent, odataContext, select } from './http/responses';

const VER = '{ver:regex(^(beta|v1\\.0)$)}';
const Ver = z.object({ ver: GraphVersion });
const errors = { 400: { description: 'Invalid input', schema: GraphError }, 401: { description: 'No valid token', schema: GraphError }, 403: { description: 'Not allowed', schema: GraphError } };
const notFound = { 404: { description: 'No such object', schema: GraphError } };

const DEFAULT_PAGE = 100;
const toListQuery = (q: z.infer<typeof CollectionQuery>, fields?: ReadonlySet<string>): ListQuery => ({
  filter: parseODataFilter(q.$filter, fields),
  top: q.$top ?? DEFAULT_PAGE,
  after: q.$skiptoken,
});

const createUser = defineHttpFunction({
  name: 'usersCreate',
  route: `${VER}/users`,
  methods: ['POST'],
  access: AccessRules.userWrite,
  params: Ver,
  paramsNotFound: true,
  body: CreateUserBody,
  doc: { summary: 'Create a user', tags: ['Directory'], responses: { 201: { description: 'The user', schema: UserResource }, ...errors } },
  handler: async ({ app, params, body, principal, baseUrl }) => {
    const user = await app.directory.createUser(body, actorOf(principal));
    return json(201, { '@odata.context': odataContext(baseUrl, params.ver, 'users/$entity'), ...user }, { Location: `${baseUrl}/${params.ver}/users/${user.id}` });
  },
});

const listUsers = defineHttpFunction({
  name: 'usersList',
  route: `${VER}/users`,
  methods: ['GET'],
  access: AccessRules.directoryRead,
  params: Ver,
  paramsNotFound: true,
  query: CollectionQuery,
  doc: { summary: 'List users ($top, $select, $filter on displayName/userPrincipalName with eq and startswith)', tags: ['Directory'], responses: { 200: { description: 'A page of users', schema: collectionOf(UserResource, 'userCollection') }, ...errors } },
  handler: async ({ app, params, query, baseUrl, publicUrl }) => {
    const page = await app.directory.listUsers(toListQuery(query));
    return json(200, collection(odataContext(baseUrl, params.ver, 'users'), page.items.map((u) => select(u, query.$select)), page.next, publicUrl));
  },
});

const UserParams = Ver.extend(UserKeyParams.shape);

const getUser = defineHttpFunction({
  name: 'usersGet',
  route: `${VER}/users/{userId}`,
  methods: ['GET'],
  access: AccessRules.directoryRead,
  params: UserParams,
  paramsNotFound: true,
  query: CollectionQuery.pick({ $select: true }),
  doc: { summary: 'Read a user by id or userPrincipalName', tags: ['Directory'], responses: { 200: { description: 'The user', schema: UserResource }, ...errors, ...notFound } },
  handler: async ({ app, params, query, baseUrl }) => {
    const { value: user } = await app.directory.getUser(params.userId);
    return json(200, { '@odata.context': odataContext(baseUrl, params.ver, 'users/$entity'), ...select(user, query.$select) });
  },
});

const updateUser = defineHttpFunction({
  name: 'usersUpdate',
  route: `${VER}/users/{userId}`,
  methods: ['PATCH'],
  access: AccessRules.userWrite,
  params: UserParams,
  paramsNotFound: true,
  body: UpdateUserBody,
  doc: { summary: 'Update a user (a userPrincipalName change is recorded as a UPN change; renaming a user with a privileged role takes a Privileged Authentication Administrator or Global Administrator)', tags: ['Directory'], responses: { 204: { description: 'Updated' }, ...errors, ...notFound } },
  handler: async ({ app, params, body, principal }) => {
    await app.directory.updateUser(params.userId, body, principal);
    return noContent();
  },
});

const deleteUser = defineHttpFunction({
  name: 'usersDelete',
  route: `${VER}/users/{userId}`,
  methods: ['DELETE'],
  access: AccessRules.userWrite,
  params: UserParams,
  paramsNotFound: true,
  doc: { summary: 'Delete a user with their passkeys and role assignments (a user with a privileged role: Privileged Authentication Administrator or Global Administrator)', tags: ['Directory'], responses: { 204: { description: 'Deleted' }, ...errors, ...notFound } },
  handler: async ({ app, params, principal }) => {
    await app.directory.deleteUser(params.userId, principal);
    return noContent();
  },
});

const createGroup = defineHttpFunction({
  name: 'groupsCreate',
  route: `${VER}/groups`,
  methods: ['POST'],
  access: AccessRules.groupWrite,
  params: Ver,
  paramsNotFound: true,
  body: CreateGroupBody,
  doc: { summary: 'Create a group', tags: ['Directory'], responses: { 201: { description: 'The group', schema: GroupResource }, ...errors } },
  handler: async ({ app, params, body, principal, baseUrl }) => {
    const group = await app.directory.createGroup(body, actorOf(principal));
    return json(201, { '@odata.context': odataContext(baseUrl, params.ver, 'groups/$entity'), ...group }, { Location: `${baseUrl}/${params.ver}/groups/${group.id}` });
  },
});

const GROUP_FILTER_FIELDS = new Set(['displayName']);

const listGroups = defineHttpFunction({
  name: 'groupsList',
  route: `${VER}/groups`,
  methods: ['GET'],
  access: AccessRules.directoryRead,
  params: Ver,
  paramsNotFound: true,
  query: CollectionQuery,
  doc: { summary: 'List groups ($top, $select, $filter on displayName)', tags: ['Directory'], responses: { 200: { description: 'A page of groups', schema: collectionOf(GroupResource, 'groupCollection') }, ...errors } },
  handler: async ({ app, params, query, baseUrl, publicUrl }) => {
    const page = await app.directory.listGroups(toListQuery(query, GROUP_FILTER_FIELDS));
    return json(200, collection(odataContext(baseUrl, params.ver, 'groups'), page.items.map((g) => select(g, query.$select)), page.next, publicUrl));
  },
});

const GroupParams = Ver.extend(GroupIdParams.shape);

const getGroup = defineHttpFunction({
  name: 'groupsGet',
  route: `${VER}/groups/{groupId}`,
  methods: ['GET'],
  access: AccessRules.directoryRead,
  params: GroupParams,
  paramsNotFound: true,
  query: CollectionQuery.pick({ $select: true }),
  doc: { summary: 'Read a group', tags: ['Directory'], responses: { 200: { description: 'The group', schema: GroupResource }, ...errors, ...notFound } },
  handler: async ({ app, params, query, baseUrl }) => {
    const group = await app.directory.getGroup(params.groupId);
    return json(200, { '@odata.context': odataContext(baseUrl, params.ver, 'groups/$entity'), ...select(group, query.$select) });
  },
});

const listMembers = defineHttpFunction({
  name: 'groupMembersList',
  route: `${VER}/groups/{groupId}/members`,
  methods: ['GET'],
  access: AccessRules.directoryRead,
  params: GroupParams,
  paramsNotFound: true,
  query: CollectionQuery,
  doc: { summary: "List a group's direct members", tags: ['Directory'], responses: { 200: { description: 'A page of members (users)' }, ...errors, ...notFound } },
  handler: async ({ app, params, query, baseUrl, publicUrl }) => {
    const page = await app.directory.listMembers(params.groupId, toListQuery(query));
    const members = page.items.map((u) => ({ '@odata.type': '#microsoft.graph.user', ...select(u, query.$select) }));
    return json(200, collection(odataContext(baseUrl, params.ver, 'directoryObjects'), members, page.next, publicUrl));
  },
});

const addMember = defineHttpFunction({
  name: 'groupMembersAdd',
  route: `${VER}/groups/{groupId}/members/$ref`,
  methods: ['POST'],
  access: AccessRules.groupWrite,
  params: GroupParams,
  paramsNotFound: true,
  body: MemberRefBody,
  doc: { summary: 'Add a member to a group', tags: ['Directory'], responses: { 204: { description: 'Added' }, ...errors, ...notFound } },
  handler: async ({ app, params, body, principal }) => {
    await app.directory.addMember(params.groupId, body.userId, actorOf(principal));
    return noContent();
  },
});

const removeMember = defineHttpFunction({
  name: 'groupMembersRemove',
  route: `${VER}/groups/{groupId}/members/{userId}/$ref`,
  methods: ['DELETE'],
  access: AccessRules.groupWrite,
  params: GroupParams.extend(UserKeyParams.shape),
  paramsNotFound: true,
  doc: { summary: 'Remove a member from a group', tags: ['Directory'], responses: { 204: { description: 'Removed' }, ...errors, ...notFound } },
  handler: async ({ app, params, principal }) => {
    await app.directory.removeMember(params.groupId, params.userId, actorOf(principal));
    return noContent();
  },
});

export const directoryHttpFunctions: HttpFunction[] = [createUser, listUsers, getUser, updateUser, deleteUser, createGroup, listGroups, getGroup, listMembers, addMember, removeMember];
