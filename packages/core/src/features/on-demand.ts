import { CairnError, invalid } from '../errors.js';
import { compileDefinitions } from './compile-definitions.js';
import type { Definition, OnDemandFeatureView } from './define.js';
import type { OnDemandFeatureViewSpec, StoredObject } from './entities.js';
import { coerceValue } from './value-types.js';

/** Finds the compute function of an applied on-demand view in the project's loaded code. */
export type OnDemandCode = (stored: StoredObject<OnDemandFeatureViewSpec>) => Promise<OnDemandFeatureView['compute']>;

/**
 * On-demand functions come from the project's definition files (loaded once, on first use), never
 * from stored text; the loaded function must be the one that was applied.
 */
export function onDemandCodeFrom(load: () => Promise<Definition[]>): OnDemandCode {
  let loaded: Promise<Map<string, OnDemandFeatureView>> | null = null;
  return async (stored) => {
    loaded ??= load().then((defs) => compileDefinitions(defs).odfvs).catch((e: unknown) => {
      loaded = null;
      throw e;
    });
    const odfv = (await loaded).get(stored.name);
    if (!odfv) {
      throw new CairnError('FAILED_PRECONDITION', `On-demand feature view '${stored.name}' is applied but its code is not in this project's features folder. Run where the definitions are.`);
    }
    if (odfv.compute.toString() !== stored.spec.computeSource) {
      throw new CairnError('FAILED_PRECONDITION', `The code of on-demand feature view '${stored.name}' differs from applied version ${stored.version}. Run 'cairn features apply' first.`);
    }
    return odfv.compute;
  };
}

/** A function computing one row's outputs from its inputs, with request fields and outputs type-checked. */
export async function onDemandRowFunction(code: OnDemandCode, stored: StoredObject<OnDemandFeatureViewSpec>): Promise<(input: Record<string, unknown>, row: number) => Record<string, unknown>> {
  const compute = await code(stored);
  const spec = stored.spec;
  return (input, row) => {
    for (const r of spec.request) {
      if (input[r.name] === undefined) throw invalid(`Entity ${row} has no '${r.name}', a request field of on-demand view '${spec.name}'.`);
      input[r.name] = coerceValue(input[r.name], r.type, `Entity ${row} request field '${r.name}'`);
    }
    let out: Record<string, unknown>;
    try {
      out = compute(input) ?? {};
    } catch (e) {
      throw new CairnError('FAILED_PRECONDITION', `On-demand view '${spec.name}' failed on entity ${row}: ${(e as Error).message}`, { cause: e });
    }
    return Object.fromEntries(spec.features.map((f) => [f.name, coerceValue(out[f.name], f.type, `On-demand view '${spec.name}' output '${f.name}' (entity ${row})`)]));
  };
}

/** Outputs of an on-demand view for each entity, given its request fields and input feature values. */
export async function computeOnDemand(
  code: OnDemandCode, stored: StoredObject<OnDemandFeatureViewSpec>, entities: Array<Record<string, unknown>>, inputs: Array<Record<string, unknown>>,
): Promise<Array<Record<string, unknown>>> {
  const fn = await onDemandRowFunction(code, stored);
  return entities.map((e, j) => fn({ ...Object.fromEntries(stored.spec.request.map((r) => [r.name, e[r.name]])), ...inputs[j] }, j));
}
