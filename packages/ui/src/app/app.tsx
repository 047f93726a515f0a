import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useParams } from 'react-router';
import { EmptyState } from '../components/empty-state.js';
import { Skeleton } from '../components/skeleton.js';
import { ExperimentsPage } from '../experiments/experiments-page.js';
import { RunsPage } from '../runs/runs-page.js';
import { ApiProvider } from './api-context.js';
import { Layout } from './layout.js';
import { SessionGate } from './session.js';

// Pages with charts load on demand: the first page stays small.
const RunPage = lazy(() => import('../runs/run-page.js').then((m) => ({ default: m.RunPage })));
const ComparePage = lazy(() => import('../compare/compare-page.js').then((m) => ({ default: m.ComparePage })));

function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 5_000, refetchOnWindowFocus: false, retry: (count, error) => count < 2 && !(error as { code?: string }).code?.match(/^(INVALID_ARGUMENT|NOT_FOUND|PERMISSION_DENIED|UNAUTHENTICATED)$/) },
    },
  });
}

function ExperimentRedirect() {
  const { experimentId } = useParams();
  return <Navigate replace to={`/runs?exp=${encodeURIComponent(experimentId ?? '')}`} />;
}

/** The whole UI: data layer, session, and one route per page; every view's state is in the URL. */
export function App({ baseUrl }: { baseUrl?: string }) {
  const [queryClient] = useState(newQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <ApiProvider baseUrl={baseUrl}>
        <BrowserRouter>
          <SessionGate>
            <Layout>
              <Suspense fallback={<div className="page"><Skeleton rows={8} /></div>}>
                <Routes>
                  <Route path="/" element={<ExperimentsPage />} />
                  <Route path="/experiments/:experimentId" element={<ExperimentRedirect />} />
                  <Route path="/runs" element={<RunsPage />} />
                  <Route path="/runs/:runId" element={<RunPage />} />
                  <Route path="/compare" element={<ComparePage />} />
                  <Route path="*" element={<div className="page"><EmptyState title="No such page">
                    <p>This address is not a page of the Cairn UI. Start from the <a href="/">experiments</a>.</p>
                  </EmptyState></div>} />
                </Routes>
              </Suspense>
            </Layout>
          </SessionGate>
        </BrowserRouter>
      </ApiProvider>
    </QueryClientProvider>
  );
}
