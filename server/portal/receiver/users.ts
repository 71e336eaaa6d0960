/** Adding receiver accounts (the `user add` command; an admin API can call the same function later). */
import type { Actor } from '../context.ts';
import { ROLES, type Role, type UserRow } from '../db/users.ts';
import { PortalError } from '../errors.ts';
import { hashPassword } from './passwords.ts';
import type { Stores } from '../db/stores.ts';

const EMAIL = /^[^\s@<>"']{1,64}@[^\s@<>"']{1,190}$/;
export const MIN_PASSWORD_LENGTH = 12;

export async function addUser(
  stores: Stores,
  input: { email: string; password: string; role?: string; name?: string },
  actor: Actor,
  now: number = Date.now(),
): Promise<UserRow> {
  const email = input.email.trim();
  if (!EMAIL.test(email)) throw new PortalError('E_USER_INVALID', `"${email}" is not an e-mail address`);
  const role = (input.role ?? 'radiologist') as Role;
  if (!ROLES.includes(role)) throw new PortalError('E_USER_INVALID', `role must be one of ${ROLES.join(', ')}`);
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new PortalError('E_USER_INVALID', `the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  const name = (input.name ?? email.split('@')[0]!).slice(0, 200);
  const user = stores.users.insert({ email, name, role, passwordHash: await hashPassword(input.password), createdAt: now });
  if (!user) throw new PortalError('E_USER_EXISTS', `a user ${email} already exists`);
  stores.audit.append({ actor, action: 'user.created', object: { type: 'user', id: String(user.id) }, details: { role } }, now);
  return user;
}
