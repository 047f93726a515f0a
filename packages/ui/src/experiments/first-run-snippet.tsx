/** The few lines of SDK code that log a first run (what an empty page suggests). */
export function FirstRunSnippet({ experiment = 'my-experiment' }: { experiment?: string }) {
  const code = `import { Cairn } from '@cairn/cli';
const cairn = await Cairn.connect({ uri: '${window.location.origin}' });
await cairn.run({ experiment: '${experiment.replaceAll("'", "\\'")}' }, async (run) => run.logMetrics({ auc: 0.91 }));`;
  return <pre className="code">{code}</pre>;
}
