/**
 * One dump -> its VmcoreReport: identity (path, size, sha256), what its header says, the
 * saved dmesg (excerpt and the module's hit lines), and which boot and which CrashRequest
 * it came from, as recorded in stateDir before the crash.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { AgentMessage } from '@physwatch/proto';
import { crashedBoot, readBoots } from './boot-history';
import { readCrashRecord } from './crash-record';
import { dmesgExcerpt } from './dmesg-excerpt';
import type { FoundDump } from './dump-discovery';
import { readDumpHeader } from './dump-header';
import { recoverHits } from './recovered-hits';

export type VmcoreReport = NonNullable<AgentMessage['vmcore_report']>;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

export async function describeDump(dump: FoundDump, stateDir: string, currentBootId: string): Promise<VmcoreReport> {
  const stat = await fs.promises.stat(dump.path);
  const [sha256, header] = await Promise.all([sha256File(dump.path), readDumpHeader(dump.path)]);
  const crashTimeMs = header.crashTimeMs ?? Math.round(stat.mtimeMs);
  const dmesg = dump.dmesgPath ? await fs.promises.readFile(dump.dmesgPath, 'utf8').catch(() => '') : '';
  const crashedBootId = crashedBoot(readBoots(stateDir), crashTimeMs, currentBootId);
  const request = readCrashRecord(stateDir);
  return {
    path: dump.path,
    layout: dump.layout,
    format: header.format,
    size_bytes: String(stat.size),
    sha256,
    dump_level: header.dumpLevel,
    crash_time_unix_ms: String(crashTimeMs),
    kernel_release: header.kernelRelease,
    dmesg_path: dump.dmesgPath ?? '',
    dmesg_excerpt: dmesgExcerpt(dmesg),
    crashed_boot_id: crashedBootId,
    crash_request_id: crashedBootId !== '' && request?.bootId === crashedBootId ? request.requestId : '',
    recovered_hits: recoverHits(dmesg),
  };
}
