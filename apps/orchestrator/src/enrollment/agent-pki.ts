/**
 * The agent CA and the gRPC server certificate: read from the files the configuration names,
 * or generated once into PKI_DIR and read from there on every later start.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PkiConfig } from '../config/config';
import type { Logger } from '../config/logger';
import { AgentCa } from './agent-ca';

export interface AgentPki {
  ca: AgentCa;
  server: { certPem: string; keyPem: string };
}

const SERVER_TTL_MS = 5 * 365 * 86_400_000;

export class PkiError extends Error {
  override readonly name = 'PkiError';
}

interface Pair {
  certPath: string;
  keyPath: string;
}

function read(pair: Pair): { certPem: string; keyPem: string } {
  try {
    return { certPem: fs.readFileSync(pair.certPath, 'utf8'), keyPem: fs.readFileSync(pair.keyPath, 'utf8') };
  } catch (err) {
    throw new PkiError(`cannot read ${pair.certPath} / ${pair.keyPath}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * `dir/cert.pem` + `dir/key.pem`, made by `make` if `dir` does not exist. The pair is written
 * into a temporary directory renamed into place, so replicas starting together on a shared
 * PKI_DIR agree on one pair: whoever renames second reads the winner's.
 */
async function generated(dir: string, make: () => Promise<{ certPem: string; keyPem: string }>, log: Logger, what: string): Promise<{ certPem: string; keyPem: string }> {
  const pair = { certPath: path.join(dir, 'cert.pem'), keyPath: path.join(dir, 'key.pem') };
  if (fs.existsSync(dir)) return read(pair);
  const made = await make();
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  const tmp = `${dir}.tmp-${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(tmp, { mode: 0o700 });
  fs.writeFileSync(path.join(tmp, 'cert.pem'), made.certPem, { mode: 0o644 });
  fs.writeFileSync(path.join(tmp, 'key.pem'), made.keyPem, { mode: 0o600 });
  try {
    fs.renameSync(tmp, dir);
    log.info({ dir }, `generated the ${what}`);
    return made;
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    return read(pair);
  }
}

export async function loadAgentPki(config: PkiConfig, log: Logger): Promise<AgentPki> {
  const caFiles = config.ca
    ? read(config.ca)
    : await generated(path.join(config.dir, 'ca'), () => AgentCa.generate('physwatch agent CA'), log, 'agent CA (give ca/cert.pem to agents as tls.ca)');
  let ca: AgentCa;
  try {
    ca = await AgentCa.load(caFiles.certPem, caFiles.keyPem);
  } catch (err) {
    throw new PkiError(`agent CA ${config.ca?.certPath ?? path.join(config.dir, 'ca')}: ${(err as Error).message}`, { cause: err });
  }
  const server = config.server
    ? read(config.server)
    : await generated(path.join(config.dir, 'server'), () => ca.issueServer(config.serverNames, SERVER_TTL_MS), log, `gRPC server certificate for ${config.serverNames.join(', ')}`);
  const cert = new X509Certificate(server.certPem);
  if (Date.parse(cert.validTo) < Date.now()) throw new PkiError(`the gRPC server certificate expired on ${cert.validTo}`);
  return { ca, server };
}
