/**
 * The kernel WatchBackend: physwatch.ko behind /dev/physwatch (commands in, event lines
 * out) and /proc/physwatch (what it holds). The module, not this process, owns the
 * watches: closing the backend stops reading but leaves them armed, so an agent restart
 * or upgrade never opens a blind window; events queue in the module until the next read.
 */
import * as fs from 'node:fs';
import { ArmSpec, MAX_REGION_LEN, parseModuleEvent, WatchTarget } from '@physwatch/core';
import type { Logger } from 'pino';
import type { KernelBackendConfig } from '../../config/schema';
import { BackendEventListener, BackendEventListeners } from '../backend-events';
import { beyondPhysBits } from '../phys-bits';
import type { ArmedWatch, ArmResult, BackendCapabilities, WatchBackend } from '../watch-backend';
import { EventReader } from './event-reader';
import { KmsgTail } from './kmsg';
import { addCommand, delCommand } from './module-command';
import { isOrchestratorWatch, moduleHitToBackendHit } from './module-hit';
import { loadModule, ModuleState } from './module-loader';
import { ModuleStatus, ModuleWatch, parseProcStatus } from './proc-status';
import { readWatchFile, writeWatchFile } from './watch-file';

/** One line of /sys/module/physwatch/<name>, if it is there and fits a label value. */
function readModuleParam(dir: string, name: string): string | null {
  try {
    const value = fs.readFileSync(`${dir}/${name}`, 'utf8').trim();
    return /^[\w.+~-]{1,64}$/.test(value) ? value : null;
  } catch {
    return null;
  }
}

function sameTarget(t: WatchTarget, h: WatchTarget): boolean {
  if (t.kind === 'paddr') return h.kind === 'paddr' && h.paddr === t.paddr;
  if (t.kind === 'pci_bar') return h.kind === 'pci_bar' && h.device === t.device && h.bar === t.bar && h.offset === t.offset;
  // The module does not print a sentinel's pattern (proc-status reads a guess from last=).
  if (t.kind === 'sentinel') return h.kind === 'sentinel' && h.pages === t.pages;
  return h.kind === 'symbol' && h.name === t.name && h.offset === t.offset;
}

/** Whether the module holds `spec` as given (every field it reports; funcs, rate and a sentinel's pattern it does not). */
export function moduleMatches(spec: Omit<ArmSpec, 'maxHits'>, held: ModuleWatch['spec']): boolean {
  return (
    sameTarget(spec.target, held.target) &&
    spec.mode === held.mode &&
    spec.width === held.width &&
    spec.len === held.len &&
    spec.condition === held.condition &&
    (spec.condition === 'any_change' || spec.value === held.value) &&
    (spec.condition !== 'mask_equals' || spec.mask === held.mask) &&
    spec.intervalUs === held.intervalUs &&
    spec.action === held.action
  );
}

export class KernelBackend implements WatchBackend {
  readonly capabilities: BackendCapabilities;

  private readonly events = new BackendEventListeners();
  private readonly specs: Map<string, ArmSpec>;
  private reader: EventReader | undefined;
  private kmsg: KmsgTail | undefined;
  private closed = false;
  /** Events the module could not queue or chose not to report, as it said (logged, counted). */
  lost = 0n;
  suppressed = 0n;

  private constructor(
    private readonly config: KernelBackendConfig,
    readonly module: ModuleState,
    private readonly fds: { read: number; write: number } | null,
    private readonly log: Logger,
  ) {
    this.specs = readWatchFile(config.watchFile);
    this.capabilities = {
      backend: 'kernel',
      maxWatches: 256,
      minIntervalUs: 100,
      targetKinds: ['paddr', 'symbol', 'pci_bar', 'sentinel'],
      actions: ['report', 'stack', 'panic', 'hang'],
      maxRegionLen: MAX_REGION_LEN,
      // ftrace needs CONFIG_DYNAMIC_FTRACE (on in Debian's kernels); where it is off the
      // module refuses mode=ftrace itself and its reason reaches the watch state.
      modes: ['timer', 'ftrace', 'both'],
      physAddrBits: module.state === 'loaded' ? this.readStatus()?.physBits ?? 0 : 0,
    };
  }

  static async open(config: KernelBackendConfig, log: Logger): Promise<KernelBackend> {
    const module = await loadModule(config, log);
    let fds: { read: number; write: number } | null = null;
    let state = module;
    if (module.state === 'loaded') {
      try {
        const read = fs.openSync(config.device, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        fds = { read, write: fs.openSync(config.device, fs.constants.O_WRONLY) };
      } catch (err) {
        state = { state: 'unavailable', problem: 'device-missing', reason: `cannot open ${config.device}: ${(err as Error).message}` };
        log.error({ reason: state.reason }, 'physwatch module unavailable');
      }
    }
    const backend = new KernelBackend(config, state, fds, log);
    if (fds) {
      backend.kmsg = KmsgTail.open(config.kmsg);
      backend.reader = new EventReader(fds.read, config.readIntervalMs, (lines) => backend.onLines(lines), log);
      backend.reader.start();
      log.info({ device: config.device, held: backend.armed().map((w) => w.spec.watchId) }, 'kernel backend open');
    }
    return backend;
  }

  async arm(spec: ArmSpec): Promise<ArmResult> {
    if (this.closed) return { phase: 'failed', reason: 'backend is closed' };
    if (this.module.state !== 'loaded' || !this.fds) {
      return { phase: 'failed', reason: `physwatch module unavailable: ${this.module.state === 'unavailable' ? this.module.reason : 'not open'}` };
    }
    // The module refuses it too (-ERANGE), but this reason carries the host's number.
    const beyond = beyondPhysBits(spec, this.capabilities.physAddrBits, 'phys_bits in /proc/physwatch');
    if (beyond) return { phase: 'failed', reason: beyond };
    this.kmsg?.skip();
    try {
      fs.writeSync(this.fds.write, addCommand(spec));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      const said = this.kmsg?.reasonFor(spec.watchId) ?? null;
      return { phase: 'failed', reason: said ? `module: ${said}` : `module refused the watch (${code})` };
    }
    this.specs.set(spec.watchId, spec);
    this.saveSpecs();
    const held = this.status().find((w) => w.id === spec.watchId);
    if (!held) return { phase: 'failed', reason: 'module accepted the watch but /proc/physwatch does not list it' };
    return { phase: 'armed', resolvedPaddr: held.resolvedPaddr, memoryKind: held.memoryKind, polling: held.polling };
  }

  async disarm(watchId: string): Promise<void> {
    if (this.fds && this.status().some((w) => w.id === watchId)) {
      try {
        fs.writeSync(this.fds.write, delCommand(watchId));
      } catch (err) {
        // ENOENT: gone already (a race with nothing else); anything else is worth a line.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.error({ watchId, err }, 'del failed');
      }
    }
    if (this.specs.delete(watchId)) this.saveSpecs();
  }

  /** Read back from the module every time: it is the truth, whatever this process remembers. */
  armed(): ArmedWatch[] {
    return this.status()
      .filter((w) => w.state === 'armed' && isOrchestratorWatch(BigInt(w.id)))
      .map((w) => {
        const known = this.specs.get(w.id);
        // Not ours as held: funcs and rate are unknown, so the reconciler sees a different spec and re-adds.
        const spec = known && moduleMatches(known, w.spec) ? known : { ...w.spec, funcs: [], rate: null, maxHits: null };
        return { spec, resolvedPaddr: w.resolvedPaddr, memoryKind: w.memoryKind, polling: w.polling };
      });
  }

  undelivered(): { lost: bigint; suppressed: bigint } {
    return { lost: this.lost, suppressed: this.suppressed };
  }

  /** Facts for the fleet: loaded with which build, or unavailable and why (the reason goes with each failed watch). */
  statusLabels(): Record<string, string> {
    if (this.module.state === 'unavailable') return { 'physwatch.module': 'unavailable', 'physwatch.module.problem': this.module.problem };
    const labels: Record<string, string> = { 'physwatch.module': 'loaded' };
    for (const [label, file] of [['physwatch.module.version', 'version'], ['physwatch.module.srcversion', 'srcversion']] as const) {
      const value = readModuleParam(this.config.sysModuleDir, file);
      if (value) labels[label] = value;
    }
    return labels;
  }

  onEvent(listener: BackendEventListener): () => void {
    return this.events.add(listener);
  }

  /** Stops reading and releases the device; the module keeps its watches (see the top). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.events.close();
    await this.reader?.stop();
    this.kmsg?.close();
    if (this.fds) {
      fs.closeSync(this.fds.read);
      fs.closeSync(this.fds.write);
    }
  }

  private status(): ModuleWatch[] {
    return this.readStatus()?.watches ?? [];
  }

  private readStatus(): ModuleStatus | null {
    try {
      return parseProcStatus(fs.readFileSync(this.config.status, 'utf8'));
    } catch (err) {
      this.log.error({ err }, `cannot read ${this.config.status}`);
      return null;
    }
  }

  private saveSpecs(): void {
    try {
      writeWatchFile(this.config.watchFile, this.specs);
    } catch (err) {
      this.log.warn({ err }, 'cannot save armed specs; max_hits is re-sent after a restart');
    }
  }

  private onLines(lines: string[]): void {
    let exhaustible = false;
    for (const line of lines) {
      const event = parseModuleEvent(line);
      if (!event) {
        if (line.trim() !== '') this.log.warn({ line }, 'unparsable line from /dev/physwatch');
      } else if (event.kind === 'overflow') {
        this.lost += event.lost;
        this.log.error({ moduleSeq: event.seq.toString(), lost: event.lost.toString() }, 'module event queue overflowed: hits lost (raise fifo_size)');
      } else if (event.kind === 'suppressed') {
        this.suppressed += event.count;
        this.log.warn({ watchId: event.id.toString(), count: event.count.toString() }, 'module suppressed hits (rate or poll_event_cap)');
      } else if (!isOrchestratorWatch(event.id)) {
        this.log.warn({ line }, 'hit of a module-parameter watch (not the orchestrator\'s); logged only');
      } else {
        const watchId = event.id.toString();
        exhaustible ||= (this.specs.get(watchId)?.maxHits ?? 0) > 0;
        this.events.emit({ kind: 'hit', hit: moduleHitToBackendHit(event) });
      }
    }
    if (exhaustible) this.reportDisarmed();
  }

  /** max_hits is enforced by the module; its status says when a watch gave up. */
  private reportDisarmed(): void {
    for (const w of this.status()) {
      if (w.state === 'disarmed' && this.specs.has(w.id)) {
        this.specs.delete(w.id);
        this.saveSpecs();
        this.events.emit({ kind: 'disarmed', watchId: w.id, reason: w.err ?? 'disarmed by the module' });
      }
    }
  }
}
