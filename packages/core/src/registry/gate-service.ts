import { CairnError, isCairnError, notFound } from '../errors.js';
import type { Run } from '../tracking/entities.js';
import type { AliasService } from './alias-service.js';
import type { Actor, GateEvaluation, GatePolicy, Promotion, Signature } from './entities.js';
import { evaluateCondition, subjectsOf, type GateSubject } from './gates/gate-evaluator.js';
import { parseGateCondition } from './gates/gate-parser.js';
import { lockModel, localActor, versionNotFound, type RegistryContext, type WriteOptions } from './registry-context.js';
import { signatureProblems } from './signature.js';
import type { ModelVersionRow } from './sql/rows.js';
import { checkAlias, parseVersion, REGISTRY_LIMITS } from './validation.js';
import { keyMap } from '../util/key-map.js';

export interface SetGateInput {
  model: string;
  alias: string;
  conditions: string[];
  requireSignatureCompatible?: boolean;
  protected?: boolean;
}

/** Checks every condition, naming the failing one and the position in it. */
export function checkConditions(conditions: unknown): string[] {
  if (!Array.isArray(conditions)) throw new CairnError('INVALID_ARGUMENT', `'conditions' must be a list of gate conditions such as "metrics.auc >= 0.85".`);
  if (conditions.length > REGISTRY_LIMITS.conditionsPerGate) throw new CairnError('INVALID_ARGUMENT', `A gate holds at most ${REGISTRY_LIMITS.conditionsPerGate} conditions.`);
  return conditions.map((c: unknown, i) => {
    if (typeof c !== 'string' || c.length > REGISTRY_LIMITS.conditionLength) {
      throw new CairnError('INVALID_ARGUMENT', `conditions[${i}] must be a string of at most ${REGISTRY_LIMITS.conditionLength} characters.`);
    }
    try {
      parseGateCondition(c);
    } catch (e) {
      if (isCairnError(e, 'INVALID_ARGUMENT')) throw new CairnError('INVALID_ARGUMENT', `conditions[${i}]: ${e.message}`, { details: { ...e.details, condition: i } });
      throw e;
    }
    return c;
  });
}

/** Promotion gates: a policy per model and alias, evaluated on promotion and recorded every time. */
export class GateService {
  constructor(private readonly ctx: RegistryContext, private readonly aliases: AliasService) {}

  /**
   * Sets (or replaces) the gate of an alias. Only admins may change gates: a gate is a release policy.
   *
   * @example
   * ```ts
   * await registry.gates.set({ model: 'churn', alias: 'champion', protected: true, requireSignatureCompatible: true,
   *   conditions: ['metrics.auc >= 0.85', "tags.validation = 'passed'", 'metrics.auc >= champion.metrics.auc + 0.005'] });
   * ```
   */
  async set(input: SetGateInput, options: WriteOptions = {}): Promise<GatePolicy> {
    const alias = checkAlias(input?.alias);
    const conditions = checkConditions(input.conditions);
    requireAdmin(options.actor ?? localActor(), 'change a promotion gate');
    await this.ctx.tx(options, async (s) => {
      const model = await lockModel(s, input.model);
      const before = await s.aliases.gate(model.model_id, model.name, alias);
      const policy = { alias, conditions, requireSignatureCompatible: input.requireSignatureCompatible === true, protected: input.protected === true, updatedTime: s.now, updatedBy: s.actor.name };
      await s.aliases.setGate(model.model_id, policy);
      await s.record({ action: 'gate.set', modelId: model.model_id, modelName: model.name, alias, before: before && strip(before), after: strip({ ...policy, model: model.name }) });
    });
    return this.get(input.model, alias);
  }

  async get(name: string, alias: string): Promise<GatePolicy> {
    const model = await this.ctx.requireModel(name);
    const gate = await this.ctx.aliases.gate(model.model_id, model.name, checkAlias(alias));
    if (!gate) throw notFound(`A gate for @${alias} of '${model.name}'`, `Set one with \`cairn models gate set ${model.name} --alias ${alias} --condition "…"\`.`);
    return gate;
  }

  async list(name: string): Promise<GatePolicy[]> {
    const model = await this.ctx.requireModel(name);
    return this.ctx.aliases.gates(model.model_id, model.name);
  }

  async delete(name: string, alias: string, options: WriteOptions = {}): Promise<void> {
    const a = checkAlias(alias);
    requireAdmin(options.actor ?? localActor(), 'remove a promotion gate');
    await this.ctx.tx(options, async (s) => {
      const model = await lockModel(s, name);
      const before = await s.aliases.gate(model.model_id, model.name, a);
      if (!before || !(await s.aliases.deleteGate(model.model_id, a))) throw notFound(`A gate for @${a} of '${model.name}'`);
      await s.record({ action: 'gate.deleted', modelId: model.model_id, modelName: model.name, alias: a, before: strip(before) });
    });
  }

  /**
   * A dry run asked for by a person or CI (`promote --dry-run`): evaluates the gate without moving
   * anything, and records the evaluation in the audit log as `gate.evaluated`.
   */
  async check(name: string, version: string | number, alias: string, options: WriteOptions = {}): Promise<GateEvaluation> {
    const evaluation = await this.evaluate(name, version, alias);
    await this.ctx.tx(options, async (s) => {
      const model = await lockModel(s, name);
      await s.record({ action: 'gate.evaluated', modelId: model.model_id, modelName: model.name, alias: evaluation.alias, version: evaluation.candidate, before: evaluation.current === null ? null : { version: evaluation.current }, after: evaluation });
    });
    return evaluation;
  }

  /** Evaluates the gate of `alias` for a version; reads only (nothing moves, nothing is recorded). */
  async evaluate(name: string, version: string | number, alias: string): Promise<GateEvaluation> {
    return (await this.evaluateGate(name, version, alias)).evaluation;
  }

  /** The evaluation, and the gate it was made under (a promotion checks that it still holds). */
  private async evaluateGate(name: string, version: string | number, alias: string): Promise<{ evaluation: GateEvaluation; gate: GatePolicy | null }> {
    const a = checkAlias(alias);
    const model = await this.ctx.requireModel(name);
    const v = parseVersion(model.name, version);
    const candidate = await this.ctx.versions.row(model.model_id, v);
    if (!candidate) throw versionNotFound(model.name, v);
    if (candidate.status !== 'READY') throw new CairnError('FAILED_PRECONDITION', `Version ${v} of '${model.name}' is ${candidate.status}; only READY versions can be promoted.`);
    const gate = await this.ctx.aliases.gate(model.model_id, model.name, a);
    const current = await this.ctx.aliases.get(model.model_id, a);
    const base = { model: model.name, alias: a, candidate: v, current, evaluatedTime: this.ctx.now() };
    if (!gate) return { evaluation: { ...base, passed: true, gated: false, conditions: [], signature: null }, gate };

    const parsed = gate.conditions.map((c) => parseGateCondition(c));
    const subjects = new Map<string, GateSubject | null>();
    const holderRows = new Map<string, ModelVersionRow | null>();
    for (const name of new Set(['current', ...subjectsOf(parsed)])) {
      const held = name === 'current' ? current : await this.ctx.aliases.get(model.model_id, name);
      const row = held === null ? null : ((await this.ctx.versions.row(model.model_id, held)) ?? null);
      holderRows.set(name, row);
      subjects.set(name, row ? await this.subject(row) : null);
    }
    const scope = { candidate: await this.subject(candidate), subjects };
    const conditions = gate.conditions.map((c, i) => evaluateCondition(c, parsed[i]!, scope));
    const signature = gate.requireSignatureCompatible ? checkSignatures(candidate, holderRows.get('current') ?? null) : null;
    const passed = conditions.every((c) => c.passed) && (signature?.compatible ?? true);
    return { evaluation: { ...base, passed, gated: true, conditions, signature }, gate };
  }

  /**
   * Moves `alias` to the version only if the gate passes; records the evaluation either way. If the
   * alias moves or its gate changes while the gate is being evaluated, the evaluation is redone
   * against the new holder and the new gate.
   *
   * @example
   * ```ts
   * const p = await registry.gates.promote('churn', 7, 'champion');
   * if (!p.passed) for (const c of p.conditions) console.log(c.passed ? 'ok  ' : 'FAIL', c.expression, c.values);
   * ```
   */
  async promote(name: string, version: string | number, alias: string, options: WriteOptions & { reason?: string | null } = {}): Promise<Promotion> {
    for (let attempt = 1; ; attempt++) {
      const { evaluation, gate } = await this.evaluateGate(name, version, alias);
      try {
        await this.ctx.tx(options, async (s) => {
          const model = await lockModel(s, name);
          const gateNow = await s.aliases.gate(model.model_id, model.name, evaluation.alias);
          if (!sameGate(gate, gateNow)) throw new CairnError('CONFLICT', `The gate of @${evaluation.alias} of '${model.name}' changed while it was evaluated; promote again.`);
          await s.record({
            action: evaluation.passed ? 'promotion.passed' : 'promotion.failed',
            modelId: model.model_id, modelName: model.name, alias: evaluation.alias, version: evaluation.candidate,
            before: evaluation.current === null ? null : { version: evaluation.current }, after: evaluation, reason: options.reason ?? null,
          });
          if (evaluation.passed) await this.aliases.move(s, model.model_id, model.name, evaluation.alias, evaluation.candidate, options.reason ?? null, evaluation.current);
        });
        return { ...evaluation, moved: evaluation.passed };
      } catch (e) {
        if (!isCairnError(e, 'CONFLICT') || attempt >= 3) throw e;
      }
    }
  }

  private async subject(row: ModelVersionRow): Promise<GateSubject> {
    const run: Run | null = row.run_id ? await this.ctx.runs.get(row.run_id).catch(() => null) : null;
    const metrics = keyMap((run?.data.metrics ?? []).map((m) => [m.key, m.value]));
    const versionTags = await this.ctx.versions.tags({ modelId: row.model_id, version: row.version });
    return { version: row.version, metrics, params: run?.data.params ?? {}, tags: run?.data.tags ?? {}, version_tags: versionTags };
  }
}

function checkSignatures(candidate: ModelVersionRow, holder: ModelVersionRow | null): GateEvaluation['signature'] {
  if (!holder || holder.version === candidate.version) return { required: true, compatible: true, problems: [] };
  const cand = candidate.signature ? (JSON.parse(candidate.signature) as Signature) : null;
  const held = holder.signature ? (JSON.parse(holder.signature) as Signature) : null;
  if (!cand) return { required: true, compatible: false, problems: [`version ${candidate.version} has no signature to compare with version ${holder.version}'s`] };
  if (!held) return { required: true, compatible: true, problems: [] };
  const problems = signatureProblems(held, cand);
  return { required: true, compatible: problems.length === 0, problems };
}

function sameGate(a: GatePolicy | null, b: GatePolicy | null): boolean {
  return a === null || b === null ? a === b : a.updatedTime === b.updatedTime && JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function requireAdmin(actor: Actor, what: string): void {
  if (actor.role !== 'admin') throw new CairnError('PERMISSION_DENIED', `Only an admin may ${what} ('${actor.name}' is ${actor.role}).`);
}

function strip(g: GatePolicy): Omit<GatePolicy, 'updatedTime' | 'updatedBy' | 'model'> {
  return { alias: g.alias, conditions: g.conditions, requireSignatureCompatible: g.requireSignatureCompatible, protected: g.protected };
}

