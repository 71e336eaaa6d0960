/** Small key/value facts the portal keeps (e.g. the hash of the worker credential). */
import type Database from 'better-sqlite3';
import type { Db } from './database.ts';

export class SettingsStore {
  readonly #db: Db;
  /** Compiled once: every worker request reads the credential hash. */
  readonly #get: Database.Statement;
  constructor(db: Db) {
    this.#db = db;
    this.#get = db.prepare('SELECT value FROM settings WHERE key = ?');
  }

  get(key: string): string | undefined {
    return (this.#get.get(key) as { value: string } | undefined)?.value;
  }

  set(key: string, value: string): void {
    this.#db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
