import { infiniteQueryOptions, keepPreviousData, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CairnApi } from '@cairn/client/browser';
import { useApi } from '../app/api-context.js';

/** Versions per page of a model's versions table; more load as it scrolls. */
export const VERSIONS_PAGE_SIZE = 200;

/** The filter of the models search box: a word matches names, aliases and tag values (case-insensitive). */
export function modelFilter(search: string): string | undefined {
  const q = search.trim();
  if (!q) return undefined;
  if (/\b(name|alias|tags?\.[^\s]+)\s*(=|!=|LIKE|ILIKE|IN)/i.test(q)) return q; // the search language itself
  const like = `'%${q.replaceAll("'", "''")}%'`;
  return `name ILIKE ${like} or alias ILIKE ${like}`;
}

/** Registered models matching a search, a page at a time. */
export function useModelSearch(search: string) {
  const api = useApi();
  const filter = modelFilter(search);
  return useInfiniteQuery({
    queryKey: ['models', filter],
    queryFn: ({ pageParam }) => api.models.searchModels({ filter, maxResults: 100, pageToken: pageParam ?? undefined, orderBy: ['last_updated_timestamp DESC'] }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextPageToken,
    placeholderData: keepPreviousData,
  });
}

export const modelQuery = (api: CairnApi, name: string) => queryOptions({ queryKey: ['model', name], queryFn: () => api.models.getModel(name) });

export const modelVersionsQuery = (api: CairnApi, name: string) => infiniteQueryOptions({
  queryKey: ['model-versions', name],
  queryFn: ({ pageParam }) => api.models.listVersions(name, { maxResults: VERSIONS_PAGE_SIZE, pageToken: pageParam ?? undefined }),
  initialPageParam: null as string | null,
  getNextPageParam: (last) => last.nextPageToken,
});

export function useModel(name: string) {
  const api = useApi();
  return useQuery(modelQuery(api, name));
}

/** A model's versions, newest first, a page at a time (a model may have thousands). */
export function useModelVersions(name: string) {
  const api = useApi();
  return useInfiniteQuery(modelVersionsQuery(api, name));
}

export function useModelVersion(name: string, version: string | null) {
  const api = useApi();
  return useQuery({ queryKey: ['model-version', name, version], queryFn: () => api.models.getVersion(name, version!), enabled: version !== null && version !== '' });
}

export function useVersionFiles(name: string, version: string) {
  const api = useApi();
  return useQuery({ queryKey: ['version-files', name, version], queryFn: () => api.models.versionFiles(name, version) });
}

export function useVersionFilePreview(name: string, version: string, path: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: ['version-file-preview', name, version, path],
    queryFn: ({ signal }) => api.models.previewVersionFile(name, version, path!, { signal }),
    enabled: path !== null,
    retry: false,
  });
}

/** A model's audit log (every alias move and version change), newest first. */
export function useModelAudit(name: string, q: { version?: number; maxResults?: number } = {}) {
  const api = useApi();
  return useQuery({ queryKey: ['model-audit', name, q], queryFn: () => api.models.audit({ model: name, maxResults: q.maxResults ?? 500, version: q.version }) });
}

/** The version an alias pointed at, at a time (epoch ms). */
export function useAliasAt(name: string, alias: string | null, at: number | null) {
  const api = useApi();
  return useQuery({
    queryKey: ['alias-at', name, alias, at],
    queryFn: () => api.models.aliasHistory(name, alias!, at!),
    enabled: alias !== null && at !== null && Number.isFinite(at),
  });
}

export function useGates(name: string) {
  const api = useApi();
  return useQuery({ queryKey: ['gates', name], queryFn: () => api.models.gates(name) });
}

/** Registry events of every model (promotions for the home page). */
export function useRegistryEvents(action: string, maxResults = 200) {
  const api = useApi();
  return useQuery({ queryKey: ['registry-audit', action, maxResults], queryFn: () => api.models.audit({ action, maxResults }) });
}

function useRegistryMutation<A, R>(name: string, run: (a: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSettled: () => Promise.all([
      queryClient.invalidateQueries({ queryKey: ['model', name] }),
      queryClient.invalidateQueries({ queryKey: ['model-versions', name] }),
      queryClient.invalidateQueries({ queryKey: ['model-version', name] }),
      queryClient.invalidateQueries({ queryKey: ['model-audit', name] }),
      queryClient.invalidateQueries({ queryKey: ['models'] }),
    ]),
  });
}

/** Checks an alias's gate for a version without moving anything (recorded as gate.evaluated). */
export function useEvaluateGate(name: string) {
  const api = useApi();
  return useRegistryMutation(name, ({ version, alias }: { version: number; alias: string }) => api.models.evaluateGate(name, version, alias));
}

/** Moves an alias to a version through its gate (editors). */
export function usePromote(name: string) {
  const api = useApi();
  return useRegistryMutation(name, ({ version, alias, reason }: { version: number; alias: string; reason?: string }) => api.models.promote(name, version, alias, { reason }));
}

/** Points an alias at a version outside its gate, with a recorded reason (admins). */
export function useOverrideAlias(name: string) {
  const api = useApi();
  return useRegistryMutation(name, ({ version, alias, reason }: { version: number; alias: string; reason: string }) => api.models.setAlias(name, alias, version, { force: true, reason }));
}

/** How often the monitoring tab refreshes while open. */
export const MONITORING_REFRESH_MS = 15_000;

/** A model's monitoring over the last `windowMs`, refreshed while the tab is open. */
export function useModelMonitoring(name: string, windowMs: number) {
  const api = useApi();
  return useQuery({
    queryKey: ['model-monitoring', name, windowMs],
    queryFn: ({ signal }) => {
      const until = Date.now();
      return api.models.monitoring(name, { since: until - windowMs, until, buckets: 60 }, { signal });
    },
    refetchInterval: MONITORING_REFRESH_MS,
    placeholderData: keepPreviousData,
  });
}
