import { parse as parseYaml } from 'yaml';
import { CairnError } from '../../errors.js';
import type { SetGateInput } from '../gate-service.js';

/**
 * Reads promotion gates from a YAML (or JSON) file, so gates can live in a repository and be
 * applied from CI with `cairn models gate set --file gates.yaml`:
 *
 * ```yaml
 * gates:
 *   - model: churn
 *     alias: champion
 *     protected: true
 *     require_signature_compatible: true
 *     conditions:
 *       - metrics.auc >= 0.85
 *       - tags.validation = 'passed'
 *       - metrics.auc >= champion.metrics.auc + 0.005
 * ```
 *
 * Conditions are checked when the gates are set, not here.
 */
export function parseGateFile(text: string, file = 'the gate file'): SetGateInput[] {
  let doc: unknown;
  try {
    doc = parseYaml(text, { schema: 'core', maxAliasCount: 10 });
  } catch (e) {
    throw new CairnError('INVALID_ARGUMENT', `${file} is not valid YAML: ${(e as Error).message}`, { cause: e });
  }
  const gates = (doc as { gates?: unknown } | null)?.gates;
  if (!Array.isArray(gates)) throw new CairnError('INVALID_ARGUMENT', `${file} must hold 'gates:', a list of { model, alias, conditions, protected?, require_signature_compatible? }.`);
  return gates.map((g: unknown, i) => {
    const at = `gates[${i}]`;
    if (typeof g !== 'object' || g === null || Array.isArray(g)) throw new CairnError('INVALID_ARGUMENT', `${file}: ${at} must be a mapping.`);
    const o = g as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !['model', 'alias', 'conditions', 'protected', 'require_signature_compatible'].includes(k));
    if (unknown.length) throw new CairnError('INVALID_ARGUMENT', `${file}: unknown key '${unknown[0]}' in ${at}.`);
    if (typeof o.model !== 'string' || typeof o.alias !== 'string') throw new CairnError('INVALID_ARGUMENT', `${file}: ${at} needs 'model' and 'alias'.`);
    for (const flag of ['protected', 'require_signature_compatible'] as const) {
      if (o[flag] !== undefined && typeof o[flag] !== 'boolean') throw new CairnError('INVALID_ARGUMENT', `${file}: ${at}.${flag} must be true or false.`);
    }
    return {
      model: o.model,
      alias: o.alias,
      conditions: (o.conditions ?? []) as string[],
      protected: o.protected === true,
      requireSignatureCompatible: o.require_signature_compatible === true,
    };
  });
}
