/** Routes and the NHS page shell: header with the service name and navigation, skip link, main, footer. */
import { useEffect, useState } from 'react';
import { Link, Route, Switch, useLocation } from 'wouter';
import { SignIn } from './auth/SignIn.tsx';
import { acts, currentSession, oversees, type Session, signOut } from './auth/session.ts';
import { AuditsPage } from './pages/AuditsPage.tsx';
import { CasePage } from './pages/CasePage.tsx';
import { MapPage } from './pages/MapPage.tsx';
import { WorklistPage } from './pages/WorklistPage.tsx';

function NavLink({ href, children }: { href: string; children: string }) {
  const [location] = useLocation();
  const current = href === '/' ? location === '/' : location.startsWith(href);
  return (
    <li className="nhsuk-header__navigation-item">
      <Link href={href} className="nhsuk-header__navigation-link" aria-current={current ? 'page' : undefined}>
        {children}
      </Link>
    </li>
  );
}

function Header({ session, onSignOut }: { session: Session | null; onSignOut: () => void }) {
  return (
    <header className="nhsuk-header app-header">
      <div className="nhsuk-header__container nhsuk-width-container app-width app-header__container">
        <Link href="/" className="app-header__service">
          <span className="app-header__logo" aria-hidden="true">
            NHS
          </span>
          <span className="app-header__service-name">Dual diagnosis pathway inspector</span>
        </Link>
        {session && (
          <p className="app-header__account">
            {session.name} · {session.agency} · {session.role}{' '}
            <button type="button" className="app-link-button" onClick={onSignOut}>
              Sign out
            </button>
          </p>
        )}
      </div>
      {session && (
        <nav className="nhsuk-header__navigation app-nav" aria-label="Menu">
          <div className="nhsuk-width-container app-width">
            <ul className="nhsuk-header__navigation-list app-nav__list">
              <NavLink href="/">Pathway map</NavLink>
              {acts(session) && <NavLink href="/worklist">Worklist</NavLink>}
              {oversees(session) && <NavLink href="/audits">Audits</NavLink>}
            </ul>
          </div>
        </nav>
      )}
    </header>
  );
}

export function App() {
  const [session, setSession] = useState<Session | null>(currentSession);
  useEffect(() => {
    const out = () => setSession(null);
    window.addEventListener('pathway:signed-out', out);
    return () => window.removeEventListener('pathway:signed-out', out);
  }, []);
  return (
    <>
      <a className="nhsuk-skip-link" href="#maincontent">
        Skip to main content
      </a>
      <Header
        session={session}
        onSignOut={() => {
          signOut();
          setSession(null);
        }}
      />
      <div className="nhsuk-width-container app-width">
        <main className="nhsuk-main-wrapper" id="maincontent" tabIndex={-1}>
          {!session ? (
            <SignIn onSignedIn={setSession} />
          ) : (
            <Switch>
              <Route path="/">
                <MapPage session={session} />
              </Route>
              <Route path="/cases/:id">{(p) => <CasePage key={p.id} id={p.id} session={session} />}</Route>
              <Route path="/worklist">
                <WorklistPage session={session} />
              </Route>
              <Route path="/audits">
                <AuditsPage />
              </Route>
              <Route>
                <h1>Page not found</h1>
              </Route>
            </Switch>
          )}
        </main>
      </div>
      <footer className="app-footer">
        <div className="nhsuk-width-container app-width">
          <p className="nhsuk-body-s">
            Kent and Medway dual diagnosis joint working protocol · synthetic demo data unless configured otherwise
          </p>
        </div>
      </footer>
    </>
  );
}
