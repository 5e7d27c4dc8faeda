import { ERROR_DOCS, errorDocs, ErrorFacts } from './errorDocs';

const none: ErrorFacts = { authenticated: false, validatesInput: false, namesResource: false, rateLimited: false };
const statusesOf = (facts: Partial<ErrorFacts>, requested = {}) =>
  Object.keys(errorDocs({ ...none, ...facts }, requested)).map(Number);

describe('errorDocs', () => {
  it.each([
    ['an anonymous route without inputs', {}, []],
    ['a route that takes a token', { authenticated: true }, [401, 403]],
    ['a route that parses input', { validatesInput: true }, [400]],
    ['a route whose parameters name a resource', { namesResource: true }, [404]],
    ['a rate-limited route', { rateLimited: true }, [429]],
    [
      'all of them',
      { authenticated: true, validatesInput: true, namesResource: true, rateLimited: true },
      [400, 401, 403, 404, 429],
    ],
  ])('documents %s: %j', (_title, facts, expected) => {
    expect(statusesOf(facts)).toEqual(expected);
  });

  it('adds a requested status with the table wording (true) or its own', () => {
    const docs = errorDocs({ ...none, authenticated: true }, { 409: true, 412: 'The ETag moved on' });
    expect(docs[409].description).toBe(ERROR_DOCS[409]);
    expect(docs[412].description).toBe('The ETag moved on');
    expect(docs[401].description).toBe(ERROR_DOCS[401]);
  });

  it('rewords an implied status without documenting it twice', () => {
    const docs = errorDocs({ ...none, namesResource: true }, { 404: 'No such subscription' });
    expect(Object.keys(docs)).toEqual(['404']);
    expect(docs[404].description).toBe('No such subscription');
  });

  it('gives every error the Graph error body', () => {
    const docs = errorDocs({ authenticated: true, validatesInput: true, namesResource: true, rateLimited: true });
    for (const doc of Object.values(docs)) expect(doc.schema).toBeDefined();
  });
});
