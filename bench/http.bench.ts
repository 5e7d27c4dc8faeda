import autocannon from 'autocannon';

export interface HttpBenchResult {
  name: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
}

/** Runs autocannon against one endpoint on loopback, bounded in time and connections. */
export async function measure(name: string, options: autocannon.Options): Promise<HttpBenchResult> {
  // A fixed `amount` replaces the default duration; otherwise run for 5 seconds.
  const result = await autocannon({ connections: 16, ...(options.amount ? {} : { duration: 5 }), ...options });
  return {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
