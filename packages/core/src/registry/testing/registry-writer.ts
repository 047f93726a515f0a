// A separate OS process that writes to a Cairn registry, for the concurrency tests.
// argv: <storeUri> <artifactDir> <register|create> <model> <runId> <count>
import { loadConfig } from '../../config/config.js';
import { isCairnError } from '../../errors.js';
import { openPlatform } from '../../platform.js';

const [storeUri, artifactDir, mode, model, runId, count] = process.argv.slice(2) as [string, string, string, string, string, string];
const platform = await openPlatform(loadConfig({ env: {}, overrides: { store: { uri: storeUri }, artifact: { uri: artifactDir } } }));
try {
  if (mode === 'register') {
    const versions = await Promise.all(Array.from({ length: Number(count) }, () => platform.registry.versions.create({ name: model, source: `runs:/${runId}/model/model.onnx` })));
    console.log(JSON.stringify({ versions: versions.map((v) => v.version) }));
  } else {
    const results = await Promise.allSettled(Array.from({ length: Number(count) }, () => platform.registry.createModel({ name: model })));
    console.log(JSON.stringify({ results: results.map((r) => (r.status === 'fulfilled' ? 'created' : isCairnError(r.reason) ? r.reason.code : String(r.reason))) }));
  }
} finally {
  await platform.close();
}
