import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, useState, type FormEvent, type ReactNode } from 'react';
import { isCairnError, type Whoami } from '@cairn/client/browser';
import { ErrorPanel } from '../components/error-panel.js';
import { Skeleton } from '../components/skeleton.js';
import { useApi, useAuth } from './api-context.js';

const SessionContext = createContext<Whoami | null>(null);

/** Who the caller is (the server says; `admin` when auth is off). */
export function useWhoami() {
  const api = useApi();
  return useQuery({ queryKey: ['whoami'], queryFn: ({ signal }) => api.whoami({ signal }), staleTime: 60_000, retry: false });
}

/** Whether the caller may change things (editor or admin): write controls show only then. */
export function useCanEdit(): boolean {
  const session = useContext(SessionContext);
  return session?.role === 'editor' || session?.role === 'admin';
}

export function useSession(): Whoami | null {
  return useContext(SessionContext);
}

/** Shows the sign-in form when the server needs a token, the app otherwise. */
export function SessionGate({ children }: { children: ReactNode }) {
  const whoami = useWhoami();
  if (whoami.isPending) return <div className="page"><Skeleton rows={6} /></div>;
  if (whoami.error) {
    if (isCairnError(whoami.error, 'UNAUTHENTICATED')) return <SignIn rejected={whoami.error.message} />;
    return <div className="page"><ErrorPanel error={whoami.error} onRetry={() => whoami.refetch()} /></div>;
  }
  return <SessionContext.Provider value={whoami.data}>{children}</SessionContext.Provider>;
}

function SignIn({ rejected }: { rejected: string }) {
  const { token, signIn } = useAuth();
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) signIn(value);
  };
  return (
    <div className="signin">
      <form className="signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Cairn</h1>
        <p>This server requires an API token. Paste yours below; it is kept in this tab only and sent as a bearer token, never in a link.</p>
        {token && <p className="error-text" role="alert">{rejected}</p>}
        <label htmlFor="token">API token</label>
        <input id="token" type="password" autoComplete="off" autoFocus value={value} onChange={(e) => setValue(e.target.value)} placeholder="cairn_…" />
        <button type="submit" className="primary" disabled={!value.trim()}>Sign in</button>
        <p className="muted">No token? An admin creates one with <code>cairn tokens create --name you --role reader</code>.</p>
      </form>
    </div>
  );
}
