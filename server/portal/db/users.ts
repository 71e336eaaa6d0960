/** Receiver accounts and their sessions as stored rows. Password hashing and login policy are ../receiver/. */
import type { Db } from './database.ts';

export type Role = 'admin' | 'radiologist';
export const ROLES: readonly Role[] = ['admin', 'radiologist'];

export interface UserRow { id: number; email: string; name: string; role: Role; passwordHash: string; createdAt: number; disabledAt: number | null }
export interface SessionRow { idHash: string; userId: number; csrfToken: string; createdAt: number; expiresAt: number; lastSeenAt: number }

/* eslint-disable @typescript-eslint/no-explicit-any -- rows come from SQLite untyped; mapped field by field */
const toUser = (r: any): UserRow => ({ id: r.id, email: r.email, name: r.name, role: r.role, passwordHash: r.password_hash, createdAt: r.created_at, disabledAt: r.disabled_at });
const toSession = (r: any): SessionRow => ({ idHash: r.id_hash, userId: r.user_id, csrfToken: r.csrf_token, createdAt: r.created_at, expiresAt: r.expires_at, lastSeenAt: r.last_seen_at });
/* eslint-enable @typescript-eslint/no-explicit-any */

export class UserStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Returns undefined when the email is taken (case-insensitive). */
  insert(user: Omit<UserRow, 'id' | 'disabledAt'>): UserRow | undefined {
    const result = this.#db.prepare(`INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (email) DO NOTHING`).run(user.email, user.name, user.role, user.passwordHash, user.createdAt);
    return result.changes === 1 ? this.byId(Number(result.lastInsertRowid)) : undefined;
  }

  byEmail(email: string): UserRow | undefined {
    const row = this.#db.prepare('SELECT * FROM users WHERE email = ?').get(email);
    return row ? toUser(row) : undefined;
  }

  byId(id: number): UserRow | undefined {
    const row = this.#db.prepare('SELECT * FROM users WHERE id = ?').get(id);
    return row ? toUser(row) : undefined;
  }

  count(): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  insertSession(session: SessionRow): void {
    this.#db.prepare('INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(session.idHash, session.userId, session.csrfToken, session.createdAt, session.expiresAt, session.lastSeenAt);
  }

  session(idHash: string): SessionRow | undefined {
    const row = this.#db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(idHash);
    return row ? toSession(row) : undefined;
  }

  touchSession(idHash: string, now: number): void {
    this.#db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(now, idHash);
  }

  deleteSession(idHash: string): void {
    this.#db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  deleteExpiredSessions(now: number): void {
    this.#db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now);
  }
}
