import { useQuery } from '@tanstack/react-query';
import { useApi } from '../app/api-context.js';

/** The newest runs across the most recently active experiments. */
export function useRecentRuns(count = 10) {
  const api = useApi();
  return useQuery({
    queryKey: ['recent-runs', count],
    queryFn: async () => {
      const experiments = await api.searchExperiments({ orderBy: ['last_update_time DESC'], maxResults: 100 });
      if (!experiments.items.length) return { runs: [], experiments: experiments.items };
      const runs = await api.searchRuns({ experimentIds: experiments.items.map((e) => e.experimentId), orderBy: ['attributes.start_time DESC'], maxResults: count });
      return { runs: runs.items, experiments: experiments.items };
    },
    refetchInterval: 10_000,
  });
}
