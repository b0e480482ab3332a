/**
 * What a planned deploy will change, as an approval shows it (issue 13 §3): the image, the commits
 * between the deployed one and the new one, the names of the container's variables that differ,
 * and CloudFormation's list of resources it adds, modifies or removes. Plain functions over the two
 * templates (the one the stack runs, the one the deploy would submit) and the change set's changes.
 */
import { PER_DEPLOY_VARIABLES } from './environment';

/** CloudFormation's answer for a resource (src/cloud/ports.ts ResourceChange), as much as an approval shows. */
export interface PlannedResourceChange {
  logicalId: string;
  type: string;
  action: 'Add' | 'Modify' | 'Remove' | 'Import' | 'Dynamic';
  /** For `Modify`: `True` replaces the resource, `Conditional` may; null otherwise. */
  replacement: 'True' | 'False' | 'Conditional' | null;
}

export interface EnvironmentChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

/** `changes` on an approval (GET /v1/approvals/{id}). */
export interface DeployChanges {
  image: { from: string | null; to: string };
  /**
   * GitHub's compare view between the deployed commit and the new one (null when the stage runs no
   * commit of the repository yet); `count` only when known without asking GitHub (see commitCount).
   */
  commits: { compareUrl: string | null; count?: number };
  environment: EnvironmentChanges;
  resources: PlannedResourceChange[];
}

/** What the container of a stage's task definition runs, as a template declares it. */
export interface ContainerSpec {
  image?: string;
  /** Each variable's declared value (text, or an intrinsic function), by name; secrets by their ValueFrom. */
  variables: Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The first container of the template's task definition (a stage runs one), or undefined for a
 * template without one. `Environment` and `Secrets` both name variables the container receives.
 */
export function containerOf(template: unknown): ContainerSpec | undefined {
  const resources = isObject(template) && isObject(template.Resources) ? template.Resources : {};
  const taskDefinition = Object.values(resources).find(
    (resource) => isObject(resource) && resource.Type === 'AWS::ECS::TaskDefinition',
  ) as { Properties?: { ContainerDefinitions?: unknown } } | undefined;
  const containers = taskDefinition?.Properties?.ContainerDefinitions;
  const container = Array.isArray(containers) && isObject(containers[0]) ? containers[0] : undefined;
  if (!container) return undefined;
  const variables: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const entries = (list: unknown) =>
    (Array.isArray(list) ? list : []).filter(isObject).filter((entry) => typeof entry.Name === 'string');
  for (const entry of entries(container.Environment)) variables[entry.Name as string] = entry.Value;
  for (const entry of entries(container.Secrets))
    variables[entry.Name as string] = { secret: entry.ValueFrom };
  return { ...(typeof container.Image === 'string' ? { image: container.Image } : {}), variables };
}

/**
 * Names of the variables the deploy adds, removes, or gives another value, sorted. A variable that
 * differs on every deploy by design (TINYSTACKS_DEPLOYMENT_ID) is left out: listing it would tell a
 * reviewer nothing, on every approval.
 */
export function environmentChanges(
  deployed: Record<string, unknown>,
  planned: Record<string, unknown>,
): EnvironmentChanges {
  const ignored = new Set<string>(PER_DEPLOY_VARIABLES);
  const before = Object.keys(deployed).filter((name) => !ignored.has(name));
  const after = Object.keys(planned).filter((name) => !ignored.has(name));
  const same = (name: string) => JSON.stringify(deployed[name]) === JSON.stringify(planned[name]);
  return {
    added: after.filter((name) => !Object.hasOwn(deployed, name)).sort(),
    removed: before.filter((name) => !Object.hasOwn(planned, name)).sort(),
    changed: after.filter((name) => Object.hasOwn(deployed, name) && !same(name)).sort(),
  };
}

/** The commit an image of the stack's repository was built from: its tag (`<repository>:<sha>`). */
export function commitOfImage(imageUri: string | undefined, repositoryUri: string | undefined) {
  if (!imageUri || !repositoryUri || !imageUri.startsWith(`${repositoryUri}:`)) return undefined;
  const tag = imageUri.slice(repositoryUri.length + 1);
  return /^[0-9a-f]{40}$/.test(tag) ? tag : undefined;
}

/** GitHub's compare view of `owner/repo` between two commits (three dots: what `to` adds). */
export const compareUrlOf = (repository: string, from: string, to: string) =>
  `https://github.com/${repository}/compare/${from}...${to}`;

/** A push as the webhook received it: where the branch was (`before`), where it went, how many commits. */
export interface PushRecord {
  before: string;
  after: string;
  /** The push payload's `commits`: absent when the payload may have left some out. */
  count?: number;
  forced?: boolean;
}

/** GitHub sends at most this many commits in a push payload: a list this long may be cut. */
export const PUSH_COMMITS_LIMIT = 2048;

/**
 * How many commits `to` adds to `from`, known without asking GitHub: the pushes' own counts, along
 * the chain of pushes from `from` to `to` (a push's `before` is the previous push's `after`). A
 * forced push (it may also drop commits), a push whose count is unknown, or a gap in the chain:
 * unknown. `pushes` are the stack's recent pushes, in any order.
 */
export function commitCount(
  from: string,
  to: string,
  pushes: PushRecord[],
  maxHops = 50,
): number | undefined {
  if (from === to) return 0;
  const byAfter = new Map(pushes.map((push) => [push.after, push]));
  let total = 0;
  let at = to;
  for (let hop = 0; hop < maxHops; hop++) {
    const push = byAfter.get(at);
    if (!push || push.forced || push.count === undefined) return undefined;
    total += push.count;
    if (push.before === from) return total;
    at = push.before;
  }
  return undefined;
}

/** The resources of a change set, as an approval lists them. */
export const resourcesOf = (changes: PlannedResourceChange[]): PlannedResourceChange[] =>
  changes.map(({ logicalId, type, action, replacement }) => ({ logicalId, type, action, replacement }));

/** Names and counts only: what the `Approval Requested` event carries (events/schemas/approval-requested.json). */
export interface ChangesSummary {
  image: { from: string | null; to: string };
  commitCount: number | null;
  environment: EnvironmentChanges;
  resources: { added: number; modified: number; removed: number; replaced: number };
}

export function changesSummary(changes: DeployChanges): ChangesSummary {
  const count = (action: PlannedResourceChange['action']) =>
    changes.resources.filter((resource) => resource.action === action).length;
  return {
    image: changes.image,
    commitCount: changes.commits.count ?? null,
    environment: changes.environment,
    resources: {
      added: count('Add'),
      modified: count('Modify'),
      removed: count('Remove'),
      replaced: changes.resources.filter((resource) => resource.replacement === 'True').length,
    },
  };
}

const short = (image: string) => image.replace(/^.*\//, '');

/**
 * The change in a few readable lines (the approval page, the email, the Slack message): the image,
 * the commits with the compare link, the variables by name, the resources with replacement called out.
 */
export function changeLines(changes: DeployChanges): string[] {
  const lines = [
    `Image: ${changes.image.from ? short(changes.image.from) : 'none'} → ${short(changes.image.to)}`,
  ];
  const { compareUrl, count } = changes.commits;
  const commits = count === undefined ? 'Commits' : `${count} commit${count === 1 ? '' : 's'}`;
  lines.push(compareUrl ? `${commits}: ${compareUrl}` : `${commits}: first deploy of a commit to this stage`);
  const { added, removed, changed } = changes.environment;
  const names = [
    ...(added.length ? [`added ${added.join(', ')}`] : []),
    ...(removed.length ? [`removed ${removed.join(', ')}`] : []),
    ...(changed.length ? [`changed ${changed.join(', ')}`] : []),
  ];
  lines.push(`Variables: ${names.length ? names.join('; ') : 'no change'}`);
  const resources = changes.resources.map(
    (r) =>
      `${r.action === 'Modify' && r.replacement === 'True' ? 'Replace' : r.action} ${r.logicalId} (${r.type})` +
      (r.replacement === 'Conditional' ? ', may be replaced' : ''),
  );
  lines.push(`Resources: ${resources.length ? resources.join('; ') : 'no change'}`);
  return lines;
}
