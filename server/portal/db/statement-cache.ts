/**
 * Statements compiled once per SQL text: the tus path runs several queries per request and a worker report touches
 * every file of a batch, so compiling on each call would cost more than the query. One per store.
 */
import type Database from 'better-sqlite3';
import type { Db } from './database.ts';

export class StatementCache {
  readonly #db: Db;
  readonly #statements = new Map<string, Database.Statement>();
  constructor(db: Db) {
    this.#db = db;
  }

  get(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) this.#statements.set(sql, (statement = this.#db.prepare(sql)));
    return statement;
  }
}
