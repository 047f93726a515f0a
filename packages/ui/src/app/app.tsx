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
import { RoutePrefetch } from './route-prefetch.js';
import { SessionGate } from './session.js';

// Pages other than the home, experiments and runs pages load on demand: the first page stays small.
const loadRunPage = () => import('../runs/run-page.js');
const RunPage = lazy(() => loadRunPage().then((m) => ({ default: m.RunPage })));
const loadComparePage = () => import('../compare/compare-page.js');
const ComparePage = lazy(() => loadComparePage().then((m) => ({ default: m.ComparePage })));
const loadModelsPage = () => import('../models/models-page.js');
const ModelsPage = lazy(() => loadModelsPage().then((m) => ({ default: m.ModelsPage })));
const loadModelPage = () => import('../models/model-page.js');
const ModelPage = lazy(() => loadModelPage().then((m) => ({ default: m.ModelPage })));
const loadVersionPage = () => import('../models/version-page.js');
const VersionPage = lazy(() => loadVersionPage().then((m) => ({ default: m.VersionPage })));
const loadVersionComparePage = () => import('../models/version-compare-page.js');
const VersionComparePage = lazy(() => loadVersionComparePage().then((m) => ({ default: m.VersionComparePage })));
const loadFeaturesPage = () => import('../features/features-page.js');
const FeaturesPage = lazy(() => loadFeaturesPage().then((m) => ({ default: m.FeaturesPage })));
const loadFeatureViewPage = () => import('../features/feature-view-page.js');
const FeatureViewPage = lazy(() => loadFeatureViewPage().then((m) => ({ default: m.FeatureViewPage })));
const loadFeatureServicePage = () => import('../features/feature-service-page.js');
const FeatureServicePage = lazy(() => loadFeatureServicePage().then((m) => ({ default: m.FeatureServicePage })));
const loadDefinitionPage = () => import('../features/definition-page.js');
const DefinitionPage = lazy(() => loadDefinitionPage().then((m) => ({ default: m.DefinitionPage })));
const loadTrainingSetPage = () => import('../features/training-set-page.js');
const TrainingSetPage = lazy(() => loadTrainingSetPage().then((m) => ({ default: m.TrainingSetPage })));
const loadDataPage = () => import('../features/data-page.js');
const DataPage = lazy(() => loadDataPage().then((m) => ({ default: m.DataPage })));
const loadPipelinesPage = () => import('../pipelines/pipelines-page.js');
const PipelinesPage = lazy(() => loadPipelinesPage().then((m) => ({ default: m.PipelinesPage })));
const loadPipelineRunPage = () => import('../pipelines/pipeline-run-page.js');
const PipelineRunPage = lazy(() => loadPipelineRunPage().then((m) => ({ default: m.PipelineRunPage })));
const loadLineagePage = () => import('../lineage/lineage-page.js');
const LineagePage = lazy(() => loadLineagePage().then((m) => ({ default: m.LineagePage })));

// The page a link opens starts downloading at once, alongside the sign-in check, not after it.
const PRELOAD: Array<[RegExp, () => Promise<unknown>]> = [
  [/^\/runs\/[^/]+$/, loadRunPage],
  [/^\/compare$/, loadComparePage],
  [/^\/models$/, loadModelsPage],
  [/^\/models\/[^/]+$/, loadModelPage],
  [/^\/models\/[^/]+\/versions\//, loadVersionPage],
  [/^\/models\/[^/]+\/compare$/, loadVersionComparePage],
  [/^\/features$/, loadFeaturesPage],
  [/^\/features\/views\//, loadFeatureViewPage],
  [/^\/features\/services\//, loadFeatureServicePage],
  [/^\/features\/(entities|sources)\//, loadDefinitionPage],
  [/^\/features\/training-sets\//, loadTrainingSetPage],
  [/^\/features\/data$/, loadDataPage],
  [/^\/pipelines$/, loadPipelinesPage],
  [/^\/pipelines\/runs\//, loadPipelineRunPage],
  [/^\/lineage$/, loadLineagePage],
];
if (typeof window !== 'undefined') for (const [path, load] of PRELOAD) if (path.test(window.location.pathname)) void load();

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
        <RoutePrefetch />
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
