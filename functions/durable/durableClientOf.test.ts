import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { durableClientOf } from './durableClientOf';

const bindingData = () => ({
  taskHubName: 'Hub',
  creationUrls: {
    createNewInstancePostUri: 'http://localhost:7071/runtime/webhooks/durabletask/orchestrators/{functionName}',
  },
  managementUrls: {
    id: 'INSTANCEID',
    statusQueryGetUri: 'http://localhost:7071/runtime/webhooks/durabletask/instances/INSTANCEID',
  },
  baseUrl: 'http://localhost:7071/runtime/webhooks/durabletask',
  requiredQueryStringParameters: '',
  rpcBaseUrl: 'http://127.0.0.1:9/runtime/webhooks/durabletask/',
  httpBaseUrl: '/runtime/webhooks/durabletask',
  maxGrpcMessageSizeInBytes: 0,
  grpcHttpClientTimeout: '00:01:40',
});

const contextWith = (data: object | undefined) => {
  const input = df.input.durableClient();
  const context = new InvocationContext({ functionName: 'f', options: { extraInputs: data ? [input] : [] } });
  if (data) context.extraInputs.set(input, data);
  return context;
};

describe('durableClientOf', () => {
  it('builds one client per binding data object, as df.getClient would build it', () => {
    const shared = bindingData();
    const first = durableClientOf(contextWith(shared));
    expect(typeof first.startNew).toBe('function');
    expect(first.taskHubName).toBe('Hub');
    expect(durableClientOf(contextWith(shared))).toBe(first);
    // Another invocation's own binding data (what Azure hands each invocation): its own client.
    expect(durableClientOf(contextWith(bindingData()))).not.toBe(first);
  });

  it('fails as df.getClient does when the function declared no durable client input', () => {
    expect(() => durableClientOf(contextWith(undefined))).toThrow(/durable client input binding/);
  });
});
