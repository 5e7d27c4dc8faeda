import type { AxiosAdapter, AxiosResponse, AxiosStatic, InternalAxiosRequestConfig } from 'axios';
import type { IncomingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { dirname } from 'node:path';
import { MAX_BODY_BYTES } from '../../functions/http/pipeline';
import { DurableManagementAnswer, notServedHere } from './managementHttp';

/**
 * The axios module durable-functions itself loads: its DurableClient sends every management call
 * through `axios.create(...)` of that module, which takes the module's `defaults.adapter`.
 */
const clientAxios = require(
  require.resolve('axios', { paths: [dirname(require.resolve('durable-functions'))] }),
) as AxiosStatic;

/** Management endpoints served by an engine in this process, by the origin of their loopback listener. */
const endpoints = new Map<string, DurableManagementAnswer>();
let installed: { fallback: AxiosAdapter } | undefined;

/**
 * Serves the durable client's calls to `origin` (the loopback management listener of an engine
 * running in this process) in process: the same answer the listener gives — key check, body limit,
 * status codes, headers such as Location, JSON bodies — without a socket, an HTTP parse or a second
 * trip through the event loop per call. Calls to any other origin (a cluster worker calling its
 * primary, anything else the process does with that axios) still go over HTTP. Returns the function
 * that stops serving `origin` in process (the listener keeps answering on its socket until closed).
 */
export function serveDurableClientInProcess(origin: string, answer: DurableManagementAnswer): () => void {
  installed ??= install();
  endpoints.set(origin, answer);
  return () => {
    if (endpoints.get(origin) === answer) endpoints.delete(origin);
  };
}

function install(): { fallback: AxiosAdapter } {
  const fallback = clientAxios.getAdapter(clientAxios.defaults.adapter ?? ['http', 'fetch']);
  const adapter: AxiosAdapter = (config) => {
    // DurableClient passes absolute URLs without params; anything else is resolved as axios would (slower).
    const url =
      config.params === undefined && config.url !== undefined && config.baseURL === undefined
        ? new URL(config.url)
        : new URL(clientAxios.getUri(config));
    const answer = endpoints.get(url.origin);
    return answer ? answerInProcess(answer, url, config) : fallback(config);
  };
  clientAxios.defaults.adapter = adapter;
  return { fallback };
}

/** One axios request answered by `answer`, shaped as axios' http adapter would hand it back. */
async function answerInProcess(
  answer: DurableManagementAnswer,
  url: URL,
  config: InternalAxiosRequestConfig,
): Promise<AxiosResponse> {
  const method = (config.method ?? 'get').toUpperCase();
  const headers = requestHeaders(url, config);
  const body = requestBody(config.data);
  const clientLimit = config.maxBodyLength ?? -1;
  if (clientLimit > -1 && body.length > clientLimit)
    throw new clientAxios.AxiosError(
      'Request body larger than maxBodyLength limit',
      clientAxios.AxiosError.ERR_BAD_REQUEST,
      config,
    );
  const response = await answer({
    method,
    url,
    headers,
    readBody: async () => (body.length > MAX_BODY_BYTES ? 'tooLarge' : body),
  });
  // An origin that is ours serves only the management routes, as its listener does.
  const { status, headers: responseHeaders, body: text } = response ?? notServedHere();
  const data = text ?? '';
  const result: AxiosResponse = {
    data,
    status,
    statusText: STATUS_CODES[status] ?? '',
    // Node hands axios lower-cased header names.
    headers: new clientAxios.AxiosHeaders(
      Object.fromEntries(Object.entries(responseHeaders).map(([name, value]) => [name.toLowerCase(), value])),
    ),
    config,
    request: { method, path: `${url.pathname}${url.search}`, inProcess: true },
  };
  if (!config.validateStatus || config.validateStatus(status)) return result;
  throw new clientAxios.AxiosError(
    `Request failed with status code ${status}`,
    status >= 500 ? clientAxios.AxiosError.ERR_BAD_RESPONSE : clientAxios.AxiosError.ERR_BAD_REQUEST,
    config,
    result.request,
    result,
  );
}

/** The headers the listener would receive: the request's own, and Basic auth from `auth` or the URL's userinfo (as the http adapter sends it). */
function requestHeaders(url: URL, config: InternalAxiosRequestConfig): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(config.headers.toJSON(true))) {
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  }
  const user = config.auth
    ? `${config.auth.username ?? ''}:${config.auth.password ?? ''}`
    : url.username || url.password
      ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
      : undefined;
  if (user !== undefined) headers.authorization = `Basic ${Buffer.from(user, 'utf8').toString('base64')}`;
  return headers;
}

/** The body as the listener would read it: axios has already turned objects into JSON text. */
function requestBody(data: unknown): Buffer {
  if (data === undefined || data === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(typeof data === 'string' ? data : JSON.stringify(data), 'utf8');
}
