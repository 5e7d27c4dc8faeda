import type { LogHandler } from '@azure/functions';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { Clock, systemClock } from '../../shared/ports/clock.port';
import {
  DurableHistoryEvent,
  DurableInstance,
  DurableStore,
  DurableStoreConflictError,
  DurableWorkItem,
  TERMINAL_DURABLE_STATUSES,
  isTerminalDurableStatus,
} from './durable.port';
import { runActivity } from './activityRunner';
import { BoundedRunner } from './boundedRunner';
import { decideEpisode } from './episode';
import { episodeDelayMs } from './episodePacing';
import { EventType, eventRaised, executionStarted, executionTerminated, timerFired, toJsonText } from './historyEvents';
import { pendingInstance } from './pendingInstance';
import { toInstanceStatus } from './statusView';
import { TimerScheduler } from './timerScheduler';
import {
  DurableEngineError,
  DurableInstanceStatus,
  DurableRegistry,
  GetStatusOptions,
  ListInstancesFilter,
  LocalDurableEngineOptions,
} from './types';

const newId = () => randomUUID().replace(/-/g, '');

const defaultLogHandler: LogHandler = (level, ...args) => {
  if (level === 'error' || level === 'critical') console.error(...args);
  else if (level === 'warning') console.warn(...args);
};

/** Entries of the engine's in-memory bookkeeping, by kind (see {@link LocalDurableEngine.memoryFootprint}). */
export type EngineFootprint = Record<
  | 'busy'
  | 'dirty'
  | 'replayed'
  | 'paced'
  | 'dispatched'
  | 'inFlight'
  | 'timers'
  | 'queuedEpisodes'
  | 'queuedActivities',
  number
>;

// Episodes are short and mostly synchronous; the bound only keeps a burst of thousands of
// ready instances from all loading their histories at once.
const EPISODE_CONCURRENCY = 4;

/**
 * Runs durable-functions 3.x orchestrations and activities in this process, replacing the Durable
 * Functions extension of the Functions host for local use. Instances, histories, inboxes and
 * pending work live in a {@link DurableStore} (SQLite locally), so `start()` after a crash or a
 * restart resumes every unfinished instance: pending activities run again (at least once),
 * overdue timers fire, unreplayed events are replayed. One engine per store.
 */
export class LocalDurableEngine {
  private readonly store: DurableStore;
  private readonly registry: DurableRegistry;
  private readonly clock: Clock;
  private readonly logHandler: LogHandler;
  private readonly activities: BoundedRunner;
  private readonly episodes = new BoundedRunner(EPISODE_CONCURRENCY);
  private readonly timers: TimerScheduler;
  private readonly changes = new EventEmitter();
  /** Instances with an episode queued or running, and those that got news meanwhile. */
  private readonly busy = new Set<string>();
  private readonly dirty = new Set<string>();
  /** History length each unfinished instance replayed last (paces fan-in parents: episodePacing.ts). */
  private readonly replayed = new Map<string, number>();
  /** Episodes waiting out their pacing delay. */
  private readonly paced = new Map<string, NodeJS.Timeout>();
  /** Work items handed to the runner or the timer scheduler, so none is started twice. */
  private readonly dispatched = new Set<number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private running = false;

  constructor(options: LocalDurableEngineOptions) {
    this.store = options.store;
    this.registry = options.registry;
    this.clock = options.clock ?? systemClock;
    this.logHandler = options.logHandler ?? defaultLogHandler;
    this.activities = new BoundedRunner(options.concurrency ?? 8);
    this.timers = new TimerScheduler(this.clock, (timer) => this.track(this.fireTimer(timer)));
    this.changes.setMaxListeners(0);
  }

  /** Starts processing and resumes every unfinished instance found in the store. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.activities.open();
    this.episodes.open();
    this.dispatch(await this.store.pendingWork());
    // Every unfinished instance, and any inbox left behind (an episode runs only if there is news).
    const ids = new Set([...(await this.store.listActiveInstanceIds()), ...(await this.store.instancesWithMessages())]);
    for (const instanceId of ids) this.kick(instanceId);
  }

  /**
   * Graceful stop: starts nothing new, lets running activities and episodes finish and commit,
   * disarms timers. Everything not yet done stays in the store for the next `start()`.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.timers.clear();
    // Paced episodes stay in the store (their inbox) for the next start.
    for (const timer of this.paced.values()) clearTimeout(timer);
    this.paced.clear();
    this.replayed.clear();
    this.activities.close();
    this.episodes.close();
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    await Promise.all([this.activities.idle(), this.episodes.idle()]);
    this.busy.clear();
    this.dirty.clear();
    this.dispatched.clear();
  }

  /** Creates an instance of a registered orchestrator; returns its id. A finished instance with the same id is replaced. */
  async startNew(name: string, options: { instanceId?: string; input?: unknown } = {}): Promise<string> {
    if (!this.registry.orchestrations[name]) {
      throw new DurableEngineError(
        'badRequest',
        `Orchestrator '${name}' is not registered with the local durable engine; registered: ${Object.keys(this.registry.orchestrations).join(', ') || '(none)'}.`,
      );
    }
    const instanceId = options.instanceId ?? newId();
    // Durable Functions forbids these in instance ids; the client also puts ids into URLs unescaped.
    const hasControlChar = [...instanceId].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
    if (!instanceId.trim() || /[/\\#?]/.test(instanceId) || hasControlChar) {
      throw new DurableEngineError(
        'badRequest',
        `Invalid instance id ${JSON.stringify(instanceId)}: expected a non-empty id without '/', '\\', '#', '?' or control characters.`,
      );
    }
    const executionId = newId();
    const inputJson = toJsonText(options.input);
    const instance = pendingInstance({ instanceId, name, executionId, inputJson, now: this.clock.now() });
    try {
      await this.store.createInstance({
        instance,
        start: {
          instanceId,
          executionId,
          event: executionStarted(this.clock.now(), name, inputJson, instanceId, executionId),
        },
      });
    } catch (error) {
      if (error instanceof DurableStoreConflictError) throw new DurableEngineError('conflict', error.message);
      throw error;
    }
    this.kick(instanceId);
    return instanceId;
  }

  /** Delivers an external event; buffered until the orchestrator waits for it. */
  async raiseEvent(instanceId: string, eventName: string, data?: unknown): Promise<void> {
    await this.requireRunnable(instanceId, 'raise an event to');
    await this.store.enqueueMessage({
      instanceId,
      executionId: null,
      event: eventRaised(this.clock.now(), eventName, data),
    });
    this.kick(instanceId);
  }

  /** Terminates a running instance (its sub-orchestrations keep running, as in Durable Functions). */
  async terminate(instanceId: string, reason: string): Promise<void> {
    await this.requireRunnable(instanceId, 'terminate');
    await this.store.enqueueMessage({
      instanceId,
      executionId: null,
      event: executionTerminated(this.clock.now(), reason),
    });
    this.kick(instanceId);
  }

  /** Deletes a finished instance and its history; returns how many instances were deleted (0 if none). */
  async purge(instanceId: string): Promise<{ instancesDeleted: number }> {
    const instance = await this.store.getInstance(instanceId);
    if (!instance) return { instancesDeleted: 0 };
    if (!isTerminalDurableStatus(instance.status)) {
      throw new DurableEngineError(
        'conflict',
        `Cannot purge instance '${instanceId}': it is ${instance.status}; expected Completed, Failed or Terminated (terminate it first).`,
      );
    }
    return { instancesDeleted: await this.store.purgeInstance(instanceId) };
  }

  /** Deletes the finished instances matching the filter (running ones are never purged). */
  async purgeInstances(filter: ListInstancesFilter): Promise<{ instancesDeleted: number }> {
    const statuses = (filter.runtimeStatus?.length ? filter.runtimeStatus : TERMINAL_DURABLE_STATUSES).filter(
      isTerminalDurableStatus,
    );
    if (!statuses.length) return { instancesDeleted: 0 };
    return { instancesDeleted: await this.store.purgeInstances({ ...storeFilter(filter), runtimeStatus: statuses }) };
  }

  /** The instance's status (with its history on request), or undefined if there is no such instance. */
  async getStatus(instanceId: string, options: GetStatusOptions = {}): Promise<DurableInstanceStatus | undefined> {
    const instance = await this.store.getInstance(instanceId);
    if (!instance) return undefined;
    const history = options.showHistory ? await this.store.loadHistory(instanceId) : undefined;
    return toInstanceStatus(instance, history, options);
  }

  async listInstances(filter: ListInstancesFilter = {}): Promise<DurableInstanceStatus[]> {
    const instances = await this.store.listInstances(storeFilter(filter));
    return instances.map((i) => toInstanceStatus(i, undefined, { showInput: filter.showInput }));
  }

  /** Resolves with the final status once the instance is Completed, Failed or Terminated; rejects after `timeoutMs`. */
  async waitForCompletion(instanceId: string, timeoutMs: number): Promise<DurableInstanceStatus> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const check = async () => {
        try {
          const status = await this.getStatus(instanceId);
          if (settled) return;
          if (!status)
            return finish(() =>
              reject(new DurableEngineError('notFound', `No instance with id '${instanceId}' exists.`)),
            );
          if (isTerminalDurableStatus(status.runtimeStatus)) finish(() => resolve(status));
        } catch (error) {
          finish(() => reject(error));
        }
      };
      const listener = (id: string) => id === instanceId && void check();
      const timer = setTimeout(async () => {
        const status = await this.getStatus(instanceId).catch(() => undefined);
        finish(() =>
          reject(
            new Error(
              `Timed out after ${timeoutMs} ms waiting for instance '${instanceId}' to finish; it is ${status?.runtimeStatus ?? 'missing'}.`,
            ),
          ),
        );
      }, timeoutMs);
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.changes.off('changed', listener);
        settle();
      };
      // Subscribe before the first read so an update in between is not missed.
      this.changes.on('changed', listener);
      void check();
    });
  }

  /**
   * How many entries the engine holds in memory per instance or work item (for tests and
   * diagnostics): each must go back to zero once the instances it tracks finished — nothing is
   * kept per finished instance (issue 10: a 10,000-user job must not leave 10,000 entries behind).
   */
  memoryFootprint(): EngineFootprint {
    return {
      busy: this.busy.size,
      dirty: this.dirty.size,
      replayed: this.replayed.size,
      paced: this.paced.size,
      dispatched: this.dispatched.size,
      inFlight: this.inFlight.size,
      timers: this.timers.size,
      queuedEpisodes: this.episodes.size,
      queuedActivities: this.activities.size,
    };
  }

  /**
   * Re-evaluates armed timers against the clock now. Only needed with an injected clock that
   * jumps forward (tests); with the system clock timers fire on their own.
   */
  wakeTimers(): void {
    if (this.running) this.timers.recheck();
  }

  private async requireRunnable(instanceId: string, verb: string): Promise<DurableInstance> {
    const instance = await this.store.getInstance(instanceId);
    if (!instance)
      throw new DurableEngineError('notFound', `Cannot ${verb} instance '${instanceId}': no such instance.`);
    if (isTerminalDurableStatus(instance.status)) {
      throw new DurableEngineError(
        'gone',
        `Cannot ${verb} instance '${instanceId}': it is already ${instance.status}.`,
      );
    }
    return instance;
  }

  /** Makes sure an episode runs for the instance soon (now, or right after the running one). */
  private kick(instanceId: string): void {
    if (!this.running) return;
    if (this.busy.has(instanceId)) {
      this.dirty.add(instanceId);
      return;
    }
    this.busy.add(instanceId);
    const run = () =>
      this.episodes.push(async () => {
        try {
          await this.processInstance(instanceId);
        } finally {
          this.busy.delete(instanceId);
          if (this.dirty.delete(instanceId)) this.kick(instanceId);
        }
      });
    const delay = episodeDelayMs(this.replayed.get(instanceId) ?? 0);
    if (delay === 0) return run();
    this.paced.set(
      instanceId,
      setTimeout(() => {
        this.paced.delete(instanceId);
        if (this.running) run();
        else this.busy.delete(instanceId);
      }, delay),
    );
  }

  /** Runs episodes for one instance until its inbox is empty. */
  private async processInstance(instanceId: string): Promise<void> {
    let conflicts = 0;
    while (this.running) {
      const messages = await this.store.pendingMessages(instanceId);
      if (!messages.length) return;
      const instance = await this.store.getInstance(instanceId);
      if (!instance) {
        // Results addressed to a purged instance (e.g. a child finishing after its parent was purged).
        await this.store.purgeInstance(instanceId);
        return;
      }
      const handler = this.registry.orchestrations[instance.name];
      let committed;
      try {
        const history = await this.store.loadHistory(instanceId);
        const commit = await decideEpisode({
          instance,
          history,
          messages,
          handler,
          registeredNames: Object.keys(this.registry.orchestrations),
          now: this.clock.now(),
          newExecutionId: newId,
          lookupInstance: (id) => this.store.getInstance(id),
          logHandler: this.logHandler,
        });
        if (!commit) return;
        committed = { commit, result: await this.store.commitEpisode(commit) };
        if (isTerminalDurableStatus(commit.instance.status)) this.replayed.delete(instanceId);
        else this.replayed.set(instanceId, history.length + commit.appendHistory.length);
      } catch (error) {
        // Lost a race (e.g. a sub-orchestration id taken meanwhile): read again and redo the episode.
        if (error instanceof DurableStoreConflictError && ++conflicts < 5) continue;
        this.logHandler(
          'error',
          `Local durable engine: episode of instance '${instanceId}' failed; it will be retried on the next start.`,
          error,
        );
        return;
      }
      for (const workId of this.timers.cancel(instanceId, committed.commit.cancelWork)) this.dispatched.delete(workId);
      // Work an external event asked for (a station delivered a credential) is likely awaited by
      // the caller: it goes before the queued fan-out work (10,000 users' first activities).
      const answersEvent = messages.some((m) => m.event.EventType === EventType.EventRaised);
      this.dispatch(committed.result.newWork, answersEvent);
      for (const m of committed.commit.newMessages) if (m.instanceId !== instanceId) this.kick(m.instanceId);
      for (const c of committed.commit.createInstances) this.kick(c.instance.instanceId);
      this.changes.emit('changed', instanceId);
      // A paced instance takes what arrived meanwhile in its next, delayed episode (kick, via dirty).
      if (episodeDelayMs(this.replayed.get(instanceId) ?? 0) > 0) {
        this.dirty.add(instanceId);
        return;
      }
    }
  }

  private dispatch(work: DurableWorkItem[], urgent = false): void {
    if (!this.running) return;
    for (const item of work) {
      if (this.dispatched.has(item.id)) continue;
      this.dispatched.add(item.id);
      if (item.kind === 'timer') this.timers.schedule(item);
      else this.activities.push(() => this.track(this.executeActivity(item)), urgent);
    }
  }

  private async executeActivity(item: DurableWorkItem): Promise<void> {
    const handler = item.name === null ? undefined : this.registry.activities[item.name];
    const event = await runActivity(
      item,
      handler,
      Object.keys(this.registry.activities),
      () => this.clock.now(),
      this.logHandler,
    );
    await this.deliver(item, event);
  }

  private async fireTimer(timer: DurableWorkItem): Promise<void> {
    if (!this.running) return;
    await this.deliver(timer, timerFired(this.clock.now(), timer.taskId, timer.fireAt!));
  }

  /** Commits a work item's result (deleting the item in the same transaction) and wakes its instance. */
  private async deliver(item: DurableWorkItem, event: DurableHistoryEvent): Promise<void> {
    try {
      const delivered = await this.store.completeWork(item.id, {
        instanceId: item.instanceId,
        executionId: item.executionId,
        event,
      });
      this.dispatched.delete(item.id);
      if (delivered) this.kick(item.instanceId);
    } catch (error) {
      this.logHandler(
        'error',
        `Local durable engine: could not record the result of work item ${item.id}; it will run again on the next start.`,
        error,
      );
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }
}

const toIso = (value: Date | string | undefined) => (value === undefined ? undefined : new Date(value).toISOString());

function storeFilter(filter: ListInstancesFilter) {
  return {
    runtimeStatus: filter.runtimeStatus,
    createdTimeFrom: toIso(filter.createdTimeFrom),
    createdTimeTo: toIso(filter.createdTimeTo),
    instanceIdPrefix: filter.instanceIdPrefix,
    name: filter.name,
    top: filter.top,
  };
}
