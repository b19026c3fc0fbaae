/**
 * The REST client (docs/contracts.md). It turns every way a request can go wrong into a
 * CLI error whose message says what failed and on which server, so commands only handle
 * the happy path.
 */
import { BadInputError, CommandFailedError } from '../cli-error';
import type { ClientConfig } from '../config/client-config';

/** Long enough for a loaded server, short enough that on-call is not left staring. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Names a field of a 400 answer the way the user wrote it (e.g. target.paddr -> --paddr). */
  describeField?: (field: string) => string;
}

interface ErrorBody {
  error?: string;
  message?: string;
  errors?: Array<{ field: string; reason: string }>;
}

export class ApiClient {
  constructor(
    private readonly config: ClientConfig,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  get server(): string {
    return this.config.server;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, options);
  }

  put<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, options);
  }

  delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  private async request<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const url = new URL(this.config.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (this.config.token) headers.authorization = `Bearer ${this.config.token}`;
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      text = await res.text();
    } catch (err) {
      throw new CommandFailedError(`cannot reach the physwatch server at ${this.where()}: ${networkReason(err)}`, [], { cause: err });
    }
    const body = parseJson(text);
    if (res.ok) return body as T;
    throw this.errorFor(method, path, res.status, body, options.describeField ?? ((f) => f));
  }

  private errorFor(method: string, path: string, status: number, body: unknown, describeField: (field: string) => string): Error {
    const err: ErrorBody = typeof body === 'object' && body !== null ? (body as ErrorBody) : { message: String(body) };
    const what = err.message ?? err.error ?? '(no message)';
    if (status === 400) {
      const problems = (err.errors ?? []).map((e) => `${describeField(e.field)}: ${e.reason}`);
      return new BadInputError(`the server refused ${method} ${path} (${err.error ?? 'bad request'})${problems.length ? ':' : `: ${what}`}`, problems);
    }
    if (status === 404) return new CommandFailedError(`${what} (server ${this.config.server})`);
    if (status === 401) {
      const fix = this.config.tokenSource === null
        ? 'no token is set: pass --token, set PHYSWATCH_TOKEN, or put "token: …" in the config file (~/.config/physwatch/config.yaml or PHYSWATCH_CONFIG)'
        : `the token comes from ${this.config.tokenSource}`;
      return new CommandFailedError(`not authenticated by ${this.config.server}: ${what}; ${fix}`);
    }
    if (status === 403) return new CommandFailedError(`not allowed by ${this.config.server}: ${what} (token from ${this.config.tokenSource})`);
    return new CommandFailedError(`${method} ${path} on ${this.config.server} failed: ${status} ${err.error ?? ''} ${what}`.replace(/\s+/g, ' '));
  }

  private where(): string {
    return this.config.serverSource === 'default' ? `${this.config.server} (the default; set --server or PHYSWATCH_SERVER)` : `${this.config.server} (from ${this.config.serverSource})`;
  }
}

function networkReason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  // fetch wraps the socket error ("connect ECONNREFUSED 127.0.0.1:8080") in its cause.
  const cause = (err as { cause?: { message?: string } }).cause;
  return cause?.message ?? (err as Error).message ?? String(err);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
