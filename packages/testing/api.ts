/** A thin REST client for tests: the same API people and the CLI use. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export class Api {
  /** `token`: sent as `Authorization: Bearer <token>`; null sends none (to test the 401). */
  constructor(
    readonly baseUrl: string,
    readonly token: string | null,
  ) {}

  /** The same server as another caller, e.g. a viewer token next to the admin one. */
  as(token: string | null): Api {
    return new Api(this.baseUrl, token);
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token === null ? {} : { authorization: `Bearer ${this.token}` }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // metrics and health answers may be plain text
    }
    return { status: res.status, body: parsed as T };
  }

  async createWatch(spec: unknown): Promise<any> {
    const res = await this.request('POST', '/api/v1/watches', spec);
    if (res.status !== 201) throw new Error(`create watch: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async watch(id: string): Promise<any> {
    return (await this.request('GET', `/api/v1/watches/${id}`)).body;
  }

  async stopWatch(id: string): Promise<any> {
    const res = await this.request('POST', `/api/v1/watches/${id}/stop`);
    if (res.status !== 200) throw new Error(`stop watch: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** A new token with this role; the answer carries its secret (`token`). */
  async createToken(name: string, role: 'viewer' | 'operator' | 'admin'): Promise<any> {
    const res = await this.request('POST', '/api/v1/tokens', { name, role });
    if (res.status !== 201) throw new Error(`create token: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async host(id: string): Promise<any> {
    return (await this.request('GET', `/api/v1/hosts/${id}`)).body;
  }

  /** Every hit matching the query, following the cursor to the end. */
  async allHits(query: Record<string, string> = {}): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | null = null;
    do {
      const params: URLSearchParams = new URLSearchParams({ ...query, limit: '1000', ...(cursor ? { cursor } : {}) });
      const res: ApiResponse = await this.request('GET', `/api/v1/hits?${params}`);
      if (res.status !== 200) throw new Error(`hits: ${res.status} ${JSON.stringify(res.body)}`);
      items.push(...res.body.items);
      cursor = res.body.next_cursor;
    } while (cursor);
    return items;
  }

  /** One sample of a Prometheus counter or gauge, summed over its label sets. */
  async metric(name: string): Promise<number> {
    const res = await this.request('GET', '/metrics');
    let total = 0;
    for (const line of String(res.body).split('\n')) {
      if (line.startsWith(name + ' ') || line.startsWith(name + '{')) total += Number(line.split(' ').pop());
    }
    return total;
  }
}
