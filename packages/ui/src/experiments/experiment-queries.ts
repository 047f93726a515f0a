import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../app/api-context.js';

export type ExperimentListView = 'ACTIVE_ONLY' | 'DELETED_ONLY';

/** Experiments whose name contains `search` (case-insensitive), newest activity first, paged. */
export function useExperiments(search: string, viewType: ExperimentListView) {
  const api = useApi();
  const filter = search.trim() ? `name ILIKE '%${search.trim().replaceAll("'", "''")}%'` : undefined;
  return useInfiniteQuery({
    queryKey: ['experiments', { filter, viewType }],
    queryFn: ({ pageParam }) => api.searchExperiments({ filter, viewType, orderBy: ['last_update_time DESC'], maxResults: 200, pageToken: pageParam ?? undefined }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextPageToken,
    placeholderData: keepPreviousData,
  });
}

/** Run counts and latest run activity for the experiments shown. */
export function useExperimentStats(experimentIds: string[]) {
  const api = useApi();
  return useQuery({
    queryKey: ['experiment-stats', experimentIds],
    queryFn: ({ signal }) => api.experimentStats(experimentIds, { signal }),
    enabled: experimentIds.length > 0,
    placeholderData: keepPreviousData,
  });
}

/** One experiment by id. */
export function useExperiment(experimentId: string | undefined) {
  const api = useApi();
  return useQuery({ queryKey: ['experiment', experimentId], queryFn: () => api.getExperiment(experimentId!), enabled: Boolean(experimentId) });
}

/** Metric, param and tag keys used in the experiments: the column picker's and the filter box's names. */
export function useExperimentKeys(experimentIds: string[]) {
  const api = useApi();
  return useQuery({
    queryKey: ['experiment-keys', experimentIds],
    queryFn: ({ signal }) => api.experimentKeys(experimentIds, { signal }),
    enabled: experimentIds.length > 0,
    staleTime: 30_000,
  });
}

function useExperimentMutation<A>(run: (a: A) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['experiments'] }),
  });
}

export function useCreateExperiment() {
  const api = useApi();
  return useExperimentMutation((name: string) => api.createExperiment({ name }));
}

export function useRenameExperiment() {
  const api = useApi();
  return useExperimentMutation(({ id, name }: { id: string; name: string }) => api.renameExperiment(id, name));
}

export function useDeleteExperiment() {
  const api = useApi();
  return useExperimentMutation((id: string) => api.deleteExperiment(id));
}

export function useRestoreExperiment() {
  const api = useApi();
  return useExperimentMutation((id: string) => api.restoreExperiment(id));
}
