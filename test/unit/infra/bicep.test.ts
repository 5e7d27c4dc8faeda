import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventConsumers } from '../../../functions/consumers';
import { EVENTS_TOPIC, EventSubscriptions } from '../../../shared/eventTopology';

const bicep = readFileSync(join(__dirname, '..', '..', '..', 'infra', 'main.bicep'), 'utf8');

/** The `{ name: '...', maxDeliveryCount: N }` entries of the `eventSubscriptions` variable. */
function bicepSubscriptions(): Array<{ name: string; maxDeliveryCount: number }> {
  const block = /var eventSubscriptions = \[([\s\S]*?)\n\]/.exec(bicep)?.[1];
  if (!block) throw new Error('infra/main.bicep has no `var eventSubscriptions = [ ... ]` block');
  return [...block.matchAll(/\{\s*name:\s*'([^']+)',?\s*maxDeliveryCount:\s*(\d+)\s*\}/g)].map((m) => ({ name: m[1], maxDeliveryCount: Number(m[2]) }));
}

describe('infra/main.bicep provisions the event topology the code declares', () => {
  it('has the topic of shared/eventTopology.ts', () => {
    expect(bicep).toMatch(new RegExp(`resource topic '[^']+' = \\{[^}]*name: '${EVENTS_TOPIC}'`));
  });

  it('has one subscription per declared subscription, with the same max delivery count', () => {
    expect(bicepSubscriptions()).toEqual(Object.values(EventSubscriptions));
    // The subscription resource reads both fields from the list, not a constant of its own.
    expect(bicep).toMatch(/name: s\.name\s+properties: \{ maxDeliveryCount: s\.maxDeliveryCount,/);
  });

  it('every consumer reads a declared subscription with its delivery count, and every subscription has a consumer', () => {
    const declared = new Map<string, number>(Object.values(EventSubscriptions).map((s) => [s.name, s.maxDeliveryCount]));
    const consumers = eventConsumers();
    for (const consumer of consumers) expect({ consumer: consumer.name, maxDeliveryCount: consumer.maxDeliveryCount }).toEqual({ consumer: consumer.name, maxDeliveryCount: declared.get(consumer.subscription) });
    expect(consumers.map((c) => c.subscription).sort()).toEqual([...declared.keys()].sort());
  });
});
