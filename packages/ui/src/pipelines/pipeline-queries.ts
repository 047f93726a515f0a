import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CairnApi } from '@cairn/client/browser';
import { useEffect, useRef, useState } from 'react';
import type { PipelineRunStatus } from '@cairn/core';
import { useApi } from '../app/api-context.js';
import { LogBuffer } from './log-buffer.js';

/** How often a page showing a RUNNING pipeline run re-reads it (ETags make an unchanged answer a 304). */
export const PIPELINE_LIVE_MS = 1_500;

export function usePipelines() {
  const api = useApi();
  return useQuery({ queryKey: ['pipelines'], queryFn: () => api.pipelines.listPipelines() });
}

/** Pipeline runs, newest first; re-read while any of them runs. */
export function usePipelineRuns(q: { pipelineName?: string; status?: PipelineRunStatus; maxResults?: number } = {}) {
  const api = useApi();
  return useQuery({
    queryKey: ['pipeline-runs', q],
    queryFn: () => api.pipelines.listRuns({ maxResults: 100, ...q }),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.some((r) => r.status === 'RUNNING') ? PIPELINE_LIVE_MS * 2 : false),
  });
}

/**
 * How often a running run is re-read: every 1.5 s, less often for big runs, whose every answer
 * holds all their steps (a 10,000-step run is megabytes).
 */
export function pollInterval(stepCount: number): number {
  return stepCount > 2_000 ? 10_000 : stepCount > 500 ? 4_000 : PIPELINE_LIVE_MS;
}

/** The query of a pipeline run (shared by the hook and the prefetch of a page opened by its link). */
export const pipelineRunQuery = (api: CairnApi, runId: string) => queryOptions({
  queryKey: ['pipeline-run', runId],
  queryFn: ({ signal }) => api.pipelines.getRun(runId, { signal }),
});

/** A pipeline run with every step and attempt; live while it runs. */
export function usePipelineRun(runId: string) {
  const api = useApi();
  return useQuery({
    ...pipelineRunQuery(api, runId),
    refetchInterval: (query) => (query.state.data?.run.status === 'RUNNING' ? pollInterval(query.state.data.run.stepCount) : false),
  });
}

/** The artifacts each step consumed and produced. */
export function usePipelineRunLineage(runId: string, live: boolean) {
  const api = useApi();
  return useQuery({ queryKey: ['pipeline-run-lineage', runId], queryFn: () => api.pipelines.lineage(runId), refetchInterval: live ? PIPELINE_LIVE_MS * 2 : false });
}

export function useStepExplain(runId: string, step: string | null) {
  const api = useApi();
  return useQuery({ queryKey: ['step-explain', runId, step], queryFn: () => api.pipelines.explain(runId, step!), enabled: step !== null, retry: false });
}

export function useSchedules() {
  const api = useApi();
  return useQuery({ queryKey: ['schedules'], queryFn: () => api.pipelines.listSchedules() });
}

export function useScheduleTicks(name: string | null) {
  const api = useApi();
  return useQuery({ queryKey: ['schedule', name], queryFn: () => api.pipelines.getSchedule(name!), enabled: name !== null });
}

function useRunMutation(runId: string, run: () => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['pipeline-run', runId] }), queryClient.invalidateQueries({ queryKey: ['pipeline-runs'] })]),
  });
}

export function useCancelPipelineRun(runId: string) {
  const api = useApi();
  return useRunMutation(runId, () => api.pipelines.cancel(runId));
}

export function useResumePipelineRun(runId: string) {
  const api = useApi();
  return useRunMutation(runId, () => api.pipelines.resume(runId));
}

export interface StepLogFollow {
  buffer: LogBuffer;
  /** Lines received so far (changes at most once a frame, so a fast log repaints smoothly). */
  count: number;
  done: boolean;
  error: unknown;
}

/**
 * Follows one step's log with the server's long poll: every answer is appended to a buffer and the
 * page repaints once per animation frame, however fast lines arrive; it stops when the step has
 * ended and every line was read, and retries after a failed request.
 */
export function useStepLogFollow(runId: string, step: string | null): StepLogFollow {
  const api = useApi();
  const buffer = useRef(new LogBuffer());
  const [state, setState] = useState<Omit<StepLogFollow, 'buffer'>>({ count: 0, done: false, error: null });
  useEffect(() => {
    buffer.current = new LogBuffer();
    setState({ count: 0, done: false, error: null });
    if (!step) return;
    const controller = new AbortController();
    let frame = 0;
    const repaint = () => {
      frame = 0;
      setState((s) => ({ ...s, count: buffer.current.length }));
    };
    void (async () => {
      let cursor: string | undefined;
      while (!controller.signal.aborted) {
        try {
          const page = await api.pipelines.followStepLogs(runId, step, { after: cursor, waitMs: 15_000, maxLines: 20_000 }, { signal: controller.signal });
          buffer.current.append(page.lines);
          cursor = page.cursor ?? cursor;
          if (page.lines.length && !frame) frame = requestAnimationFrame(repaint);
          if (page.done) {
            setState({ count: buffer.current.length, done: true, error: null });
            return;
          }
        } catch (error) {
          if (controller.signal.aborted) return;
          setState((s) => ({ ...s, error }));
          await new Promise((r) => setTimeout(r, 2_000));
        }
      }
    })();
    return () => {
      controller.abort();
      cancelAnimationFrame(frame);
    };
  }, [api, runId, step]);
  return { buffer: buffer.current, ...state };
}
