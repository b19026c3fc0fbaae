/** What other packages (e2e tests, the demo) may use from the agent. */
export { Agent } from './agent';
export type { AgentState } from './agent';
export { corruptMemoryFile, writeWordAt } from './backend/simulated/memory-file';
export { ConfigError } from './config/config-error';
export { buildConfig, loadConfigFile } from './config/load-config';
export type { AgentConfig } from './config/schema';
