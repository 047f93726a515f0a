// The browser-safe entry of @cairn/client: nothing here imports a Node module (the web UI's bundle
// is built from it). `@cairn/core` is imported for types only, and its error module has no imports.
export { CairnApi, type CairnClientOptions, type CallOptions, type SampledHistory, type SampledHistoryQuery, type Whoami } from './cairn-api.js';
export { CairnError, ERROR_CODES, isCairnError, type ErrorCode } from '@cairn/core/errors';
export { decodeValue, encodeValue } from './wire.js';
export { RegistryApi, type OverrideInput } from './registry-api.js';
export { PipelinesClient } from './pipelines-client.js';
export { FeaturesClient, type PushTarget } from './features-client.js';
