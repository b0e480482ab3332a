import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

const SAMPLES = new URL('../../events/samples/api-gateway/', import.meta.url);

/** Stored API Gateway HTTP API (v2) requests: with JWT authorizer claims, and without. */
export type ApiSample = 'create-stage' | 'create-stage-without-authorizer';

export interface RequestChanges {
  body?: string;
  isBase64Encoded?: boolean;
  /** Added to (or, with `undefined`, removed from) the sample's headers. */
  headers?: Record<string, string | undefined>;
  claims?: Record<string, string>;
}

/** A fresh copy of a sample (middy normalises headers in place), with the given changes. */
export function apiRequest(sample: ApiSample, changes: RequestChanges = {}): APIGatewayProxyEventV2 {
  const event = JSON.parse(
    readFileSync(new URL(`${sample}.json`, SAMPLES), 'utf8'),
  ) as APIGatewayProxyEventV2 & {
    requestContext: { authorizer?: { jwt: { claims: Record<string, string> } } };
  };
  if (changes.body !== undefined) {
    event.body = changes.body;
    event.headers['content-length'] = String(Buffer.byteLength(changes.body));
  }
  if (changes.isBase64Encoded !== undefined) event.isBase64Encoded = changes.isBase64Encoded;
  for (const [name, value] of Object.entries(changes.headers ?? {})) {
    if (value === undefined) delete event.headers[name];
    else event.headers[name] = value;
  }
  if (changes.claims) event.requestContext.authorizer = { jwt: { claims: changes.claims } };
  return event;
}

export function lambdaContext(awsRequestId = 'c0ffee00-1234-4abc-9def-0123456789ab'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'tinystacks-test-createStage',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:tinystacks-test-createStage',
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: '/aws/lambda/tinystacks-test-createStage',
    logStreamName: '2025/03/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
