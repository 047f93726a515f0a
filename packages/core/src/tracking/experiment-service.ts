import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Dialect } from '../db/database.js';
import { CairnError, notFound } from '../errors.js';
import { reservedFolderOf } from '../artifacts/reserved-folders.js';
import { parseArtifactUri } from '../paths/index.js';
import type { Experiment, Page, Tags, ViewType } from './entities.js';
import { searchExperimentIds, type ExperimentTieBreak } from './search/index.js';
import { ExperimentStore, toId } from './sql/experiment-store.js';
import { LIMITS, checkKey, checkText } from './validation.js';
import { keyMap } from '../util/key-map.js';

export interface CreateExperimentInput {
  name: string;
  /** A Cairn-assigned URI (`cairn-artifacts:/…` or `mlflow-artifacts:/…`); any other location is refused. */
  artifactLocation?: string | null;
  tags?: Tags;
}

export interface SearchExperimentsInput {
  filter?: string;
  /** Ties after an explicit order: `experiment_id ASC` (`cairn`, the default) or MLflow's `experiment_id DESC`. */
  tieBreak?: ExperimentTieBreak;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  viewType?: ViewType;
}

/** Experiments: create, find, rename, delete/restore, tags. */
export class ExperimentService {
  private readonly store: ExperimentStore;

  constructor(private readonly db: Kysely<Database>, private readonly dialect: Dialect, private readonly now: () => number = Date.now) {
    this.store = new ExperimentStore(db);
  }

  async create(input: CreateExperimentInput): Promise<Experiment> {
    const name = checkName(input.name);
    const location = input.artifactLocation ? checkArtifactLocation(input.artifactLocation) : null;
    const tags = checkTags(input.tags ?? {});
    const id = await this.store.create({ name, artifactLocation: location, tags, now: this.now() });
    return this.get(id);
  }

  async get(id: string): Promise<Experiment> {
    const exp = await this.store.get(String(id));
    if (!exp) throw notFound(`Experiment with id '${id}'`, 'List experiments with `cairn experiments list`.', { entity: 'experiment', id });
    return exp;
  }

  async getByName(name: string): Promise<Experiment> {
    const exp = await this.findByName(name);
    if (!exp) throw notFound(`Experiment '${name}'`, 'Create it with `cairn experiments create NAME` or check the spelling.');
    return exp;
  }

  async findByName(name: string): Promise<Experiment | null> {
    // A name that could never have been stored (NUL, broken Unicode) is simply not there.
    if (typeof name !== 'string' || name.includes('\u0000') || !name.isWellFormed()) return null;
    return this.store.getByName(name);
  }

  /**
   * The experiment whose artifact location holds `path` (a key relative to the artifact root, already
   * validated), or null when it lies in no experiment's area: what may be written through a proxy.
   */
  async findByArtifactPath(path: string): Promise<Experiment | null> {
    if (!path) return null;
    const id = await this.store.idByArtifactPath(path);
    return id === null ? null : this.store.get(id);
  }

  async search(input: SearchExperimentsInput = {}): Promise<Page<Experiment>> {
    const { ids, nextPageToken } = await searchExperimentIds(this.db, this.dialect, input);
    return { items: await this.store.getMany(ids), nextPageToken };
  }

  async rename(id: string, newName: string): Promise<Experiment> {
    const name = checkName(newName);
    await this.store.rename(id, name, this.now());
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const exp = await this.get(id);
    if (exp.experimentId === '0') throw new CairnError('FAILED_PRECONDITION', 'The Default experiment (id 0) cannot be deleted.');
    await this.store.setLifecycle(id, 'deleted', this.now());
  }

  async restore(id: string): Promise<void> {
    await this.get(id);
    await this.store.setLifecycle(id, 'active', this.now());
  }

  async setTag(id: string, key: string, value: string): Promise<void> {
    await this.get(id);
    await this.store.setTag(id, checkKey(key, 'key'), checkText(value, 'value', LIMITS.tagValueLength), this.now());
  }

  async deleteTag(id: string, key: string): Promise<void> {
    await this.get(id);
    if (!(await this.store.deleteTag(id, checkKey(key, 'key')))) throw notFound(`Tag '${key}' on experiment '${id}'`);
  }

  /** The experiment must exist and be active to take new runs. */
  async requireActive(id: string): Promise<Experiment> {
    if (toId(String(id)) === null) throw notFound(`Experiment with id '${id}'`, '', { entity: 'experiment', id });
    const exp = await this.get(id);
    if (exp.lifecycleStage !== 'active') {
      throw new CairnError('FAILED_PRECONDITION', `Experiment '${exp.name}' is deleted; restore it with \`cairn experiments restore ${id}\` first.`);
    }
    // Refused at creation since; an older experiment placed there takes no new runs.
    if (reservedFolderOf(exp.artifactLocation)) {
      throw new CairnError('FAILED_PRECONDITION', `Experiment '${exp.name}' stores artifacts in '${exp.artifactLocation}', inside a folder Cairn reserves; create a new experiment for new runs.`);
    }
    return exp;
  }
}

/**
 * A client-chosen experiment location: a Cairn artifact URI (see `parseArtifactUri`) naming a
 * folder below the root and outside the folders Cairn's own subsystems own (`registry/`,
 * `pipelines/`), so no run can write into a registered model's or a pipeline's files.
 */
function checkArtifactLocation(uri: string): string {
  const { path } = parseArtifactUri(uri);
  const refuse = (reason: string) => new CairnError('INVALID_ARGUMENT', `Invalid artifact location ${JSON.stringify(uri.slice(0, 200))}: ${reason}. Leave it empty (Cairn assigns one) or name a folder of your own, e.g. 'cairn-artifacts:/team-a/churn'.`, { details: { field: 'artifact location' } });
  if (path === '') throw refuse('it names the artifact root itself');
  const reserved = reservedFolderOf(path);
  if (reserved) throw refuse(`'${reserved}/' is reserved for Cairn's ${reserved}`);
  return path;
}

/** Names are kept byte for byte, leading and trailing spaces included (as MLflow does); only blank ones are refused. */
function checkName(name: unknown): string {
  const checked = checkText(name, 'name', LIMITS.nameLength, false);
  if (!checked.trim()) throw new CairnError('INVALID_ARGUMENT', `'name' must not be blank.`, { details: { field: 'name' } });
  return checked;
}

export function checkTags(tags: Tags): Tags {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) throw new CairnError('INVALID_ARGUMENT', `'tags' must be an object of string values.`);
  return keyMap(Object.entries(tags).map(([k, v]) => [checkKey(k, 'tag key'), checkText(v, `tags.${k}`, LIMITS.tagValueLength)]));
}
