#!/usr/bin/env node
// `npx cairn` in a project that installed @cairn/sdk: the command of @cairn/cli, which it depends on.
await import('@cairn/cli/bin');
