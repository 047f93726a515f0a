// Reproducibility: what a pipeline run records about where it ran, and re-running it to compare outputs.
export { captureEnvironment, environmentTags, environmentFromTags, redactSecrets, ENVIRONMENT_TAGS, type RunEnvironment } from './environment.js';
export { reproduceRun, findPipelineRun, type Reproduction, type OutputComparison, type EnvironmentComparison, type ReproduceOptions } from './reproduce.js';
