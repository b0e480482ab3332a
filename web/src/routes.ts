import type { ComponentType } from 'preact';

/**
 * Every page of the dashboard, one file each under pages/, each loaded only when first visited (its
 * own chunk). A new feature's page is one file here plus one line below; a new tab of the stage
 * pages is one line in pages/stage-tabs.ts.
 */
export interface PageRoute {
  path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  load: () => Promise<{ default: ComponentType<any> }>;
}

export const pageRoutes: PageRoute[] = [
  { path: '/', load: () => import('./pages/stacks') },
  { path: '/stacks/:stackId', load: () => import('./pages/stack') },
  { path: '/stacks/:stackId/runs', load: () => import('./pages/runs') },
  { path: '/stacks/:stackId/stages/:stage', load: () => import('./pages/stage-settings') },
  { path: '/stacks/:stackId/stages/:stage/databases', load: () => import('./pages/databases') },
  { path: '/stacks/:stackId/stages/:stage/logs', load: () => import('./pages/logs') },
  { path: '/stacks/:stackId/stages/:stage/events', load: () => import('./pages/stack-events') },
  { path: '/stacks/:stackId/stages/:stage/deployments', load: () => import('./pages/deployments') },
  { path: '/approvals', load: () => import('./pages/approvals') },
  { path: '/approvals/:approvalId', load: () => import('./pages/approval') },
  { path: '/subscriptions', load: () => import('./pages/subscriptions') },
  { path: '/operations/:operationId', load: () => import('./pages/operation') },
];
