import type { TestService } from './localService';

type Response = Awaited<ReturnType<TestService['call']>>;

/** Polls `read` until `done` holds for its result (the flow runs on the bus and the durable engine). */
export async function eventually(
  read: () => Promise<Response>,
  done: (res: Response) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<Response> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await read();
    if (done(res)) return res;
    if (Date.now() > until)
      throw new Error(`Timed out waiting for ${what}; last response ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
