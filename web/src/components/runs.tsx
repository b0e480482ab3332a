import { useState } from 'preact/hooks';
import { ok } from '../api/client';
import { ApprovalChanges } from './approval-changes';
import type { Approval, Run, Stack } from '../api/types';
import { useApp } from '../app/context';
import { Field, FormError, useForm, FormActions } from './form';
import { StatusBadge } from './status';
import { WindowWait } from './deploy-windows';
import { Dialog, Time } from './ui';

/** "Deploy": a run of the branch's head, or of a given commit. */
export function DeployButton({ stack, onStarted }: { stack: Stack; onStarted?: (run: Run) => void }) {
  const { api } = useApp();
  const [open, setOpen] = useState(false);
  const [run, setRun] = useState<Run>();
  const form = useForm(['commit']);
  return (
    <>
      <button type="button" class="secondary" onClick={() => setOpen(true)}>
        Deploy
      </button>
      {open && (
        <Dialog
          title={`Deploy ${stack.name}`}
          onClose={() => {
            setOpen(false);
            setRun(undefined);
          }}
        >
          {run ? (
            <>
              <p role="status">
                Run <code>{run.runId}</code> started: <StatusBadge status={run.status} />
              </p>
              <div class="actions">
                <a class="button" href={`/stacks/${stack.stackId}/runs`} onClick={() => setOpen(false)}>
                  Follow it on Runs
                </a>
              </div>
            </>
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                const commit = String(new FormData(e.currentTarget).get('commit') ?? '').trim();
                void form.run(async () => {
                  const started = await ok(
                    api.POST('/v1/stacks/{stackId}/runs', {
                      params: { path: { stackId: stack.stackId } },
                      body: commit ? { commit } : {},
                    }),
                  );
                  setRun(started);
                  onStarted?.(started);
                });
              }}
            >
              <p>
                Builds the commit and moves it through the stages, stopping where an approval is required.
              </p>
              <Field
                form={form}
                name="commit"
                label="Commit (optional)"
                hint={`a full 40-character SHA; empty for the head of ${stack.branch}`}
              >
                <input {...form.control('commit')} class="mono" autoComplete="off" />
              </Field>
              <FormActions form={form} submit="Deploy" />
            </form>
          )}
        </Dialog>
      )}
    </>
  );
}

/** A run: its commit and each stage's progress, in order. */
export function RunRow({ run, onChanged }: { run: Run; onChanged?: () => void }) {
  return (
    <li class="card run" data-run={run.runId}>
      <header class="card-head">
        <StatusBadge status={run.status} />
        <code>{run.commit.sha?.slice(0, 7) ?? 'head'}</code>
        <span class="run-message">
          {run.commit.message ?? (run.trigger === 'manual' ? 'deployed by hand' : '')}
        </span>
        <span class="muted">
          {run.commit.author ?? run.requestedBy} · <Time iso={run.createdAt} />
        </span>
        {run.build?.status === 'REUSED' && (
          <span class="muted" data-build="REUSED" title={run.build.imageUri ?? undefined}>
            · image built before: reused, not rebuilt
          </span>
        )}
      </header>
      <ol class="progress" aria-label="Stages of this run">
        {run.stages.map((stage) => (
          <li key={stage.name} data-stage-status={stage.status}>
            <span>{stage.name}</span> <StatusBadge status={stage.status} />
            <WindowWait run={run} stage={stage} onOverridden={onChanged} />
            {stage.error && <span class="operation-error small">{stage.error}</span>}
          </li>
        ))}
      </ol>
      {run.error && <p class="operation-error">{run.error}</p>}
    </li>
  );
}

/** Approve or Reject a pending approval, with a comment, as the signed-in user. */
export function ApprovalDecision({
  approval,
  onDecided,
}: {
  approval: Approval;
  onDecided: (a: Approval) => void;
}) {
  const { api } = useApp();
  const form = useForm(['comment', 'decision']);
  const you = approval.you;
  const decide = (decision: 'approve' | 'reject', comment: string) =>
    form.run(async () => {
      const decided = await ok(
        api.POST('/v1/approvals/{approvalId}', {
          params: { path: { approvalId: approval.approvalId } },
          body: { decision, ...(comment ? { comment } : {}) },
        }),
      );
      onDecided(decided);
    });
  return (
    <form
      class="approval-form"
      onSubmit={(e) => {
        e.preventDefault();
        const submitter = (e as SubmitEvent).submitter as HTMLButtonElement | null;
        const comment = String(new FormData(e.currentTarget).get('comment') ?? '').trim();
        void decide(submitter?.value === 'reject' ? 'reject' : 'approve', comment);
      }}
    >
      <Field form={form} name="comment" label="Comment (optional)">
        <textarea {...form.control('comment')} rows={2} maxLength={1000} />
      </Field>
      <FormError error={form.unplaced} />
      {/* Why the signed-in user may not approve (the author, not listed, approved already). */}
      {you?.reason && (
        <p class="hint" role="note" data-approve-refused>
          {you.reason}
        </p>
      )}
      <div class="actions">
        <button
          type="submit"
          name="decision"
          value="approve"
          disabled={form.busy || you?.mayApprove === false}
          title={you?.reason ?? undefined}
        >
          Approve
        </button>
        <button
          type="submit"
          name="decision"
          value="reject"
          class="danger"
          disabled={form.busy || you?.mayReject === false}
        >
          Reject
        </button>
      </div>
    </form>
  );
}

/** What is being approved: stack, stage, commit, who asked and until when. */
export function ApprovalFacts({ approval }: { approval: Approval }) {
  return (
    <>
      <dl class="facts">
        <dt>Stack</dt>
        <dd>{approval.stackName}</dd>
        <dt>Stage</dt>
        <dd>{approval.stageName}</dd>
        <dt>Commit</dt>
        <dd>
          {approval.commit.url ? (
            <a href={approval.commit.url} target="_blank" rel="noreferrer">
              <code>{approval.commit.sha?.slice(0, 12) ?? 'head of the branch'}</code>
            </a>
          ) : (
            <code>{approval.commit.sha?.slice(0, 12) ?? 'head of the branch'}</code>
          )}{' '}
          {approval.commit.message}
        </dd>
        <dt>Author</dt>
        <dd>{approval.commit.author ?? '—'}</dd>
        <dt>Requested</dt>
        <dd>
          by {approval.requestedBy}, <Time iso={approval.requestedAt} />
        </dd>
        <dt>Expires</dt>
        <dd>
          <Time iso={approval.expiresAt} />
        </dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={approval.status} />
          {approval.decidedBy && ` by ${approval.decidedBy}`}
          {approval.comment && `: “${approval.comment}”`}
        </dd>
      </dl>
      <ApprovalChanges approval={approval} />
    </>
  );
}
