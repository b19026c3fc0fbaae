export { startOrchestrator } from './bootstrap';
export type { RunningOrchestrator } from './bootstrap';
export { ConfigError, DEFAULTS, loadConfig } from './config/config';
export type { OrchestratorConfig } from './config/config';
export { createLogger } from './config/logger';
