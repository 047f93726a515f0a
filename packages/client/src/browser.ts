// The browser-safe entry of @cairn/client: nothing here imports a Node module (the web UI's bundle
// is built from it). `@cairn/core` is imported for types only, and its error module has no imports.
export { CairnApi, type CairnClientOptions, type CallOptions, type SampledHistory, type SampledHistoryQuery, type Whoami } from './cairn-api.js';
export { CairnError, ERROR_CODES, isCairnError, type ErrorCode } from '@cairn/core/errors';
export { decodeValue, encodeValue } from './wire.js';
