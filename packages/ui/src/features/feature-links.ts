import type { ObjectKind } from '@cairn/core';

/** The page of an applied feature definition. */
export function featureObjectPath(kind: ObjectKind | string, name: string): string {
  const n = encodeURIComponent(name);
  if (kind === 'featureView' || kind === 'onDemandFeatureView') return `/features/views/${n}`;
  if (kind === 'featureService') return `/features/services/${n}`;
  if (kind === 'source') return `/features/sources/${n}`;
  return `/features/entities/${n}`;
}

/** The page of the data a source reads (`file:<path>`, `table:<name>`, …). */
export const dataPath = (key: string) => `/features/data?key=${encodeURIComponent(key)}`;
