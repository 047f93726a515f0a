import { describe, expect, it } from 'vitest';
import type { StepRun } from '@cairn/core';
import { dagModel, groupStatus, MAX_DRAWN_STEPS, stepDepths } from './dag-model.js';

const step = (stepId: string, position: number, upstream: string[], status: StepRun['status'] = 'COMPLETED'): StepRun => ({
  stepRunId: `r-${stepId}`, runId: 'run', stepId, stepName: stepId, kind: 'function', position, status, attempt: 1, maxAttempts: 1, startTime: null, endTime: null, error: null,
  cache: { key: null, parts: null, status: null, note: null, cachedFrom: null }, trackingRunId: null, worker: null, upstream,
  bindings: Object.fromEntries(upstream.map((u) => [`in_${u}`, { from: 'output' as const, step: u, output: 'rows' }])),
});

describe('dagModel', () => {
  it('draws every step of a small run, edges labelled with the outputs they carry', () => {
    const m = dagModel([step('load', 0, []), step('train', 1, ['load'], 'RUNNING')], new Set(), 'train');
    expect(m.nodes.map((n) => [n.id, n.status, n.focus])).toEqual([['load', 'COMPLETED', false], ['train', 'RUNNING', true]]);
    expect(m.edges).toEqual([{ from: 'load', to: 'train', label: 'rows' }]);
    expect(m.groups).toEqual([]);
  });

  it('groups a huge run by depth, counting states per group, and opens a group on request', () => {
    // 10,000 steps: a fan-out of 5,000 from one root, each followed by one more step.
    const steps = [step('root', 0, [])];
    for (let i = 0; i < 5000; i++) steps.push(step(`a${i}`, 1 + i, ['root'], i < 10 ? 'RUNNING' : 'PENDING'));
    for (let i = 0; i < 4999; i++) steps.push(step(`b${i}`, 5001 + i, [`a${i}`]));
    expect(steps.length).toBeGreaterThan(MAX_DRAWN_STEPS);
    const m = dagModel(steps);
    expect(m.nodes.map((n) => [n.id, n.label, n.status])).toEqual([['group:0', '1 steps', 'COMPLETED'], ['group:1', '5000 steps', 'RUNNING'], ['group:2', '4999 steps', 'COMPLETED']]);
    expect(m.nodes[1]!.detail).toBe('10 running, 4990 pending');
    expect(m.edges).toEqual([{ from: 'group:0', to: 'group:1' }, { from: 'group:1', to: 'group:2' }]);
    const opened = dagModel(steps, new Set(['group:0']));
    expect(opened.nodes[0]).toMatchObject({ id: 'root', status: 'COMPLETED' });
    expect(opened.edges[0]).toEqual({ from: 'root', to: 'group:1' });
  });

  it('bins the depths of a long chain into at most 120 groups', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => step(`s${i}`, i, i ? [`s${i - 1}`] : []));
    expect(stepDepths(chain).get('s9999')).toBe(9999);
    const m = dagModel(chain);
    expect(m.nodes.length).toBeLessThanOrEqual(120);
    expect(m.nodes[0]).toMatchObject({ kind: 'depths 0–83', label: '84 steps' });
  });

  it('sums up a group: failures and running work first', () => {
    expect(groupStatus(['COMPLETED', 'FAILED', 'RUNNING'])).toBe('FAILED');
    expect(groupStatus(['COMPLETED', 'CACHED'])).toBe('COMPLETED');
  });
});
