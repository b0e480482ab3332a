import type { Approval } from '../api/types';

type Changes = NonNullable<Approval['changes']>;

const shortImage = (image: string) => image.replace(/^.*\//, '');

function Names({ label, names }: { label: string; names: string[] }) {
  if (names.length === 0) return null;
  return (
    <li>
      {label}{' '}
      {names.map((name, i) => (
        <>
          {i > 0 && ', '}
          <code>{name}</code>
        </>
      ))}
    </li>
  );
}

/**
 * What approving deploys (issue 13 §3): the image, the commits (GitHub's compare view), the
 * variables by name and CloudFormation's resource changes, replacements called out. The same few
 * lines as the approval page, the email and the Slack message.
 */
export function ApprovalChanges({ approval }: { approval: Approval }) {
  const { changes } = approval;
  return (
    <>
      {approval.status === 'REPLANNED' && (
        <p class="notice" data-testid="approval-replanned">
          Planned again: {approval.closedReason ?? 'the stage changed'}.{' '}
          {approval.replacedBy && <a href={`/approvals/${approval.replacedBy}`}>Decide the new approval</a>}
        </p>
      )}
      {changes && <ChangeList changes={changes} />}
    </>
  );
}

function ChangeList({ changes }: { changes: Changes }) {
  const { image, commits, environment, resources } = changes;
  const variables = environment.added.length + environment.removed.length + environment.changed.length;
  const commitLabel =
    commits.count === undefined ? 'Commits' : `${commits.count} commit${commits.count === 1 ? '' : 's'}`;
  return (
    <section aria-labelledby="approval-changes" data-testid="approval-changes">
      <h3 id="approval-changes">What approving deploys</h3>
      <ul class="wrap">
        <li>
          Image: <code>{image.from ? shortImage(image.from) : 'none'}</code> →{' '}
          <code>{shortImage(image.to)}</code>
        </li>
        <li>
          {commitLabel}:{' '}
          {commits.compareUrl ? (
            <a href={commits.compareUrl} target="_blank" rel="noreferrer">
              compare on GitHub
            </a>
          ) : (
            'the first commit this stage gets'
          )}
        </li>
        <li>
          Variables: {variables === 0 && 'no change'}
          {variables > 0 && (
            <ul>
              <Names label="added" names={environment.added} />
              <Names label="removed" names={environment.removed} />
              <Names label="changed" names={environment.changed} />
            </ul>
          )}
        </li>
        <li>
          Resources: {resources.length === 0 && 'no change'}
          {resources.length > 0 && (
            <ul>
              {resources.map((r) => (
                <li key={r.logicalId}>
                  {r.action === 'Modify' && r.replacement === 'True' ? 'Replace' : r.action}{' '}
                  <code>{r.logicalId}</code> ({r.type})
                  {r.replacement === 'Conditional' && ', may be replaced'}
                </li>
              ))}
            </ul>
          )}
        </li>
      </ul>
    </section>
  );
}
