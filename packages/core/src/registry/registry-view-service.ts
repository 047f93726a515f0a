import { previewArtifact, type ArtifactPreview } from '../tracking/artifact-preview.js';
import type { VersionService } from './version-service.js';

/** Reads for people looking at the registry (the web UI). Everything here only reads. */
export class RegistryViewService {
  constructor(private readonly versions: VersionService) {}

  /**
   * A preview of one of a version's files, as run artifacts are previewed: the first text, the first
   * table rows, or its kind. Only registered files are read, and their bytes are checked against the
   * recorded sha256 as they stream.
   *
   * @example
   * ```ts
   * const p = await registry.views.previewFile('churn', 3, 'signature.json');
   * if (p.kind === 'text') console.log(p.text);
   * ```
   */
  async previewFile(name: string, version: string | number, path: string): Promise<ArtifactPreview> {
    return previewArtifact(path, await this.versions.openFile(name, version, path));
  }
}
