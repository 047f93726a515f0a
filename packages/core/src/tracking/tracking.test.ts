import { BACKENDS, backendAvailable, makeTestPlatform } from '../testing/platforms.js';
import { runTrackingContract } from './tracking.contract.js';

for (const backend of BACKENDS) {
  runTrackingContract(backend, () => makeTestPlatform(backend), () => backendAvailable(backend));
}
