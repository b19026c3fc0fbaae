/** The one place a backend kind from the config becomes a WatchBackend. */
import type { Logger } from 'pino';
import { KernelBackend } from './backend/kernel/kernel-backend';
import { SimulatedBackend } from './backend/simulated/simulated-backend';
import type { WatchBackend } from './backend/watch-backend';
import type { AgentConfig } from './config/schema';

export async function openBackend(config: AgentConfig['backend'], log: Logger): Promise<WatchBackend> {
  switch (config.kind) {
    case 'simulated':
      return SimulatedBackend.open(config, log);
    case 'kernel':
      return KernelBackend.open(config, log);
  }
}
