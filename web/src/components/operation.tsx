import { useEffect } from 'preact/hooks';
import type { Operation } from '../api/types';
import { isInProgress, operationLabel } from '../lib/status';
import { useOperation } from '../live/hooks';
import { StatusBadge } from './status';

/**
 * An operation, live until it ends: SUCCEEDED, or FAILED with the reason. Every page that starts an
 * operation shows one of these; `onSettled` lets the page reload what the operation changed.
 */
export function OperationStatus(props: { operationId: string; onSettled?: (op: Operation) => void }) {
  const operation = useOperation(props.operationId);
  const settled = operation && !isInProgress(operation.status);
  useEffect(() => {
    if (operation && settled) props.onSettled?.(operation);
  }, [settled]);
  return (
    <div class="operation" role="status" aria-live="polite" data-operation={props.operationId}>
      <span class="operation-title">
        {operation ? `${operationLabel(operation.type)} ${operation.stageName ?? ''}`.trim() : 'Operation'}
      </span>{' '}
      <StatusBadge status={operation?.status ?? 'PENDING'} />{' '}
      <a class="muted" href={`/operations/${props.operationId}`}>
        {props.operationId}
      </a>
      {operation?.status === 'FAILED' && operation.error && <p class="operation-error">{operation.error}</p>}
    </div>
  );
}

/** A busy stage's 409: which operation holds it, followed live, so the user knows when to try again. */
export function BusyNotice(props: { message: string; operationId: string }) {
  return (
    <div class="notice notice-busy" role="alert">
      <p>{props.message}</p>
      <OperationStatus operationId={props.operationId} />
    </div>
  );
}
