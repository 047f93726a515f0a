// Module hook for running Cairn from its sources (bin/cairn.js in the checkout): resolve every import
// with the "@cairn/source" export condition, as `node --conditions=@cairn/source` would.
const CONDITION = '@cairn/source';

export async function resolve(specifier, context, nextResolve) {
  if (context.conditions.includes(CONDITION)) return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: [CONDITION, ...context.conditions] });
}
