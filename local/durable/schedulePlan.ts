import {
  DurableHistoryEvent,
  DurableInstance,
  NewDurableInstance,
  NewDurableMessage,
  NewDurableWorkItem,
  isTerminalDurableStatus,
} from './durable.port';
import { SchedulingAction } from './actionPlan';
import * as ev from './historyEvents';
import { EventType, LocalMark } from './historyEvents';
import { pendingInstance } from './pendingInstance';
import { RetryStep, retryDelayMs } from './retries';

/** What a SchedulePlan needs to know about the episode. */
export interface ScheduleContext {
  instance: DurableInstance;
  now: Date;
  newExecutionId: () => string;
  lookupInstance: (instanceId: string) => Promise<DurableInstance | undefined>;
}

/** Builds the scheduling events, work items and child instances of one episode, numbering them in order. */
export class SchedulePlan {
  readonly events: DurableHistoryEvent[] = [];
  readonly work: NewDurableWorkItem[] = [];
  readonly messages: NewDurableMessage[] = [];
  readonly children: NewDurableInstance[] = [];
  private readonly claimedChildIds = new Set<string>();

  constructor(
    private readonly input: ScheduleContext,
    private nextId: number,
  ) {}

  async addRetryStep(step: RetryStep): Promise<void> {
    const { now } = this.input;
    if (step.kind === 'retryTimer') {
      const fireAt = new Date(now.getTime() + retryDelayMs(step.retry.options, step.retry.attempt));
      this.addTimer(fireAt, false, { retryTimer: true, retry: step.retry });
      return;
    }
    const { origin, retry } = step;
    if (origin.EventType === EventType.TaskScheduled) {
      this.addActivity(origin.Name as string, origin.Input as string | undefined, { retry });
    } else {
      // A retried sub-orchestration reuses the instance id; the failed attempt is terminal, so it is replaced.
      await this.addSubOrchestration(
        origin.Name as string,
        origin.InstanceId as string,
        origin.Input as string | undefined,
        { retry },
      );
    }
  }

  async addAction(action: SchedulingAction): Promise<void> {
    const id = this.nextId;
    if (action.kind === 'timer') {
      this.addTimer(action.fireAt, action.canceled, undefined);
    } else if (action.kind === 'activity') {
      this.addActivity(
        action.name,
        ev.toJsonText(action.input),
        action.retry && { retry: { originId: id, attempt: 1, options: action.retry } },
      );
    } else {
      // Durable Functions names unnamed sub-orchestrations after the parent and the task's sequence number.
      const childId = action.instanceId ?? `${this.input.instance.instanceId}:${id}`;
      const mark = action.retry && { retry: { originId: id, attempt: 1, options: action.retry } };
      await this.addSubOrchestration(action.name, childId, ev.toJsonText(action.input), mark);
    }
  }

  private addTimer(fireAt: Date, canceled: boolean, mark: LocalMark | undefined): void {
    const { instance, now } = this.input;
    const id = this.nextId++;
    this.events.push(ev.timerCreated(now, id, fireAt, mark));
    if (!canceled) {
      this.work.push({
        instanceId: instance.instanceId,
        executionId: instance.executionId,
        kind: 'timer',
        taskId: id,
        name: null,
        input: null,
        fireAt: fireAt.toISOString(),
      });
    }
  }

  private addActivity(name: string, inputJson: string | undefined, mark: LocalMark | undefined): void {
    const { instance, now } = this.input;
    const id = this.nextId++;
    this.events.push(ev.taskScheduled(now, id, name, inputJson, mark));
    this.work.push({
      instanceId: instance.instanceId,
      executionId: instance.executionId,
      kind: 'activity',
      taskId: id,
      name,
      input: inputJson ?? null,
      fireAt: null,
    });
  }

  private async addSubOrchestration(
    name: string,
    childId: string,
    inputJson: string | undefined,
    mark: LocalMark | undefined,
  ): Promise<void> {
    const { instance, now } = this.input;
    const id = this.nextId++;
    this.events.push(ev.subOrchestrationCreated(now, id, name, childId, inputJson, mark));
    const existing = childId === instance.instanceId ? instance : await this.input.lookupInstance(childId);
    if (this.claimedChildIds.has(childId) || (existing && !isTerminalDurableStatus(existing.status))) {
      // Answer the task with a failure rather than disturb the running instance that owns the id.
      this.messages.push({
        instanceId: instance.instanceId,
        executionId: instance.executionId,
        event: ev.subOrchestrationFailed(now, id, {
          ErrorType: 'InstanceIdConflict',
          ErrorMessage: `Cannot start sub-orchestration '${name}' with instance id '${childId}': an instance with that id is ${existing?.status ?? 'being started'}; expected none or a finished one.`,
          IsNonRetriable: true,
        }),
      });
      return;
    }
    this.claimedChildIds.add(childId);
    const executionId = this.input.newExecutionId();
    const parent = {
      instanceId: instance.instanceId,
      executionId: instance.executionId,
      name: instance.name,
      taskId: id,
    };
    this.children.push({
      instance: pendingInstance({ instanceId: childId, name, executionId, inputJson, now, parent }),
      start: {
        instanceId: childId,
        executionId,
        event: ev.executionStarted(now, name, inputJson, childId, executionId, parent),
      },
    });
  }
}
