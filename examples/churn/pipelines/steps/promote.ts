import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isCairnError, parseGateFile, step, type Platform, type SetGateInput } from '@cairn/core';
import { PROJECT_DIR, withPlatform } from '../../src/lib/project.js';

export interface PromoteInputs {
  version: { model: string; version: number };
  alias: string;
  gates: string;
  promote: boolean;
}

/** Sets each gate of the file whose stored policy differs (so unchanged gates add no audit events). */
async function applyGates(p: Platform, gates: SetGateInput[]): Promise<void> {
  for (const g of gates) {
    const current = await p.registry.gates.get(g.model, g.alias).catch((e: unknown) => {
      if (isCairnError(e, 'NOT_FOUND')) return null;
      throw e;
    });
    const same = current && JSON.stringify(current.conditions) === JSON.stringify(g.conditions)
      && current.protected === !!g.protected && current.requireSignatureCompatible === !!g.requireSignatureCompatible;
    if (!same) await p.registry.gates.set(g);
  }
}

/**
 * Asks the gate of `alias` to move it to the new version: it moves only if every condition of
 * gates.yaml passes (among them: a better holdout AUC than the current holder). Either way the
 * evaluation is in the registry's audit log and in this step's log. The output names who holds
 * the alias afterwards, so a refused candidate is visible downstream without failing the run.
 */
export const promote = step({ name: 'promote', outputs: { alias: 'json' } }, async (i: PromoteInputs, ctx) => withPlatform(async (p) => {
  const { model, version } = i.version;
  const holder = async () => (await p.registry.getModel(model)).aliases.find((a) => a.alias === i.alias)?.version ?? null;
  if (!i.promote) {
    ctx.log(`promote=false: version ${version} stays a candidate (promote it with \`cairn models promote ${model} ${version} --alias ${i.alias}\`)`);
    return { alias: { model, alias: i.alias, candidate: version, holder: await holder() } };
  }
  await applyGates(p, parseGateFile(await readFile(resolve(PROJECT_DIR, i.gates), 'utf8'), i.gates));
  if ((await holder()) === version) {
    ctx.log(`version ${version} already holds @${i.alias}`);
    return { alias: { model, alias: i.alias, candidate: version, holder: version } };
  }
  const result = await p.registry.gates.promote(model, version, i.alias, { reason: `pipeline run ${ctx.runId}` });
  for (const c of result.conditions) ctx.log(`${c.passed ? 'pass' : 'FAIL'}  ${c.expression}  ${JSON.stringify(c.values)}${c.note ? `  (${c.note})` : ''}`);
  if (result.signature && !result.signature.compatible) ctx.log(`FAIL  signature: ${result.signature.problems.join('; ')}`);
  ctx.log(result.moved ? `@${i.alias} now points at version ${version}` : `the gate refused version ${version}; @${i.alias} stays at ${result.current ?? 'nothing'}`);
  if (ctx.trackingRunId) await p.runs.logArtifact(ctx.trackingRunId, 'promotion.json', Buffer.from(JSON.stringify(result, null, 2)));
  return { alias: { model, alias: i.alias, candidate: version, holder: await holder() } };
}));
