// Moved to packages/testing (package sources import it there; they never import tests/).
export { freePort, freshSchemaName, testAdminToken, testDatabaseUrl, testRedisUrl } from '@physwatch/testing/env';
