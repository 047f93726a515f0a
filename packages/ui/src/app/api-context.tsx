import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { CairnApi } from '@cairn/client/browser';

// The token lives in this tab's sessionStorage (gone when the tab closes), never in a URL.
const TOKEN_KEY = 'cairn.token';

interface ApiState {
  api: CairnApi;
  token: string | null;
  signIn(token: string): void;
  signOut(): void;
}

const ApiContext = createContext<ApiState | null>(null);

function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Gives every query one `CairnApi` for this origin, with the signed-in token if there is one. */
export function ApiProvider({ children, baseUrl = window.location.origin }: { children: ReactNode; baseUrl?: string }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState<string | null>(storedToken);
  const api = useMemo(() => new CairnApi({ baseUrl, token: token ?? undefined }), [baseUrl, token]);
  const change = useCallback((next: string | null) => {
    try {
      if (next) sessionStorage.setItem(TOKEN_KEY, next);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // Storage refused (private mode): the token still lives in memory for this page.
    }
    // Nothing fetched with one identity may show under another.
    queryClient.clear();
    setToken(next);
  }, [queryClient]);
  const value = useMemo<ApiState>(() => ({ api, token, signIn: (t) => change(t.trim()), signOut: () => change(null) }), [api, token, change]);
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

function useApiState(): ApiState {
  const state = useContext(ApiContext);
  if (!state) throw new Error('useApi needs an <ApiProvider> above it.');
  return state;
}

/** The API client; query hooks take it from here, pages never call fetch. */
export function useApi(): CairnApi {
  return useApiState().api;
}

export function useAuth(): Omit<ApiState, 'api'> {
  const { token, signIn, signOut } = useApiState();
  return { token, signIn, signOut };
}
