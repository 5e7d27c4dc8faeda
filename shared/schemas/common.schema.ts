import { z } from './zod';

export const guid = z
  .string()
  .regex(
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    'expected a GUID such as 7e3f3d30-3557-4442-bdae-139312178b39',
  );

export const GraphError = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      innerError: z.object({ date: z.string(), 'request-id': z.string(), 'client-request-id': z.string().optional() }),
      signalUnknownCredential: z.object({ rpId: z.string(), credentialId: z.string() }).optional().openapi({
        description:
          'Sign-in only: the passkey is not registered (unknown or deleted). Arguments for PublicKeyCredential.signalUnknownCredential(); the id is the one the caller sent',
      }),
    }),
  })
  .openapi('GraphError');

/** Route parameter `{ver}`: the Graph versions we serve. */
export const GraphVersion = z.enum(['beta', 'v1.0']);

/** OData collection query options we support on directory collections. */
export const CollectionQuery = z.object({
  $top: z.coerce.number().int().min(1).max(999).optional(),
  $select: z.string().max(1000).optional(),
  $filter: z.string().max(2000).optional(),
  $skiptoken: z.string().max(200).optional(),
  $count: z.string().optional(),
});

export const collectionOf = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z
    .object({ '@odata.context': z.string(), value: z.array(item), '@odata.nextLink': z.string().optional() })
    .openapi(name);
