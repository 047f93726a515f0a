import { lazy, type ComponentType } from 'react';

export interface LazyPage<P> {
  Page: ComponentType<P>;
  /** Starts loading the page's code (once); later renders use it without suspending. */
  preload(): Promise<unknown>;
}

/**
 * A page whose code loads on demand. Unlike a bare `React.lazy`, once its code has loaded (the
 * page-load preload below starts it alongside the sign-in check) it renders at once instead of
 * suspending for a microtask: a suspended first render shows the fallback, and React then holds
 * the page back up to 300 ms so reveals do not flicker, which on a fast load is most of the wait.
 */
export function lazyPage<P extends object, M>(load: () => Promise<M>, pick: (m: M) => ComponentType<P>): LazyPage<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  const preload = () => (loading ??= load().then((m) => (loaded = pick(m))));
  const Lazy = lazy(() => preload().then((C) => ({ default: C })));
  function Page(props: P) {
    const Loaded = loaded;
    return Loaded ? <Loaded {...props} /> : <Lazy {...props} />;
  }
  return { Page, preload };
}
