/** A configuration the agent cannot run with; every problem is listed so one edit fixes all. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: string[], options?: { cause?: unknown }) {
    super(`invalid agent configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
  }
}
