import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CairnError } from '../../../errors.js';
import type { Signature } from '../../../registry/entities.js';
import type { Frame } from '../../frame.js';
import type { ModelRuntime } from '../../model-runtime.js';

// The part of onnxruntime-node used here (the package is an optional peer: loaded only to serve ONNX).
interface OrtTensor { data: ArrayLike<unknown>; dims: readonly number[] }
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  InferenceSession: { create(path: string, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: unknown, dims: number[]) => OrtTensor;
}

let ortModule: Promise<Ort> | null = null;

/** onnxruntime-node, imported on first use with a clear message when it is not installed. */
export function loadOnnxRuntime(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node').then((m) => ((m as { default?: Ort }).default ?? (m as unknown as Ort))).catch((e: unknown) => {
    ortModule = null;
    throw new CairnError('FAILED_PRECONDITION', `Serving an ONNX model needs the optional package onnxruntime-node, which is not installed here (${(e as Error).message.split('\n')[0]}). Install it next to Cairn with \`npm install onnxruntime-node --ignore-scripts\` (the CPU binary ships in the package; its install script only fetches GPU binaries).`, { cause: e });
  });
  return ortModule;
}

/**
 * Scores an ONNX model with ONNX Runtime on the CPU. A model with one input takes the rows as one
 * `[rows, columns]` float tensor (columns in signature order); a model with one input per column
 * gets a `[rows, 1]` tensor per column (float, or string for text). The first output answers: one
 * number per row when it has one value per row, else a list per row.
 */
export class OnnxRuntime implements ModelRuntime {
  private constructor(private readonly ort: Ort, private readonly session: OrtSession, private readonly dtype: 'float32' | 'float64') {}

  static async open(dir: string, signature: Signature | null, threads: number): Promise<OnnxRuntime> {
    const ort = await loadOnnxRuntime();
    const files = (await readdir(dir, { recursive: true })).map(String).filter((f) => f.toLowerCase().endsWith('.onnx')).sort();
    if (!files.length) throw new CairnError('FAILED_PRECONDITION', 'The version holds no .onnx file to load.');
    const file = files.includes('model.onnx') ? 'model.onnx' : files[0]!;
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(join(dir, file), { executionProviders: ['cpu'], ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}) });
    } catch (e) {
      throw new CairnError('FAILED_PRECONDITION', `ONNX Runtime cannot load ${file}: ${(e as Error).message.split('\n')[0]}`, { cause: e });
    }
    const tensor = signature?.inputs.length === 1 && signature.inputs[0]!.type === 'tensor' ? signature.inputs[0]! : null;
    const dtype = tensor && tensor.type === 'tensor' && /64/.test(tensor.dtype) && /float|double/.test(tensor.dtype) ? 'float64' : 'float32';
    return new OnnxRuntime(ort, session, dtype);
  }

  async predict(frame: Frame): Promise<unknown[]> {
    const n = frame.rows.length;
    const feeds: Record<string, OrtTensor> = {};
    const names = this.session.inputNames;
    if (names.length === 1) {
      const width = frame.rows[0]?.length ?? 0;
      const data = this.dtype === 'float64' ? new Float64Array(n * width) : new Float32Array(n * width);
      for (let i = 0; i < n; i++) {
        const row = frame.rows[i]!;
        for (let j = 0; j < width; j++) {
          const v = row[j];
          data[i * width + j] = typeof v === 'number' ? v : v === true ? 1 : v === false ? 0 : Number.NaN;
        }
      }
      feeds[names[0]!] = new this.ort.Tensor(this.dtype, data, [n, width]);
    } else {
      const index = new Map((frame.columns ?? []).map((c, j) => [c, j]));
      for (const name of names) {
        const j = index.get(name);
        if (j === undefined) throw new CairnError('INVALID_ARGUMENT', `The model's ONNX input '${name}' has no column in the request.`);
        const values = frame.rows.map((r) => r[j]);
        feeds[name] = values.some((v) => typeof v === 'string')
          ? new this.ort.Tensor('string', values.map((v) => (v === null || v === undefined ? '' : String(v))), [n, 1])
          : new this.ort.Tensor('float32', Float32Array.from(values, (v) => (typeof v === 'number' ? v : Number.NaN)), [n, 1]);
      }
    }
    const out = (await this.session.run(feeds))[this.session.outputNames[0]!]!;
    const data = out.data;
    const per = n ? data.length / n : 0;
    const result = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      result[i] = per === 1 ? plain(data[i]) : Array.from({ length: per }, (_, k) => plain(data[i * per + k]));
    }
    return result;
  }

  async close(): Promise<void> {
    await this.session.release().catch(() => {});
  }
}

const plain = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);
