/** A stored value with its ETag, for optimistic concurrency (If-Match). */
export interface Versioned<T> {
  value: T;
  etag: string;
}
