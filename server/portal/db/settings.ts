/** Small key/value facts the portal keeps (e.g. the hash of the worker credential). */
import type { Db } from './database.ts';

export class SettingsStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  get(key: string): string | undefined {
    return (this.#db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  set(key: string, value: string): void {
    this.#db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
