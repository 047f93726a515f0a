// Run reports for people and CI: metrics against the alias holder, data statistics, lineage.
export { buildRunReport, REGISTERED_VERSION_TAG, type RunReport, type ModelReport } from './run-report.js';
export { renderMarkdown } from './markdown.js';
