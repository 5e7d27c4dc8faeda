import { HttpResponseInit } from '@azure/functions';
import { serviceLink } from './links';

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit => ({
  status,
  jsonBody: body,
  headers: { 'Content-Type': 'application/json; odata.metadata=minimal; charset=utf-8', ...headers },
});

export const noContent = (headers: Record<string, string> = {}): HttpResponseInit => ({ status: 204, headers });

/** `{base}/{ver}/$metadata#{fragment}` as Graph's @odata.context. */
export const odataContext = (baseUrl: string, ver: string, fragment: string) =>
  `${baseUrl}/${ver}/$metadata#${fragment}`;

/** A Graph entity: its `@odata.context` (`{ver}/$metadata#{fragment}`) and its fields. */
export const odataEntity = (baseUrl: string, ver: string, fragment: string, value: object) => ({
  '@odata.context': odataContext(baseUrl, ver, fragment),
  ...value,
});

/** 201 Created for a new entity of the collection at `{ver}/{collection}`: its context, and its Location. */
export const created = (baseUrl: string, ver: string, collection: string, value: { id: string }): HttpResponseInit =>
  json(201, odataEntity(baseUrl, ver, `${collection}/$entity`, value), {
    Location: serviceLink(baseUrl, `${ver}/${collection}/${value.id}`),
  });

/** A Graph collection page; `next` (a cursor) becomes an @odata.nextLink carrying $skiptoken. */
export function collection(
  context: string,
  value: unknown[],
  next: string | undefined,
  requestUrl: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = { '@odata.context': context, value };
  if (next) {
    const url = new URL(requestUrl);
    url.searchParams.set('$skiptoken', next);
    body['@odata.nextLink'] = url.toString();
  }
  return body;
}

/** Applies OData `$select` (always keeping `id`). */
export function select<T extends object>(item: T, selectParam: string | undefined): Partial<T> {
  if (!selectParam) return item;
  const wanted = new Set(
    selectParam
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  wanted.add('id');
  return Object.fromEntries(Object.entries(item).filter(([k]) => wanted.has(k.toLowerCase()))) as Partial<T>;
}

/** A page of entities at `{ver}/{entitySet}` as a Graph collection, `$select` applied to each. */
export const selectedPage = <T extends object>(
  baseUrl: string,
  ver: string,
  entitySet: string,
  page: { items: T[]; next?: string },
  selectParam: string | undefined,
  publicUrl: string,
): Record<string, unknown> =>
  collection(
    odataContext(baseUrl, ver, entitySet),
    page.items.map((item) => select(item, selectParam)),
    page.next,
    publicUrl,
  );
