// Moved to packages/testing (package sources import it there; they never import tests/).
export { deleteRedisKeys } from '@physwatch/testing/redis-keys';
