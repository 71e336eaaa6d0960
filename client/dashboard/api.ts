/**
 * The receiver API as the dashboard uses it (docs/architecture.md, "Receiver"): JSON over fetch with the
 * session cookie, and the CSRF token in X-CSRF-Token on every state change. A 401 means the session is gone
 * (expired or logged out elsewhere): the dashboard returns to the login form instead of showing an error.
 */

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  /** Set after login or from GET /api/receiver/me. */
  csrfToken: string | undefined;
}

export function createApi(onSessionLost: () => void): Api {
  const api: Api = {
    csrfToken: undefined,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
  };

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && api.csrfToken) headers['x-csrf-token'] = api.csrfToken;
    let response: Response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
    } catch (error) {
      throw new ApiError(0, 'E_NETWORK', (error as Error).message);
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      const failure = new ApiError(response.status, error?.code ?? `E_HTTP_${response.status}`, error?.message ?? response.statusText);
      // Login failures are also 401 but belong to the form that caused them.
      if (response.status === 401 && !path.endsWith('/login')) onSessionLost();
      throw failure;
    }
    return parsed as T;
  }

  return api;
}
