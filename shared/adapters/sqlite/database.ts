import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { cacheStatements } from './statementCache';

export type SqliteDatabase = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS policies (id TEXT PRIMARY KEY, doc TEXT NOT NULL, etag TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY, upn_lower TEXT NOT NULL UNIQUE, display_lower TEXT NOT NULL, doc TEXT NOT NULL, etag TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS groups (id TEXT PRIMARY KEY, display_lower TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS memberships (group_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (group_id, user_id));
CREATE INDEX IF NOT EXISTS memberships_by_user ON memberships (user_id);
CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, activity_time TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (activity_time);
CREATE TABLE IF NOT EXISTS credentials (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, doc TEXT NOT NULL, etag TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS credentials_by_user ON credentials (user_id);
CREATE TABLE IF NOT EXISTS role_assignments (id TEXT PRIMARY KEY, principal_id TEXT NOT NULL, role_definition_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS role_assignments_by_principal ON role_assignments (principal_id);
CREATE TABLE IF NOT EXISTS consumed_challenges (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sign_ins (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, sort_key TEXT NOT NULL, created_time TEXT NOT NULL, upn_lower TEXT, error_code INTEGER NOT NULL,
  aa_guid TEXT, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sign_ins_by_sort_key ON sign_ins (sort_key);
CREATE INDEX IF NOT EXISTS sign_ins_by_aaguid ON sign_ins (aa_guid, created_time);
`;

/**
 * Creates a data file readable by this user only (its folder 0700, the file 0600) before SQLite opens
 * it: it holds credentials, secrets of webhooks and audit records. SQLite gives its -wal and -shm
 * files the permissions of the database file.
 */
export function createPrivateFile(file: string): void {
  if (file === ':memory:') return;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

/** Opens (creating if needed) the embedded store file; `:memory:` for tests. */
export function openSqliteDatabase(file: string): SqliteDatabase {
  createPrivateFile(file);
  const db = cacheStatements(new Database(file));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  return db;
}
