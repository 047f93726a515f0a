import { BACKENDS, backendAvailable, makeTestPlatform } from '../testing/platforms.js';
import { runRegistryGovernanceContract } from './registry-governance.contract.js';
import { runRegistryContract } from './registry.contract.js';

for (const backend of BACKENDS) {
  runRegistryContract(backend, () => makeTestPlatform(backend), () => backendAvailable(backend));
  runRegistryGovernanceContract(backend, () => makeTestPlatform(backend), () => backendAvailable(backend));
}
