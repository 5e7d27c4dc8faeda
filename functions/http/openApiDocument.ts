import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z, ZodObject } from 'zod';
import { HttpFunction } from './httpFunction';

/** `{ver:regex(...)}` → `{ver}`, `{*rest}` → `{rest}`: route templates as OpenAPI paths. */
export const openApiPath = (route: string) => `/${route.replace(/\{\*?(\w+)(?::[^}]*\)?)?\}/g, '{$1}')}`;

const asObject = (schema: unknown) => (schema instanceof ZodObject ? schema : undefined);

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate every request. */
export function buildOpenApiDocument(functions: HttpFunction[], version: string): unknown {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const fn of functions) {
    if (fn.doc.hidden) continue;
    for (const method of fn.methods) {
      const params = asObject(fn.params);
      const query = asObject(fn.query);
      registry.registerPath({
        method: method.toLowerCase() as 'get',
        path: openApiPath(fn.route),
        operationId: fn.methods.length > 1 ? `${fn.name}${method}` : fn.name,
        summary: fn.doc.summary,
        tags: fn.doc.tags,
        security: fn.access === 'anonymous' ? [] : [{ bearer: [] }],
        request: {
          params: params as ZodObject | undefined,
          query: query as ZodObject | undefined,
          body: fn.body ? { content: { 'application/json': { schema: fn.body as z.ZodType } } } : undefined,
        },
        responses: Object.fromEntries(
          Object.entries(fn.doc.responses).map(([status, doc]) => [
            status,
            {
              description: doc.description,
              ...(doc.schema ? { content: { 'application/json': { schema: doc.schema } } } : {}),
            },
          ]),
        ),
      });
    }
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Passkey (FIDO2) service',
      version,
      description: 'Graph-compatible passkey (FIDO2) authentication method API and WebAuthn ceremonies.',
    },
  });
}
