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
] as const;

export function StageHeader(props: {
  stackId: string;
  stackName?: string;
  stage: string;
  status?: string;
  title: string;
}) {
  const { path } = useLocation();
  const base = `/stacks/${props.stackId}/stages/${props.stage}`;
  return (
    <>
      <Breadcrumbs
        items={[
          { href: '/', label: 'Your stacks' },
          { href: `/stacks/${props.stackId}`, label: props.stackName ?? 'stack' },
          { href: base, label: props.stage },
          { label: props.title },
        ]}
      />
      <PageTitle title={`${props.stage}: ${props.title}`}>
        {props.status && <StatusBadge status={props.status} />}
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
