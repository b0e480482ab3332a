import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { errorFields, log } from '../../log';
import { cacheControlOf, contentTypeOf } from '../../static-files';

/**
 * The dashboard's files reach its bucket during `serverless deploy` through a CloudFormation custom
 * resource (Custom::DashboardAssets): its function carries the built files (web/dist/deploy/, put in
 * its zip by `package.patterns`) and copies them on Create and Update; the resource's BuildHash
 * property changes with the build, so a new build is an Update. Old hashed assets stay (an open tab
 * may still load them); Delete empties the bucket so CloudFormation can remove it.
 */
export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: { BucketName: string; BuildHash?: string };
}

export interface DashboardAssetsDeps {
  s3: S3Client;
  /** The built dashboard inside the function's package. */
  filesDir: string;
  /** Answers CloudFormation (a PUT of the result to the pre-signed ResponseURL). */
  respond: (url: string, body: string) => Promise<void>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

async function upload(deps: DashboardAssetsDeps, bucket: string): Promise<number> {
  const files = filesUnder(deps.filesDir);
  if (!files.some((file) => file.endsWith('index.html')))
    throw new Error(`no dashboard build in ${deps.filesDir}`);
  // index.html last: it names the assets, which must be there before any browser asks for them.
  files.sort((a, b) => Number(a.endsWith('index.html')) - Number(b.endsWith('index.html')));
  for (const file of files) {
    const key = relative(deps.filesDir, file).split('\\').join('/');
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: readFileSync(file),
        ContentType: contentTypeOf(file),
        CacheControl: cacheControlOf(key),
      }),
    );
  }
  return files.length;
}

async function empty(deps: DashboardAssetsDeps, bucket: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await deps.s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length > 0)
      await deps.s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
      );
    token = page.NextContinuationToken;
  } while (token);
}

export async function handleDashboardAssets(
  event: CustomResourceEvent,
  deps: DashboardAssetsDeps,
): Promise<void> {
  const bucket = event.ResourceProperties.BucketName;
  const physicalId = event.PhysicalResourceId ?? `dashboard-assets-${bucket}`;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = '';
  try {
    if (event.RequestType === 'Delete') await empty(deps, bucket);
    else reason = `${await upload(deps, bucket)} files uploaded`;
  } catch (error) {
    status = 'FAILED';
    reason = error instanceof Error ? error.message : String(error);
    log.error('dashboard assets not deployed', {
      bucket,
      requestType: event.RequestType,
      ...errorFields(error),
    });
  }
  await deps.respond(
    event.ResponseURL,
    JSON.stringify({
      Status: status,
      Reason: reason.slice(0, 500),
      PhysicalResourceId: physicalId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    }),
  );
}

/** CloudFormation's pre-signed response URL takes a PUT without a content type. */
export async function respondToCloudFormation(url: string, body: string): Promise<void> {
  const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`CloudFormation response refused: ${response.status}`);
}
