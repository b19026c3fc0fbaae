/** A client of GET /api/v1/events for tests: every `data:` event kept in order, waits on the next match. */
export class EventStream {
  readonly events: any[] = [];
  /** Everything the server sent before the first event (its preamble). */
  preamble = '';
  private waiters: { from: number; match: (event: any) => boolean; resolve: (event: any) => void }[] = [];

  private constructor(
    readonly headers: Headers,
    private readonly abort: AbortController,
  ) {}

  static async open(url: string, token: string): Promise<EventStream> {
    const abort = new AbortController();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: abort.signal });
    if (res.status !== 200 || !res.body) throw new Error(`events: ${res.status} ${await res.text()}`);
    const stream = new EventStream(res.headers, abort);
    void stream.pump(res.body);
    return stream;
  }

  /** Index the next event will have: pass it to `next` to skip what came before. */
  get mark(): number {
    return this.events.length;
  }

  /** The first event at index `from` or later that matches, as it arrives. */
  next(match: (event: any) => boolean, from = 0, timeoutMs = 30_000): Promise<any> {
    const seen = this.events.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events.slice(from))}`)), timeoutMs);
      this.waiters.push({ from, match, resolve: (event) => (clearTimeout(timer), resolve(event)) });
    });
  }

  close(): void {
    this.abort.abort();
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
          if (data.length === 0) {
            if (this.events.length === 0) this.preamble += `${block}\n\n`;
            continue;
          }
          this.push(JSON.parse(data.join('\n')));
        }
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    }
  }

  private push(event: any): void {
    const index = this.events.push(event) - 1;
    this.waiters = this.waiters.filter((w) => {
      if (index < w.from || !w.match(event)) return true;
      w.resolve(event);
      return false;
    });
  }
}
