import { HttpResponseInit } from '@azure/functions';

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit => ({
  status,
  jsonBody: body,
  headers: { 'Content-Type': 'application/json; odata.metadata=minimal; charset=utf-8', ...headers },
});

export const noContent = (headers: Record<string, string> = {}): HttpResponseInit => ({ status: 204, headers });

/** `{base}/{ver}/$metadata#{fragment}` as Graph's @odata.context. */
export const odataContext = (baseUrl: string, ver: string, fragment: string) => `${baseUrl}/${ver}/$metadata#${fragment}`;

/** A Graph collection page; `next` (a cursor) becomes an @odata.nextLink carrying $skiptoken. */
export function collection(context: string, value: unknown[], next: string | undefined, requestUrl: string): Record<string, unknown> {
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
  const wanted = new Set(selectParam.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
  wanted.add('id');
  return Object.fromEntries(Object.entries(item).filter(([k]) => wanted.has(k.toLowerCase()))) as Partial<T>;
}
