import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { modelQuery, modelVersionsQuery } from '../models/model-queries.js';
import { pipelineRunQuery } from '../pipelines/pipeline-queries.js';
import { useApi } from './api-context.js';

/**
 * Starts the main read of the page a link opens while the sign-in check and the page's code load,
 * instead of after them. A read refused for want of a token is simply dropped when the user signs in
 * (signing in clears every query).
 */
export function RoutePrefetch() {
  const api = useApi();
  const queryClient = useQueryClient();
  useEffect(() => {
    const path = window.location.pathname;
    const decode = (s: string) => { try { return decodeURIComponent(s); } catch { return null; } };
    let m = /^\/pipelines\/runs\/([^/]+)$/.exec(path);
    if (m && decode(m[1]!)) void queryClient.prefetchQuery(pipelineRunQuery(api, decode(m[1]!)!));
    m = /^\/models\/([^/]+)$/.exec(path);
    if (m && decode(m[1]!)) {
      void queryClient.prefetchQuery(modelQuery(api, decode(m[1]!)!));
      void queryClient.prefetchInfiniteQuery(modelVersionsQuery(api, decode(m[1]!)!));
    }
    // Once per page load (api and the client are stable): later navigations start their reads as they render.
  }, [api, queryClient]);
  return null;
}
