import { describe } from 'vitest';
import { postgresAvailable } from '../../testing/postgres.js';
import { runSearchContract } from './search-contract.js';
import { runSearchProperties } from './search-properties.js';

// Under CI=true PostgreSQL must be there; elsewhere the suite skips, and postgresAvailable says why.
const available = await postgresAvailable();

describe.skipIf(!available)('search on PostgreSQL', () => {
  runSearchContract('postgres');
  runSearchProperties('postgres');
});
