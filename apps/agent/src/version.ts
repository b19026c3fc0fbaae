/** The agent's version, from its package.json (src/ and dist/ sit at the same depth). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const AGENT_VERSION: string = (require('../package.json') as { version: string }).version;
