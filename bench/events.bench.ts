import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { startBenchHost } from './hostProcess';

const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';
const FIDO2 = '#microsoft.graph.fido2AuthenticationMethodConfiguration';
const percentile = (sorted: number[], p: number) =>
  Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) * 10) / 10;

/**
 * Issue 10: a policy PATCH reaches a webhook receiver within 200 ms p99 on the local bus. A host on
 * its own DATA_DIR (WEBHOOK_ALLOW_PRIVATE_NETWORKS for the receiver on 127.0.0.1), one webhook
 * subscription to `fido2Policy.updated`, then `patches` PATCHes one after another, each timed from
 * sending the PATCH to the receiver having the delivery.
 */
export async function benchPolicyWebhook(dataDir: string, adminToken: string, patches: number) {
  const waiting = new Map<string, (at: bigint) => void>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = process.hrtime.bigint();
      res.writeHead(204).end();
      // One PATCH is outstanding at a time: this delivery is its event.
      for (const resolve of waiting.values()) resolve(at);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const host = await startBenchHost(dataDir, { env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
  const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  try {
    const subscribed = await fetch(`${host.url}/webhooks/subscriptions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        url: receiverUrl,
        eventTypes: ['fido2Policy.updated'],
        secret: 'bench-secret-0123456789',
      }),
    });
    if (subscribed.status !== 201) throw new Error(`webhook subscription answered ${subscribed.status}`);
    const latencies: number[] = [];
    let state: 'enabled' | 'disabled' = 'enabled';
    for (let i = 0; i < patches; i++) {
      state = state === 'enabled' ? 'disabled' : 'enabled';
      const key = `${i}:${state}`;
      const delivered = new Promise<bigint>((resolve) => waiting.set(key, resolve));
      const sent = process.hrtime.bigint();
      const res = await fetch(`${host.url}${POLICY}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ '@odata.type': FIDO2, state }),
      });
      if (res.status !== 204) throw new Error(`policy PATCH answered ${res.status}`);
      const at = await Promise.race([delivered, new Promise<bigint>((r) => setTimeout(() => r(-1n), 5000))]);
      waiting.delete(key);
      latencies.push(at < 0n ? 5000 : Number(at - sent) / 1e6);
    }
    latencies.sort((a, b) => a - b);
    return {
      name: 'policy PATCH -> webhook receiver (local bus)',
      patches,
      latencyP50Ms: percentile(latencies, 50),
      latencyP99Ms: percentile(latencies, 99),
      maxMs: Math.round(latencies[latencies.length - 1] * 10) / 10,
    };
  } finally {
    await host.stop();
    await new Promise((r) => receiver.close(r));
  }
}
