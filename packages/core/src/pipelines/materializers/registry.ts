import { CairnError } from '../../errors.js';
import { artifactKind } from '../artifact-values.js';
import type { ValueKind } from '../entities.js';
import { FileMaterializer } from './file-materializer.js';
import { FolderMaterializer, ModelMaterializer } from './folder-materializer.js';
import { JsonMaterializer } from './json-materializer.js';
import type { Materializer } from './materializer.js';
import { TableMaterializer } from './table-materializer.js';

const BY_KIND: Record<ValueKind, Materializer> = {
  json: new JsonMaterializer('json'),
  number: new JsonMaterializer('number'),
  string: new JsonMaterializer('string'),
  boolean: new JsonMaterializer('boolean'),
  table: new TableMaterializer(),
  file: new FileMaterializer(),
  folder: new FolderMaterializer(),
  model: new ModelMaterializer(),
};

/** The materializer for a kind (what command steps declare). */
export function materializerForKind(kind: ValueKind): Materializer {
  return BY_KIND[kind];
}

/** The materializer a value's type picks: branded artifacts by their brand, anything else as JSON. */
export function materializerForValue(value: unknown): Materializer {
  const kind = artifactKind(value);
  if (kind) return BY_KIND[kind];
  return BY_KIND[typeof value === 'number' ? 'number' : typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean' : 'json'];
}

/** The materializer that wrote an artifact, by the id stored with it. */
export function materializerById(id: string, kind: ValueKind): Materializer {
  const m = BY_KIND[kind];
  if (!m || m.id !== id) {
    throw new CairnError('FAILED_PRECONDITION', `Artifact format '${id}' (${kind}) is not known to this version of Cairn; upgrade Cairn to read it.`);
  }
  return m;
}
