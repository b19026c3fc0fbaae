/**
 * A hand-driven agent peer for identity tests: what an attacker or a misconfigured host would
 * do with plain grpc-js (enroll with some token, open a stream with some certificate and say
 * some Hello), so a test can see exactly what the orchestrator answers.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ControlMessage__Output, IssuedCertificate__Output, loadPhyswatchProto } from '@physwatch/proto';

/** A P-256 key and a CSR for it (openssl), as PEM text. */
export function keyAndCsr(dir: string, name: string): { keyPem: string; csrPem: string } {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { keyPem: readFileSync(key, 'utf8'), csrPem: readFileSync(csr, 'utf8') };
}

/** Enrollment.Enroll over server-only TLS; rejects with the ServiceError the orchestrator answered. */
export function enroll(address: string, caPem: string, request: { token: string; host_id: string; csr_pem: string; hostname?: string }): Promise<IssuedCertificate__Output> {
  const { Enrollment } = loadPhyswatchProto();
  const client = new Enrollment(address, grpc.credentials.createSsl(Buffer.from(caPem)));
  return new Promise<IssuedCertificate__Output>((resolve, reject) => {
    client.Enroll({ hostname: '', ...request }, { deadline: Date.now() + 15_000 }, (err, answer) => {
      client.close();
      if (err) reject(err);
      else resolve(answer!);
    });
  });
}

export interface StreamOutcome {
  /** The first control message, when the orchestrator served the stream. */
  message?: ControlMessage__Output;
  /** How the stream ended, when it ended before any message. */
  code?: grpc.status;
  details?: string;
}

/** Opens AgentGateway.Connect with these credentials, says Hello as `hostId`, and reports the first thing that happens. */
export function helloAs(address: string, credentials: grpc.ChannelCredentials, hostId: string): Promise<StreamOutcome> {
  const { AgentGateway } = loadPhyswatchProto();
  const client = new AgentGateway(address, credentials);
  const call = client.Connect();
  return new Promise<StreamOutcome>((resolve) => {
    const done = (outcome: StreamOutcome): void => {
      call.removeAllListeners();
      call.on('error', () => undefined);
      call.cancel();
      client.close();
      resolve(outcome);
    };
    call.on('data', (message: ControlMessage__Output) => done({ message }));
    call.on('error', (err: grpc.ServiceError) => done({ code: err.code, details: err.details }));
    call.write({ hello: { host_id: hostId, boot_id: 'boot-peer', hostname: hostId, kernel_release: 'test', arch: 'x86_64', agent_version: 'peer', labels: {} } });
  });
}

export function mtls(caPem: string, keyPem: string, certPem: string): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(Buffer.from(caPem), Buffer.from(keyPem), Buffer.from(certPem));
}
