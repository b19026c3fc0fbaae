/**
 * `stateDir/crash-request.json`: the CrashRequest the agent obeyed, written and fsync'd
 * before the sysrq write, because after it this process never runs again in that boot.
 * The dump found after the reboot carries its request id back to the orchestrator.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readStateFile, writeStateFile } from './state-file';

export interface CrashRecord {
  requestId: string;
  bootId: string;
  watchId: string;
  hitId: string;
  atMs: number;
}

export const crashRecordFile = (stateDir: string): string => path.join(stateDir, 'crash-request.json');

export function writeCrashRecord(stateDir: string, record: CrashRecord): void {
  writeStateFile(crashRecordFile(stateDir), record);
}

/** For a crash that did not happen after all (the sysrq write failed). */
export function removeCrashRecord(stateDir: string): void {
  fs.rmSync(crashRecordFile(stateDir), { force: true });
}

export function readCrashRecord(stateDir: string): CrashRecord | null {
  const value = readStateFile(crashRecordFile(stateDir)) as Partial<CrashRecord> | null;
  return value && typeof value.requestId === 'string' && typeof value.bootId === 'string' ? (value as CrashRecord) : null;
}
