import { buildApp } from '@cairn/server';
import { BACKENDS, backendAvailable, makeTestPlatform } from '@cairn/core/testing';
import { describe } from 'vitest';
import { InProcessTrackingBackend } from './backends/in-process-tracking-backend.js';
import { Cairn } from './cairn.js';
import { sdkContract } from './sdk-contract.case.js';

for (const backend of BACKENDS) {
  const available = await backendAvailable(backend);

  describe.skipIf(!available)(`SDK, in-process on ${backend}`, () => {
    sdkContract(async () => {
      const t = await makeTestPlatform(backend);
      return {
        ...t,
        // The harness owns the platform, so these backends get no close hook.
        connect: (options) => Cairn.connect({ ...options, backend: new InProcessTrackingBackend(t.platform, { heartbeatTimeoutSeconds: 600 }) }),
      };
    });
  });

  describe.skipIf(!available)(`SDK, over HTTP on ${backend}`, () => {
    sdkContract(async () => {
      const t = await makeTestPlatform(backend);
      const app = buildApp(t.platform, { logger: false });
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      return {
        ...t,
        connect: (options) => Cairn.connect({ ...options, uri: url }),
        async cleanup() {
          await app.close();
          await t.cleanup();
        },
      };
    });
  });
}
