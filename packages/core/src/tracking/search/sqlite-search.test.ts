import { runSearchContract } from './search-contract.js';
import { runSearchProperties } from './search-properties.js';

runSearchContract('sqlite');
runSearchProperties('sqlite');
