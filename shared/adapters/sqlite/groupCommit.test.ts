import Database from 'better-sqlite3';
import { signInRecordAt } from '../../../test/support/signInRecords';
import { openSqliteDatabase } from './database';
import { GroupCommit } from './groupCommit';
import { SqliteSignInLogRepository } from './signInLog.sqlite';

const rows = (db: Database.Database) =>
  (db.prepare('SELECT v FROM t ORDER BY v').all() as Array<{ v: string }>).map((r) => r.v);

describe('GroupCommit', () => {
  let db: Database.Database;
  let group: GroupCommit;
  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('CREATE TABLE t (v TEXT PRIMARY KEY)');
    group = new GroupCommit(db);
  });
  afterEach(() => {
    if (db.open) db.close();
  });
  const insert = (v: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v).changes;

  it('commits the writes asked for in one turn in one transaction, and answers each its own value', async () => {
    const transactions = jest.spyOn(db, 'transaction');
    expect(await Promise.all([group.write(insert('a')), group.write(insert('b')), group.write(() => 'c')])).toEqual([
      1,
      1,
      'c',
    ]);
    expect(transactions).toHaveBeenCalledTimes(1);
    expect(rows(db)).toEqual(['a', 'b']);
  });

  it('writes asked for in another turn go in the next transaction', async () => {
    const transactions = jest.spyOn(db, 'transaction');
    await group.write(insert('a'));
    await group.write(insert('b'));
    expect(transactions).toHaveBeenCalledTimes(2);
  });

  it('rolls back and rejects only the write that threw; the others of its turn commit', async () => {
    const results = await Promise.allSettled([
      group.write(insert('a')),
      group.write(() => {
        insert('x')();
        insert('a')(); // a duplicate key: this write, with its 'x', must leave no trace
      }),
      group.write(insert('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(rows(db)).toEqual(['a', 'b']);
  });

  it('settles a write only once it is committed: nothing reads as done before', async () => {
    let settled = false;
    const pending = group.write(insert('a')).then(() => (settled = true));
    // Same turn: not yet written, not yet settled.
    expect(settled).toBe(false);
    expect(rows(db)).toEqual([]);
    await pending;
    expect(rows(db)).toEqual(['a']);
  });

  it('fails every write of a turn when the transaction cannot run', async () => {
    const writes = [group.write(insert('a')), group.write(insert('b'))];
    db.close();
    expect((await Promise.allSettled(writes)).map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('SqliteSignInLogRepository appends (group commit)', () => {
  const record = () => signInRecordAt(new Date().toISOString());

  it('the records of sign-ins answered in one turn share one transaction; each append settles after its commit', async () => {
    const db = openSqliteDatabase(':memory:');
    const log = new SqliteSignInLogRepository(db);
    const transactions = jest.spyOn(db, 'transaction');
    const count = () => (db.prepare('SELECT COUNT(*) AS n FROM sign_ins').get() as { n: number }).n;
    const appends = Array.from({ length: 16 }, () => log.append(record()));
    expect(count()).toBe(0);
    await Promise.all(appends);
    expect(transactions).toHaveBeenCalledTimes(1);
    expect(count()).toBe(16);
    db.close();
  });

  it('the same record appended twice in one turn is kept once', async () => {
    const db = openSqliteDatabase(':memory:');
    const log = new SqliteSignInLogRepository(db);
    const twice = record();
    await Promise.all([log.append(twice), log.append(twice)]);
    expect((await log.list({ top: 10 })).items.map((r) => r.id)).toEqual([twice.id]);
    db.close();
  });
});
