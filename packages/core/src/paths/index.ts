export {
  MAX_PATH_BYTES,
  MAX_SEGMENT_BYTES,
  formatArtifactUri,
  parseArtifactUri,
  resolveUnderRoot,
  validateRelativePath,
} from './validate-path.js';
export type { ArtifactUriScheme, ParsedArtifactUri, ValidatePathOptions } from './validate-path.js';
