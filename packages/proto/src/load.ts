import * as path from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';
import type { ProtoGrpcType } from './generated/agent';

// The generator reads the same file (scripts/generate.js), so types and decoding agree.
// The file names conversions as text ("String"); the loader wants the constructor.
const LOADER_OPTIONS: protoLoader.Options = Object.fromEntries(
  Object.entries(require('../loader-options.json') as Record<string, unknown>).map(([key, value]) => [
    key,
    value === 'String' ? String : value,
  ]),
);

export const PROTO_ROOT = path.resolve(__dirname, '../../../proto');

let cached: ProtoGrpcType | undefined;

/** The physwatch.v1 package, loaded once per process. */
export function loadPhyswatchProto(): ProtoGrpcType['physwatch']['v1'] {
  if (!cached) {
    const definition = protoLoader.loadSync('physwatch/v1/agent.proto', { ...LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
    cached = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  }
  return cached.physwatch.v1;
}
