import { BACKENDS, backendAvailable, makeTestPlatform } from '../testing/platforms.js';
import { runPipelineContract } from './pipelines.contract.js';

for (const backend of BACKENDS) {
  runPipelineContract(backend, () => makeTestPlatform(backend, { pipelines: { heartbeat_timeout_seconds: 2 } }), () => backendAvailable(backend));
}
