/** The one place a backend kind from the config becomes a WatchBackend. */
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/schema';
import { KernelBackend } from './kernel/kernel-backend';
import { SimulatedBackend } from './simulated/simulated-backend';
import type { WatchBackend } from './watch-backend';

export async function openBackend(config: AgentConfig['backend'], log: Logger): Promise<WatchBackend> {
  switch (config.kind) {
    case 'simulated':
      return SimulatedBackend.open(config, log);
    case 'kernel':
      return KernelBackend.open(config, log);
  }
}
