import { parse as parseYaml } from 'yaml';
import { invalid } from '../errors.js';
import { MODEL_FORMATS, type ModelFormat, type Signature } from './entities.js';
import { signatureFromMlflow } from './signature.js';

/** The MLmodel file is read (never executed) for its flavors and signature; larger ones are skipped. */
export const MLMODEL_MAX_BYTES = 256 * 1024;

export function checkFormat(format: unknown): ModelFormat {
  if (typeof format !== 'string' || !Object.hasOwn(MODEL_FORMATS, format)) {
    throw invalid(`Unknown model format ${JSON.stringify(format)}: use one of ${Object.keys(MODEL_FORMATS).join(', ')}.`, { field: 'format' });
  }
  return format as ModelFormat;
}

export function isUnsafeFormat(format: ModelFormat): boolean {
  return MODEL_FORMATS[format].unsafe;
}

const BY_EXTENSION: Array<[RegExp, ModelFormat]> = [
  [/\.onnx$/i, 'onnx'],
  [/\.safetensors$/i, 'safetensors'],
  [/\.(pkl|pickle|joblib|cloudpickle)$/i, 'sklearn-pickle'],
  [/\.(pt|pth)$/i, 'pytorch'],
];

/**
 * Guesses a version's format from its file names and, when present, its MLmodel flavors. A folder
 * holding any pickle is `sklearn-pickle` (unsafe) even if it also holds an ONNX file, so a
 * hazardous file is never hidden behind a safe label.
 */
export function detectFormat(paths: string[], mlmodel: MlmodelInfo | null): ModelFormat {
  const found = new Set<ModelFormat>();
  for (const p of paths) for (const [re, format] of BY_EXTENSION) if (re.test(p)) found.add(format);
  for (const unsafe of ['sklearn-pickle', 'pytorch'] as const) if (found.has(unsafe)) return unsafe;
  if (mlmodel) {
    const flavors = mlmodel.flavors;
    if (flavors.includes('sklearn') || flavors.includes('xgboost') || flavors.includes('lightgbm')) return 'sklearn-pickle';
    if (flavors.includes('pytorch')) return 'pytorch';
    if (flavors.includes('onnx') && flavors.every((f) => f === 'onnx' || f === 'python_function')) return 'onnx';
    if (flavors.includes('python_function')) return 'mlflow-pyfunc';
  }
  if (found.has('onnx')) return 'onnx';
  if (found.has('safetensors')) return 'safetensors';
  if (paths.some((p) => /(^|\/)model\.json$/.test(p))) return 'cairn-json';
  return 'other';
}

export interface MlmodelInfo {
  flavors: string[];
  signature: Signature | null;
}

/** Reads the flavors and signature of an MLmodel file (YAML, parsed with the safe core schema). */
export function readMlmodel(text: string): MlmodelInfo | null {
  let doc: unknown;
  try {
    doc = parseYaml(text, { schema: 'core', maxAliasCount: 10 });
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return null;
  const d = doc as Record<string, unknown>;
  const flavors = typeof d.flavors === 'object' && d.flavors !== null ? Object.keys(d.flavors) : [];
  return { flavors, signature: signatureFromMlflow(d.signature) };
}
