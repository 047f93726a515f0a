import type { InferenceLogQuery, InferenceRecord, LoggedRows } from './entities.js';

/**
 * Where logged predictions go: the plug-in point of the inference log, with a backend writing
 * Parquet files to the artifact store and one writing to the metadata database
 * (`serving.inference_log.store`). `append` takes a batch; it either stores all of it or throws.
 */
export interface InferenceLogStore {
  append(records: InferenceRecord[]): Promise<void>;
  /** The rows logged in the window, in no particular order (`times` tells when each was scored). */
  read(query: InferenceLogQuery): Promise<LoggedRows>;
  close(): Promise<void>;
}
