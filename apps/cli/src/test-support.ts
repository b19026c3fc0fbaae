/** Test helpers: a CliIo that records, and a scripted REST server on a free port. */
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import type { CliIo } from './io';

export type RecordingIo = CliIo & { stdout: string; stderr: string; answers: string[] };

export function recordingIo(env: Record<string, string> = {}, interactive = false): RecordingIo {
  const io: RecordingIo = {
    stdout: '',
    stderr: '',
    answers: [],
    out: (text) => void (io.stdout += text),
    err: (text) => void (io.stderr += text),
    interactive,
    stderrIsTTY: false,
    ask: async (question) => {
      io.stderr += question;
      return io.answers.shift() ?? '';
    },
    env,
    homeDir: '/nonexistent-home',
    readFile: () => null,
    interrupted: () => new Promise(() => {}),
  };
  return io;
}

export interface SeenRequest {
  method: string;
  url: string;
  authorization?: string;
  body: unknown;
}

export type Reply = { status: number; body: unknown };

/** Answers each request with `reply(request)`; records every request. */
export async function scriptedServer(reply: (req: SeenRequest) => Reply): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const request: SeenRequest = { method: req.method!, url: req.url!, authorization: req.headers.authorization, body: text ? JSON.parse(text) : undefined };
      seen.push(request);
      const { status, body } = reply(request);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** For a test file: `server(reply)` starts a scripted server, and every one is closed after each test. */
export function scriptedServers(): (reply: (req: SeenRequest) => Reply) => ReturnType<typeof scriptedServer> {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    while (servers.length) await servers.pop()!.close();
  });
  return async (reply) => {
    const s = await scriptedServer(reply);
    servers.push(s);
    return s;
  };
}
