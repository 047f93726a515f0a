import { sql, type Kysely } from 'kysely';

// Metric history moves from one row per point (`metrics`) to packed segments (`metric_segments`): up to
// 8192 points of one (run, key) per row, as little-endian Float64 triples (step, timestamp, value). A
// 100k-point read becomes a dozen rows and a memcpy instead of 100k rows materialized by the driver
// (docs/architecture.md). NaN and ±Infinity keep their exact bits, so no is_nan flag is needed.
// This file keeps its own copy of the packing so it stays what it was when it ran.

const isPg = (db: Kysely<unknown>) => db.getExecutor().adapter.constructor.name.startsWith('Postgres');

const MAX_POINTS = 8192;
const PAGE_ROWS = 50_000;
const INSERT_ROWS = 500;
const INSERT_BYTES = 8 * 1024 * 1024;

interface OldRow { run_uuid: string; key: string; step: number; timestamp: number; value: number; is_nan: number }
interface SegmentRow { run_uuid: string; key: string; seq: number; n: number; min_step: number; max_step: number; data: Buffer }
interface Tables { metrics: OldRow; metric_segments: SegmentRow }

export async function up(untyped: Kysely<unknown>): Promise<void> {
  const pg = isPg(untyped);
  const db = untyped as Kysely<Tables>;
  await db.schema
    .createTable('metric_segments')
    .addColumn('run_uuid', 'text', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('min_step', 'bigint', (c) => c.notNull())
    .addColumn('max_step', 'bigint', (c) => c.notNull())
    .addColumn('data', pg ? 'bytea' : 'blob', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_segments_pk', ['run_uuid', 'key', 'seq'])
    .execute();
  // Doubles barely compress: store them out of line without trying, so reads skip a decompression pass.
  if (pg) await sql`alter table metric_segments alter column data set storage external`.execute(db);

  const writer = new SegmentWriter(db);
  let group: { run: string; key: string; points: number[]; nan: boolean } | null = null;
  const flushGroup = async () => {
    if (group) await writer.add(group.run, group.key, sortGroup(group.points, group.nan));
  };
  // Keyset pages in primary-key order: bounded memory whatever the table's size.
  let after: OldRow | undefined;
  for (;;) {
    const where = after
      ? sql`where (run_uuid, key, step, timestamp, value, is_nan) > (${after.run_uuid}, ${after.key}, ${after.step}, ${after.timestamp}, ${after.value}, ${after.is_nan})`
      : sql``;
    const { rows } = await sql<OldRow>`select run_uuid, key, step, timestamp, value, is_nan from metrics ${where}
      order by run_uuid, key, step, timestamp, value, is_nan limit ${PAGE_ROWS}`.execute(db);
    for (const r of rows) {
      if (!group || group.run !== r.run_uuid || group.key !== r.key) {
        await flushGroup();
        group = { run: r.run_uuid, key: r.key, points: [], nan: false };
      }
      const nan = r.is_nan === 1;
      group.nan ||= nan;
      group.points.push(Number(r.step), Number(r.timestamp), nan ? Number.NaN : r.value);
    }
    if (rows.length < PAGE_ROWS) break;
    after = rows[rows.length - 1];
  }
  await flushGroup();
  await writer.finish();
  await db.schema.dropTable('metrics').execute();
}

// The old key sorted NaN (stored as 0 with is_nan = 1) among the zeros; history order puts NaN below
// every number of the same (step, timestamp). Only a group holding a NaN can differ.
function sortGroup(points: number[], hasNaN: boolean): number[] {
  if (!hasNaN) return points;
  const triples: [number, number, number][] = [];
  for (let i = 0; i < points.length; i += 3) triples.push([points[i]!, points[i + 1]!, points[i + 2]!]);
  triples.sort((a, b) => a[0] - b[0] || a[1] - b[1] || (Number.isNaN(a[2]) ? (Number.isNaN(b[2]) ? 0 : -1) : Number.isNaN(b[2]) ? 1 : a[2] - b[2]));
  return triples.flat();
}

class SegmentWriter {
  private rows: SegmentRow[] = [];
  private bytes = 0;
  constructor(private readonly db: Kysely<Tables>) {}

  async add(run: string, key: string, points: number[]): Promise<void> {
    const n = points.length / 3;
    for (let from = 0, seq = 0; from < n; from += MAX_POINTS, seq++) {
      const to = Math.min(n, from + MAX_POINTS);
      const data = Buffer.allocUnsafe((to - from) * 24);
      for (let k = from * 3, o = 0; k < to * 3; k++, o += 8) data.writeDoubleLE(points[k]!, o);
      this.rows.push({ run_uuid: run, key, seq, n: to - from, min_step: points[from * 3]!, max_step: points[(to - 1) * 3]!, data });
      this.bytes += data.byteLength;
      if (this.rows.length >= INSERT_ROWS || this.bytes >= INSERT_BYTES) await this.finish();
    }
  }

  async finish(): Promise<void> {
    if (this.rows.length) await this.db.insertInto('metric_segments').values(this.rows).execute();
    this.rows = [];
    this.bytes = 0;
  }
}

export async function down(untyped: Kysely<unknown>): Promise<void> {
  const pg = isPg(untyped);
  const db = untyped as Kysely<Tables>;
  await db.schema
    .createTable('metrics')
    .addColumn('run_uuid', 'text', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('step', 'bigint', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('is_nan', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('metrics_pk', ['run_uuid', 'key', 'step', 'timestamp', 'value', 'is_nan'])
    .$call((b) => (pg ? b : b.modifyEnd(sql`without rowid`)))
    .execute();
  let after: { run_uuid: string; key: string; seq: number } | undefined;
  for (;;) {
    let q = db.selectFrom('metric_segments').select(['run_uuid', 'key', 'seq', 'data']).orderBy('run_uuid').orderBy('key').orderBy('seq').limit(100);
    if (after) q = q.where(sql<boolean>`(run_uuid, key, seq) > (${after.run_uuid}, ${after.key}, ${after.seq})`);
    const segments = await q.execute();
    for (const s of segments) {
      const rows: OldRow[] = [];
      for (let o = 0; o < s.data.byteLength; o += 24) {
        const value = s.data.readDoubleLE(o + 16);
        const nan = Number.isNaN(value);
        rows.push({ run_uuid: s.run_uuid, key: s.key, step: s.data.readDoubleLE(o), timestamp: s.data.readDoubleLE(o + 8), value: nan ? 0 : value, is_nan: nan ? 1 : 0 });
      }
      for (let i = 0; i < rows.length; i += 1000) await db.insertInto('metrics').values(rows.slice(i, i + 1000)).onConflict((oc) => oc.doNothing()).execute();
    }
    if (segments.length < 100) break;
    after = segments[segments.length - 1];
  }
  await db.schema.dropTable('metric_segments').execute();
}
