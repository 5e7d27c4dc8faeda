import { HttpRequest, HttpRequestInit } from '@azure/functions';

/**
 * The request under an `HttpRequest` the local host builds: the body already read (the host buffers
 * it, at most 1 MiB), the headers as the fetch `Headers` class. `@azure/functions` otherwise wraps an
 * undici `Request` built per call — URL parsing, a body stream, an AbortSignal — which issue 10's
 * profile put at about a tenth of a sign-in's host time; this one does the same work when asked.
 * It follows the fetch rules the functions can see: a body is read once (`bodyUsed`), GET and HEAD
 * have none.
 */
export class LocalRequest {
  #bodyUsed = false;
  #stream?: ReadableStream<Uint8Array> | null;

  constructor(
    readonly url: string,
    readonly method: string,
    readonly headers: Headers,
    private readonly bytes: Buffer | undefined,
  ) {}

  get bodyUsed(): boolean {
    return this.#bodyUsed;
  }

  /** A stream of the body (null without one); reading it uses the body, as in fetch. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === undefined) {
      const bytes = this.bytes;
      this.#stream = bytes
        ? new ReadableStream<Uint8Array>({
            pull: (controller) => {
              this.#bodyUsed = true;
              controller.enqueue(new Uint8Array(bytes));
              controller.close();
            },
          })
        : null;
    }
    return this.#stream;
  }

  private take(): Buffer {
    if (this.#bodyUsed) throw new TypeError('Body is unusable: it was already read.');
    this.#bodyUsed = true;
    return this.bytes ?? Buffer.alloc(0);
  }

  async text(): Promise<string> {
    return this.take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async blob(): Promise<Blob> {
    return new Blob([new Uint8Array(this.take())]);
  }

  /** Rare (no function reads forms): the full fetch Request does the parsing. */
  async formData(): Promise<FormData> {
    return new Request(this.url, { method: this.method, headers: this.headers, body: this.take() }).formData();
  }

  clone(): LocalRequest {
    if (this.#bodyUsed) throw new TypeError('Body is unusable: it was already read.');
    return new LocalRequest(this.url, this.method, new Headers(this.headers), this.bytes);
  }
}

/** What `new HttpRequest` is given: its init plus the request it wraps instead of building one. */
interface LocalRequestInit extends HttpRequestInit {
  nativeRequest: LocalRequest;
}

/**
 * A real `HttpRequest` of `@azure/functions` (what Azure hands the functions) over a {@link LocalRequest}:
 * the class takes the request it wraps as `nativeRequest`, as its own streaming path does.
 */
export function localHttpRequest(init: {
  method: string;
  url: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  params: Record<string, string>;
  body: Buffer | undefined;
}): HttpRequest {
  const { method, url, headers, query, params } = init;
  // Fetch semantics: GET and HEAD carry no body (the Functions host drops one too).
  const body = method === 'GET' || method === 'HEAD' || !init.body?.length ? undefined : init.body;
  const wrapped: LocalRequestInit = {
    method,
    url,
    query,
    params,
    nativeRequest: new LocalRequest(url, method, new Headers(headers), body),
  };
  return new HttpRequest(wrapped);
}
