export { CairnApi, type CallOptions, type SampledHistory, type SampledHistoryQuery, type Whoami } from './cairn-api.js';
export { CairnClient, type CairnClientOptions, type ArtifactBody } from './cairn-client.js';
export type { FetchLike } from './http-transport.js';
export { encodeValue, decodeValue, encodeMetric, decodeMetric, type WireMetric } from './wire.js';
export { RegistryApi, type OverrideInput } from './registry-api.js';
export { RegistryClient } from './registry-client.js';
export { PipelinesClient } from './pipelines-client.js';
export { FeaturesClient, type PushTarget } from './features-client.js';
