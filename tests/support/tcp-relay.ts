// Moved to packages/testing (package sources import it there; they never import tests/).
export { TcpRelay } from '@physwatch/testing/tcp-relay';
