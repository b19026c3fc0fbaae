import { currentSession, signOut } from './session';

/** An answer other than 2xx, with the API's error body (`error`, `message`, `errors`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: Array<{ field: string; reason: string }> = [],
  ) {
    super(message);
  }
}

export function authHeaders(): Record<string, string> {
  const token = currentSession().token;
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Reads an error answer; a 401 also ends the session, since every later call would fail too. */
export async function apiError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let body: { error?: string; message?: string; errors?: Array<{ field: string; reason: string }> } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // a proxy or a crashed server may answer with plain text
  }
  const message = body.message ?? (text.trim().slice(0, 200) || `${res.status} ${res.statusText}`);
  const err = new ApiError(res.status, body.error ?? 'http_error', message, body.errors);
  // The first 401 ends the session and says why; requests still in flight with the same
  // token (their bodies perhaps cut off by the sign-out) must not overwrite that reason.
  if (res.status === 401 && currentSession().token !== null) signOut(message);
  return err;
}

export async function getJson<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, value);
  const qs = params.toString();
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}${qs ? `?${qs}` : ''}`, { headers: { accept: 'application/json', ...authHeaders() } });
  } catch (err) {
    throw new ApiError(0, 'unreachable', `the orchestrator did not answer (${(err as Error).message})`);
  }
  if (!res.ok) throw await apiError(res);
  return (await res.json()) as T;
}

/** An operator's action: POST with a JSON body, the answer parsed; errors as getJson's. */
export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', ...authHeaders() },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'unreachable', `the orchestrator did not answer (${(err as Error).message})`);
  }
  if (!res.ok) throw await apiError(res);
  return (await res.json()) as T;
}
