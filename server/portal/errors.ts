/**
 * The portal's errors. Every code below is part of the HTTP API contract (docs/architecture.md): clients
 * branch on `code`, never on the message. The HTTP status of each code lives here, in one table, so the
 * Express error handler and the tus hooks answer the same error the same way.
 */
import { BeeldpoortError } from '../../shared/errors.ts';

export const PORTAL_ERRORS = {
  E_BAD_REQUEST: 400,
  E_BODY_TOO_LARGE: 413,
  E_NOT_FOUND: 404,
  E_METHOD_NOT_ALLOWED: 405,
  E_RATE_LIMITED: 429,
  // link tokens (RFC 8725 checks)
  E_TOKEN_MISSING: 401,
  E_TOKEN_INVALID: 401,
  E_LINK_EXPIRED: 401,
  E_LINK_REVOKED: 403,
  E_LINK_INVALID: 400,
  // shipments and quotas
  E_SHIPMENT_INVALID: 400,
  E_ENVELOPE_INVALID: 400,
  E_SHIPMENT_NOT_FOUND: 404,
  E_SHIPMENT_CONFLICT: 409,
  E_QUOTA_SHIPMENTS: 413,
  E_QUOTA_BYTES: 413,
  // tus edge (tus 1.0 core + creation extension)
  E_TUS_VERSION: 412,
  E_TUS_LENGTH: 400,
  E_TUS_METADATA: 400,
  E_TUS_OFFSET: 409,
  E_TUS_CONCAT: 400,
  E_TUS_DEFER_LENGTH: 400,
  E_TUS_METHOD_OVERRIDE: 400,
  E_TUS_CONTENT_TYPE: 415,
  E_UPLOAD_NOT_FOUND: 404,
  E_UPLOAD_TOO_LARGE: 413,
  E_FILE_UNKNOWN: 400,
  E_FILE_COMPLETE: 409,
  E_FILE_INCOMPLETE: 409,
  // RFC 4918 §11.5 507 Insufficient Storage: the data volume is full; the request may succeed later.
  E_STORAGE_FULL: 507,
  // worker API
  E_WORKER_UNAUTHORIZED: 401,
  E_LEASE_LOST: 409,
  E_STATE_CONFLICT: 409,
  // receivers
  E_LOGIN_FAILED: 401,
  E_SESSION_REQUIRED: 401,
  E_CSRF: 403,
  E_FORBIDDEN: 403,
  E_USER_EXISTS: 409,
  E_USER_INVALID: 400,
  E_INTERNAL: 500,
} as const;

export type PortalErrorCode = keyof typeof PORTAL_ERRORS;

export class PortalError extends BeeldpoortError {
  declare readonly code: PortalErrorCode;
  readonly status: number;

  constructor(code: PortalErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = PORTAL_ERRORS[code];
  }
}

/** The JSON body every error answer carries. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
