import type { Provider } from '@nestjs/common';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { AgentPki, loadAgentPki } from './agent-pki';

/** Injection token for the AgentPki; null when GRPC_INSECURE (no certificates at all). */
export const AGENT_PKI = Symbol('AgentPki');

export const agentPkiProvider: Provider = {
  provide: AGENT_PKI,
  inject: [CONFIG, LOGGER],
  useFactory: (config: OrchestratorConfig, logger: Logger): Promise<AgentPki | null> =>
    config.grpc.insecure ? Promise.resolve(null) : loadAgentPki(config.pki, logger),
};
