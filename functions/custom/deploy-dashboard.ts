import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import {
  handleDashboardAssets,
  respondToCloudFormation,
  type CustomResourceEvent,
} from '../../src/cloud/aws/dashboard-assets';

const s3 = new S3Client({});
// The build is packaged beside the bundle (serverless.yml: package.patterns web/dist/deploy/**).
const filesDir = join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'web/dist/deploy');

export const handler = (event: CustomResourceEvent) =>
  handleDashboardAssets(event, { s3, filesDir, respond: respondToCloudFormation });
