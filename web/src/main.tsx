import { render } from 'preact';
import { ErrorBoundary, lazy, LocationProvider, Route, Router } from 'preact-iso';
import { exec } from 'preact-iso/router';
import { createApiClient } from './api/client';
import { AppContext, type App } from './app/context';
import { startSession } from './auth/session';
import { Layout } from './components/layout';
import { LoadError } from './components/ui';
import { loadConfig } from './config';
import { EventFeed } from './live/events';
import NotFound from './pages/not-found';
import { pageRoutes } from './routes';
import './styles.css';

const pages = pageRoutes.map((route) => ({ path: route.path, component: lazy(route.load) }));

function Dashboard({ app }: { app: App }) {
  return (
    <AppContext.Provider value={app}>
      <LocationProvider>
        <Layout>
          <ErrorBoundary>
            <Router>
              {[
                ...pages.map((page) => <Route key={page.path} path={page.path} component={page.component} />),
                <Route key="404" default component={NotFound} />,
              ]}
            </Router>
          </ErrorBoundary>
        </Layout>
      </LocationProvider>
    </AppContext.Provider>
  );
}

/** The page's own chunk starts loading with the app, not after sign-in (the module map keeps it). */
function preloadCurrentPage() {
  const current = pageRoutes.find((route) => exec(location.pathname, route.path));
  void current?.load().catch(() => {});
}

async function start(root: HTMLElement) {
  preloadCurrentPage();
  try {
    const config = await loadConfig();
    const session = await startSession(config.auth);
    if (session === 'redirecting') return;
    const api = createApiClient(config.apiUrl, session.token);
    const feed = config.live === 'sse' ? new EventFeed(config.apiUrl, session.token) : undefined;
    render(<Dashboard app={{ api, config, session, feed }} />, root);
  } catch (error) {
    render(
      <main class="page">
        <h1>TinyStacks</h1>
        <LoadError error={error} retry={() => location.reload()} />
      </main>,
      root,
    );
  }
}

void start(document.getElementById('app')!);
