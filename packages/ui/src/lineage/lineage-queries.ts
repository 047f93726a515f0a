import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { LineageKind, LineageQuery } from '@cairn/core';
import { useApi } from '../app/api-context.js';

/** The lineage graph around one object. */
export function useLineage(kind: LineageKind | null, key: string | null, q: LineageQuery) {
  const api = useApi();
  return useQuery({
    queryKey: ['lineage', kind, key, q],
    queryFn: ({ signal }) => api.lineage(kind!, key!, q, { signal }),
    enabled: kind !== null && key !== null && key !== '',
    placeholderData: keepPreviousData,
    retry: false,
  });
}
