// Moved to packages/testing (package sources import it there; they never import tests/).
export { Api } from '@physwatch/testing/api';
export type { ApiResponse } from '@physwatch/testing/api';
