// Models for tests and benchmarks, built in code (never downloaded): a cairn-json logistic model,
// an ONNX logistic regression (MatMul + Add + Sigmoid) and a pickled Python model that can crash or hang.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Platform } from '../../platform.js';
import type { ModelFormat, ModelVersion, Signature } from '../../registry/entities.js';

/** Uploads files as a new version of `name` (the model is created if missing). */
export async function registerFiles(platform: Platform, name: string, files: Record<string, Buffer | string>, options: { format: ModelFormat; signature?: Signature | null; runId?: string; trainingDatasetId?: string }): Promise<ModelVersion> {
  await platform.registry.createModel({ name }).catch(() => {});
  const pending = await platform.registry.versions.create({ name, source: null, format: options.format, signature: options.signature ?? null, runId: options.runId, trainingDatasetId: options.trainingDatasetId });
  for (const [path, body] of Object.entries(files)) await platform.registry.versions.uploadFile(name, pending.version, path, Buffer.from(body));
  return platform.registry.versions.finalize(name, pending.version);
}

/** A cairn-json logistic model over `x` (numeric) and `region` (categorical): p = σ(b + w·(x−mean)/std + one-hot). */
export function jsonModel(weights: number[] = [0, 1, 0.5, -0.5], mean = 0, std = 1): string {
  return JSON.stringify({
    format: 'cairn-logistic@1',
    encoder: { numeric: [{ name: 'x', mean, std }], categorical: [{ name: 'region', values: ['north', 'south'] }] },
    weights,
  });
}

export const JSON_SIGNATURE: Signature = {
  inputs: [{ name: 'x', type: 'double' }, { name: 'region', type: 'string', required: false }],
  outputs: [{ name: 'probability', type: 'double' }],
};

export async function registerJsonModel(platform: Platform, name: string, weights?: number[], extra: { runId?: string; signature?: Signature } = {}): Promise<ModelVersion> {
  return registerFiles(platform, name, { 'model.json': jsonModel(weights) }, { format: 'cairn-json', signature: extra.signature ?? JSON_SIGNATURE, runId: extra.runId });
}

/** Weights of the ONNX test model: feature i weighs ((i % 5) - 2) / 10, bias 0.1. */
export const onnxWeights = (n: number): number[] => Array.from({ length: n }, (_, i) => ((i % 5) - 2) / 10);

/** The bytes of an ONNX logistic regression on `n` features: probability = σ(x·W + b), input `features` [N, n]. */
export async function logisticOnnx(n = 50, bias = 0.1): Promise<Buffer> {
  const { default: proto } = (await import('onnx-proto')) as unknown as { default: { onnx: { ModelProto: { create(v: unknown): unknown; encode(m: unknown): { finish(): Uint8Array } } } } };
  const { onnx } = proto;
  const tensorType = (dims: Array<number | string>) => ({ tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } });
  const model = onnx.ModelProto.create({
    irVersion: 8, producerName: 'cairn-tests', opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'logistic_regression',
      node: [
        { opType: 'MatMul', input: ['features', 'W'], output: ['z0'] },
        { opType: 'Add', input: ['z0', 'B'], output: ['z'] },
        { opType: 'Sigmoid', input: ['z'], output: ['probability'] },
      ],
      initializer: [{ name: 'W', dims: [n, 1], dataType: 1, floatData: onnxWeights(n) }, { name: 'B', dims: [1], dataType: 1, floatData: [bias] }],
      input: [{ name: 'features', type: tensorType(['N', n]) }],
      output: [{ name: 'probability', type: tensorType(['N', 1]) }],
    },
  });
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}

/** Signature of the ONNX model as named columns f0…f{n-1}. */
export const onnxSignature = (n = 50): Signature => ({
  inputs: Array.from({ length: n }, (_, i) => ({ name: `f${i}`, type: 'double' as const })),
  outputs: [{ name: 'probability', type: 'double' }],
});

export async function registerOnnxModel(platform: Platform, name: string, n = 50, options: { runId?: string; signature?: Signature } = {}): Promise<ModelVersion> {
  return registerFiles(platform, name, { 'model.onnx': await logisticOnnx(n) }, { format: 'onnx', signature: options.signature ?? onnxSignature(n), runId: options.runId });
}

// A model a pickle restores: sums each row; a row starting with -1 kills the worker, -2 hangs it.
const CRASHY = `import os, time
class Model:
    def predict(self, rows):
        out = []
        for r in rows:
            if float(r[0]) == -1:
                os._exit(3)
            if float(r[0]) == -2:
                time.sleep(3600)
            out.append(float(sum(float(v) for v in r)))
        return out
`;

/** Registers an `sklearn-pickle` version whose pickle restores the model above (needs python3 to build). */
export async function registerPickleModel(platform: Platform, name: string, python = 'python3'): Promise<ModelVersion> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-pickle-'));
  writeFileSync(join(dir, 'crashy_model.py'), CRASHY);
  execFileSync(python, ['-c', 'import pickle, sys; sys.path.insert(0, sys.argv[1]); import crashy_model; pickle.dump(crashy_model.Model(), open(sys.argv[1] + "/model.pkl", "wb"))', dir]);
  return registerFiles(platform, name, { 'model.pkl': readFileSync(join(dir, 'model.pkl')), 'crashy_model.py': CRASHY }, {
    format: 'sklearn-pickle', signature: { inputs: [{ name: 'a', type: 'double' }, { name: 'b', type: 'double' }], outputs: [{ type: 'double' }] },
  });
}
