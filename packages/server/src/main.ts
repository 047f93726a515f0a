// Entry point without the CLI: `node dist/main.js` (or `node --conditions=@cairn/source --import tsx src/main.ts` in the checkout) serves the project in the current folder.
import { loadConfig } from '@cairn/core';
import { startServer } from './serve.js';

const server = await startServer(loadConfig());
server.app.log.info(`Cairn listening on ${server.url}`);
