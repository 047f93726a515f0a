import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CairnError } from '../../../errors.js';
import type { Frame } from '../../frame.js';
import type { ModelRuntime } from '../../model-runtime.js';

// The cairn-json format: a model that is data, never code. model.json holds a linear model over
// encoded features: numeric features standardized ((x - mean) / std, a missing value counting as
// the mean), categorical ones one-hot over the values seen in training, then an intercept and one
// weight per encoded column. `cairn-logistic@1` applies the sigmoid (a probability);
// `cairn-linear@1` does not. `cairn-churn-logistic@1` (the churn example's name) is the logistic one.
const modelSchema = z.object({
  format: z.enum(['cairn-logistic@1', 'cairn-linear@1', 'cairn-churn-logistic@1']),
  features: z.array(z.string()).optional(),
  encoder: z.object({
    numeric: z.array(z.object({ name: z.string(), mean: z.number(), std: z.number() })),
    categorical: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
  }),
  weights: z.array(z.number()),
});

export type CairnJsonModel = z.infer<typeof modelSchema>;

/** Scores a cairn-json linear or logistic model in this process. */
export class CairnJsonRuntime implements ModelRuntime {
  private constructor(private readonly model: CairnJsonModel) {}

  static async open(dir: string): Promise<CairnJsonRuntime> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    } catch (e) {
      throw new CairnError('FAILED_PRECONDITION', `The cairn-json model has no readable model.json: ${(e as Error).message}`, { cause: e });
    }
    const parsed = modelSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new CairnError('FAILED_PRECONDITION', `model.json is not a cairn-json model: '${issue.path.join('.')}' ${issue.message}. See docs/serving.md for the format.`);
    }
    const m = parsed.data;
    const width = 1 + m.encoder.numeric.length + m.encoder.categorical.reduce((n, c) => n + c.values.length, 0);
    if (m.weights.length !== width) throw new CairnError('FAILED_PRECONDITION', `model.json has ${m.weights.length} weights; its encoder needs ${width} (an intercept and one per encoded column).`);
    return new CairnJsonRuntime(m);
  }

  async predict(frame: Frame): Promise<unknown[]> {
    const { encoder, weights } = this.model;
    const index = new Map((frame.columns ?? []).map((c, j) => [c, j]));
    const num = encoder.numeric.map((f) => index.get(f.name) ?? -1);
    const cat = encoder.categorical.map((f) => index.get(f.name) ?? -1);
    const logistic = this.model.format !== 'cairn-linear@1';
    return frame.rows.map((row) => {
      let z = weights[0]!;
      let w = 1;
      for (let k = 0; k < num.length; k++, w++) {
        const v = num[k]! < 0 ? null : row[num[k]!];
        const x = typeof v === 'number' && Number.isFinite(v) ? v : null;
        if (x !== null) z += weights[w]! * ((x - encoder.numeric[k]!.mean) / (encoder.numeric[k]!.std || 1));
      }
      for (let k = 0; k < cat.length; k++) {
        const v = cat[k]! < 0 ? null : row[cat[k]!];
        for (const value of encoder.categorical[k]!.values) {
          if (v === value) z += weights[w]!;
          w++;
        }
      }
      return logistic ? 1 / (1 + Math.exp(-z)) : z;
    });
  }

  async close(): Promise<void> {}
}
