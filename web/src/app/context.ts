import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from '../api/client';
import type { Session } from '../auth/types';
import type { DashboardConfig } from '../config';
import type { EventFeed } from '../live/events';

/** What every page works with: the API client, the session, and the event feed where there is one. */
export interface App {
  api: ApiClient;
  config: DashboardConfig;
  session: Session;
  /** Only on `npm start` (config.live === 'sse'). */
  feed?: EventFeed;
}

export const AppContext = createContext<App | undefined>(undefined);

export function useApp(): App {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp outside the app');
  return app;
}
