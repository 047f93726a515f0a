import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useParams } from 'react-router';
import { EmptyState } from '../components/empty-state.js';
import { Skeleton } from '../components/skeleton.js';
import { ExperimentsPage } from '../experiments/experiments-page.js';
import { HomePage } from '../home/home-page.js';
import { RunsPage } from '../runs/runs-page.js';
import { ApiProvider } from './api-context.js';
import { Layout } from './layout.js';
import { SessionGate } from './session.js';

// Pages with charts load on demand: the first page stays small.
const RunPage = lazy(() => import('../runs/run-page.js').then((m) => ({ default: m.RunPage })));
const ComparePage = lazy(() => import('../compare/compare-page.js').then((m) => ({ default: m.ComparePage })));
const ModelsPage = lazy(() => import('../models/models-page.js').then((m) => ({ default: m.ModelsPage })));
const ModelPage = lazy(() => import('../models/model-page.js').then((m) => ({ default: m.ModelPage })));
const VersionPage = lazy(() => import('../models/version-page.js').then((m) => ({ default: m.VersionPage })));
const VersionComparePage = lazy(() => import('../models/version-compare-page.js').then((m) => ({ default: m.VersionComparePage })));
const FeaturesPage = lazy(() => import('../features/features-page.js').then((m) => ({ default: m.FeaturesPage })));
const FeatureViewPage = lazy(() => import('../features/feature-view-page.js').then((m) => ({ default: m.FeatureViewPage })));
const FeatureServicePage = lazy(() => import('../features/feature-service-page.js').then((m) => ({ default: m.FeatureServicePage })));
const DefinitionPage = lazy(() => import('../features/definition-page.js').then((m) => ({ default: m.DefinitionPage })));
const TrainingSetPage = lazy(() => import('../features/training-set-page.js').then((m) => ({ default: m.TrainingSetPage })));
const DataPage = lazy(() => import('../features/data-page.js').then((m) => ({ default: m.DataPage })));
const PipelinesPage = lazy(() => import('../pipelines/pipelines-page.js').then((m) => ({ default: m.PipelinesPage })));
const PipelineRunPage = lazy(() => import('../pipelines/pipeline-run-page.js').then((m) => ({ default: m.PipelineRunPage })));
const LineagePage = lazy(() => import('../lineage/lineage-page.js').then((m) => ({ default: m.LineagePage })));

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
                  <Route path="/" element={<HomePage />} />
                  <Route path="/experiments" element={<ExperimentsPage />} />
                  <Route path="/experiments/:experimentId" element={<ExperimentRedirect />} />
                  <Route path="/runs" element={<RunsPage />} />
                  <Route path="/runs/:runId" element={<RunPage />} />
                  <Route path="/compare" element={<ComparePage />} />
                  <Route path="/models" element={<ModelsPage />} />
                  <Route path="/models/:name" element={<ModelPage />} />
                  <Route path="/models/:name/versions/:version" element={<VersionPage />} />
                  <Route path="/models/:name/compare" element={<VersionComparePage />} />
                  <Route path="/features" element={<FeaturesPage />} />
                  <Route path="/features/views/:name" element={<FeatureViewPage />} />
                  <Route path="/features/services/:name" element={<FeatureServicePage />} />
                  <Route path="/features/entities/:name" element={<DefinitionPage kind="entity" />} />
                  <Route path="/features/sources/:name" element={<DefinitionPage kind="source" />} />
                  <Route path="/features/training-sets/:datasetId" element={<TrainingSetPage />} />
                  <Route path="/features/data" element={<DataPage />} />
                  <Route path="/pipelines" element={<PipelinesPage />} />
                  <Route path="/pipelines/runs/:runId" element={<PipelineRunPage />} />
                  <Route path="/lineage" element={<LineagePage />} />
                  <Route path="*" element={<div className="page"><EmptyState title="No such page">
                    <p>This address is not a page of the Cairn UI. Start from the <a href="/">home page</a>.</p>
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
