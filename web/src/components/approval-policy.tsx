import { useState } from 'preact/hooks';
import type { Approval, CreateStageBody, Stage } from '../api/types';
import { Field, FieldErrorOf, type Form } from './form';
import { Time } from './ui';

type Policy = NonNullable<Stage['settings']['approval']>;

/** The controls of an approval policy, by the fields the API names in its errors. */
export const APPROVAL_FIELDS = [
  'requireApproval',
  'approval',
  'approval.required',
  'approval.approvers',
  'approval.allowSelfApproval',
] as const;

/**
 * Whether a run waits for approval before the stage, how many distinct people must approve, who
 * may (empty: any user of the tenant, and anyone the request is emailed to), and whether the
 * change's author may.
 */
export function ApprovalPolicyFields({ form, policy }: { form: Form; policy: Policy | null }) {
  const [on, setOn] = useState(policy !== null);
  return (
    <fieldset class="approval-policy">
      <legend>Approval</legend>
      <label class="check">
        <input
          type="checkbox"
          name="requireApproval"
          checked={on}
          onChange={(e) => setOn(e.currentTarget.checked)}
        />{' '}
        Require manual approval
      </label>
      <FieldErrorOf form={form} name="requireApproval" />
      {on && (
        <>
          <Field
            form={form}
            name="approval.required"
            label="Approvals required"
            hint="distinct people, 1 to 10"
          >
            <input
              {...form.control('approval.required')}
              type="number"
              min={1}
              max={10}
              defaultValue={String(policy?.required ?? 1)}
            />
          </Field>
          <Field
            form={form}
            name="approval.approvers"
            label="Approvers (optional)"
            hint="emails, user ids or slack:<member id>, one per line; empty: any user, and anyone the request is emailed to"
          >
            <textarea
              {...form.control('approval.approvers')}
              rows={3}
              class="mono"
              defaultValue={(policy?.approvers ?? []).join('\n')}
            />
          </Field>
          <label class="check">
            <input
              type="checkbox"
              name="approval.allowSelfApproval"
              defaultChecked={policy?.allowSelfApproval ?? true}
            />{' '}
            The change’s author may approve it
          </label>
          <FieldErrorOf form={form} name="approval.allowSelfApproval" />
        </>
      )}
      <FieldErrorOf form={form} name="approval" />
    </fieldset>
  );
}

/** What the controls say, as the API takes it: a policy, or null for none. */
export function approvalFromForm(data: FormData): { approval: CreateStageBody['approval'] } {
  if (data.get('requireApproval') !== 'on') return { approval: null };
  const approvers = String(data.get('approval.approvers') ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);
  return {
    approval: {
      required: Number(data.get('approval.required') || 1),
      ...(approvers.length > 0 ? { approvers } : {}),
      allowSelfApproval: data.get('approval.allowSelfApproval') === 'on',
    },
  };
}

/** The stage column's marker: what a run waits for before this stage. */
export function approvalSummary(policy: Policy): string {
  return (
    `Requires ${policy.required === 1 ? 'manual approval' : `${policy.required} approvals`}` +
    (policy.approvers ? ` from ${policy.approvers.length} listed` : '') +
    (policy.allowSelfApproval ? '' : ', not by the author')
  );
}

/** Who approved so far, and what is needed. */
export function ApprovalProgress({ approval }: { approval: Approval }) {
  return (
    <div class="approval-progress" data-approval-progress>
      <p>
        <strong>
          {approval.approvals.length} of {approval.required}
        </strong>{' '}
        approval{approval.required === 1 ? '' : 's'}
        {approval.approvers && <> from {approval.approvers.join(', ')}</>}
        {!approval.allowSelfApproval && <>; not by the change’s author</>}
      </p>
      {approval.approvals.length > 0 && (
        <ul class="approval-list">
          {approval.approvals.map((a) => (
            <li key={a.by}>
              {a.by} <span class="muted">({a.via})</span> <Time iso={a.at} />
              {a.comment && <>: “{a.comment}”</>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
