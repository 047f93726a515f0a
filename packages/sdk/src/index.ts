/**
 * Cairn's SDK: track experiments, register and resolve models, define and run pipelines and feature
 * store objects from TypeScript or JavaScript, against the project's own store or a Cairn server.
 *
 * @example
 * ```ts
 * import { Cairn } from '@cairn/sdk';
 *
 * const cairn = await Cairn.connect();
 * await cairn.run({ experiment: 'churn' }, async (run) => {
 *   await run.logParam('l2', 0.5);
 *   await run.logMetric('auc', 0.91);
 * });
 * await cairn.close();
 * ```
 */
export * from '@cairn/cli';
