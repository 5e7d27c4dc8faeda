import Database from 'better-sqlite3';
import { cacheStatements } from './statementCache';

describe('cacheStatements', () => {
  it('prepares each SQL text once per connection and still runs it with fresh parameters', () => {
    const db = cacheStatements(new Database(':memory:'));
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    expect(db.prepare('INSERT INTO t (v) VALUES (?)')).toBe(insert);
    db.prepare('INSERT INTO t (v) VALUES (?)').run('a');
    db.prepare('INSERT INTO t (v) VALUES (?)').run('b');
    const select = 'SELECT v FROM t WHERE id = ?';
    expect(db.prepare(select).get(2)).toEqual({ v: 'b' });
    expect(db.prepare(select).get(1)).toEqual({ v: 'a' });
    expect(db.prepare('SELECT v FROM t ORDER BY id').all()).toEqual([{ v: 'a' }, { v: 'b' }]);
    db.close();
  });
});
