import { EventConsumer } from './consumer';
import { webhooksConsumer } from './webhooks.consumer';
import { reEnrolmentConsumer } from './reenrolment.consumer';

/** Every event consumer; each has its own subscription on the topic. */
export function eventConsumers(): EventConsumer[] {
  return [webhooksConsumer, reEnrolmentConsumer];
}
