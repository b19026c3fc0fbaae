/**
 * The agent's configuration: the one place its keys, their types and their defaults are
 * written (docs/contracts.md, "Agent process"). Everything else receives `AgentConfig`.
 */
import { AGENT_LIMITS, MAX_PADDR, parseU64, WIDTHS } from '@physwatch/core';
import { z } from 'zod';
import { SPOOL_MEMORY_DEFAULT } from '../spool/spool';

export const DEFAULT_STATE_DIR = '/var/lib/physwatch-agent';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// The orchestrator's selector syntax (packages/core selector.ts): a label it cannot parse
// could never be selected, so it is refused here rather than silently ignored there.
// And the sizes a Hello may carry (packages/core agent-limits): the orchestrator refuses a Hello beyond them.
const labelKey = z.string().max(AGENT_LIMITS.labelKeyLength).regex(/^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/, 'not a label key (letters, digits, "._/-", alphanumeric at both ends)');
const labelValue = z.string().max(AGENT_LIMITS.labelValueLength).regex(/^[^\s,()=!\u0000]*$/, 'no spaces, commas, parentheses, "=", "!" or NUL');
const hostPort = z.string().regex(/^\S+:[0-9]{1,5}$/, 'must be host:port (no spaces)');
// Same shape the orchestrator accepts for host ids in a watch's host list.
const HOST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

const u64 = z.union([z.string(), z.number()]).transform((input, ctx) => {
  const value = parseU64(input);
  if (value === null) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(input)} is not a u64 ("0x…" hex or decimal)` });
    return z.NEVER;
  }
  return value;
});

const paddr = u64.refine((value) => value <= MAX_PADDR, 'beyond the 52-bit physical address space');

const positiveMs = z.number().int().positive();

const corruptionStep = z
  .strictObject({
    afterMs: z.number().int().nonnegative().default(0),
    paddr,
    width: z.union(WIDTHS.map((w) => z.literal(w))).default(1),
    values: z.array(u64).min(1),
    everyMs: positiveMs.default(1000),
    /** Writes in all; 0 means until the agent stops. */
    count: z.number().int().nonnegative().default(1),
  })
  .superRefine((step, ctx) => {
    if (step.paddr % BigInt(step.width) !== 0n) {
      ctx.addIssue({ code: 'custom', path: ['paddr'], message: `not aligned to width ${step.width}` });
    }
    const max = (1n << BigInt(step.width * 8)) - 1n;
    step.values.forEach((value, i) => {
      if (value > max) ctx.addIssue({ code: 'custom', path: ['values', i], message: `wider than width ${step.width}` });
    });
  });

const simulatedBackend = z.strictObject({
  kind: z.literal('simulated'),
  /** Default: `<stateDir>/sim-memory`, filled in after stateDir is known. */
  memoryFile: z.string().min(1).optional(),
  memorySize: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).default(64 * 1024 * 1024),
  symbols: z.record(z.string().regex(/^[A-Za-z_.][A-Za-z0-9_.$]*$/, 'not a symbol name'), paddr).default({}),
  corruption: z.array(corruptionStep).default([]),
  /** The physical address width the simulated host advertises and enforces; 0: not stated. */
  physAddrBits: z.number().int().min(0).max(64).default(0),
});

const kernelBackend = z
  .strictObject({
    kind: z.literal('kernel'),
    /** How to get physwatch.ko in: insmod `modulePath`, modprobe (DKMS), or expect it loaded. */
    load: z.enum(['insmod', 'modprobe', 'none']).optional(),
    modulePath: z.string().min(1).optional(),
    device: z.string().min(1).default('/dev/physwatch'),
    status: z.string().min(1).default('/proc/physwatch'),
    kmsg: z.string().min(1).default('/dev/kmsg'),
    /** The module's sysfs directory: its version and srcversion become host facts. */
    sysModuleDir: z.string().min(1).default('/sys/module/physwatch'),
    /** Pause between non-blocking reads of the device once it is drained. */
    readIntervalMs: z.number().int().positive().max(1000).default(5),
  })
  .refine((b) => b.load !== 'insmod' || b.modulePath !== undefined, { message: 'required when load is "insmod"', path: ['modulePath'] });

/** Host facts as labels; `root` lets tests point at a copy of /sys and /proc. */
const facts = z.strictObject({
  enabled: z.boolean().default(true),
  root: z.string().min(1).default('/'),
  /** `ethtool -i` for NIC firmware versions (only when root is "/"). */
  ethtool: z.boolean().default(true),
});

/**
 * Crashing the host into kdump on the orchestrator's request (docs/contracts.md, "Kdump").
 * Off unless this file says so: the orchestrator alone must never be able to crash a host.
 */
const kdump = z.strictObject({
  allowCrash: z.boolean().default(false),
  crashDir: z.string().min(1).default('/var/crash'),
  sysrqTrigger: z.string().min(1).default('/proc/sysrq-trigger'),
  crashKernelLoaded: z.string().min(1).default('/sys/kernel/kexec_crash_loaded'),
});

export const configSchema = z
  .strictObject({
    server: hostPort.default('127.0.0.1:50051'),
    /** Development only: plaintext to an orchestrator running GRPC_INSECURE, no certificate. */
    insecure: z.boolean().default(false),
    /** The CA the orchestrator's gRPC server certificate chains to (its PKI_DIR/ca/cert.pem unless given). */
    tls: z
      .strictObject({
        ca: z.string({ error: "required: the CA certificate (PEM path) that signed the orchestrator's gRPC server certificate" }).min(1),
        /** The name the server certificate carries, when `server` is an address it does not name. */
        serverName: z.string().min(1).optional(),
      })
      .optional(),
    /** How a host without a certificate gets one; the certificate is kept in <stateDir>/identity. */
    enrollment: z
      .strictObject({
        /** Default: the host of `server`, port 50052. */
        server: hostPort.optional(),
        token: z.string().min(1).optional(),
        tokenFile: z.string().min(1).optional(),
      })
      .refine((e) => e.token === undefined || e.tokenFile === undefined, 'token and tokenFile: give one, not both')
      .default({}),
    hostId: z.string().regex(HOST_ID, 'must start with a letter or digit; letters, digits, ".", "_", ":", "-"; at most 128').optional(),
    bootId: z.string().regex(/^\S{1,128}$/, 'must be 1 to 128 characters without spaces').optional(),
    hostname: z.string().min(1).optional(),
    // The orchestrator's selector syntax: a label it cannot parse could never be selected.
    labels: z
      .record(labelKey, labelValue)
      .refine((labels) => Object.keys(labels).length <= AGENT_LIMITS.labels, `at most ${AGENT_LIMITS.labels} labels`)
      .default({}),
    stateDir: z.string().min(1).default(DEFAULT_STATE_DIR),
    heartbeatIntervalMs: positiveMs.default(5000),
    reconnect: z
      .strictObject({ initialMs: positiveMs.default(200), maxMs: positiveMs.default(10_000) })
      .refine((r) => r.maxMs >= r.initialMs, { message: 'maxMs must be >= initialMs', path: ['maxMs'] })
      .default({ initialMs: 200, maxMs: 10_000 }),
    batch: z
      .strictObject({ maxHits: z.number().int().positive().max(10_000).default(500), maxDelayMs: z.number().int().nonnegative().default(50) })
      .default({ maxHits: 500, maxDelayMs: 50 }),
    drainTimeoutMs: z.number().int().nonnegative().default(5000),
    /** The most unacked hits kept in memory; beyond it they wait in the journal only (src/spool/spool.ts). */
    spool: z
      .strictObject({
        memoryHits: z.number().int().positive().default(SPOOL_MEMORY_DEFAULT.hits),
        memoryBytes: z.number().int().min(64 * 1024).default(SPOOL_MEMORY_DEFAULT.bytes),
      })
      .prefault({}),
    backend: z.discriminatedUnion('kind', [simulatedBackend, kernelBackend]),
    /** A node_exporter textfile the agent rewrites every intervalMs (src/metrics/textfile.ts); null: none. */
    metrics: z
      .strictObject({ textfile: z.string().regex(/\.prom$/, 'must end in .prom (node_exporter reads only those)').nullable().default(null), intervalMs: positiveMs.default(15_000) })
      .prefault({}),
    facts: facts.default({ enabled: true, root: '/', ethtool: true }),
    // prefault: `{}` goes through the schema, so the defaults above are the only ones.
    kdump: kdump.prefault({}),
    /** Only from LOG_LEVEL; the file format in the contract has no log key. */
    logLevel: z.enum(LOG_LEVELS).default('info'),
  });

type Parsed = z.output<typeof configSchema>;
export type EnrollmentConfig = Parsed['enrollment'] & { server: string };
export type CorruptionStep = z.output<typeof corruptionStep>;
export type SimulatedBackendConfig = Omit<z.output<typeof simulatedBackend>, 'memoryFile'> & { memoryFile: string };
/** `load` defaults to insmod when a path is given, else modprobe; `watchFile` lives in stateDir. */
export type KernelBackendConfig = Omit<z.output<typeof kernelBackend>, 'load'> & {
  load: 'insmod' | 'modprobe' | 'none';
  watchFile: string;
};
export type FactsConfig = z.output<typeof facts>;
export type KdumpConfig = z.output<typeof kdump>;
export type TlsConfig = NonNullable<Parsed['tls']>;

/** The validated configuration, with identity resolved; frozen before anyone sees it. */
export type AgentConfig = Readonly<
  Omit<Parsed, 'hostId' | 'bootId' | 'hostname' | 'backend' | 'enrollment'> & {
    enrollment: EnrollmentConfig;
    hostId: string;
    bootId: string;
    hostname: string;
    backend: SimulatedBackendConfig | KernelBackendConfig;
    /** The file the configuration came from (absolute), named in policy refusals. */
    configPath: string;
  }
>;
