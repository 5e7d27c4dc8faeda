import type { AddressInfo, Server, Socket } from 'node:net';
import type { Connection, Delivery, EventContext, Message, Receiver, Sender } from 'rhea';
import rhea = require('rhea');
import { messagesOfTransfer, withMessageId } from './codec';
import { QueueEntity, Settlement, tagOf } from './entity';
import { answerRequest, isRequestNode } from './requests';
import {
  acceptedOutcome,
  linkInternals,
  rejectedOutcome,
  RemoteState,
  remoteStateOf,
  transferFormatOf,
} from './rheaInternals';

export interface AmqpBrokerOptions {
  /** Topic name → its subscriptions, e.g. `{ 'passkey-events': ['audit', 'webhooks'] }`. */
  topics: Record<string, readonly string[]>;
  /** Deliveries after which a subscription moves a message to its dead-letter queue (default 10, as Service Bus). */
  maxDeliveryCount?: number;
  /** Peek-lock duration (default 30 s). */
  lockDurationMs?: number;
  /** Advertised on every sender attach; the SDK sizes its batches by it (default 256 KiB, Service Bus standard tier). */
  maxMessageSize?: number;
}

export interface AmqpBroker {
  /** For `new ServiceBusClient(connectionString)`: plain TCP through `UseDevelopmentEmulator=true`. */
  connectionString: string;
  port: number;
  /** Active messages of an entity (available, locked or deferred), e.g. `topic/Subscriptions/sub/$deadletterqueue`. */
  messageCount(entityPath: string): number;
  close(): Promise<void>;
}

/**
 * An AMQP 1.0 broker on rhea that the real `@azure/service-bus` SDK talks to, for tests: topics with
 * subscriptions (each gets a copy of every message), peek-lock with lock tokens and lock renewal,
 * abandon, dead-lettering into `<subscription>/$deadletterqueue`, the CBS handshake and the management
 * operations the SDK uses (renew-lock, peek-message, update-disposition). In memory; no sessions,
 * filters, scheduling or transactions.
 */
export async function startAmqpBroker(options: AmqpBrokerOptions): Promise<AmqpBroker> {
  const settings = {
    maxDeliveryCount: options.maxDeliveryCount ?? 10,
    lockDurationMs: options.lockDurationMs ?? 30_000,
  };
  const maxMessageSize = options.maxMessageSize ?? 256 * 1024;

  // Entity names are case-insensitive in Service Bus, hence the lower-cased keys.
  const entities = new Map<string, QueueEntity>();
  const topics = new Map<string, Topic>();
  for (const [topic, subscriptions] of Object.entries(options.topics)) {
    const copies = subscriptions.map((name) => {
      const path = `${topic}/Subscriptions/${name}`;
      const dlq = new QueueEntity(`${path}/$deadletterqueue`, settings);
      const subscription = new QueueEntity(path, settings, dlq);
      entities.set(path.toLowerCase(), subscription);
      entities.set(dlq.path.toLowerCase(), dlq);
      return subscription;
    });
    topics.set(topic.toLowerCase(), { subscriptions: copies, lastSequenceNumber: 0 });
  }
  const entityAt = (path: string) => entities.get(path.toLowerCase());

  const consumers = new Map<Sender, QueueEntity>();
  const publishers = new WeakMap<Receiver, Topic>();
  const requestNodes = new WeakMap<Receiver, string>();

  const container = rhea.create_container({
    id: 'amqp-test-broker',
    // Settle explicitly once a message is stored; see a modified outcome as itself, not as released.
    receiver_options: { autoaccept: false },
    sender_options: { treat_modified_as_released: false },
  });

  container.on('receiver_open', (context: EventContext) => {
    const receiver = context.receiver!;
    const address: string | undefined = linkInternals(receiver).remote.attach.target?.address;
    echoTermini(receiver);
    if (isRequestNode(address)) {
      requestNodes.set(receiver, address!);
    } else if (address && topics.has(address.toLowerCase())) {
      publishers.set(receiver, topics.get(address.toLowerCase())!);
      linkInternals(receiver).local.attach.max_message_size = maxMessageSize;
    } else {
      refuse(receiver, address);
    }
  });

  container.on('sender_open', (context: EventContext) => {
    const sender = context.sender!;
    const address: string | undefined = linkInternals(sender).remote.attach.source?.address;
    echoTermini(sender);
    if (isRequestNode(address)) {
      // A reply link (answers find it by name or target, see reply). Replies go pre-settled, or each
      // would stay in the session's outgoing buffer until the client settled it.
      linkInternals(sender).local.attach.snd_settle_mode = 1;
      return;
    }
    const entity = address ? entityAt(address) : undefined;
    if (!entity) return refuse(sender, address);
    const local = linkInternals(sender).local.attach;
    const remote = linkInternals(sender).remote.attach;
    local.snd_settle_mode = remote.snd_settle_mode; // peek-lock: unsettled; receive-and-delete: settled
    local.rcv_settle_mode = remote.rcv_settle_mode;
    consumers.set(sender, entity);
    entity.addConsumer(sender);
  });

  container.on('message', (context: EventContext) => {
    const receiver = context.receiver!;
    const delivery = context.delivery!;
    const node = requestNodes.get(receiver);
    if (node) {
      delivery.update(true, acceptedOutcome());
      reply(context.connection, answerRequest(node, context.message!, entityAt));
      return;
    }
    const topic = publishers.get(receiver);
    try {
      if (!topic) throw new Error('This link does not lead to a topic');
      const messages = messagesOfTransfer(context.message, transferFormatOf(context)).map(withMessageId);
      for (const fields of messages) {
        const sequenceNumber = ++topic.lastSequenceNumber;
        for (const subscription of topic.subscriptions) subscription.enqueue(fields, sequenceNumber);
      }
      delivery.update(true, acceptedOutcome());
    } catch (e) {
      delivery.update(true, rejectedOutcome('amqp:decode-error', (e as Error).message));
    }
  });

  container.on('sender_flow', (context: EventContext) =>
    consumers.get(context.sender!)?.creditChanged(context.sender!, false),
  );
  container.on('sender_draining', (context: EventContext) =>
    consumers.get(context.sender!)?.creditChanged(context.sender!, true),
  );

  for (const outcome of ['accepted', 'released', 'modified', 'rejected'] as const) {
    container.on(outcome, (context: EventContext) => settleDelivery(context.delivery!, outcome));
  }

  function settleDelivery(delivery: Delivery, outcome: 'accepted' | 'released' | 'modified' | 'rejected'): void {
    const entity = consumers.get(delivery.link as Sender);
    if (!entity || delivery.settled) return; // replies to requests: nothing to do
    const result = entity.settle(tagOf(delivery), settlementOf(outcome, remoteStateOf(delivery)));
    delivery.update(
      true,
      // The SDK fails the settle call when the state carries an error, so a done settlement answers `accepted`.
      result === 'settled'
        ? acceptedOutcome()
        : rejectedOutcome('com.microsoft:message-lock-lost', 'The lock on the message is lost: it expired.'),
    );
  }

  const dropConsumer = (sender: Sender) => {
    consumers.get(sender)?.removeConsumer(sender);
    consumers.delete(sender);
  };
  container.on('sender_close', (context: EventContext) => dropConsumer(context.sender!));
  const dropConnection = (context: EventContext) => {
    for (const sender of [...consumers.keys()]) if (sender.connection === context.connection) dropConsumer(sender);
  };
  container.on('session_close', (context: EventContext) => {
    for (const sender of [...consumers.keys()]) if (sender.session === context.session) dropConsumer(sender);
  });
  container.on('connection_close', dropConnection);
  container.on('disconnected', dropConnection);
  // Unhandled link and protocol errors would be thrown by the EventEmitter; a test broker shrugs them
  // off, and shows them with AMQP_BROKER_DEBUG=1 (rhea's own frame log: DEBUG=rhea:frames).
  container.on('error', (error: unknown) => {
    if (process.env.AMQP_BROKER_DEBUG) console.error('amqp test broker:', error);
  });

  const sockets = new Set<Socket>();
  const server: Server = container.listen({ port: 0, host: '127.0.0.1' });
  server.on('connection', (socket: Socket) => {
    // rhea writes each frame on its own; with Nagle's algorithm the second of two waits ~40 ms for an ACK.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve();
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;

  return {
    connectionString: `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=test;SharedAccessKey=test;UseDevelopmentEmulator=true`,
    port,
    messageCount: (path) => {
      const entity = entityAt(path);
      if (!entity)
        throw new Error(`No entity "${path}", expected one of ${[...entities.values()].map((e) => e.path).join(', ')}`);
      return entity.messageCount;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const entity of entities.values()) entity.close();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A topic fans each message out to every subscription, under one sequence number. */
interface Topic {
  subscriptions: QueueEntity[];
  lastSequenceNumber: number;
}

/** An attach answered without a source (or target) reads as refused in AMQP: echo what the client asked for. */
function echoTermini(link: Sender | Receiver): void {
  const internals = linkInternals(link);
  const remote = internals.remote.attach;
  if (remote.source) internals.set_source({ address: remote.source.address });
  if (remote.target) internals.set_target({ address: remote.target.address });
}

function refuse(link: Sender | Receiver, address: string | undefined): void {
  link.close({ condition: 'amqp:not-found', description: `The messaging entity '${address}' could not be found.` });
}

/** Answers go to the requester's reply link: the one named, or addressed, as the request's reply-to. */
function reply(connection: Connection, response: Message): void {
  const replyTo = response.to;
  const sender = connection.find_sender(
    (s: Sender) => s.name === replyTo || linkInternals(s).remote?.attach?.target?.address === replyTo,
  );
  sender?.send(response);
}

/** Service Bus semantics of the AMQP outcomes the SDK sends. */
function settlementOf(
  outcome: 'accepted' | 'released' | 'modified' | 'rejected',
  state: RemoteState | undefined,
): Settlement {
  switch (outcome) {
    case 'accepted':
      return { kind: 'complete' };
    case 'released':
      return { kind: 'abandon' };
    case 'modified':
      return state?.undeliverable_here
        ? { kind: 'defer', annotations: state.message_annotations }
        : { kind: 'abandon', annotations: state?.message_annotations };
    case 'rejected': {
      // deadLetterMessage: condition com.microsoft:dead-letter, the reason and description in the error's info.
      const error = state?.error ?? {};
      const { DeadLetterReason, DeadLetterErrorDescription, ...properties } = (error.info ?? {}) as Record<
        string,
        unknown
      >;
      return {
        kind: 'deadLetter',
        reason:
          (DeadLetterReason as string | undefined) ??
          (error.condition === 'com.microsoft:dead-letter' ? undefined : error.condition),
        description: (DeadLetterErrorDescription as string | undefined) ?? error.description,
        properties: Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== undefined && v !== null)),
      };
    }
  }
}
