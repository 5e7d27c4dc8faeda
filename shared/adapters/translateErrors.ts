/**
 * Wraps every method of a repository so that errors it throws (synchronously, as better-sqlite3
 * does, or as a rejected promise, as the Cosmos SDK does) pass through `translate` first. The
 * adapters use it to turn "the store is busy / throttled / down" into StoreUnavailableError at one
 * boundary, instead of a try/catch in each of their methods. Calls a method makes on `this` reach
 * the unwrapped object: their errors are translated once, where they leave the repository.
 */
export function translateErrors<T extends object>(repository: T, translate: (error: unknown) => unknown): T {
  return new Proxy(repository, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      return function (this: unknown, ...args: unknown[]): unknown {
        let result: unknown;
        try {
          result = Reflect.apply(value, target, args);
        } catch (error) {
          throw translate(error);
        }
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            throw translate(error);
          });
        }
        return result;
      };
    },
  });
}
