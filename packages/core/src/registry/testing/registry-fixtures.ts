import { expect } from 'vitest';
import { isCairnError } from '../../errors.js';
import type { Platform } from '../../platform.js';

/** Fails unless `p` rejects with a CairnError of `code`; returns the error for further checks. */
export async function expectCode(p: Promise<unknown>, code: string): Promise<Error & { code: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    if (!isCairnError(e)) throw e;
    expect(e.code, e.message).toBe(code);
    return e;
  }
  return expect.fail(`expected ${code}`);
}

const MLMODEL = `flavors:
  onnx:
    onnx_version: 1.15.0
  python_function:
    loader_module: mlflow.onnx
signature:
  inputs: '[{"name": "age", "type": "long"}, {"name": "plan", "type": "string"}]'
  outputs: '[{"name": "churn", "type": "double"}]'
`;

export interface SeededRun {
  runId: string;
  experimentId: string;
  artifactUri: string;
}

/**
 * A run with a small ONNX-looking model under `model/` (an MLmodel with a signature, a `.onnx`
 * file, a nested file), an `auc` metric and the given tags.
 */
export async function seedModelRun(p: Platform, metrics: Record<string, number> = { auc: 0.9 }, tags: Record<string, string> = {}, experiment = `exp-${Math.random().toString(36).slice(2)}`): Promise<SeededRun> {
  const exp = (await p.experiments.findByName(experiment)) ?? (await p.experiments.create({ name: experiment }));
  const run = await p.runs.create({ experimentId: exp.experimentId, source: { gitCommit: 'abc123def456', entryPoint: 'train.ts' } });
  const id = run.info.runId;
  await p.runs.logArtifact(id, 'model/MLmodel', MLMODEL);
  await p.runs.logArtifact(id, 'model/model.onnx', Buffer.from('fake onnx bytes'));
  await p.runs.logArtifact(id, 'model/extra/vocab.txt', 'a\nb\n');
  await p.runs.logBatch(id, {
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: Date.now(), step: 0 })),
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  });
  await p.runs.logInputs(id, [{ dataset: { name: 'customers', digest: 'd1g3st', sourceType: 'local', source: '{"uri": "data/customers.parquet"}' }, tags: { 'mlflow.data.context': 'training' } }]);
  return { runId: id, experimentId: exp.experimentId, artifactUri: run.info.artifactUri };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sources Cairn does not hold, accepted as external versions: pointers it records and never
 * fetches, opens or follows (an object store, another server, a run of another tracking server).
 */
export const EXTERNAL_SOURCES: readonly string[] = [
  'http://169.254.169.254/latest/meta-data/',
  'https://example.com/model.pkl',
  's3://bucket/model',
  'mlflow-artifacts://host/etc',
  'runs:/ffffffffffffffffffffffffffffffff/model',
];

/** Sources that must be refused when registering a version, whatever the backend. */
export const HOSTILE_SOURCES: readonly string[] = [
  'file:///etc',
  'file:///etc/',
  'file:///etc/passwd',
  '/etc/passwd',
  '//proc/self/root',
  '//proc/self/root/etc/passwd',
  'http:///#/../../etc/',
  'https://example.com/models/../../etc/passwd',
  's3://bucket/%252e%252e/model',
  'file%3A%2F%2F%2Fetc%2Fpasswd',
  '%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fetc',
  'mlflow-artifacts:/../../etc',
  'mlflow-artifacts:/%2e%2e/%2e%2e/etc',
  'mlflow-artifacts:/%252e%252e/%252e%252e/etc',
  'mlflow-artifacts:///etc',
  'cairn-artifacts:/..%2f..%2fetc',
  'cairn-artifacts:/a\\..\\..\\etc',
  'runs:/../../etc',
  'runs://etc/passwd',
  'models://other-host/m/1',
  '../etc/passwd',
  'C:\\Windows\\system.ini',
];
