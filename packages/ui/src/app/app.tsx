import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Suspense, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useParams } from 'react-router';
import { EmptyState } from '../components/empty-state.js';
import { Skeleton } from '../components/skeleton.js';
import { ExperimentsPage } from '../experiments/experiments-page.js';
import { HomePage } from '../home/home-page.js';
import { RunsPage } from '../runs/runs-page.js';
import { ApiProvider } from './api-context.js';
import { Layout } from './layout.js';
import { lazyPage } from './lazy-page.js';
import { RoutePrefetch } from './route-prefetch.js';
import { SessionGate } from './session.js';

// Pages other than the home, experiments and runs pages load on demand: the first page stays small.
const RunPageLazy = lazyPage(() => import('../runs/run-page.js'), (m) => m.RunPage);
const RunPage = RunPageLazy.Page;
const ComparePageLazy = lazyPage(() => import('../compare/compare-page.js'), (m) => m.ComparePage);
const ComparePage = ComparePageLazy.Page;
const ModelsPageLazy = lazyPage(() => import('../models/models-page.js'), (m) => m.ModelsPage);
const ModelsPage = ModelsPageLazy.Page;
const ModelPageLazy = lazyPage(() => import('../models/model-page.js'), (m) => m.ModelPage);
const ModelPage = ModelPageLazy.Page;
const VersionPageLazy = lazyPage(() => import('../models/version-page.js'), (m) => m.VersionPage);
const VersionPage = VersionPageLazy.Page;
const VersionComparePageLazy = lazyPage(() => import('../models/version-compare-page.js'), (m) => m.VersionComparePage);
const VersionComparePage = VersionComparePageLazy.Page;
const FeaturesPageLazy = lazyPage(() => import('../features/features-page.js'), (m) => m.FeaturesPage);
const FeaturesPage = FeaturesPageLazy.Page;
const FeatureViewPageLazy = lazyPage(() => import('../features/feature-view-page.js'), (m) => m.FeatureViewPage);
const FeatureViewPage = FeatureViewPageLazy.Page;
const FeatureServicePageLazy = lazyPage(() => import('../features/feature-service-page.js'), (m) => m.FeatureServicePage);
const FeatureServicePage = FeatureServicePageLazy.Page;
const DefinitionPageLazy = lazyPage(() => import('../features/definition-page.js'), (m) => m.DefinitionPage);
const DefinitionPage = DefinitionPageLazy.Page;
const TrainingSetPageLazy = lazyPage(() => import('../features/training-set-page.js'), (m) => m.TrainingSetPage);
const TrainingSetPage = TrainingSetPageLazy.Page;
const DataPageLazy = lazyPage(() => import('../features/data-page.js'), (m) => m.DataPage);
const DataPage = DataPageLazy.Page;
const PipelinesPageLazy = lazyPage(() => import('../pipelines/pipelines-page.js'), (m) => m.PipelinesPage);
const PipelinesPage = PipelinesPageLazy.Page;
const PipelineRunPageLazy = lazyPage(() => import('../pipelines/pipeline-run-page.js'), (m) => m.PipelineRunPage);
const PipelineRunPage = PipelineRunPageLazy.Page;
const LineagePageLazy = lazyPage(() => import('../lineage/lineage-page.js'), (m) => m.LineagePage);
const LineagePage = LineagePageLazy.Page;

// The page a link opens starts downloading at once, alongside the sign-in check, not after it.
const PRELOAD: Array<[RegExp, () => Promise<unknown>]> = [
  [/^\/runs\/[^/]+$/, RunPageLazy.preload],
  [/^\/compare$/, ComparePageLazy.preload],
  [/^\/models$/, ModelsPageLazy.preload],
  [/^\/models\/[^/]+$/, ModelPageLazy.preload],
  [/^\/models\/[^/]+\/versions\//, VersionPageLazy.preload],
  [/^\/models\/[^/]+\/compare$/, VersionComparePageLazy.preload],
  [/^\/features$/, FeaturesPageLazy.preload],
  [/^\/features\/views\//, FeatureViewPageLazy.preload],
  [/^\/features\/services\//, FeatureServicePageLazy.preload],
  [/^\/features\/(entities|sources)\//, DefinitionPageLazy.preload],
  [/^\/features\/training-sets\//, TrainingSetPageLazy.preload],
  [/^\/features\/data$/, DataPageLazy.preload],
  [/^\/pipelines$/, PipelinesPageLazy.preload],
  [/^\/pipelines\/runs\//, PipelineRunPageLazy.preload],
  [/^\/lineage$/, LineagePageLazy.preload],
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
