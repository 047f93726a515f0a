import { describe, expect, it } from 'vitest';
import { layoutInput } from './graph-layout.js';

describe('layoutInput', () => {
  it('keeps edges between known nodes once, without self-loops', () => {
    const g = layoutInput({ nodes: [{ id: 'a' }, { id: 'b' }], edges: [{ from: 'a', to: 'b' }, { from: 'a', to: 'b' }, { from: 'a', to: 'a' }, { from: 'a', to: 'x' }] });
    expect(g).toEqual({ nodes: ['a', 'b'], edges: [['a', 'b']], direction: 'RIGHT' });
  });
});
