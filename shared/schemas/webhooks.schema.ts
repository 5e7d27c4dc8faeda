import { guid } from './common.schema';
import { z } from './zod';

const isHttpUrl = (value: string) => {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
};

/** `*`, an exact type (`fido2Policy.updated`) or a prefix (`fido2Method.*`). */
const eventTypePattern = z
  .string()
  .max(128)
  .regex(
    /^(\*|[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*(\.\*)?)$/,
    "expected '*', an event type such as 'fido2Policy.updated' or a prefix such as 'fido2Method.*'",
  );

export const CreateWebhookSubscriptionBody = z
  .object({
    url: z
      .string()
      .trim()
      .max(2048)
      .refine(isHttpUrl, { message: "expected an absolute http or https URL such as 'https://example.com/hooks'" })
      .openapi({
        description:
          'An https URL on the internet; loopback and private-network receivers (http allowed) only with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true',
      }),
    eventTypes: z
      .array(eventTypePattern)
      .min(1)
      .max(50)
      .openapi({ description: "Known event types (case-sensitive), prefixes such as 'fido2Method.*', or '*'" }),
    secret: z.string().min(16).max(256).optional().openapi({
      description: 'HMAC-SHA256 key of the webhook-signature header (at least 16 characters); generated when absent',
    }),
  })
  .strict()
  .openapi('createWebhookSubscription');

export const WebhookSubscriptionParams = z.object({ id: guid });

export const WebhookDeliveriesQuery = z.object({ $top: z.coerce.number().int().min(1).max(1000).default(50) });

export const WebhookSubscriptionView = z
  .object({
    id: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    enabled: z.boolean(),
    createdDateTime: z.string(),
    createdBy: z.object({
      id: z.string().nullable(),
      userPrincipalName: z.string().nullable(),
      appId: z.string().nullable(),
    }),
  })
  .openapi('webhookSubscription');

export const CreatedWebhookSubscription = WebhookSubscriptionView.extend({
  secret: z.string().openapi({ description: 'The signing secret, shown this once and never again (no hint either)' }),
}).openapi('createdWebhookSubscription');

export const WebhookDeliveryView = z
  .object({
    id: z.string(),
    subscriptionId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    attempt: z.number().int(),
    status: z.enum(['delivered', 'failed', 'deadLettered']),
    httpStatus: z.number().int().nullable(),
    error: z.string().nullable().openapi({
      description:
        'Why the attempt failed, as a category (never the raw network error): refusedAddress, httpsRequired, unresolvedHost, connectionFailed, timeout, tlsFailed, invalidResponse, or httpError 3xx/4xx/5xx (redirects are not followed)',
    }),
    durationMs: z.number(),
    at: z.string(),
  })
  .openapi('webhookDelivery');

/** A subscription and a delivery as the API shows them (types follow the schemas). */
export type WebhookSubscriptionResource = z.infer<typeof WebhookSubscriptionView>;
export type WebhookDeliveryResource = z.infer<typeof WebhookDeliveryView>;

export const WebhookSubscriptionCollection = z
  .object({ value: z.array(WebhookSubscriptionView) })
  .openapi('webhookSubscriptionCollection');
export const WebhookDeliveryCollection = z
  .object({ value: z.array(WebhookDeliveryView) })
  .openapi('webhookDeliveryCollection');
