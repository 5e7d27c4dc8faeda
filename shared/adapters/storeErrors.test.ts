import { InvocationContext } from '@azure/functions';
import { errorResponse } from '../../functions/http/errorResponse';
import { StoreUnavailableError } from '../domain/errors';
import { translateCosmosError } from './cosmos/storeErrors.cosmos';
import { translateSqliteError } from './sqlite/storeErrors.sqlite';
import { translateErrors } from './translateErrors';

const failure = (fields: Record<string, unknown>) => Object.assign(new Error('store failure'), fields);

describe('store errors become StoreUnavailableError (503 + Retry-After), everything else passes through', () => {
  it.each([
    ['SQLITE_BUSY', true],
    ['SQLITE_BUSY_SNAPSHOT', true],
    ['SQLITE_LOCKED', true],
    ['SQLITE_CONSTRAINT_UNIQUE', false],
    ['SQLITE_BUSYNESS', false],
    [undefined, false],
  ])('sqlite code %s → unavailable: %s', (code, unavailable) => {
    const error = failure({ code });
    expect(translateSqliteError(error) instanceof StoreUnavailableError).toBe(unavailable);
  });

  it.each([
    [{ code: 429, retryAfterInMs: 2500 }, 3],
    [{ code: 429, headers: { 'x-ms-retry-after-ms': '10' } }, 1],
    [{ code: 503 }, 1],
    [{ code: 408 }, 1],
    [{ code: 'TimedOut' }, 1],
    [{ code: 'ECONNREFUSED' }, 1],
  ])('cosmos %j → unavailable, Retry-After %d s', (fields, seconds) => {
    const translated = translateCosmosError(failure(fields));
    expect(translated).toBeInstanceOf(StoreUnavailableError);
    expect((translated as StoreUnavailableError).retryAfterSeconds).toBe(seconds);
  });

  it.each([[{ code: 409 }], [{ code: 404 }], [{ code: 412 }], [{ code: 'ENOTFOUND_LIKE' }], [{}]])(
    'cosmos %j passes through',
    (fields) => {
      const error = failure(fields);
      expect(translateCosmosError(error)).toBe(error);
    },
  );

  it('translates synchronous throws and rejections of every method, keeps return values', async () => {
    const repository = {
      value: 3,
      sync: () => {
        throw failure({ code: 'SQLITE_BUSY' });
      },
      async: async () => {
        throw failure({ code: 'SQLITE_LOCKED' });
      },
      ok(this: { value: number }) {
        return this.value;
      },
    };
    const wrapped = translateErrors(repository, translateSqliteError);
    expect(() => wrapped.sync()).toThrow(StoreUnavailableError);
    await expect(wrapped.async()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(wrapped.ok()).toBe(3);
    expect(wrapped.value).toBe(3);
  });

  it('the edge answers 503 with Retry-After and a Graph error, not 500', () => {
    const context = new InvocationContext({ functionName: 'test', logHandler: () => undefined });
    const response = errorResponse(new StoreUnavailableError('cosmos', 7, 'status 503'), 'req-1', context);
    expect(response.status).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': '7' });
    expect(response.jsonBody).toMatchObject({ error: { code: 'serviceUnavailable' } });
  });
});
