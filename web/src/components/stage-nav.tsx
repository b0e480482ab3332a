import { useLocation } from 'preact-iso';
import { Breadcrumbs, PageTitle } from './layout';
import { StatusBadge } from './status';

/**
 * The pages of one stage, as tabs. Adding a page for a stage (deployment history, sizing…) is one
 * line here and one route in routes.ts.
 */
export const STAGE_TABS = [
  { path: '', label: 'Settings' },
  { path: '/databases', label: 'Databases' },
  { path: '/logs', label: 'Logs' },
  { path: '/events', label: 'Stack events' },
  { path: '/deployments', label: 'Deployments' },
] as const;

/** The breadcrumbs, title and tabs of a stage's page; `data` is useStage's, once it has loaded. */
export function StageHeader(props: {
  stackId: string;
  stage: string;
  title: string;
  data: { stack: { name: string }; stage: { status: string } } | undefined;
}) {
  const { path } = useLocation();
  const base = `/stacks/${props.stackId}/stages/${props.stage}`;
  return (
    <>
      <Breadcrumbs
        items={[
          { href: '/', label: 'Your stacks' },
          { href: `/stacks/${props.stackId}`, label: props.data?.stack.name ?? 'stack' },
          { href: base, label: props.stage },
          { label: props.title },
        ]}
      />
      <PageTitle title={`${props.stage}: ${props.title}`}>
        {props.data && <StatusBadge status={props.data.stage.status} />}
      </PageTitle>
      <nav class="tabs" aria-label="Stage settings">
        <ul>
          {STAGE_TABS.map((tab) => (
            <li key={tab.path}>
              <a
                href={`${base}${tab.path}`}
                aria-current={path === `${base}${tab.path}` ? 'page' : undefined}
              >
                {tab.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </>
  );
}
