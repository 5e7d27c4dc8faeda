import { BoundedRunner } from './boundedRunner';

describe('BoundedRunner', () => {
  it('runs urgent jobs before the ordinary ones still queued, each kind first in first out', async () => {
    const runner = new BoundedRunner(1);
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    runner.push(async () => {
      order.push('running');
      await gate;
    });
    for (const name of ['fanOut1', 'fanOut2']) runner.push(async () => void order.push(name));
    for (const name of ['awaited1', 'awaited2']) runner.push(async () => void order.push(name), true);
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await runner.idle();
    expect(order).toEqual(['running', 'awaited1', 'awaited2', 'fanOut1', 'fanOut2']);
  });

  it('forgets queued urgent jobs too when closed', async () => {
    const runner = new BoundedRunner(1);
    const ran: string[] = [];
    let release!: () => void;
    runner.push(() => new Promise<void>((resolve) => (release = resolve)));
    runner.push(async () => void ran.push('urgent'), true);
    expect(runner.size).toBe(2);
    runner.close();
    release();
    await runner.idle();
    expect(ran).toEqual([]);
  });
});
