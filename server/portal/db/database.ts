/**
 * Opens the portal's SQLite database (better-sqlite3, WAL) and brings its schema up to date. Routes never see
 * this handle: they go through the small stores next to this file, so PostgreSQL could replace SQLite by
 * reimplementing those stores.
 */
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

export function databasePath(dataDir: string): string {
  return path.join(dataDir, 'portal.sqlite');
}

/** Opens (creating when absent) data/portal.sqlite and applies pending migrations. */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(databasePath(dataDir));
  // Only the portal's user reads it (password hashes, session hashes); SQLite gives -wal/-shm the same mode.
  chmodSync(databasePath(dataDir), 0o600);
  db.pragma('journal_mode = WAL');
  // FULL: a commit survives power loss. The upload path alone commits with NORMAL (ShipmentStore.relaxedTransaction):
  // its records are re-created from the fsynced files by the startup reconciler.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // The CLI (link create, user add) writes to the same file while the portal runs.
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
