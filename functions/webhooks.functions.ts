import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import { WebhookDelivery, WebhookSubscription } from '../shared/ports/webhooks.port';
import { GraphError } from '../shared/schemas/common.schema';
import {
  CreatedWebhookSubscription,
  CreateWebhookSubscriptionBody,
  WebhookDeliveriesQuery,
  WebhookDeliveryCollection,
  WebhookDeliveryResource,
  WebhookSubscriptionCollection,
  WebhookSubscriptionParams,
  WebhookSubscriptionResource,
  WebhookSubscriptionView,
} from '../shared/schemas/webhooks.schema';
import { defineHttpFunction, HttpFunction } from './http/httpFunction';
import { json, noContent } from './http/responses';

const errors = { 401: { description: 'No valid token', schema: GraphError }, 403: { description: 'Not allowed', schema: GraphError } };
const notFound = { 404: { description: 'No such subscription', schema: GraphError } };
const TAGS = ['Webhooks'];

/**
 * A subscription as the API shows it: every field named, so the secret never slips out. No part of
 * the secret is shown after the creation answer, to readers or writers (Graph never returns a
 * subscription's clientState either): a receiver that lost it gets a new subscription.
 */
const view = (s: WebhookSubscription): WebhookSubscriptionResource => ({
  id: s.id,
  url: s.url,
  eventTypes: s.eventTypes,
  enabled: s.enabled,
  createdDateTime: s.createdDateTime,
  createdBy: s.createdBy,
});

const deliveryView = (d: WebhookDelivery): WebhookDeliveryResource => ({
  id: d.id,
  subscriptionId: d.subscriptionId,
  eventId: d.eventId,
  eventType: d.eventType,
  attempt: d.attempt,
  status: d.status,
  httpStatus: d.httpStatus,
  error: d.error,
  durationMs: d.durationMs,
  at: d.at,
});

const createSubscription = defineHttpFunction({
  name: 'webhookSubscriptionsCreate',
  route: 'webhooks/subscriptions',
  methods: ['POST'],
  access: AccessRules.policyWrite,
  body: CreateWebhookSubscriptionBody,
  doc: {
    summary: 'Register an outside endpoint for events; deliveries are signed (webhook-signature, Standard Webhooks) with the secret, shown only in this answer',
    tags: TAGS,
    responses: { 201: { description: 'Created, with the secret', schema: CreatedWebhookSubscription }, 400: { description: 'Invalid input', schema: GraphError }, ...errors },
  },
  handler: async ({ app, body, principal, baseUrl }) => {
    const { subscription, secret } = await app.webhooks.create(body, actorOf(principal));
    return json(201, { ...view(subscription), secret }, { Location: `${baseUrl}/webhooks/subscriptions/${subscription.id}` });
  },
});

const listSubscriptions = defineHttpFunction({
  name: 'webhookSubscriptionsList',
  route: 'webhooks/subscriptions',
  methods: ['GET'],
  access: AccessRules.policyRead,
  doc: { summary: 'Every webhook subscription, oldest first', tags: TAGS, responses: { 200: { description: 'The subscriptions', schema: WebhookSubscriptionCollection }, ...errors } },
  handler: async ({ app }) => json(200, { value: (await app.webhooks.list()).map(view) }),
});

const getSubscription = defineHttpFunction({
  name: 'webhookSubscriptionsGet',
  route: 'webhooks/subscriptions/{id}',
  methods: ['GET'],
  access: AccessRules.policyRead,
  params: WebhookSubscriptionParams,
  paramsNotFound: true,
  doc: { summary: 'One webhook subscription', tags: TAGS, responses: { 200: { description: 'The subscription', schema: WebhookSubscriptionView }, ...errors, ...notFound } },
  handler: async ({ app, params }) => json(200, view(await app.webhooks.get(params.id))),
});

const deleteSubscription = defineHttpFunction({
  name: 'webhookSubscriptionsDelete',
  route: 'webhooks/subscriptions/{id}',
  methods: ['DELETE'],
  access: AccessRules.policyWrite,
  params: WebhookSubscriptionParams,
  paramsNotFound: true,
  doc: { summary: 'Delete a webhook subscription and its delivery log; deliveries stop at once', tags: TAGS, responses: { 204: { description: 'Deleted' }, ...errors, ...notFound } },
  handler: async ({ app, params, principal }) => {
    await app.webhooks.delete(params.id, actorOf(principal));
    return noContent();
  },
});

const listDeliveries = defineHttpFunction({
  name: 'webhookDeliveriesList',
  route: 'webhooks/subscriptions/{id}/deliveries',
  methods: ['GET'],
  access: AccessRules.policyRead,
  params: WebhookSubscriptionParams,
  paramsNotFound: true,
  query: WebhookDeliveriesQuery,
  doc: { summary: 'The delivery log of a subscription, newest first: one row per attempt ($top, default 50)', tags: TAGS, responses: { 200: { description: 'The attempts', schema: WebhookDeliveryCollection }, 400: { description: 'Bad $top', schema: GraphError }, ...errors, ...notFound } },
  handler: async ({ app, params, query }) => json(200, { value: (await app.webhooks.deliveries(params.id, query.$top)).map(deliveryView) }),
});

export const webhookHttpFunctions: HttpFunction[] = [createSubscription, listSubscriptions, getSubscription, deleteSubscription, listDeliveries];
