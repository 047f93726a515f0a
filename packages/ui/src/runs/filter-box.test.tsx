// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CairnError } from '@cairn/client/browser';
import { FilterBox } from './filter-box.js';

const keys = { metrics: ['auc', 'val loss'], params: ['lr'], tags: ['team'] };

describe('FilterBox', () => {
  afterEach(cleanup);

  it('suggests names as you type and takes one with Enter, then applies with Enter', () => {
    const onApply = vi.fn();
    render(<FilterBox value="" onApply={onApply} error={null} keys={keys} />);
    const input = screen.getByLabelText('Filter runs') as HTMLInputElement;
    fireEvent.change(input, { target: { value: 'met', selectionStart: 3 } });
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['metrics.auc', 'metrics.`val loss`']);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(input.value).toBe('metrics.`val loss`');
    expect(screen.queryAllByRole('option')).toHaveLength(0);
    expect(onApply).not.toHaveBeenCalled();
    fireEvent.change(input, { target: { value: 'metrics.`val loss` < 1' } });
    fireEvent.keyDown(input, { key: 'Escape' });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onApply).toHaveBeenCalledWith('metrics.`val loss` < 1');
  });

  it('marks the character a syntax error points at, as text', () => {
    const error = new CairnError('INVALID_ARGUMENT', "Invalid filter at position 13: unexpected '~'\n  metrics.auc ~ 3\n              ^");
    render(<FilterBox value="metrics.auc ~ 3" onApply={() => {}} error={error} keys={keys} />);
    expect(screen.getByRole('alert').textContent).toContain("Invalid filter at position 13: unexpected '~'");
    expect(screen.getByRole('alert').querySelector('mark')?.textContent).toBe('~');
    expect(screen.getByLabelText('Filter runs').getAttribute('aria-invalid')).toBe('true');
  });

  it('shows no error for other failures (the page shows those)', () => {
    render(<FilterBox value="x" onApply={() => {}} error={new CairnError('UNAVAILABLE', 'down')} keys={keys} />);
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
