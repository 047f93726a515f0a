import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { useAuth } from './api-context.js';
import { useSession } from './session.js';

/** The header (navigation, who is signed in) around every page. */
export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const { token, signOut } = useAuth();
  return (
    <div className="app">
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="Cairn home">
          <img src="/favicon.svg" alt="" width={22} height={22} />
          <span>Cairn</span>
        </NavLink>
        <nav aria-label="Main">
          <NavLink to="/" end>Home</NavLink>
          <NavLink to="/experiments">Experiments</NavLink>
          <NavLink to="/models">Models</NavLink>
          <NavLink to="/features">Features</NavLink>
          <NavLink to="/pipelines">Pipelines</NavLink>
          <NavLink to="/lineage">Lineage</NavLink>
        </nav>
        <div className="spacer" />
        {session?.authEnabled && (
          <div className="who">
            <span className="badge" title="The role of your token">{session.tokenName ?? 'token'} · {session.role}</span>
            {token && <button type="button" className="link" onClick={signOut}>Sign out</button>}
          </div>
        )}
      </header>
      <main>{children}</main>
    </div>
  );
}
