/** The page of a pipeline run. */
export const runPath = (runId: string) => `/pipelines/runs/${encodeURIComponent(runId)}`;
