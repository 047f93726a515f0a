import { describe, expect, it } from 'vitest';
import { predictChurn, selectFeatures, signatureOf, trainChurnModel, ALL_FEATURES } from '../src/model/churn-model.js';
import { encodeRow, fitEncoder } from '../src/model/encode.js';
import { fitLogistic, predictProbabilities } from '../src/model/logistic.js';
import { calibration, confusion, evaluate, rocAuc } from '../src/model/metrics.js';
import { Random } from '../src/generate/random.js';

describe('metrics', () => {
  it('computes ROC AUC with ties as the probability a positive outranks a negative', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    // One of four positive-negative pairs is misordered.
    expect(rocAuc([0, 1, 0, 1], [0.1, 0.4, 0.6, 0.9])).toBe(0.75);
  });

  it('counts the confusion matrix, calibration bins and the majority-class baseline', () => {
    const labels = [1, 0, 0, 0, 1];
    const scores = [0.9, 0.6, 0.1, 0.2, 0.3];
    expect(confusion(labels, scores, 0.5)).toEqual({ tp: 1, fp: 1, tn: 2, fn: 1 });
    expect(calibration(labels, scores).map((b) => b.count)).toEqual([1, 1, 1, 1, 1]);
    const e = evaluate(labels, scores, 0.2);
    expect(e.metrics.accuracy).toBe(0.6);
    expect(e.metrics.baseline_accuracy).toBe(0.6);
  });
});

describe('logistic regression', () => {
  const r = new Random(7);
  const x = Array.from({ length: 2000 }, () => [r.normal(), r.normal()]);
  // True model: logit = -1 + 2 x0 - 1 x1.
  const y = x.map(([a, b]) => (r.chance(1 / (1 + Math.exp(-(-1 + 2 * a! - b!)))) ? 1 : 0));

  it('recovers the weights of the process that made the labels', () => {
    const w = fitLogistic(x, y, { maxIterations: 50, l2: 0 });
    expect(w[0]).toBeCloseTo(-1, 0);
    expect(w[1]).toBeCloseTo(2, 0);
    expect(w[2]).toBeCloseTo(-1, 0);
    expect(rocAuc(y, predictProbabilities(w, x))).toBeGreaterThan(0.8);
  });

  it('is deterministic and shrinks weights as the L2 penalty grows', () => {
    expect(fitLogistic(x, y, { maxIterations: 50, l2: 1 })).toEqual(fitLogistic(x, y, { maxIterations: 50, l2: 1 }));
    const loose = fitLogistic(x, y, { maxIterations: 50, l2: 0 });
    const tight = fitLogistic(x, y, { maxIterations: 50, l2: 5000 });
    expect(Math.abs(tight[1]!)).toBeLessThan(Math.abs(loose[1]!) / 2);
  });

  it('refuses a training set with one class', () => {
    expect(() => fitLogistic([[1], [2]], [0, 0], { maxIterations: 5, l2: 1 })).toThrow(/single class/);
  });
});

describe('churn model', () => {
  it('encodes missing numbers as the training mean and unseen categories as all zeros', () => {
    const enc = fitEncoder([{ a: 1, c: 'x' }, { a: 3, c: 'y' }], ['a'], ['c']);
    expect(encodeRow(enc, { a: null, c: 'x' })).toEqual([0, 1, 0]);
    expect(encodeRow(enc, { a: 3, c: 'z' })).toEqual([1, 0, 0]);
  });

  it('trains, predicts probabilities and describes its inputs in a signature', () => {
    const r = new Random(3);
    const rows = Array.from({ length: 400 }, () => ({ logins_7d: r.poisson(5), region: r.pick(['north', 'south']), payment_failures_90d: r.poisson(0.5) }));
    const labels = rows.map((row) => (row.logins_7d < 3 || row.payment_failures_90d > 1 ? 1 : 0));
    const model = trainChurnModel(rows, labels, selectFeatures('logins_7d,payment_failures_90d,region'), { maxIterations: 30, l2: 1 });
    const p = predictChurn(model, rows);
    expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(rocAuc(labels, p)).toBeGreaterThan(0.9);
    expect(signatureOf(model).inputs.map((i) => `${i.name}:${i.type}`)).toEqual(['logins_7d:double', 'payment_failures_90d:double', 'region:string']);
    expect(() => selectFeatures('logins_7d,nope')).toThrow(/unknown: nope/);
    expect(selectFeatures('all')).toEqual(ALL_FEATURES);
  });
});
