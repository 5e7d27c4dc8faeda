import rhea = require('rhea');
import { AmqpMessageFields, dotNetGuidBytes } from './codec';
import { QueueEntity, Settlement } from './entity';

const { message: amqpMessage, types } = rhea;

/** Where a request/response node sits: `$cbs`, or `<entity path>/$management`. */
export const isRequestNode = (address: string | undefined): boolean =>
  address === '$cbs' || !!address?.endsWith('/$management');

/** A management request's body: an AMQP map, decoded. */
type ManagementBody = Record<string, unknown>;

type Reply = { status: number; description: string; condition?: string; body?: unknown };

/**
 * Answers a request sent to `$cbs` or a `$management` node. The reply's correlation-id is the
 * request's message-id: that is how the SDK's RequestResponseLink matches them.
 */
export function answerRequest(
  node: string,
  request: AmqpMessageFields,
  entityAt: (path: string) => QueueEntity | undefined,
): AmqpMessageFields {
  const operation = String(request.application_properties?.operation ?? '');
  let reply: Reply;
  try {
    reply =
      node === '$cbs'
        ? answerCbs(operation)
        : answerManagement(operation, request.body ?? {}, entityAt(node.slice(0, -'/$management'.length)));
  } catch (e) {
    reply = { status: 500, description: (e as Error).message, condition: 'amqp:internal-error' };
  }
  // CBS answers in `status-code`; management in `statusCode` (the SDK's peek reads that very key).
  const properties: Record<string, unknown> =
    node === '$cbs'
      ? { 'status-code': reply.status, 'status-description': reply.description }
      : { statusCode: reply.status, statusDescription: reply.description };
  if (reply.condition) properties.errorCondition = reply.condition;
  return {
    correlation_id: request.message_id,
    to: request.reply_to,
    application_properties: properties,
    body: reply.body,
  };
}

/** The SDK authenticates every link with a `put-token`; the broker takes any token. */
function answerCbs(operation: string): Reply {
  return operation === 'put-token'
    ? { status: 202, description: 'Accepted' }
    : { status: 400, description: `Unexpected CBS operation "${operation}", expected "put-token"` };
}

function answerManagement(operation: string, body: ManagementBody, entity: QueueEntity | undefined): Reply {
  if (!entity) return { status: 404, description: 'No such entity', condition: 'amqp:not-found' };
  switch (operation) {
    case 'com.microsoft:renew-lock': {
      const expirations: number[] = [];
      for (const token of lockTokensOf(body)) {
        const until = entity.renewLock(token);
        if (until === undefined) return lockLost();
        expirations.push(until);
      }
      return { status: 200, description: 'OK', body: { expirations: types.wrap_array(expirations, 0x83, undefined) } };
    }
    case 'com.microsoft:peek-message': {
      const from = longOf(body['from-sequence-number']);
      const messages = entity.peek(from, Number(body['message-count'] ?? 1));
      if (messages.length === 0) return { status: 204, description: 'No messages' };
      return {
        status: 200,
        description: 'OK',
        body: { messages: messages.map((m) => ({ message: amqpMessage.encode(m) })) },
      };
    }
    case 'com.microsoft:update-disposition': {
      const settlement = settlementOfStatus(body);
      for (const token of lockTokensOf(body)) if (entity.settle(token, settlement) === 'lockLost') return lockLost();
      return { status: 200, description: 'OK' };
    }
    default:
      return {
        status: 501,
        description: `Operation "${operation}" is not implemented by the test broker`,
        condition: 'com.microsoft:not-implemented',
      };
  }
}

const lockLost = (): Reply => ({
  status: 410,
  description: 'The lock supplied is invalid: it expired or the message was settled.',
  condition: 'com.microsoft:message-lock-lost',
});

/** The tokens arrive as the .NET-ordered GUIDs the SDK shows; the delivery tags are their swapped bytes. */
const lockTokensOf = (body: ManagementBody): Buffer[] =>
  ((body['lock-tokens'] ?? []) as Buffer[]).map((t) => dotNetGuidBytes(Buffer.from(t)));

/** rhea decodes a long as a number when it fits in 53 bits, else as its 8 bytes. */
const longOf = (value: unknown): number =>
  Buffer.isBuffer(value) ? Number(value.readBigInt64BE(0)) : Number(value ?? 0);

function settlementOfStatus(body: ManagementBody): Settlement {
  const status = String(body['disposition-status']);
  const annotations = body['properties-to-modify'] as Record<string, unknown> | undefined;
  switch (status) {
    case 'completed':
      return { kind: 'complete' };
    case 'abandoned':
      return { kind: 'abandon', annotations };
    case 'defered':
      return { kind: 'defer', annotations };
    case 'suspended':
      return {
        kind: 'deadLetter',
        reason: body['deadletter-reason'] as string | undefined,
        description: body['deadletter-description'] as string | undefined,
        properties: annotations,
      };
    default:
      throw new Error(`Unexpected disposition-status "${status}", expected completed, abandoned, defered or suspended`);
  }
}
