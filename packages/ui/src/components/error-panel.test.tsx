// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CairnError } from '@cairn/client/browser';
import { ErrorPanel } from './error-panel.js';

describe('ErrorPanel', () => {
  afterEach(cleanup);

  it('says what happened and what to do, by error code, with a retry', () => {
    const onRetry = vi.fn();
    render(<ErrorPanel error={new CairnError('UNAVAILABLE', 'Cannot reach the Cairn server at http://x (fetch failed).')} onRetry={onRetry} />);
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the server');
    expect(screen.getByRole('alert').textContent).toContain('fetch failed');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('covers 401, 403 and 404 and unknown errors', () => {
    const { rerender } = render(<ErrorPanel error={new CairnError('PERMISSION_DENIED', 'no')} />);
    expect(screen.getByRole('alert').textContent).toContain('Not allowed');
    rerender(<ErrorPanel error={new CairnError('UNAUTHENTICATED', 'no')} />);
    expect(screen.getByRole('alert').textContent).toContain('Sign-in needed');
    rerender(<ErrorPanel error={new CairnError('NOT_FOUND', "Run 'x' does not exist.")} />);
    expect(screen.getByRole('alert').textContent).toContain('Not found');
    rerender(<ErrorPanel error={new TypeError('boom')} />);
    expect(screen.getByRole('alert').textContent).toContain('Something went wrong');
    expect(screen.queryByRole('button')).toBeNull();
  });
});
