import type Database from 'better-sqlite3';
import { GroupCommit } from '../../shared/adapters/sqlite/groupCommit';
import {
  DurableEpisodeCommit,
  DurableHistoryEvent,
  DurableInstance,
  DurableInstanceFilter,
  DurableMessage,
  DurableRuntimeStatus,
  DurableStore,
  DurableStoreConflictError,
  DurableWorkItem,
  NewDurableInstance,
  NewDurableMessage,
  TERMINAL_DURABLE_STATUSES,
} from './durable.port';

// History rows are keyed (instance, seq) so loading one instance's history is one index range scan,
// whatever the size of other instances' histories.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS durable_instances (
  instance_id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, execution_id TEXT NOT NULL,
  input TEXT, output TEXT, custom_status TEXT, created_time TEXT NOT NULL, last_updated_time TEXT NOT NULL,
  parent_instance_id TEXT, parent_execution_id TEXT, parent_task_id INTEGER);
CREATE INDEX IF NOT EXISTS durable_instances_by_status ON durable_instances (status);
CREATE INDEX IF NOT EXISTS durable_instances_by_created ON durable_instances (created_time);
CREATE TABLE IF NOT EXISTS durable_history (
  instance_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (instance_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS durable_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, execution_id TEXT, event TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS durable_messages_by_instance ON durable_messages (instance_id, id);
CREATE TABLE IF NOT EXISTS durable_work (
  id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, execution_id TEXT NOT NULL, kind TEXT NOT NULL,
  task_id INTEGER NOT NULL, name TEXT, input TEXT, fire_at TEXT);
CREATE INDEX IF NOT EXISTS durable_work_by_instance ON durable_work (instance_id, task_id);
`;

interface InstanceRow {
  instance_id: string;
  name: string;
  status: DurableRuntimeStatus;
  execution_id: string;
  input: string | null;
  output: string | null;
  custom_status: string | null;
  created_time: string;
  last_updated_time: string;
  parent_instance_id: string | null;
  parent_execution_id: string | null;
  parent_task_id: number | null;
}

interface WorkRow {
  id: number;
  instance_id: string;
  execution_id: string;
  kind: 'activity' | 'timer';
  task_id: number;
  name: string | null;
  input: string | null;
  fire_at: string | null;
}

const toInstance = (r: InstanceRow): DurableInstance => ({
  instanceId: r.instance_id,
  name: r.name,
  status: r.status,
  executionId: r.execution_id,
  input: r.input,
  output: r.output,
  customStatus: r.custom_status,
  createdTime: r.created_time,
  lastUpdatedTime: r.last_updated_time,
  parentInstanceId: r.parent_instance_id,
  parentExecutionId: r.parent_execution_id,
  parentTaskId: r.parent_task_id,
});

const toWork = (r: WorkRow): DurableWorkItem => ({
  id: r.id,
  instanceId: r.instance_id,
  executionId: r.execution_id,
  kind: r.kind,
  taskId: r.task_id,
  name: r.name,
  input: r.input,
  fireAt: r.fire_at,
});

const TERMINAL_SQL = TERMINAL_DURABLE_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * {@link DurableStore} over a better-sqlite3 database (a file under `.data/`, or `:memory:` in
 * tests). Creates its own `durable_*` tables. Every multi-row write is one SQLite transaction.
 * One engine process per database file: the store does no cross-process locking of work items.
 *
 * Group commit: the writes asked for in one turn of the event loop (episode commits, work
 * completions, inbox messages, new instances) are applied together in ONE SQLite transaction, each
 * inside its own savepoint. A write that throws (a lost race) rolls back alone and rejects alone;
 * the others commit. Each write's promise settles only after the transaction committed, so nobody
 * acts on a write that a crash could still take back: a crash before the commit loses only writes
 * whose callers were still waiting, exactly as if each had been its own transaction.
 */
export class SqliteDurableStore implements DurableStore {
  private readonly statements;
  /** The writes of one event-loop turn, in one transaction (see the class comment). */
  private readonly group: GroupCommit;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.group = new GroupCommit(db);
    this.statements = {
      getInstance: db.prepare('SELECT * FROM durable_instances WHERE instance_id = ?'),
      upsertInstance: db.prepare(
        `INSERT OR REPLACE INTO durable_instances (instance_id, name, status, execution_id, input, output, custom_status,
           created_time, last_updated_time, parent_instance_id, parent_execution_id, parent_task_id)
         VALUES (@instanceId, @name, @status, @executionId, @input, @output, @customStatus, @createdTime, @lastUpdatedTime,
           @parentInstanceId, @parentExecutionId, @parentTaskId)`,
      ),
      updateInstance: db.prepare(
        `UPDATE durable_instances SET status = @status, execution_id = @executionId, input = @input, output = @output,
           custom_status = @customStatus, last_updated_time = @lastUpdatedTime
         WHERE instance_id = @instanceId AND execution_id = @expectedExecutionId`,
      ),
      activeIds: db.prepare(`SELECT instance_id FROM durable_instances WHERE status NOT IN (${TERMINAL_SQL})`),
      history: db.prepare('SELECT event FROM durable_history WHERE instance_id = ? ORDER BY seq'),
      lastSeq: db.prepare('SELECT MAX(seq) AS seq FROM durable_history WHERE instance_id = ?'),
      appendHistory: db.prepare('INSERT INTO durable_history (instance_id, seq, event) VALUES (?, ?, ?)'),
      deleteHistory: db.prepare('DELETE FROM durable_history WHERE instance_id = ?'),
      messages: db.prepare(
        'SELECT id, instance_id, execution_id, event FROM durable_messages WHERE instance_id = ? ORDER BY id',
      ),
      instancesWithMessages: db.prepare('SELECT DISTINCT instance_id FROM durable_messages'),
      insertMessage: db.prepare('INSERT INTO durable_messages (instance_id, execution_id, event) VALUES (?, ?, ?)'),
      deleteMessage: db.prepare('DELETE FROM durable_messages WHERE id = ?'),
      deleteMessages: db.prepare('DELETE FROM durable_messages WHERE instance_id = ?'),
      insertWork: db.prepare(
        `INSERT INTO durable_work (instance_id, execution_id, kind, task_id, name, input, fire_at)
         VALUES (@instanceId, @executionId, @kind, @taskId, @name, @input, @fireAt)`,
      ),
      pendingWork: db.prepare('SELECT * FROM durable_work ORDER BY id'),
      deleteWork: db.prepare('DELETE FROM durable_work WHERE id = ?'),
      deleteWorkOfInstance: db.prepare('DELETE FROM durable_work WHERE instance_id = ?'),
      deleteWorkOfTask: db.prepare('DELETE FROM durable_work WHERE instance_id = ? AND task_id = ?'),
    };
  }

  async getInstance(instanceId: string): Promise<DurableInstance | undefined> {
    const row = this.statements.getInstance.get(instanceId) as InstanceRow | undefined;
    return row && toInstance(row);
  }

  async listInstances(filter: DurableInstanceFilter): Promise<DurableInstance[]> {
    const { where, params } = filterSql(filter);
    const limit = filter.top !== undefined ? ` LIMIT ${Math.max(0, Math.floor(filter.top))}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM durable_instances ${where} ORDER BY created_time, instance_id${limit}`)
      .all(...params) as InstanceRow[];
    return rows.map(toInstance);
  }

  async listActiveInstanceIds(): Promise<string[]> {
    return (this.statements.activeIds.all() as Array<{ instance_id: string }>).map((r) => r.instance_id);
  }

  async createInstance(created: NewDurableInstance): Promise<void> {
    await this.write(() => this.createInstanceTx(created));
  }

  async loadHistory(instanceId: string): Promise<DurableHistoryEvent[]> {
    return (this.statements.history.all(instanceId) as Array<{ event: string }>).map((r) => JSON.parse(r.event));
  }

  async pendingMessages(instanceId: string): Promise<DurableMessage[]> {
    const rows = this.statements.messages.all(instanceId) as Array<{
      id: number;
      instance_id: string;
      execution_id: string | null;
      event: string;
    }>;
    return rows.map((r) => ({
      id: r.id,
      instanceId: r.instance_id,
      executionId: r.execution_id,
      event: JSON.parse(r.event),
    }));
  }

  async instancesWithMessages(): Promise<string[]> {
    return (this.statements.instancesWithMessages.all() as Array<{ instance_id: string }>).map((r) => r.instance_id);
  }

  async enqueueMessage(message: NewDurableMessage): Promise<void> {
    await this.write(() => this.insertMessage(message));
  }

  async commitEpisode(commit: DurableEpisodeCommit): Promise<{ newWork: DurableWorkItem[] }> {
    return this.write(() => {
      const s = this.statements;
      for (const id of commit.consumedMessageIds) {
        if (s.deleteMessage.run(id).changes !== 1) {
          throw new DurableStoreConflictError(
            `Inbox message ${id} of instance '${commit.instanceId}' was already consumed; expected it to be pending.`,
          );
        }
      }
      const updated = s.updateInstance.run({
        ...commit.instance,
        instanceId: commit.instanceId,
        expectedExecutionId: commit.expectedExecutionId,
      });
      if (updated.changes !== 1) {
        throw new DurableStoreConflictError(
          `Instance '${commit.instanceId}' no longer runs execution ${commit.expectedExecutionId} (restarted, purged or continued as new).`,
        );
      }
      if (commit.resetHistory) s.deleteHistory.run(commit.instanceId);
      let seq = ((s.lastSeq.get(commit.instanceId) as { seq: number | null }).seq ?? -1) + 1;
      for (const event of commit.appendHistory) s.appendHistory.run(commit.instanceId, seq++, JSON.stringify(event));
      if (commit.cancelWork === 'all') s.deleteWorkOfInstance.run(commit.instanceId);
      else for (const taskId of commit.cancelWork) s.deleteWorkOfTask.run(commit.instanceId, taskId);
      for (const created of commit.createInstances) this.createInstanceTx(created);
      for (const message of commit.newMessages) this.insertMessage(message);
      const newWork = commit.newWork.map((w) => ({ ...w, id: Number(s.insertWork.run(w).lastInsertRowid) }));
      return { newWork };
    });
  }

  async pendingWork(): Promise<DurableWorkItem[]> {
    return (this.statements.pendingWork.all() as WorkRow[]).map(toWork);
  }

  async completeWork(workId: number, result: NewDurableMessage): Promise<boolean> {
    return this.write(() => {
      if (this.statements.deleteWork.run(workId).changes !== 1) return false;
      this.insertMessage(result);
      return true;
    });
  }

  async purgeInstance(instanceId: string): Promise<number> {
    return this.db.transaction(() => this.purgeTx(instanceId))();
  }

  async purgeInstances(filter: DurableInstanceFilter): Promise<number> {
    return this.db.transaction(() => {
      const { where, params } = filterSql(filter);
      const ids = (
        this.db.prepare(`SELECT instance_id FROM durable_instances ${where}`).all(...params) as Array<{
          instance_id: string;
        }>
      ).map((r) => r.instance_id);
      return ids.reduce((n, id) => n + this.purgeTx(id), 0);
    })();
  }

  /** Queues a write for the group commit of this turn of the event loop; settles once it committed (or failed). */
  private write<T>(apply: () => T): Promise<T> {
    return this.group.write(apply);
  }

  private createInstanceTx({ instance, start }: NewDurableInstance): void {
    const existing = this.statements.getInstance.get(instance.instanceId) as InstanceRow | undefined;
    if (existing && !TERMINAL_DURABLE_STATUSES.includes(existing.status)) {
      throw new DurableStoreConflictError(
        `An instance with id '${instance.instanceId}' already exists with status ${existing.status}; expected none or a terminal one (Completed, Failed, Terminated).`,
      );
    }
    // Restarting a finished instance id starts from nothing, as Durable Functions does.
    if (existing) this.purgeTx(instance.instanceId);
    this.statements.upsertInstance.run(instance);
    this.insertMessage(start);
  }

  private purgeTx(instanceId: string): number {
    const s = this.statements;
    s.deleteHistory.run(instanceId);
    s.deleteMessages.run(instanceId);
    s.deleteWorkOfInstance.run(instanceId);
    return this.db.prepare('DELETE FROM durable_instances WHERE instance_id = ?').run(instanceId).changes;
  }

  private insertMessage(message: NewDurableMessage): void {
    this.statements.insertMessage.run(message.instanceId, message.executionId, JSON.stringify(message.event));
  }
}

function filterSql(filter: DurableInstanceFilter): { where: string; params: Array<string | number> } {
  const clauses: string[] = [];
  const params: Array<string | number> = [];
  if (filter.runtimeStatus?.length) {
    clauses.push(`status IN (${filter.runtimeStatus.map(() => '?').join(', ')})`);
    params.push(...filter.runtimeStatus);
  }
  if (filter.createdTimeFrom) {
    clauses.push('created_time >= ?');
    params.push(filter.createdTimeFrom);
  }
  if (filter.createdTimeTo) {
    clauses.push('created_time <= ?');
    params.push(filter.createdTimeTo);
  }
  if (filter.instanceIdPrefix) {
    clauses.push('substr(instance_id, 1, ?) = ?');
    params.push(filter.instanceIdPrefix.length, filter.instanceIdPrefix);
  }
  if (filter.name) {
    clauses.push('name = ?');
    params.push(filter.name);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
