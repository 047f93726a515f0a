import type { ArtifactLink, ArtifactRecord } from '../entities.js';
import type { PipelineDb } from './pipeline-tables.js';
import { toArtifact } from './row-mappers.js';

export interface LinkInput {
  name: string;
  artifact: ArtifactRecord;
}

/**
 * Records artifacts (idempotently: they are content-addressed) and which step run produced or
 * consumed them. Called inside the transaction that changes the step's state.
 */
export async function writeLineage(trx: PipelineDb, stepRunId: string, outputs: LinkInput[], inputs: LinkInput[]): Promise<void> {
  const artifacts = new Map<string, ArtifactRecord>();
  for (const l of [...outputs, ...inputs]) artifacts.set(l.artifact.artifactId, l.artifact);
  if (artifacts.size) {
    await trx
      .insertInto('pipeline_artifacts')
      .values([...artifacts.values()].map((a) => ({
        artifact_id: a.artifactId, digest: a.digest, materializer: a.materializer, kind: a.kind, uri: a.uri, size: a.size, file_count: a.fileCount, created_time: a.createdTime,
      })))
      .onConflict((oc) => oc.column('artifact_id').doNothing())
      .execute();
  }
  const links = [
    ...outputs.map((l) => ({ step_run_id: stepRunId, direction: 'output', name: l.name, artifact_id: l.artifact.artifactId })),
    ...inputs.map((l) => ({ step_run_id: stepRunId, direction: 'input', name: l.name, artifact_id: l.artifact.artifactId })),
  ];
  if (links.length) {
    await trx.insertInto('artifact_links').values(links).onConflict((oc) => oc.columns(['step_run_id', 'direction', 'name']).doNothing()).execute();
  }
}

/** Read side of lineage: the artifacts each step run of a pipeline run consumed and produced. */
export class LineageStore {
  constructor(private readonly db: PipelineDb) {}

  async linksOfRun(runId: string): Promise<ArtifactLink[]> {
    const rows = await this.db
      .selectFrom('artifact_links as l')
      .innerJoin('step_runs as s', 's.step_run_id', 'l.step_run_id')
      .innerJoin('pipeline_artifacts as a', 'a.artifact_id', 'l.artifact_id')
      .selectAll('a')
      .select(['l.step_run_id', 'l.direction', 'l.name'])
      .where('s.run_id', '=', runId)
      .orderBy('s.position')
      .orderBy('l.direction')
      .orderBy('l.name')
      .execute();
    return rows.map((r) => ({ stepRunId: r.step_run_id, direction: r.direction as 'input' | 'output', name: r.name, artifact: toArtifact(r) }));
  }

  /** Outputs of the given step runs, by step run and output name. */
  async outputsOf(stepRunIds: string[]): Promise<Map<string, Record<string, ArtifactRecord>>> {
    const out = new Map<string, Record<string, ArtifactRecord>>();
    for (let i = 0; i < stepRunIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('artifact_links as l')
        .innerJoin('pipeline_artifacts as a', 'a.artifact_id', 'l.artifact_id')
        .selectAll('a')
        .select(['l.step_run_id', 'l.name'])
        .where('l.step_run_id', 'in', stepRunIds.slice(i, i + 500))
        .where('l.direction', '=', 'output')
        .execute();
      for (const r of rows) (out.get(r.step_run_id) ?? out.set(r.step_run_id, {}).get(r.step_run_id)!)[r.name] = toArtifact(r);
    }
    return out;
  }

  /** Step runs that produced or consumed an artifact. */
  async usesOf(artifactId: string): Promise<Array<{ stepRunId: string; direction: 'input' | 'output'; name: string }>> {
    const rows = await this.db.selectFrom('artifact_links').selectAll().where('artifact_id', '=', artifactId).execute();
    return rows.map((r) => ({ stepRunId: r.step_run_id, direction: r.direction as 'input' | 'output', name: r.name }));
  }
}
