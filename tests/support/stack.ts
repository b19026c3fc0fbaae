/** Starts the real orchestrator and agent processes, as built by `turbo run build`. */
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
  /** PHYSWATCH_ADMIN_TOKEN; by default one derived from the schema (replicas share it). */
  adminToken: string;
  env?: Record<string, string>;
}

export class Orchestrator {
  child!: Child;

  private constructor(readonly options: OrchestratorOptions) {}

  static async start(options: Partial<OrchestratorOptions> = {}): Promise<Orchestrator> {
    const schema = options.schema ?? freshSchemaName('e2e');
    const orchestrator = new Orchestrator({
      schema,
      adminToken: options.adminToken ?? testAdminToken(schema),
      httpPort: options.httpPort ?? (await freePort()),
      grpcPort: options.grpcPort ?? (await freePort()),
      env: options.env,
    });
    await orchestrator.spawn();
    return orchestrator;
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
  extra?: Record<string, unknown>;
}

export class Agent {
  child!: Child;

  private constructor(
    readonly options: AgentOptions,
    readonly stateDir: string,
  ) {}

  static async start(options: AgentOptions): Promise<Agent> {
    const stateDir = options.stateDir ?? mkdtempSync(path.join(tmpdir(), `physwatch-agent-${options.hostId}-`));
    const agent = new Agent(options, stateDir);
    await agent.spawn();
    return agent;
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
