import { ok } from '../api/client';
import { useLiveReload } from '../live/hooks';
import { isInProgress } from '../lib/status';
import { useApp } from './context';
import { useResource } from './resource';

/** A stage and its stack, kept current while the page is open (events on npm start, polling on AWS). */
export function useStage(stackId: string, stageName: string) {
  const { api } = useApp();
  const resource = useResource(async () => {
    const [stack, stage] = await Promise.all([
      ok(api.GET('/v1/stacks/{stackId}', { params: { path: { stackId } } })),
      ok(api.GET('/v1/stacks/{stackId}/stages/{stageName}', { params: { path: { stackId, stageName } } })),
    ]);
    return { stack, stage };
  }, [stackId, stageName]);
  useLiveReload({
    matches: (e) => e.detail.stackId === stackId && (e.detail.stageName ?? stageName) === stageName,
    busy: resource.data ? isInProgress(resource.data.stage.status) : false,
    reload: resource.reload,
  });
  return resource;
}
