export type {
  ArtifactBody,
  ArtifactDownload,
  ArtifactFileInfo,
  ByteRange,
  GetOptions,
  ArtifactStore,
  PutOptions,
  PutResult,
} from './artifact-store.js';
export { bodyChunks } from './artifact-body.js';
export { LOCAL_TEMP_FOLDER, LocalArtifactStore } from './local/local-artifact-store.js';
export { RESERVED_ARTIFACT_FOLDERS, refuseReservedWrite, reservedFolderOf } from './reserved-folders.js';
