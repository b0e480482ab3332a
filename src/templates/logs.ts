import { ref } from './intrinsics';
import { STAGE_OUTPUTS } from './outputs';
import type { TemplateFragment } from './types';

export const LOGS = { app: 'AppLogGroup', access: 'AccessLogGroup' } as const;

const RETENTION_DAYS = 30;

export interface LogsInput {
  stackId: string;
  stageName: string;
}

/** Named log groups, so the backend can read a stage's logs knowing only its stack id and stage name. */
export function logs({ stackId, stageName }: LogsInput): TemplateFragment {
  const base = `/tinystacks/${stackId}/${stageName}`;
  return {
    Resources: {
      // Logs go with the stage: they expire after RETENTION_DAYS anyway.
      [LOGS.app]: {
        Type: 'AWS::Logs::LogGroup',
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
        Properties: { LogGroupName: `${base}/app`, RetentionInDays: RETENTION_DAYS },
      },
      [LOGS.access]: {
        Type: 'AWS::Logs::LogGroup',
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
        Properties: { LogGroupName: `${base}/access`, RetentionInDays: RETENTION_DAYS },
      },
    },
    Outputs: {
      [STAGE_OUTPUTS.appLogGroupName]: { Value: ref(LOGS.app) },
      [STAGE_OUTPUTS.accessLogGroupName]: { Value: ref(LOGS.access) },
    },
  };
}
