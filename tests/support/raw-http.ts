/**
 * HTTP/1.1 over a plain socket, for bytes fetch() refuses to send (NUL in the request line,
 * bad percent-escapes, repeated or conflicting headers, a body that arrives byte by byte).
 * Every request says `Connection: close`, so the answer ends when the server closes.
 */
import { connect, Socket } from 'node:net';

export interface RawResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON when it is JSON, else undefined. */
  json: any;
}

export interface RawRequest {
  method: string;
  /** Sent exactly as given: no escaping. */
  target: string;
  headers?: Array<[string, string]>;
  body?: string | Buffer;
  /** Sends no Content-Length of its own (the test gives its own, or none). */
  noContentLength?: boolean;
}

function parse(raw: Buffer): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no HTTP answer, only ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const text = raw.subarray(end + 4).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text, json };
}

/** The head of a request, ending in the blank line. */
export function requestHead(req: RawRequest): string {
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  const lines = [`${req.method} ${req.target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of req.headers ?? []) lines.push(`${name}: ${value}`);
  if (body !== undefined && !req.noContentLength) lines.push(`Content-Length: ${body.length}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Writes `chunks` one after another (each after `gapMs`, when given) and resolves with the answer once the server closes. */
export function exchange(port: number, chunks: Array<string | Buffer>, gapMs = 0): Promise<RawResponse & { unsent: number }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let next = 0;
    let timer: NodeJS.Timeout | undefined;
    const writeNext = () => {
      if (socket.destroyed || next >= chunks.length) return;
      socket.write(chunks[next++]);
      if (gapMs > 0) timer = setTimeout(writeNext, gapMs);
      else writeNext();
    };
    socket.on('connect', writeNext);
    socket.on('data', (d) => received.push(d));
    // The server may reset a connection it refuses while bytes are still in flight.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve({ ...parse(Buffer.concat(received)), unsent: chunks.length - next });
      } catch (err) {
        reject(err);
      }
    });
  });
}

export function rawRequest(port: number, req: RawRequest): Promise<RawResponse> {
  const body = req.body === undefined ? [] : [Buffer.from(req.body)];
  return exchange(port, [Buffer.concat([Buffer.from(requestHead(req), 'latin1'), ...body])]);
}
