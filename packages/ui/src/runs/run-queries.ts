import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Run } from '@cairn/core';
import type { SampledHistoryQuery } from '@cairn/client/browser';
import { useApi } from '../app/api-context.js';
import { orderByOf, type RunsView } from './runs-view-state.js';

/** Runs per page of the runs table; more load as the table scrolls. */
export const RUNS_PAGE_SIZE = 200;
/** How often pages showing a RUNNING run look for changes. */
export const LIVE_INTERVAL_MS = 3_000;

const hasRunning = (runs: readonly Run[]) => runs.some((r) => r.info.status === 'RUNNING');

/** The runs of a view (experiments, filter, order), a page at a time. Polls while a loaded run is RUNNING. */
export function useRunSearch(view: Pick<RunsView, 'experimentIds' | 'filter' | 'sort' | 'deleted'>) {
  const api = useApi();
  const orderBy = orderByOf(view.sort);
  return useInfiniteQuery({
    queryKey: ['runs', { experimentIds: view.experimentIds, filter: view.filter, orderBy, deleted: view.deleted }],
    queryFn: ({ pageParam }) =>
      api.searchRuns({
        experimentIds: view.experimentIds,
        filter: view.filter || undefined,
        orderBy,
        maxResults: RUNS_PAGE_SIZE,
        pageToken: pageParam ?? undefined,
        viewType: view.deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY',
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextPageToken,
    enabled: view.experimentIds.length > 0,
    retry: (count, error) => !(error as { code?: string }).code?.match(/INVALID_ARGUMENT|NOT_FOUND|PERMISSION_DENIED|UNAUTHENTICATED/) && count < 2,
    // Live: re-read what is shown while something in it runs (few pages only; a long scroll stays still).
    refetchInterval: (q) => {
      const pages = q.state.data?.pages ?? [];
      return pages.length <= 3 && pages.some((p) => hasRunning(p.items)) ? LIVE_INTERVAL_MS : false;
    },
  });
}

/** One run with its params, tags, latest metrics and inputs. Polls while it is RUNNING. */
export function useRun(runId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['run', runId],
    queryFn: () => api.getRun(runId),
    refetchInterval: (q) => (q.state.data?.info.status === 'RUNNING' ? LIVE_INTERVAL_MS : false),
  });
}

/** Several runs by id (the compare page). */
export function useRuns(runIds: string[]) {
  const api = useApi();
  return useQuery({
    queryKey: ['runs-by-id', runIds],
    queryFn: () => Promise.all(runIds.map((id) => api.getRun(id))),
    enabled: runIds.length > 0,
    refetchInterval: (q) => (q.state.data && hasRunning(q.state.data) ? LIVE_INTERVAL_MS : false),
  });
}

/** Runs whose parent is `run` (nested runs). */
export function useChildRuns(run: Run | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['child-runs', run?.info.runId],
    queryFn: () => api.searchRuns({ experimentIds: [run!.info.experimentId], filter: `tags.mlflow.parentRunId = '${run!.info.runId}'`, maxResults: 500 }),
    enabled: Boolean(run),
  });
}

/** Downsampled metric histories; `live` polls (ETags make an unchanged answer a 304). */
export function useSampledHistories(q: SampledHistoryQuery | null, live: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: ['sampled', q],
    queryFn: ({ signal }) => api.sampledHistories(q!, { signal }),
    enabled: q !== null && q.runIds.length > 0 && q.keys.length > 0,
    placeholderData: keepPreviousData,
    refetchInterval: live ? LIVE_INTERVAL_MS : false,
  });
}

/** One folder of a run's artifacts. */
export function useArtifacts(runId: string, path: string) {
  const api = useApi();
  return useQuery({ queryKey: ['artifacts', runId, path], queryFn: () => api.listArtifacts(runId, path) });
}

/** A preview of one artifact file. */
export function useArtifactPreview(runId: string, path: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: ['artifact-preview', runId, path],
    queryFn: ({ signal }) => api.previewArtifact(runId, path!, { signal }),
    enabled: path !== null,
    retry: false,
  });
}

/** Sets or deletes a run tag, then re-reads the run. */
export function useRunTagMutation(runId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (change: { key: string; value: string | null }) =>
      change.value === null ? api.deleteRunTag(runId, change.key) : api.logBatch(runId, { tags: [{ key: change.key, value: change.value }] }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['run', runId] }),
  });
}
