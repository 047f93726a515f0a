import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Field } from '../entities.js';
import { writeParquet } from './offline-fixtures.js';

export const DEFINE = join(import.meta.dirname, '..', 'define.ts');
export const T0 = Date.UTC(2024, 0, 1);
export const H = 3_600_000;

/** The definitions file of the test project; `variant` tweaks it to exercise plan/apply changes. */
export function definitionsSource(variant: { convType?: string; ttl?: string; expectations?: boolean; dropService?: boolean } = {}): string {
  return `import { entity, fileSource, featureView, featureService, onDemandFeatureView, pushSource } from ${JSON.stringify(DEFINE)};
export const driver = entity({ name: 'driver', joinKeys: { driver_id: 'int64' }, description: 'A driver' });
export const trips = fileSource({ name: 'trips', path: 'data/trips.parquet', timestampField: 'event_timestamp', createdTimestampField: 'created' });
export const driverStats = featureView({
  name: 'driver_stats', entities: [driver], source: trips, ttl: ${JSON.stringify(variant.ttl ?? '2h')}, owner: 'risk', tags: { team: 'risk' },
  schema: { conv_rate: ${JSON.stringify(variant.convType ?? 'float64')}, trips: 'int64' },
  ${variant.expectations ? "expectations: { features: { conv_rate: { notNull: true, min: 0, max: 1 } } }," : ''}
});
export const clicks = pushSource({ name: 'clicks', timestampField: 'event_timestamp' });
export const driverClicks = featureView({ name: 'driver_clicks', entities: [driver], source: clicks, schema: { clicks: 'int64' } });
export const adjusted = onDemandFeatureView({
  name: 'adjusted', sources: { request: { bonus: 'float64' }, features: ['driver_stats:conv_rate'] }, schema: { conv_plus_bonus: 'float64' },
  compute: (r) => ({ conv_plus_bonus: r.conv_rate == null ? null : Number(r.conv_rate) + Number(r.bonus) }),
});
${variant.dropService ? '' : "export const ranking = featureService({ name: 'ranking', features: [driverStats, 'adjusted:conv_plus_bonus'] });"}
`;
}

export const TRIP_COLUMNS: Field[] = [
  { name: 'driver_id', type: 'int64' }, { name: 'event_timestamp', type: 'timestamp' }, { name: 'created', type: 'timestamp' },
  { name: 'conv_rate', type: 'float64' }, { name: 'trips', type: 'int64' },
];

/** Trips: drivers 1..n, one row per hour for `hours` hours; conv_rate = (driver * 100 + hour) / 10000. */
export function tripRows(drivers: number, hours: number): Array<Record<string, unknown>> {
  const rows = [];
  for (let d = 1; d <= drivers; d++) for (let h = 0; h < hours; h++) rows.push({ driver_id: d, event_timestamp: T0 + h * H, created: T0 + h * H + 60_000, conv_rate: (d * 100 + h) / 10_000, trips: d * 1000 + h });
  return rows;
}

/** Writes the definitions and the trips data into a project folder. */
export async function writeFeatureProject(dir: string, rows = tripRows(5, 6), variant: Parameters<typeof definitionsSource>[0] = {}): Promise<void> {
  mkdirSync(join(dir, 'features'), { recursive: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'features', 'drivers.ts'), definitionsSource(variant));
  await writeParquet(join(dir, 'data', 'trips.parquet'), TRIP_COLUMNS, rows);
}
