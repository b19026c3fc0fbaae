/**
 * Starts the real orchestrator and agent processes, as built by `turbo run build`, the way
 * production runs them: the orchestrator generates its agent CA and server certificate into a
 * PKI dir (shared by replicas of one schema), agents enroll with an enrollment token and then
 * speak mutual TLS. `insecure: true` on both sides gives the plaintext development mode.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Child, startChild } from './child';
import { freePort, freshSchemaName, testAdminToken, testDatabaseUrl, testRedisUrl } from './env';

const ROOT = path.resolve(__dirname, '../..');
const ORCHESTRATOR_MAIN = path.join(ROOT, 'apps/orchestrator/dist/main.js');
const AGENT_MAIN = path.join(ROOT, 'apps/agent/dist/main.js');

export interface OrchestratorOptions {
  schema: string;
  httpPort: number;
  grpcPort: number;
  /** Enrollment (server-only TLS). */
  enrollPort: number;
  /** GRPC_INSECURE: plaintext, no enrollment. */
  insecure: boolean;
  /** PKI_DIR: by default one per schema, so replicas share the CA. */
  pkiDir: string;
  /** PHYSWATCH_ADMIN_TOKEN; by default one derived from the schema (replicas share it). */
  adminToken: string;
  env?: Record<string, string>;
}

const pkiDirs = new Set<string>();
process.on('exit', () => {
  for (const dir of pkiDirs) rmSync(dir, { recursive: true, force: true });
});

/** The orchestrators this test process started, newest last: how an agent behind a relay finds its enrollment server. */
const started: Orchestrator[] = [];
/** One multi-use enrollment token per schema, made through the REST API on first need. */
const enrollmentTokens = new Map<string, Promise<string>>();

export class Orchestrator {
  child!: Child;

  private constructor(readonly options: OrchestratorOptions) {}

  static async start(options: Partial<OrchestratorOptions> = {}): Promise<Orchestrator> {
    const schema = options.schema ?? freshSchemaName('e2e');
    const pkiDir = options.pkiDir ?? path.join(tmpdir(), `physwatch-pki-${schema}`);
    pkiDirs.add(pkiDir);
    const orchestrator = new Orchestrator({
      schema,
      adminToken: options.adminToken ?? testAdminToken(schema),
      httpPort: options.httpPort ?? (await freePort()),
      grpcPort: options.grpcPort ?? (await freePort()),
      enrollPort: options.enrollPort ?? (await freePort()),
      insecure: options.insecure ?? false,
      pkiDir,
      env: options.env,
    });
    await orchestrator.spawn();
    started.push(orchestrator);
    return orchestrator;
  }

  /** The orchestrator serving `server` (its gRPC address), else the newest one started (the agent talks through a relay). */
  static forServer(server: string): Orchestrator | undefined {
    return started.find((o) => o.grpcAddress === server) ?? started[started.length - 1];
  }

  /** Starts the process again on the same ports and schema, as after a crash or a deploy. */
  async spawn(): Promise<void> {
    this.child = startChild('orchestrator', process.execPath, [ORCHESTRATOR_MAIN], {
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_SCHEMA: this.options.schema,
      REDIS_URL: testRedisUrl(),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(this.options.httpPort),
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(this.options.grpcPort),
      ENROLL_PORT: String(this.options.enrollPort),
      ...(this.options.insecure ? { GRPC_INSECURE: 'true' } : { PKI_DIR: this.options.pkiDir }),
      LOG_LEVEL: 'info',
      PHYSWATCH_ADMIN_TOKEN: this.options.adminToken,
      ...this.options.env,
    });
    await this.child.waitForLog((l) => l.msg === 'orchestrator ready');
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.httpPort}`;
  }

  /** The bootstrap admin token it was started with. */
  get adminToken(): string {
    return this.options.adminToken;
  }

  get grpcAddress(): string {
    return `127.0.0.1:${this.options.grpcPort}`;
  }

  get enrollAddress(): string {
    return `127.0.0.1:${this.options.enrollPort}`;
  }

  /** The agent CA certificate (generated at first start): what agents trust as tls.ca. */
  get caCert(): string {
    return path.join(this.options.pkiDir, 'ca', 'cert.pem');
  }

  /** A token that enrolls many hosts, made once per schema through POST /api/v1/enrollment-tokens. */
  enrollmentToken(): Promise<string> {
    let token = enrollmentTokens.get(this.options.schema);
    if (!token) {
      token = this.createEnrollmentToken({ name: 'test-stack', max_uses: 100_000, expires_in: '1d' }).then((t) => t.token);
      enrollmentTokens.set(this.options.schema, token);
    }
    return token;
  }

  async createEnrollmentToken(body: Record<string, unknown>): Promise<{ id: string; token: string }> {
    const response = await fetch(`${this.url}/api/v1/enrollment-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { id: string; token: string };
    if (response.status !== 201) throw new Error(`creating an enrollment token answered ${response.status}: ${JSON.stringify(json)}`);
    return json;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.child.stop(signal);
  }
}

export interface AgentOptions {
  server: string;
  hostId: string;
  labels?: Record<string, string>;
  /** Reuse a state dir to restart "the same" agent; a new one is made otherwise. */
  stateDir?: string;
  memorySize?: number;
  symbols?: Record<string, string>;
  /** Plaintext to a GRPC_INSECURE orchestrator: no tls, no enrollment. */
  insecure?: boolean;
  /** The orchestrator to enroll with; by default the one serving `server`, else the newest started. */
  orchestrator?: Orchestrator;
  /** The enrollment token in the config; by default the orchestrator's shared test token, null for none. */
  enrollmentToken?: string | null;
  extra?: Record<string, unknown>;
}

export class Agent {
  child!: Child;

  private constructor(
    readonly options: AgentOptions,
    readonly stateDir: string,
  ) {}

  private identityConfig: Record<string, unknown> = { insecure: true };

  static async start(options: AgentOptions): Promise<Agent> {
    const stateDir = options.stateDir ?? mkdtempSync(path.join(tmpdir(), `physwatch-agent-${options.hostId}-`));
    const agent = new Agent(options, stateDir);
    if (!options.insecure) {
      const orchestrator = options.orchestrator ?? Orchestrator.forServer(options.server);
      if (!orchestrator) throw new Error(`no orchestrator started to enroll ${options.hostId} with; pass insecure: true for plaintext`);
      const token = options.enrollmentToken === undefined ? await orchestrator.enrollmentToken() : options.enrollmentToken;
      agent.identityConfig = { tls: { ca: orchestrator.caCert }, enrollment: { server: orchestrator.enrollAddress, ...(token === null ? {} : { token }) } };
    }
    await agent.spawn();
    return agent;
  }

  /** Where the agent keeps its key and certificate (<stateDir>/identity). */
  get identityDir(): string {
    return path.join(this.stateDir, 'identity');
  }

  /** Guest "physical memory": file offset = physical address. */
  get memoryFile(): string {
    return path.join(this.stateDir, 'sim-memory');
  }

  async spawn(): Promise<void> {
    const configFile = path.join(this.stateDir, 'agent.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        server: this.options.server,
        hostId: this.options.hostId,
        hostname: this.options.hostId,
        labels: this.options.labels ?? {},
        stateDir: this.stateDir,
        ...this.identityConfig,
        heartbeatIntervalMs: 1000,
        reconnect: { initialMs: 100, maxMs: 1000 },
        batch: { maxHits: 100, maxDelayMs: 10 },
        backend: {
          kind: 'simulated',
          memoryFile: this.memoryFile,
          memorySize: this.options.memorySize ?? 64 * 1024 * 1024,
          symbols: this.options.symbols ?? {},
        },
        ...this.options.extra,
      }),
    );
    this.child = startChild(`agent ${this.options.hostId}`, process.execPath, [AGENT_MAIN, '--config', configFile], {});
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.child.stop(signal);
  }

  removeState(): void {
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
