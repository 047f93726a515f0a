// One lineage graph across the registry, tracking, the feature store and pipelines.
export * from './entities.js';
export { LineageGraphService, nodeId } from './lineage-graph-service.js';
export type { LineageDeps } from './lineage-context.js';
