/** An agent broke the stream protocol; its stream ends with INVALID_ARGUMENT and this message. */
export class AgentProtocolError extends Error {
  override readonly name = 'AgentProtocolError';
}
