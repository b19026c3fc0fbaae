// Moved to packages/testing (package sources import it there; they never import tests/).
export { eventually } from '@physwatch/testing/eventually';
