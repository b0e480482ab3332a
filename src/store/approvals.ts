import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Approval, ApprovalEntry, ApprovalStatus } from '../domain/pipeline';
import { isConditionFailure, queryIndexPage, record, TableStore } from './items';
import { gsi1, keys } from './keys';
import type { Page, PageRequest } from './page';

/**
 * An approval with what stays server-side: the task token, the nonce of its Slack buttons (and of
 * the one shared link of approvals recorded before per-approver links), and each email link's
 * nonce with whom it was sent to.
 */
export interface StoredApproval extends Approval {
  taskToken?: string;
  linkNonce: string;
  /** nonce → recipient email: each recipient's own single-use link. */
  emailLinks?: Record<string, string>;
  /** The identities that approved, in order (a list: `contains` keeps them distinct). */
  approvedBy?: string[];
}

/**
 * Approvals of pipeline runs: apart from the runs (./pipelines.ts) so that the approval routes,
 * the busiest of the pipeline functions, bundle only this. Every invariant is a single-item
 * conditional write, as in ./store.ts.
 */
export class ApprovalStore extends TableStore {
  async putApproval(approval: StoredApproval): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.approval(approval.tenantId, approval.approvalId),
          gsi1pk: gsi1.pendingApprovalsOf(approval.tenantId),
          gsi1sk: approval.approvalId,
          kind: 'approval',
          approvals: [],
          approvedBy: [],
          ...approval,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getApproval(tenantId: string, approvalId: string): Promise<StoredApproval | undefined> {
    return record<StoredApproval>(await this.get(keys.approval(tenantId, approvalId)));
  }

  async listPendingApprovals(tenantId: string, page: PageRequest): Promise<Page<StoredApproval>> {
    return queryIndexPage<StoredApproval>(
      this.db,
      this.tableName,
      gsi1.pendingApprovalsOf(tenantId),
      page,
      'newest-first',
    );
  }

  /** Parks the workflow's task token on a still-pending approval; undefined if it was already settled. */
  async parkApprovalToken(tenantId: string, approvalId: string, taskToken: string) {
    return record<StoredApproval>(
      await this.update(keys.approval(tenantId, approvalId), {
        UpdateExpression: 'SET taskToken = :token',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':token': taskToken, ':pending': 'PENDING' },
      }),
    );
  }

  /**
   * Settles a pending approval, once: the decision and who made it, the link's nonce consumed, the
   * approval out of the pending index. Returns the approval as it was (with its task token), or
   * undefined when it was not pending, not yet waiting, expired, or the link was not its current one.
   */
  async settleApproval(
    tenantId: string,
    approvalId: string,
    outcome: {
      status: Exclude<ApprovalStatus, 'PENDING'>;
      decidedBy?: string;
      decidedVia?: Approval['decidedVia'];
      comment?: string;
      linkNonce?: string;
      /** The email link the decision came by: it must still be unused. */
      emailNonce?: string;
      requireWaiting?: boolean;
      /** APPROVED only once this many approvals are recorded (see recordApproval). */
      requireApprovals?: number;
    },
  ): Promise<StoredApproval | undefined> {
    const now = new Date().toISOString();
    const sets = ['#status = :status', 'decidedAt = :now'];
    const values: Record<string, unknown> = { ':status': outcome.status, ':now': now, ':pending': 'PENDING' };
    const set = (expression: string, name: string, value: unknown) => {
      sets.push(expression);
      values[name] = value;
    };
    if (outcome.decidedBy) set('decidedBy = :by', ':by', outcome.decidedBy);
    if (outcome.decidedVia) set('decidedVia = :via', ':via', outcome.decidedVia);
    if (outcome.comment) set('#comment = :comment', ':comment', outcome.comment);
    const conditions = ['#status = :pending'];
    if (outcome.requireWaiting) conditions.push('attribute_exists(taskToken)', 'expiresAt > :now');
    if (outcome.linkNonce) {
      conditions.push('linkNonce = :nonce');
      values[':nonce'] = outcome.linkNonce;
    }
    const names: Record<string, string> = {};
    if (outcome.emailNonce) {
      conditions.push('attribute_exists(emailLinks.#nonce)');
      names['#nonce'] = outcome.emailNonce;
    }
    if (outcome.requireApprovals) {
      conditions.push('size(approvals) >= :required');
      values[':required'] = outcome.requireApprovals;
    }
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.approval(tenantId, approvalId),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE gsi1pk, gsi1sk, linkNonce, emailLinks`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: {
            '#status': 'status',
            ...(outcome.comment ? { '#comment': 'comment' } : {}),
            ...names,
          },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      return record<StoredApproval>(out.Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  // ---- the deploy planned again (issue 13 §3) -------------------------------------------------

  /**
   * Closes a pending approval because its deploy is planned again (a settings change joined it):
   * REPLANNED with the reason, out of the pending index, its link used up. Returns the approval as
   * it was (with its task token), or undefined when it was no longer pending.
   */
  async closeForReplan(tenantId: string, approvalId: string, reason: string) {
    return record<StoredApproval>(
      await this.update(keys.approval(tenantId, approvalId), {
        UpdateExpression:
          'SET #status = :replanned, closedReason = :reason, decidedAt = :now REMOVE gsi1pk, gsi1sk, linkNonce',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':replanned': 'REPLANNED',
          ':pending': 'PENDING',
          ':reason': reason,
          ':now': new Date().toISOString(),
        },
      }),
    );
  }

  /** A REPLANNED approval names the approval that replaced it; undefined when it is not REPLANNED. */
  async markReplacedBy(tenantId: string, approvalId: string, replacedBy: string) {
    return record<StoredApproval>(
      await this.update(keys.approval(tenantId, approvalId), {
        UpdateExpression: 'SET replacedBy = :by',
        ConditionExpression: '#status = :replanned',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':by': replacedBy, ':replanned': 'REPLANNED' },
      }),
    );
  }

  /**
   * Records one person's approval of a waiting approval, once per identity and never past
   * `required`, in one conditional write, so concurrent clicks cannot count anyone twice or
   * overshoot; an email link's nonce is consumed by it. Returns the approval as it is now, or
   * undefined when the write's condition failed (the caller re-reads to say why).
   */
  async recordApproval(
    tenantId: string,
    approvalId: string,
    entry: ApprovalEntry,
    required: number,
    emailNonce?: string,
  ): Promise<StoredApproval | undefined> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.approval(tenantId, approvalId),
          UpdateExpression:
            'SET approvals = list_append(if_not_exists(approvals, :empty), :entry), ' +
            'approvedBy = list_append(if_not_exists(approvedBy, :empty), :by)' +
            (emailNonce ? ' REMOVE emailLinks.#nonce' : ''),
          ConditionExpression: [
            '#status = :pending',
            'attribute_exists(taskToken)',
            'expiresAt > :now',
            'NOT contains(approvedBy, :id)',
            '(attribute_not_exists(approvals) OR size(approvals) < :required)',
            ...(emailNonce ? ['attribute_exists(emailLinks.#nonce)'] : []),
          ].join(' AND '),
          ExpressionAttributeNames: { '#status': 'status', ...(emailNonce ? { '#nonce': emailNonce } : {}) },
          ExpressionAttributeValues: {
            ':pending': 'PENDING',
            ':now': new Date().toISOString(),
            ':id': entry.by,
            ':by': [entry.by],
            ':entry': [entry],
            ':empty': [],
            ':required': required,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return record<StoredApproval>(out.Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** A decision arrived after the workflow stopped waiting (SendTask* said 'gone'): it expired. */
  async markApprovalExpired(tenantId: string, approvalId: string): Promise<void> {
    await this.update(keys.approval(tenantId, approvalId), {
      UpdateExpression: 'SET #status = :expired REMOVE decidedBy, decidedVia, #comment',
      ExpressionAttributeNames: { '#status': 'status', '#comment': 'comment' },
      ExpressionAttributeValues: { ':expired': 'EXPIRED' },
    });
  }
}
