// Entry point: `node --import tsx packages/server/src/main.ts` serves the project in the current folder.
import { loadConfig } from '@cairn/core';
import { startServer } from './serve.js';

const server = await startServer(loadConfig());
server.app.log.info(`Cairn listening on ${server.url}`);
