import { describe, expect, it } from 'vitest';
import { layeredLayout } from './layered-layout.js';

const size = { width: 100, height: 40, gapX: 50, gapY: 10 };

describe('layeredLayout', () => {
  it('puts each node one layer past its deepest input, centring layers', () => {
    const p = layeredLayout(['a', 'b', 'c', 'd'], [['a', 'b'], ['b', 'd'], ['a', 'c'], ['c', 'd'], ['a', 'd']], size);
    expect(p.a![0]).toBe(0);
    expect(p.b![0]).toBe(150);
    expect(p.c![0]).toBe(150);
    expect(p.d![0]).toBe(300);
    expect(p.a![1]).toBe(25); // centred against the two-node layer
    expect(new Set([p.b![1], p.c![1]])).toEqual(new Set([0, 50]));
  });

  it('orders a layer by its inputs, so parallel chains do not cross', () => {
    const p = layeredLayout(['a1', 'a2', 'b2', 'b1'], [['a1', 'b1'], ['a2', 'b2']], size);
    expect(p.a1![1] < p.a2![1]).toBe(p.b1![1] < p.b2![1]);
  });

  it('lays out 10,000 nodes, and survives a cycle', () => {
    const nodes = Array.from({ length: 10_000 }, (_, i) => `n${i}`);
    const edges = nodes.slice(100).map((n, i) => [`n${i}`, n] as [string, string]);
    const p = layeredLayout(nodes, edges, size);
    expect(Object.keys(p)).toHaveLength(10_000);
    expect(p.n9999![0]).toBe(99 * 150);
    expect(Object.keys(layeredLayout(['x', 'y'], [['x', 'y'], ['y', 'x']], size))).toEqual(['x', 'y']);
  });
});
