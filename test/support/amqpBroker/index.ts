export { startAmqpBroker } from './broker';
export type { AmqpBroker, AmqpBrokerOptions } from './broker';
