import { HttpSender, OutgoingHttpRequest } from '../../ports/httpSender.port';

/** What went wrong with a request that got no response, in one line (fetch hides the reason in `cause`). */
function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `No response within ${timeoutMs} ms`;
  const cause = e?.cause?.message ?? e?.cause?.code;
  return cause ? `${e.message}: ${cause}` : String(e?.message ?? error);
}

/** The HttpSender over Node's fetch: a timeout per request, redirects answered as they are (not followed). */
export class FetchHttpSender implements HttpSender {
  async send(request: OutgoingHttpRequest): Promise<{ status: number }> {
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(request.timeoutMs),
      });
    } catch (error) {
      throw new Error(describeFailure(error, request.timeoutMs), { cause: error });
    }
    // The receiver's answer is not used: release the connection without reading it.
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status };
  }
}
