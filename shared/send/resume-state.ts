/**
 * What a sender keeps to resume an interrupted send: the shipment id, its secret, the sealed envelope and the
 * file ids with their places in bundles. With the secret the ciphertext is reproduced byte for byte (shared/format is deterministic), so the
 * portal's partial uploads continue where they stopped. It holds the secret: the Node sender keeps it in a 0600
 * file in the user's cache dir, the browser in localStorage; both remove it once the portal confirms the shipment.
 * It never holds plaintext.
 */
import { SendError } from './send-error.ts';

export interface ResumeFile {
  readonly path: string;
  readonly plainSize: number;
  readonly sha256: string;
  readonly fileId: string;
  /** Ciphertext size. */
  readonly size: number;
  /** The file's place in a bundle (manifest v2 `upload`), so a resumed send rebuilds the same uploads. */
  readonly upload?: { readonly id: string; readonly offset: number };
}

export interface ResumeState {
  readonly version: 1;
  readonly linkId: string;
  readonly shipmentId: string;
  /** The 32-octet shipment secret, base64url. */
  readonly secret: string;
  /** The sealed JWE exactly as first posted, so a re-run posts the same shipment. */
  readonly envelope: unknown;
  readonly createdAt: string;
  readonly files: readonly ResumeFile[];
}

/** Where a sender keeps resume states; the key names one (link, source) pair. */
export interface ResumeStore {
  load(key: string): Promise<ResumeState | undefined>;
  save(key: string, state: ResumeState): Promise<void>;
  remove(key: string): Promise<void>;
}

/** Checks the shape of a stored state (it is read back from disk or localStorage: never trust it blindly). */
export function parseResumeState(value: unknown): ResumeState {
  const state = value as Partial<ResumeState> | null;
  const ok =
    state !== null &&
    typeof state === 'object' &&
    state.version === 1 &&
    typeof state.linkId === 'string' &&
    typeof state.shipmentId === 'string' &&
    typeof state.secret === 'string' &&
    typeof state.createdAt === 'string' &&
    state.envelope !== undefined &&
    Array.isArray(state.files) &&
    state.files.every(
      (file) =>
        typeof file?.path === 'string' &&
        typeof file.fileId === 'string' &&
        typeof file.sha256 === 'string' &&
        Number.isSafeInteger(file.plainSize) &&
        Number.isSafeInteger(file.size) &&
        (file.upload === undefined || (typeof file.upload?.id === 'string' && Number.isSafeInteger(file.upload.offset) && file.upload.offset >= 0)),
    ) &&
    base64UrlDecode(state.secret).length === 32;
  if (!ok) throw new SendError('E_SEND_STATE', 'the saved resume state is not readable');
  return state as ResumeState;
}

export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function base64UrlDecode(text: string): Uint8Array {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * A random URL-safe id ([A-Za-z0-9_-], the format's ID_PATTERN) of `bytes` random octets. It never starts with
 * '-' or '_': an id is typed on command lines (`beeldpoort status ID`), where a leading '-' reads as an option.
 * Drawing again keeps every remaining id equally likely.
 */
export function randomId(bytes = 16): string {
  while (true) {
    const id = base64UrlEncode(crypto.getRandomValues(new Uint8Array(bytes)));
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}
