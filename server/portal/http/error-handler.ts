/**
 * The central Express error handler: PortalError -> its status and `{ error: { code, message } }`; body-parser
 * errors -> E_BODY_TOO_LARGE / E_BAD_REQUEST; anything else -> 500 E_INTERNAL with the detail only in the log.
 */
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { errorBody, PortalError } from '../errors.ts';

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof PortalError) {
      if (error.code === 'E_RATE_LIMITED') res.set('Retry-After', '60');
      res.status(error.status).json(errorBody(error.code, error.message));
      return;
    }
    const parserError = error as { type?: string; status?: number };
    if (parserError.type === 'entity.too.large') {
      res.status(413).json(errorBody('E_BODY_TOO_LARGE', 'the request body is too large'));
      return;
    }
    if (parserError.type === 'entity.parse.failed' || parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') {
      res.status(400).json(errorBody('E_BAD_REQUEST', 'the request body is not valid JSON'));
      return;
    }
    log.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json(errorBody('E_INTERNAL', 'internal error'));
  };
}
