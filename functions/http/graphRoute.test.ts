import { z } from '../../shared/schemas/zod';
import { ERROR_DOCS } from './errorDocs';
import { graphRoute, VERSION_SEGMENT } from './graphRoute';
import { json } from './responses';

const handler = async () => json(200, {});
const doc = { summary: 's', tags: ['T'], responses: { 200: { description: 'ok' } } };
const UserId = z.string().min(1);

describe('graphRoute', () => {
  it('expands {ver} into the version constraint and validates it', () => {
    const fn = graphRoute('GET', '{ver}/users/{userId}', {
      name: 'a',
      access: 'anonymous',
      params: { userId: UserId },
      doc,
      handler,
    });
    expect(fn.route).toBe(`${VERSION_SEGMENT}/users/{userId}`);
    expect(fn.params!.safeParse({ ver: 'v1.0', userId: 'u' }).success).toBe(true);
    expect(fn.params!.safeParse({ ver: 'v2.0', userId: 'u' }).success).toBe(false);
    expect(fn.params!.safeParse({ ver: 'beta', userId: '' }).success).toBe(false);
  });

  it('answers 404 for parameters that fail their schema, unless told they are inputs', () => {
    const byDefault = graphRoute('GET', 'jobs/{jobId}', {
      name: 'a',
      access: 'anonymous',
      params: { jobId: UserId },
      doc,
      handler,
    });
    const inputs = graphRoute('GET', 'jobs/{jobId}', {
      name: 'b',
      access: 'anonymous',
      params: { jobId: UserId },
      paramsNotFound: false,
      doc,
      handler,
    });
    expect(byDefault.paramsNotFound).toBe(true);
    expect(byDefault.doc.responses[404]).toBeDefined();
    expect(inputs.paramsNotFound).toBeUndefined();
    expect(inputs.doc.responses[404]).toBeUndefined();
    expect(inputs.doc.responses[400]).toBeDefined();
  });

  it('declares no parameters for a path without any', () => {
    const fn = graphRoute('GET', 'health', { name: 'a', access: 'anonymous', doc, handler });
    expect(fn.params).toBeUndefined();
    expect(fn.paramsNotFound).toBeUndefined();
    expect(Object.keys(fn.doc.responses)).toEqual(['200']);
  });

  it('keeps a constrained segment as written and names its parameter', () => {
    const fn = graphRoute('GET', 'x/{op:regex(^go(\\(.*\\))?$)}', {
      name: 'a',
      access: 'anonymous',
      params: { op: z.string() },
      doc,
      handler,
    });
    expect(fn.route).toBe('x/{op:regex(^go(\\(.*\\))?$)}');
  });

  it('refuses parameter schemas that do not match the path (also at run time)', () => {
    // prettier-ignore
    // @ts-expect-error the schema names userId, the path groupId
    expect(() => graphRoute('GET', '{ver}/groups/{groupId}', { name: 'a', access: 'anonymous', params: { userId: UserId }, doc, handler })).toThrow(/missing \[groupId\], not in the path \[userId\]/);
    // prettier-ignore
    // @ts-expect-error a path without parameters but {ver} takes no schemas
    expect(() => graphRoute('GET', '{ver}/groups', { name: 'a', access: 'anonymous', params: { ver: z.string() }, doc, handler })).toThrow(/'ver' is implied/);
  });

  it('takes the error answers from the table: token, input, resource, rate limit, extras', () => {
    const fn = graphRoute('PATCH', '{ver}/things/{id}', {
      name: 'a',
      access: { action: 'change things', permissions: ['Things.ReadWrite.All'], roles: [] },
      params: { id: UserId },
      body: z.object({ x: z.number() }),
      rateLimited: true,
      doc: { ...doc, errors: { 412: true, 404: 'No such thing' } },
      handler,
    });
    expect(Object.keys(fn.doc.responses)).toEqual(['200', '400', '401', '403', '404', '412', '429']);
    expect(fn.doc.responses[404].description).toBe('No such thing');
    expect(fn.doc.responses[412].description).toBe(ERROR_DOCS[412]);
  });
});

describe('graphRoute types (checked by tsc)', () => {
  it('types params from the path', () => {
    const fn = graphRoute('GET', '{ver}/users/{userId}', {
      name: 'a',
      access: 'anonymous',
      params: { userId: z.coerce.number() },
      doc,
      handler: async ({ params }) => {
        const ver: 'beta' | 'v1.0' = params.ver;
        const userId: number = params.userId;
        // @ts-expect-error not a parameter of the path
        void params.groupId;
        return json(200, { ver, userId });
      },
    });
    expect(fn.name).toBe('a');
  });

  it('requires a schema for every parameter', () => {
    // prettier-ignore
    // @ts-expect-error params missing for {userId}
    expect(() => graphRoute('GET', 'users/{userId}', { name: 'a', access: 'anonymous', doc, handler })).toThrow(/missing \[userId\]/);
    // prettier-ignore
    // @ts-expect-error no schema for {groupId}
    expect(() => graphRoute('GET', 'users/{userId}/{groupId}', { name: 'a', access: 'anonymous', params: { userId: UserId }, doc, handler })).toThrow(/missing \[groupId\]/);
  });
});
