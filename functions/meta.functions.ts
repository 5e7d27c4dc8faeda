import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from '../shared/schemas/zod';
import { relayHealthOf } from '../shared/services/events/relayHealth';
import { buildOpenApiDocument } from './http/openApiDocument';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { json } from './http/responses';

const packageVersion = (): string => {
  for (const dir of [join(__dirname, '..'), join(__dirname, '..', '..')]) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // try the next candidate: compiled code runs from dist/, tests from the source tree
    }
  }
  return '0.0.0';
};

export const VERSION = packageVersion();

const RelayStatus = z
  .object({
    kind: z.enum(['sqlite-poller', 'cosmos-query', 'cosmos-changefeed']),
    running: z.boolean(),
    lastPublishedAt: z.string().nullable(),
    lastPublishLagMs: z.number().nullable(),
    lastPolledAt: z.string().nullable(),
    consecutiveFailures: z.number().int(),
  })
  .openapi('outboxRelayStatus', {
    description: 'The outbox relay that publishes recorded changes as events (null when none runs in this process)',
  });
const Health = z
  .object({
    status: z.literal('ok'),
    version: z.string(),
    node: z.string(),
    adapters: z.record(z.string(), z.string()),
    relay: RelayStatus.nullable(),
  })
  .openapi('health');

const RelatedOrigins = z
  .object({ origins: z.array(z.string()) })
  .openapi('webauthnRelatedOrigins', { description: 'WebAuthn related origins of this RP ID' });

/** Health and discovery documents; `all` is the full list so /openapi.json can describe it. */
export function metaHttpFunctions(all: () => HttpFunction[]): HttpFunction[] {
  const health = graphRoute('GET', 'health', {
    name: 'health',
    access: 'anonymous',
    doc: {
      summary: 'Liveness, versions and the adapters in use',
      tags: ['Meta'],
      responses: { 200: { description: 'Healthy', schema: Health } },
    },
    handler: async ({ app }) =>
      json(200, {
        status: 'ok',
        version: VERSION,
        node: process.version,
        adapters: app.adapters,
        relay: relayHealthOf(app)?.status() ?? null,
      }),
  });
  let cached: unknown;
  const openapi = graphRoute('GET', 'openapi.json', {
    name: 'openApiDocument',
    access: 'anonymous',
    doc: {
      summary: 'This OpenAPI 3.1 document',
      tags: ['Meta'],
      responses: { 200: { description: 'OpenAPI document' } },
    },
    handler: async () => json(200, (cached ??= buildOpenApiDocument(all(), VERSION))),
  });
  const jwks = graphRoute('GET', '.well-known/jwks.json', {
    name: 'jwks',
    access: 'anonymous',
    doc: {
      summary: 'Public keys of the tokens this service signs',
      tags: ['Meta'],
      responses: { 200: { description: 'JWKS' } },
    },
    handler: async ({ app }) => json(200, app.tokens.signer.jwks(), { 'Cache-Control': 'public, max-age=300' }),
  });
  const relatedOrigins = graphRoute('GET', '.well-known/webauthn', {
    name: 'webauthnRelatedOrigins',
    access: 'anonymous',
    doc: {
      summary: 'The related origins that may use this RP ID (RELATED_ORIGINS), for WebAuthn related origin requests',
      tags: ['Meta'],
      responses: { 200: { description: 'Related origins', schema: RelatedOrigins } },
    },
    // Browsers fetch it at https://<RP ID>/.well-known/webauthn when a ceremony runs on another origin.
    handler: async ({ app }) =>
      json(200, { origins: app.config.relatedOrigins }, { 'Cache-Control': 'public, max-age=300' }),
  });
  return [health, openapi, jwks, relatedOrigins];
}
