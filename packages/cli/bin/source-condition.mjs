// Module hook for running Cairn from its sources (bin/cairn.js in the checkout): resolve every import
// with the "source" export condition, as `node --conditions=source` would.
export async function resolve(specifier, context, nextResolve) {
  if (context.conditions.includes('source')) return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: ['source', ...context.conditions] });
}
