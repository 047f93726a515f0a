import { CholeskyDecomposition, Matrix } from 'ml-matrix';

export interface LogisticOptions {
  /** Newton (IRLS) iterations at most; it usually converges in under ten. */
  maxIterations: number;
  /** L2 penalty on the weights (not the intercept): larger is smoother. */
  l2: number;
}

/** Trained weights: first the intercept, then one per encoded column. */
export type Weights = number[];

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * Fits an L2-regularized binary logistic regression by Newton's method (iteratively reweighted
 * least squares) with ml-matrix: each step solves (XᵀWX + λI) Δ = Xᵀ(y − p) − λw by Cholesky.
 * Deterministic: the same rows in the same order give the same weights, bit for bit.
 *
 * @example
 * ```ts
 * const w = fitLogistic([[0.1, 1], [0.9, 0]], [0, 1], { maxIterations: 25, l2: 1 });
 * ```
 */
export function fitLogistic(x: number[][], y: number[], options: LogisticOptions): Weights {
  if (!x.length) throw new Error('Cannot fit a model on an empty training set.');
  if (new Set(y).size < 2) throw new Error('The training set has a single class; the model needs both churned and retained customers.');
  const X = new Matrix(x.map((row) => [1, ...row]));
  const d = X.columns;
  let w = Matrix.zeros(d, 1);
  for (let it = 0; it < options.maxIterations; it++) {
    const p = X.mmul(w).to1DArray().map(sigmoid);
    const gradient = X.transpose().mmul(Matrix.columnVector(y.map((yi, i) => yi - p[i]!)));
    const weighted = X.clone();
    for (let i = 0; i < X.rows; i++) {
      const s = p[i]! * (1 - p[i]!);
      for (let j = 0; j < d; j++) weighted.set(i, j, X.get(i, j) * s);
    }
    const product = X.transpose().mmul(weighted);
    // Summation order makes the product a hair asymmetric; Cholesky needs it exactly symmetric.
    const hessian = product.add(product.transpose()).div(2);
    for (let j = 1; j < d; j++) {
      hessian.set(j, j, hessian.get(j, j) + options.l2);
      gradient.set(j, 0, gradient.get(j, 0) - options.l2 * w.get(j, 0));
    }
    const step = new CholeskyDecomposition(hessian).solve(gradient);
    w = w.add(step);
    if (step.norm('frobenius') < 1e-8) break;
  }
  return w.to1DArray();
}

/** P(y = 1) for each row. */
export function predictProbabilities(weights: Weights, x: number[][]): number[] {
  return x.map((row) => {
    let z = weights[0]!;
    for (let j = 0; j < row.length; j++) z += weights[j + 1]! * row[j]!;
    return sigmoid(z);
  });
}
