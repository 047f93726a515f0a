/** The least a run needs to be placed in the tree. */
export interface TreeRun {
  info: { runId: string; parentRunId: string | null };
}

export interface TreeRow<R extends TreeRun> {
  run: R;
  depth: number;
  /** Loaded child runs (direct children only). */
  childCount: number;
}

/**
 * Places nested runs under their parent: each run whose parent is among `runs` follows it (depth
 * one more), in the order the server sent; runs whose parent is not loaded stay where they are.
 * Children of a `collapsed` run are left out. Cycles (which the store cannot make) cannot loop.
 */
export function nestRuns<R extends TreeRun>(runs: readonly R[], collapsed: ReadonlySet<string> = new Set()): TreeRow<R>[] {
  const ids = new Set(runs.map((r) => r.info.runId));
  const children = new Map<string, R[]>();
  const roots: R[] = [];
  for (const run of runs) {
    const parent = run.info.parentRunId;
    if (parent && parent !== run.info.runId && ids.has(parent)) {
      const list = children.get(parent);
      if (list) list.push(run);
      else children.set(parent, [run]);
    } else {
      roots.push(run);
    }
  }
  const out: TreeRow<R>[] = [];
  const placed = new Set<string>();
  const visit = (run: R, depth: number) => {
    if (placed.has(run.info.runId)) return;
    placed.add(run.info.runId);
    const kids = children.get(run.info.runId) ?? [];
    out.push({ run, depth, childCount: kids.length });
    if (!collapsed.has(run.info.runId)) for (const kid of kids) visit(kid, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  // Runs only reachable through a cycle: shown flat rather than lost.
  if (collapsed.size === 0) for (const run of runs) if (!placed.has(run.info.runId)) visit(run, 0);
  return out;
}

/**
 * `next` with each row swapped for the equal row of `previous` (the same run object, depth and
 * child count), so the memoized rows in view do not re-render when another page of runs arrives.
 */
export function reuseRows<R extends TreeRun>(next: TreeRow<R>[], previous: readonly TreeRow<R>[]): TreeRow<R>[] {
  if (!previous.length) return next;
  const old = new Map(previous.map((r) => [r.run, r]));
  return next.map((r) => {
    const o = old.get(r.run);
    return o && o.depth === r.depth && o.childCount === r.childCount ? o : r;
  });
}
