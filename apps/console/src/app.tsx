import { useEffect, useState } from 'react';
import { ApiError, type Caller, client, ok, useCsrfToken } from './api';
import { format, messages as t } from './i18n';
import { AdminPage } from './pages/admin';
import { AttemptsPage } from './pages/attempts';
import { AuditLogPage } from './pages/audit-log';
import { CompliancePage } from './pages/compliance';
import { CertificatePage } from './pages/certificate';
import { NewOrderPage } from './pages/new-order';
import { OrderPage } from './pages/order';
import { OrdersPage } from './pages/orders';
import { VerifyPage } from './pages/verify';
import { navigate, useRoute } from './router';
import { SessionKeeper } from './session-keeper';
import { SignedOutPage } from './signed-out';
import { Loading } from './ui';

/** Who may see which part of the console (the API enforces the same rules). */
const NAV: { path: string; label: string; roles: Caller['role'][] }[] = [
  { path: '/orders', label: t.nav.orders, roles: ['authority', 'auditor'] },
  { path: '/orders/new', label: t.nav.newOrder, roles: ['authority'] },
  { path: '/attempts', label: t.attempts.nav, roles: ['authority', 'auditor'] },
  { path: '/audit', label: t.nav.log, roles: ['auditor', 'authority'] },
  { path: '/audit/verify', label: t.nav.verify, roles: ['auditor'] },
  { path: '/reports/compliance', label: t.nav.compliance, roles: ['auditor', 'admin'] },
  { path: '/admin', label: t.nav.admin, roles: ['admin'] },
];

/** The marque's two lines, as the DSFR sets them. */
const republic = () => t.republic.split('\n').flatMap((line, i) => (i === 0 ? [line] : [<br key={i} />, line]));

export function App() {
  const [caller, setCaller] = useState<Caller | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [signedOut, setSignedOut] = useState(false);
  const route = useRoute();

  useEffect(() => {
    ok(client.GET('/v1/session'))
      .then((who) => {
        useCsrfToken(who.csrfToken);
        setCaller(who);
      })
      .catch((error: unknown) => {
        // Signed out: the console's own page, which says what the service is and offers ProConnect.
        if (error instanceof ApiError && error.status === 401) setSignedOut(true);
        else setFailure(error instanceof Error ? error.message : String(error));
      });
  }, []);

  useEffect(() => {
    const here = signedOut ? t.signedOut.title : NAV.find((n) => n.path === route.path)?.label;
    document.title = here ? `${here} — ${t.service}` : t.service;
  }, [route.path, signedOut]);

  useEffect(() => {
    if (caller && route.path === '/') navigate(caller.role === 'auditor' ? '/audit' : caller.role === 'admin' ? '/admin' : '/orders');
  }, [caller, route.path]);

  const signOut = async () => {
    const { endSessionUrl } = await ok(client.POST('/auth/sign-out'));
    window.location.assign(endSessionUrl ?? '/auth/signed-out');
  };

  return (
    <>
      <div className="fr-skiplinks">
        <nav className="fr-container" role="navigation" aria-label={t.quickAccess}>
          <ul className="fr-skiplinks__list">
            <li>
              <a className="fr-link" href="#content" onClick={(e) => (e.preventDefault(), document.getElementById('content')?.focus())}>
                {t.skipToContent}
              </a>
            </li>
          </ul>
        </nav>
      </div>
      <header role="banner" className="fr-header">
        <div className="fr-header__body">
          <div className="fr-container">
            <div className="fr-header__body-row">
              <div className="fr-header__brand fr-enlarge-link">
                <div className="fr-header__brand-top">
                  <div className="fr-header__logo">
                    <p className="fr-logo">{republic()}</p>
                  </div>
                  {caller && (
                    <div className="fr-header__navbar">
                      <button
                        className="fr-btn--menu fr-btn"
                        data-fr-opened="false"
                        aria-controls="modal-menu"
                        aria-haspopup="dialog"
                        id="button-menu"
                        title={t.menu.open}
                        type="button"
                        data-testid="menu-button"
                      >
                        {t.menu.open}
                      </button>
                    </div>
                  )}
                </div>
                <div className="fr-header__service">
                  <a href="#/" title={format(t.home, { service: t.service })}>
                    <p className="fr-header__service-title">{t.service}</p>
                  </a>
                  <p className="fr-header__service-tagline">{t.tagline}</p>
                </div>
              </div>
              {caller && (
                <div className="fr-header__tools">
                  <div className="fr-header__tools-links">
                    <SessionLinks caller={caller} signOut={signOut} />
                  </div>
                </div>
              )}
            </div>
          </div>
        </div>
        {caller && (
          // Below 62em a modal that the menu button opens (DSFR's script), above it the bar under the header.
          <div className="fr-header__menu fr-modal" id="modal-menu" aria-labelledby="button-menu" data-testid="menu">
            <div className="fr-container">
              <button className="fr-btn--close fr-btn" aria-controls="modal-menu" title={t.menu.close} type="button">
                {t.menu.close}
              </button>
              <div className="fr-header__menu-links">
                <SessionLinks caller={caller} signOut={signOut} />
              </div>
              <nav className="fr-nav" id="navigation" role="navigation" aria-label={t.mainMenu}>
                <ul className="fr-nav__list">
                  {NAV.filter((n) => n.roles.includes(caller.role)).map((n) => (
                    <li className="fr-nav__item" key={n.path}>
                      <a className="fr-nav__link" href={`#${n.path}`} aria-current={route.path === n.path ? 'page' : undefined}>
                        {n.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            </div>
          </div>
        )}
      </header>
      <main role="main" id="content" tabIndex={-1} className="fr-container fr-py-4w">
        {failure && (
          <div className="fr-alert fr-alert--error">
            <h2 className="fr-alert__title">{t.common.error}</h2>
            <p>{failure}</p>
          </div>
        )}
        {signedOut && <SignedOutPage />}
        {!caller && !failure && !signedOut && <Loading label={t.session.loading} />}
        {caller && <Page caller={caller} path={route.path} query={route.query} />}
        {caller && <SessionKeeper caller={caller} onOtherPerson={() => window.location.reload()} />}
      </main>
      <footer className="fr-footer" role="contentinfo">
        <div className="fr-container">
          <div className="fr-footer__body">
            <div className="fr-footer__brand fr-enlarge-link">
              <a href="#/" title={format(t.home, { service: t.service })}>
                <p className="fr-logo">{republic()}</p>
              </a>
            </div>
            <div className="fr-footer__content">
              <p className="fr-footer__content-desc">{t.tagline}</p>
            </div>
          </div>
        </div>
      </footer>
    </>
  );
}

/**
 * Who is signed in, and signing out: in the header's tools on a wide screen, and again in the
 * menu on a phone (DSFR's script would copy them there by innerHTML, without React's handlers;
 * in its "react" mode it leaves the copy to the page: the same markup, rendered twice).
 */
function SessionLinks({ caller, signOut }: { caller: Caller; signOut: () => Promise<void> }) {
  const person = caller.person ? (caller.person.name ?? caller.person.email) : null;
  return (
    <ul className="fr-btns-group">
      <li>
        <span className="fr-btn fr-icon-account-circle-line ost-who" data-testid="who">
          {person ? `${person} — ` : ''}
          {caller.organisation.name} ({t.session.roles[caller.role]})
        </span>
      </li>
      <li>
        <button type="button" className="fr-btn fr-icon-logout-box-r-line" onClick={() => void signOut()}>
          {t.session.signOut}
        </button>
      </li>
    </ul>
  );
}

function Page({ caller, path, query }: { caller: Caller; path: string; query: URLSearchParams }) {
  if (path === '/orders') return <OrdersPage query={query} caller={caller} />;
  if (path === '/orders/new' && caller.role === 'authority') return <NewOrderPage />;
  const order = /^\/orders\/([0-9a-f-]{36})$/.exec(path);
  if (order) return <OrderPage id={order[1]!} caller={caller} />;
  const certificate = /^\/orders\/([0-9a-f-]{36})\/certificate$/.exec(path);
  if (certificate) return <CertificatePage id={certificate[1]!} />;
  if (path === '/attempts' && (caller.role === 'authority' || caller.role === 'auditor'))
    return <AttemptsPage query={query} caller={caller} />;
  if (path === '/audit') return <AuditLogPage query={query} caller={caller} />;
  if (path === '/audit/verify' && caller.role === 'auditor') return <VerifyPage query={query} />;
  if (path === '/admin' && caller.role === 'admin') return <AdminPage />;
  // The home route is about to be replaced by the role's first page.
  if (path === '/') return <Loading />;
  if (path === '/reports/compliance' && (caller.role === 'auditor' || caller.role === 'admin')) return <CompliancePage query={query} />;
  return (
    <div className="fr-alert fr-alert--info">
      <p>{t.common.notFound}</p>
    </div>
  );
}
