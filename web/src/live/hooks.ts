import { useEffect, useRef, useState } from 'preact/hooks';
import { ok } from '../api/client';
import type { Operation } from '../api/types';
import { useApp, type App } from '../app/context';
import { OPERATION_POLL, pollDelay } from '../lib/backoff';
import { isInProgress } from '../lib/status';
import type { BusEvent } from './events';

/**
 * Follows an operation until it ends: on `npm start` its status events move it at once (and it is
 * re-read for the full record); on AWS it is polled with a bounded backoff. Returns a stop function.
 */
export function watchOperation(app: App, operationId: string, onChange: (op: Operation) => void): () => void {
  let stopped = false;
  let last: Operation | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const started = Date.now();
  const publish = (op: Operation) => {
    if (stopped) return;
    last = op;
    onChange(op);
  };
  const read = () =>
    ok(app.api.GET('/v1/operations/{operationId}', { params: { path: { operationId } } })).then(publish);

  const unsubscribe = app.feed?.subscribe((event) => {
    if (event['detail-type'] !== 'Operation Status Change' || event.detail.operationId !== operationId)
      return;
    const status = event.detail.status as Operation['status'];
    if (last) publish({ ...last, status, error: (event.detail.error as string | undefined) ?? last.error });
    void read().catch(() => {});
  });

  let attempt = 0;
  const poll = async () => {
    try {
      await read();
    } catch {
      // a failed read is retried like a running operation
    }
    if (stopped || (last && !isInProgress(last.status))) return;
    if (Date.now() - started > OPERATION_POLL.giveUpAfterMs) return;
    // With an event stream the poll is only a safety net for a stream that dropped an event.
    timer = setTimeout(poll, app.feed ? 15_000 : pollDelay(attempt++));
  };
  void poll();
  return () => {
    stopped = true;
    unsubscribe?.();
    if (timer) clearTimeout(timer);
  };
}

export function useOperation(operationId: string | undefined): Operation | undefined {
  const app = useApp();
  const [operation, setOperation] = useState<Operation>();
  useEffect(() => {
    setOperation(undefined);
    if (!operationId) return;
    return watchOperation(app, operationId, setOperation);
  }, [app, operationId]);
  return operation;
}

/**
 * Keeps a page's data current: on `npm start`, reloads when one of its events arrives (batched over
 * 100 ms); on AWS, reloads with a bounded backoff while something on the page is still in progress.
 */
export function useLiveReload(options: {
  matches: (event: BusEvent) => boolean;
  busy: boolean;
  reload: () => Promise<void>;
}): void {
  const app = useApp();
  const ref = useRef(options);
  ref.current = options;
  useEffect(() => {
    if (!app.feed) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = app.feed.subscribe((event) => {
      if (!ref.current.matches(event) || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void ref.current.reload();
      }, 100);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [app]);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (app.feed || !options.busy) {
      setAttempt(0);
      return;
    }
    const timer = setTimeout(() => {
      void ref.current.reload().finally(() => setAttempt((a) => a + 1));
    }, pollDelay(attempt));
    return () => clearTimeout(timer);
  }, [app, options.busy, attempt]);
}
