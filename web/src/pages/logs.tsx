import { useEffect, useRef, useState } from 'preact/hooks';
import { ok } from '../api/client';
import type { LogsPage as LogsResult } from '../api/types';
import { useApp } from '../app/context';
import { useStage } from '../app/use-stage';
import { StageHeader } from '../components/stage-nav';
import { LoadError } from '../components/ui';

type LogType = 'app' | 'access';
type Line = LogsResult['lines'][number];

/** Logs: the application log and the access log, a page at a time, or followed as they come. */
export default function LogsPage({ stackId, stage: stageName }: { stackId: string; stage: string }) {
  const { api } = useApp();
  const stage = useStage(stackId, stageName);
  const [type, setType] = useState<LogType>('app');
  const [lines, setLines] = useState<Line[]>([]);
  const [nextToken, setNextToken] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [follow, setFollow] = useState(false);
  const [loading, setLoading] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  const read = async (token?: string | null) => {
    setLoading(true);
    try {
      const page = await ok(
        api.GET('/v1/stacks/{stackId}/stages/{stageName}/logs', {
          params: {
            path: { stackId, stageName },
            query: { type, limit: 100, ...(token ? { nextToken: token } : {}) },
          },
        }),
      );
      setError(undefined);
      return page;
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    setLines([]);
    setNextToken(null);
    void read().then((page) => {
      if (!page) return;
      setLines(page.lines);
      setNextToken(page.nextToken);
    });
  }, [type, stackId, stageName]);

  // Follow mode: ask again every 2 s for what came after the last line.
  useEffect(() => {
    if (!follow) return;
    const timer = setInterval(async () => {
      const page = await read(nextToken);
      if (!page) return;
      if (page.lines.length > 0) setLines((old) => [...old, ...page.lines].slice(-2000));
      if (page.nextToken) setNextToken(page.nextToken);
    }, 2000);
    return () => clearInterval(timer);
  }, [follow, nextToken, type]);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines.length, follow]);

  return (
    <>
      <StageHeader stackId={stackId} stage={stageName} title="Logs" data={stage.data} />
      <div class="toolbar" role="group" aria-label="Log options">
        <label for="log-type">Log</label>
        <select id="log-type" value={type} onChange={(e) => setType(e.currentTarget.value as LogType)}>
          <option value="app">Application log</option>
          <option value="access">Access log</option>
        </select>
        <label class="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} />{' '}
          Follow
        </label>
        <button
          type="button"
          class="secondary small"
          disabled={!nextToken || loading || follow}
          onClick={async () => {
            const page = await read(nextToken);
            if (!page) return;
            setLines((old) => [...old, ...page.lines]);
            setNextToken(page.nextToken);
          }}
        >
          Load more
        </button>
      </div>
      {error !== undefined && <LoadError error={error} />}
      <div
        class="log-box"
        ref={box}
        tabIndex={0}
        role="log"
        aria-label={type === 'app' ? 'Application log' : 'Access log'}
        aria-live={follow ? 'polite' : 'off'}
      >
        {lines.length === 0 && !loading && <p class="muted">No lines yet.</p>}
        {lines.map((line, i) => (
          <div class="log-line" key={i}>
            <time dateTime={line.timestamp}>{line.timestamp.replace('T', ' ').replace('Z', '')}</time>{' '}
            <span>{line.message}</span>
          </div>
        ))}
      </div>
    </>
  );
}
