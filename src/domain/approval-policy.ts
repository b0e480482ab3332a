import { EMAIL } from './caller';
import { badRequest } from './errors';

/**
 * Approval policies: how many distinct people must approve a deploy to a stage, who may, and
 * whether the change's author may be one of them. Plain rules, used by the stage routes (what a
 * stage accepts), CreateApproval (what an approval asks for) and the approval routes (who may
 * decide).
 */

export interface ApprovalPolicy {
  /** Distinct approvals needed before the deploy goes on. */
  required: number;
  /**
   * Who may decide, by email or JWT subject (`slack:<member id>` for a Slack user); null: any
   * user of the tenant and anyone the request was sent to.
   */
  approvers: string[] | null;
  /** Whether the change's author (see RunAuthor) may approve it. */
  allowSelfApproval: boolean;
}

export const MAX_REQUIRED_APPROVALS = 10;
export const MAX_APPROVERS = 25;

/**
 * What `requireApproval: true` means, as it always has: one approval, by anyone who may see the
 * request, the author included. Stages created before approval policies existed read as this.
 */
export const ONE_APPROVAL: ApprovalPolicy = { required: 1, approvers: null, allowSelfApproval: true };

/** A Slack member id as an approver: `slack:U0123ABCD` (W… for Enterprise Grid users). */
export const SLACK_APPROVER = /^slack:[UW][A-Z0-9]{2,20}$/;

/**
 * Who a run's change comes from, as far as the run knows: the head commit's author and whoever
 * pushed it (or, for a run started by hand, the user who started it). When a stage does not allow
 * self-approval, none of them may approve it.
 */
export interface RunAuthor {
  /** GitHub logins (`head_commit.author.username`, `pusher.name`), or the `sub` of who started it by hand. */
  logins: string[];
  /** `head_commit.author.email`, `pusher.email`, or the `email` claim of who started it by hand; lower case. */
  emails: string[];
}

/** Logins and emails, deduplicated, empty ones dropped, emails lower-cased. */
export function runAuthor(logins: (string | undefined)[], emails: (string | null | undefined)[]): RunAuthor {
  const distinct = (values: string[]) => [...new Set(values)];
  return {
    logins: distinct(logins.filter((l): l is string => !!l)),
    emails: distinct(emails.filter((e): e is string => !!e && EMAIL.test(e)).map((e) => e.toLowerCase())),
  };
}

// ---- a stage's policy: create, PATCH, GET ---------------------------------------------------

/** The policy as a request gives it (src/domain/input/stage.ts validates each field). */
export interface ApprovalPolicyInput {
  required: number;
  approvers?: string[] | null;
  allowSelfApproval?: boolean;
}

interface ApprovalFields {
  requireApproval?: boolean;
  approval?: ApprovalPolicyInput | null;
}

/** An approver entry as compared: emails in lower case, subjects and Slack ids as given. */
const normalEntry = (entry: string) => (EMAIL.test(entry) ? entry.toLowerCase() : entry);

/** A given policy, checked across its fields (each field's own format is the schema's): a 400 naming the field. */
function policyOf(input: ApprovalPolicyInput): ApprovalPolicy {
  const approvers = input.approvers ? input.approvers.map(normalEntry) : null;
  approvers?.forEach((entry, i) => {
    if (approvers.indexOf(entry) !== i)
      throw badRequest(`approval.approvers.${i}`, `approval.approvers.${i}: ${entry} is listed twice`);
  });
  if (approvers && input.required > approvers.length)
    throw badRequest(
      'approval.required',
      `approval.required is ${input.required}, but only ${approvers.length} approver${approvers.length === 1 ? ' is' : 's are'} listed: nobody could ever deploy`,
    );
  return { required: input.required, approvers, allowSelfApproval: input.allowSelfApproval ?? false };
}

/** `approval` and `requireApproval` given together must agree. */
function assertAgree(body: ApprovalFields): void {
  if (body.requireApproval === undefined || body.approval === undefined) return;
  if (body.requireApproval !== (body.approval !== null))
    throw badRequest(
      'requireApproval',
      body.approval === null
        ? 'requireApproval: true contradicts approval: null (which removes the approval)'
        : 'requireApproval: false contradicts the approval policy given with it: give one of them',
    );
}

/**
 * The policy of a new stage. `approval` is the policy; `requireApproval: true` alone is one
 * approval by anyone (ONE_APPROVAL); `requireApproval: false`, `approval: null` or neither: no
 * approval. Both given must agree (a 400 naming `requireApproval`).
 */
export function approvalOnCreate(body: ApprovalFields): ApprovalPolicy | null {
  assertAgree(body);
  if (body.approval) return policyOf(body.approval);
  return body.requireApproval ? ONE_APPROVAL : null;
}

/**
 * A PATCH: `approval` replaces the policy whole, `approval: null` or `requireApproval: false`
 * removes it; `requireApproval: true` keeps a stage's policy, or gives a stage without one
 * ONE_APPROVAL; neither leaves it as it is.
 */
export function approvalOnUpdate(
  current: ApprovalPolicy | null,
  patch: ApprovalFields,
): ApprovalPolicy | null {
  assertAgree(patch);
  if (patch.approval !== undefined) return patch.approval && policyOf(patch.approval);
  if (patch.requireApproval === undefined) return current;
  return patch.requireApproval ? (current ?? ONE_APPROVAL) : null;
}

/** A stage's policy; a stage stored before policies existed has only `requireApproval`. */
export function approvalPolicyOf(settings: {
  requireApproval: boolean;
  approval?: ApprovalPolicy | null;
}): ApprovalPolicy | null {
  if (settings.approval !== undefined) return settings.approval;
  return settings.requireApproval ? ONE_APPROVAL : null;
}

// ---- who may decide ---------------------------------------------------------------------------

/** Who is deciding: a signed-in user, the recipient of an email link, or a Slack user. */
export type Approver =
  | { via: 'user'; userId: string; email?: string }
  | { via: 'link'; email: string }
  | { via: 'slack'; slackUserId: string };

/**
 * The identity an approval is counted under, so that one person counts once: a user by their
 * email when their token carries one (the same person as their email link), else their subject.
 */
export function identityOf(approver: Approver): string {
  switch (approver.via) {
    case 'user':
      return approver.email ?? approver.userId;
    case 'link':
      return approver.email;
    case 'slack':
      return `slack:${approver.slackUserId}`;
  }
}

function isListed(approvers: string[], approver: Approver): boolean {
  switch (approver.via) {
    case 'user':
      return approvers.some((entry) => entry === approver.userId || entry === approver.email);
    case 'link':
      return approvers.includes(approver.email);
    case 'slack':
      return approvers.includes(`slack:${approver.slackUserId}`);
  }
}

function isAuthor(author: RunAuthor, approver: Approver): boolean {
  const logins = author.logins.map((login) => login.toLowerCase());
  switch (approver.via) {
    case 'user':
      return (
        logins.includes(approver.userId.toLowerCase()) ||
        (!!approver.email && author.emails.includes(approver.email))
      );
    case 'link':
      return author.emails.includes(approver.email);
    case 'slack':
      // Slack says who clicked, not their email or GitHub login: see mayDecide.
      return false;
  }
}

export type Refusal =
  | { reason: 'not-listed' | 'author' | 'unverifiable'; status: 403; message: string }
  | { reason: 'already-approved'; status: 409; message: string };

/**
 * Why `approver` may not take `decision` on an approval under `policy`, or undefined when they
 * may. Anyone who may decide may reject (the author too: withdrawing a change is no risk). To
 * approve: a listed approver when the policy lists them; not the author unless self-approval is
 * allowed; once per identity. A Slack user cannot be checked against the author (Slack tells us
 * their member id, not their email or GitHub login), so where self-approval is off, a Slack click
 * approves only for a Slack member the policy lists by id: listing them is the stage owner's word.
 */
export function refusalOf(input: {
  policy: ApprovalPolicy;
  author: RunAuthor;
  approver: Approver;
  decision: 'approve' | 'reject';
  approvedBy: readonly string[];
}): Refusal | undefined {
  const { policy, approver } = input;
  const who = identityOf(approver);
  if (policy.approvers && !isListed(policy.approvers, approver))
    return {
      reason: 'not-listed',
      status: 403,
      message: `only this stage's approvers may decide (${policy.approvers.join(', ')}): ${who} is not one of them`,
    };
  if (input.decision === 'reject') return undefined;
  if (!policy.allowSelfApproval && isAuthor(input.author, approver))
    return {
      reason: 'author',
      status: 403,
      message: `${who} is the author of this change, and this stage does not allow self-approval: another approver is needed`,
    };
  if (!policy.allowSelfApproval && !policy.approvers && approver.via === 'slack')
    return {
      reason: 'unverifiable',
      status: 403,
      message:
        'this stage does not allow self-approval, and a Slack user cannot be checked against the change’s author: approve with your email link or in the dashboard',
    };
  if (input.approvedBy.includes(who))
    return {
      reason: 'already-approved',
      status: 409,
      message: `${who} already approved this (${input.approvedBy.length} of ${policy.required}): another approver is needed`,
    };
  return undefined;
}

/** Who gets an email with a link of their own: the stack's approval emails and the listed approvers' emails. */
export function linkRecipients(notificationEmails: readonly string[], policy: ApprovalPolicy): string[] {
  const listed = (policy.approvers ?? []).filter((entry) => EMAIL.test(entry));
  return [...new Set([...notificationEmails.map((e) => e.toLowerCase()), ...listed])];
}
