import { useMutation, useQuery } from '@tanstack/react-query';
import type { GetOnlineFeaturesInput, ObjectKind } from '@cairn/core';
import { useApi } from '../app/api-context.js';

/** Applied definitions (the latest version of each), optionally of one kind. */
export function useFeatureObjects(kind?: ObjectKind) {
  const api = useApi();
  return useQuery({ queryKey: ['feature-objects', kind ?? null], queryFn: () => api.features.listObjects(kind), staleTime: 30_000 });
}

/** Each view's watermark, last materialization and staleness. */
export function useFreshness() {
  const api = useApi();
  return useQuery({ queryKey: ['feature-freshness'], queryFn: ({ signal }) => api.features.freshness({ signal }) });
}

export function useFeatureView(name: string) {
  const api = useApi();
  return useQuery({ queryKey: ['feature-view', name], queryFn: ({ signal }) => api.features.view(name, { signal }) });
}

export function useFeatureService(name: string) {
  const api = useApi();
  return useQuery({ queryKey: ['feature-service', name], queryFn: ({ signal }) => api.features.service(name, { signal }) });
}

export function useObjectVersions(kind: ObjectKind, name: string) {
  const api = useApi();
  return useQuery({ queryKey: ['feature-object-versions', kind, name], queryFn: ({ signal }) => api.features.objectVersions(kind, name, { signal }) });
}

export function useMaterializations(view?: string) {
  const api = useApi();
  return useQuery({ queryKey: ['materializations', view ?? null], queryFn: ({ signal }) => api.features.materializations({ view, maxResults: 100 }, { signal }) });
}

export function useTrainingSet(datasetId: string) {
  const api = useApi();
  return useQuery({ queryKey: ['training-set', datasetId], queryFn: ({ signal }) => api.features.trainingSet(datasetId, { signal }) });
}

/** Reads online feature values (a reader may: it changes nothing). */
export function useOnlineLookup() {
  const api = useApi();
  return useMutation({ mutationFn: (input: GetOnlineFeaturesInput) => api.features.getOnlineFeatures(input) });
}
