import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import { WebhookDelivery, WebhookSubscription } from '../shared/ports/webhooks.port';
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
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { serviceLink } from './http/links';
import { json, noContent } from './http/responses';

const errors = { 404: 'No such subscription' };
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

const createSubscription = graphRoute('POST', 'webhooks/subscriptions', {
  name: 'webhookSubscriptionsCreate',
  access: AccessRules.policyWrite,
  body: CreateWebhookSubscriptionBody,
  doc: {
    summary:
      'Register an outside endpoint for events; deliveries are signed (webhook-signature, Standard Webhooks) with the secret, shown only in this answer',
    tags: TAGS,
    responses: { 201: { description: 'Created, with the secret', schema: CreatedWebhookSubscription } },
  },
  handler: async ({ app, body, principal, baseUrl }) => {
    const { subscription, secret } = await app.webhooks.create(body, actorOf(principal));
    return json(
      201,
      { ...view(subscription), secret },
      { Location: serviceLink(baseUrl, `webhooks/subscriptions/${subscription.id}`) },
    );
  },
});

const listSubscriptions = graphRoute('GET', 'webhooks/subscriptions', {
  name: 'webhookSubscriptionsList',
  access: AccessRules.policyRead,
  doc: {
    summary: 'Every webhook subscription, oldest first',
    tags: TAGS,
    responses: { 200: { description: 'The subscriptions', schema: WebhookSubscriptionCollection } },
  },
  handler: async ({ app }) => json(200, { value: (await app.webhooks.list()).map(view) }),
});

const getSubscription = graphRoute('GET', 'webhooks/subscriptions/{id}', {
  name: 'webhookSubscriptionsGet',
  access: AccessRules.policyRead,
  params: WebhookSubscriptionParams.shape,
  doc: {
    summary: 'One webhook subscription',
    tags: TAGS,
    responses: { 200: { description: 'The subscription', schema: WebhookSubscriptionView } },
    errors,
  },
  handler: async ({ app, params }) => json(200, view(await app.webhooks.get(params.id))),
});

const deleteSubscription = graphRoute('DELETE', 'webhooks/subscriptions/{id}', {
  name: 'webhookSubscriptionsDelete',
  access: AccessRules.policyWrite,
  params: WebhookSubscriptionParams.shape,
  doc: {
    summary: 'Delete a webhook subscription and its delivery log; deliveries stop at once',
    tags: TAGS,
    responses: { 204: { description: 'Deleted' } },
    errors,
  },
  handler: async ({ app, params, principal }) => {
    await app.webhooks.delete(params.id, actorOf(principal));
    return noContent();
  },
});

const listDeliveries = graphRoute('GET', 'webhooks/subscriptions/{id}/deliveries', {
  name: 'webhookDeliveriesList',
  access: AccessRules.policyRead,
  params: WebhookSubscriptionParams.shape,
  query: WebhookDeliveriesQuery,
  doc: {
    summary: 'The delivery log of a subscription, newest first: one row per attempt ($top, default 50)',
    tags: TAGS,
    responses: { 200: { description: 'The attempts', schema: WebhookDeliveryCollection } },
    errors: { ...errors, 400: 'Bad $top' },
  },
  handler: async ({ app, params, query }) =>
    json(200, { value: (await app.webhooks.deliveries(params.id, query.$top)).map(deliveryView) }),
});

export const webhookHttpFunctions: HttpFunction[] = [
  createSubscription,
  listSubscriptions,
  getSubscription,
  deleteSubscription,
  listDeliveries,
];
