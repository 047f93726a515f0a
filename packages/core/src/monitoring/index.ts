// Monitoring: drift, data quality and live performance of a served version against its training set.
export { MonitorService, type MonitorRunInput, type LabelInput } from './monitor-service.js';
export type { MonitorReport, MonitorAlert, FeatureReport } from './entities.js';
export { psi, jensenShannon, chiSquare, chiSquarePValue, ksStatistic, numericPsi } from './drift.js';
export { auc, accuracy, rmse, mae } from './performance.js';
export { renderMonitorMarkdown, featureRows, FEATURE_HEADERS } from './render-report.js';
export { monitoringExperiment } from './monitor-runs.js';
export { monitoringOverview, percentile, type MonitoringOverview, type TrafficBucket, type MonitorRunSummary, type FiredAlert } from './overview.js';
