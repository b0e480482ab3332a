import { keyPairParameterName } from '../../domain/bastion';
import { repositoryOf } from '../../domain/pipeline';
import { accountOfArn, partitionOfArn } from '../../domain/regions';
import type {
  AccountPort,
  DeliveryQueuePort,
  EventBusPort,
  ImageRegistryPort,
  KeysPort,
  LogsPort,
  NotificationPort,
  PipelinePort,
  PlatformSecretsPort,
  SecretsPort,
  StackPort,
  TargetAccount,
  TemplatePort,
  WorkflowPort,
} from '../ports';
import { parseTemplateUrl, templateLocation } from '../template-bucket';

/**
 * What IAM authorizes for each port method, as its AWS adapter in this folder calls it: the action,
 * the ARN IAM evaluates and the request's context keys. Declared here, beside the adapters, and
 * nowhere else: the embedded runtime records these for the function that calls the port
 * (src/local/iam-recorder.ts), the package check proves each one against that function's role in
 * the packaged template (test/package/iam-proof.ts), and test/unit/aws/iam-actions.test.ts runs
 * every adapter to check that the commands it sends are the actions listed here.
 *
 * In a platform resource, `${NAME}` is a variable of the calling function's environment (as the
 * adapter reads it with requireEnv), or AWS_REGION, AWS_ACCOUNT_ID, AWS_LAMBDA_FUNCTION_NAME as
 * Lambda sets them. A queue URL stands for its queue, as SQS authorizes it.
 */
export interface IamRequest {
  /** `service:Action` as IAM names it (SendMessageBatch is sqs:SendMessage, for instance). */
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  /** Not a command the adapter sends, but what IAM also checks for it, and why. */
  implied?: string;
}

export interface PortIam {
  /** Made with the function's own role, in the platform's account. */
  platform?: IamRequest[];
  /**
   * Made in the customer's account as their role, which the function reaches through the platform
   * principal (src/cloud/aws/assume-role.ts): the function's role assumes PLATFORM_PRINCIPAL_ARN,
   * which assumes the customer's role with the tenant's external id.
   */
  customer?: { target: Pick<TargetAccount, 'roleArn' | 'externalId'>; requests: IamRequest[] };
}

/** Every method of a port, with what it asks of IAM for the same arguments. */
/** The box that seals subscription secrets with the key ring (src/app/secret-box.ts's SecretBox). */
interface KeyRingBox {
  seal(plaintext: string, associatedData: string): Promise<string>;
  open(sealed: string, associatedData: string): Promise<string>;
}

type IamOf<P> = {
  [K in keyof P]-?: P[K] extends (...args: infer A) => unknown ? (...args: A) => PortIam : never;
};

const platform = (...requests: IamRequest[]): PortIam => ({ platform: requests });
const own = (service: string, resource: string) =>
  `arn:aws:${service}:\${AWS_REGION}:\${AWS_ACCOUNT_ID}:${resource}`;

/** A platform secret by name: Secrets Manager's ARN ends with six characters it adds to the name. */
const platformSecret = (name: string) => own('secretsmanager', `secret:${name}-AbCdEf`);

/** The customer's resources: their account is the role's, the region the call's. */
function customer(target: Pick<TargetAccount, 'roleArn' | 'externalId'>, ...requests: IamRequest[]): PortIam {
  return { customer: { target: { roleArn: target.roleArn, externalId: target.externalId }, requests } };
}
const inAccount = (
  target: Pick<TargetAccount, 'roleArn'>,
  service: string,
  region: string,
  resource: string,
) => `arn:${partitionOfArn(target.roleArn)}:${service}:${region}:${accountOfArn(target.roleArn)}:${resource}`;

/** A stack's ARN ends with the id CloudFormation gives it, which the calls by name do not know. */
const STACK_ID = '00000000-0000-4000-8000-000000000000';
const stack = (target: TargetAccount, stackName: string) =>
  inAccount(target, 'cloudformation', target.region, `stack/${stackName}/${STACK_ID}`);
const onStack =
  (action: string) =>
  (target: TargetAccount, stackName: string): PortIam =>
    customer(target, { action: `cloudformation:${action}`, resource: stack(target, stackName) });

/** CloudFormation reads a TemplateURL with the caller's own permissions (src/cloud/template-bucket.ts). */
function readsTemplate(target: TargetAccount, templateUrl: string): IamRequest {
  const { bucket = '', key = '' } = parseTemplateUrl(templateUrl) ?? {};
  return {
    action: 's3:GetObject',
    resource: `arn:${partitionOfArn(target.roleArn)}:s3:::${bucket}/${key}`,
    implied: 'CloudFormation fetches the TemplateURL as the caller',
  };
}

/** A call that hands CloudFormation a template by URL. */
const withTemplate =
  (action: string) =>
  (target: TargetAccount, request: { stackName: string; templateUrl: string }): PortIam =>
    customer(
      target,
      { action: `cloudformation:${action}`, resource: stack(target, request.stackName) },
      readsTemplate(target, request.templateUrl),
    );

const pipeline = (target: TargetAccount, pipelineName: string) =>
  inAccount(target, 'codepipeline', target.region, pipelineName);

// One entry per port, named as the AWS adapter's export, in the adapters' order.
export const PORT_IAM = {
  /** workflows.ts. SendTask* name no resource: IAM grants them on `*` only. */
  workflows: {
    start: (workflow) =>
      platform({ action: 'states:StartExecution', resource: `\${STATE_MACHINE_ARN_PREFIX}${workflow}` }),
    sendTaskSuccess: () => platform({ action: 'states:SendTaskSuccess', resource: '*' }),
    sendTaskFailure: () => platform({ action: 'states:SendTaskFailure', resource: '*' }),
  } satisfies IamOf<WorkflowPort>,
  /** events.ts */
  bus: {
    publish: () =>
      platform({ action: 'events:PutEvents', resource: own('events', 'event-bus/${EVENT_BUS_NAME}') }),
  } satisfies IamOf<EventBusPort>,
  /** platform-secrets.ts: the secret is created with a tag. */
  platformSecrets: {
    create: (name) =>
      platform(
        { action: 'secretsmanager:CreateSecret', resource: platformSecret(name) },
        {
          action: 'secretsmanager:TagResource',
          resource: platformSecret(name),
          context: { 'aws:TagKeys': ['tinystacks:purpose'], 'aws:RequestTag/tinystacks:purpose': 'webhook' },
          implied: 'CreateSecret with Tags',
        },
      ),
    get: (name) => platform({ action: 'secretsmanager:GetSecretValue', resource: platformSecret(name) }),
    delete: (name) => platform({ action: 'secretsmanager:DeleteSecret', resource: platformSecret(name) }),
  } satisfies IamOf<PlatformSecretsPort>,
  /** subscription-key.ts: the key ring is read when the function starts, and again for a key it does not know. */
  subscriptionKey: {
    seal: () => platform({ action: 'secretsmanager:GetSecretValue', resource: '${SUBSCRIPTION_KEY_SECRET}' }),
    open: () => platform({ action: 'secretsmanager:GetSecretValue', resource: '${SUBSCRIPTION_KEY_SECRET}' }),
  } satisfies IamOf<KeyRingBox>,
  /** notifications.ts: SES authorizes the sending identity; Slack is plain HTTPS. */
  notifications: {
    email: () =>
      platform({ action: 'ses:SendEmail', resource: own('ses', 'identity/${NOTIFICATION_SENDER}') }),
    slack: () => ({}),
    slackUpdate: () => ({}),
    slackRefresh: () => ({}),
  } satisfies IamOf<NotificationPort>,
  /** delivery-queue.ts: SendMessageBatch is authorized as sqs:SendMessage. */
  deliveryQueue: {
    enqueue: () => platform({ action: 'sqs:SendMessage', resource: '${WEBHOOK_QUEUE_URL}' }),
    postpone: () => platform({ action: 'sqs:ChangeMessageVisibility', resource: '${WEBHOOK_QUEUE_URL}' }),
  } satisfies IamOf<DeliveryQueuePort & { postpone(receiptHandle: string, delaySeconds: number): unknown }>,
  /** accounts.ts: the verifier assumes the customer's role itself, with the tenant's external id. */
  accounts: {
    verifyRole: (roleArn, externalId) =>
      platform({ action: 'sts:AssumeRole', resource: roleArn, context: { 'sts:ExternalId': externalId } }),
  } satisfies IamOf<AccountPort>,
  /** stacks.ts */
  stacks: {
    create: withTemplate('CreateStack'),
    update: withTemplate('UpdateStack'),
    delete: onStack('DeleteStack'),
    continueUpdateRollback: onStack('ContinueUpdateRollback'),
    describe: onStack('DescribeStacks'),
    listEvents: onStack('DescribeStackEvents'),
    createChangeSet: withTemplate('CreateChangeSet'),
    describeChangeSet: onStack('DescribeChangeSet'),
    executeChangeSet: onStack('ExecuteChangeSet'),
    deleteChangeSet: onStack('DeleteChangeSet'),
    getTemplate: onStack('GetTemplate'),
  } satisfies IamOf<StackPort>,
  /** templates.ts: the bucket is made (with its lifecycle rule) the first time a put finds none. */
  templates: {
    put: (target, request) => {
      const location = templateLocation(target, request.stackName, request.clientRequestToken);
      const bucket = `arn:${partitionOfArn(target.roleArn)}:s3:::${location.bucket}`;
      return customer(
        target,
        { action: 's3:PutObject', resource: `${bucket}/${location.key}` },
        { action: 's3:CreateBucket', resource: bucket },
        { action: 's3:PutLifecycleConfiguration', resource: bucket },
      );
    },
  } satisfies IamOf<TemplatePort>,
  /** logs.ts */
  logs: {
    read: (target, logGroupName) =>
      customer(target, {
        action: 'logs:FilterLogEvents',
        resource: inAccount(target, 'logs', target.region, `log-group:${logGroupName}`),
      }),
  } satisfies IamOf<LogsPort>,
  /** secrets.ts: read in the secret's own region, which its ARN names. */
  secrets: {
    readDatabaseSecret: (target, secretArn) =>
      customer(target, { action: 'secretsmanager:GetSecretValue', resource: secretArn }),
  } satisfies IamOf<SecretsPort>,
  /** keys.ts: the parameter's ARN is its name without the leading slash. */
  keys: {
    readPrivateKey: (target, keyPairId) =>
      customer(target, {
        action: 'ssm:GetParameter',
        resource: inAccount(target, 'ssm', target.region, `parameter${keyPairParameterName(keyPairId)}`),
      }),
  } satisfies IamOf<KeysPort>,
  /** pipelines.ts */
  pipelines: {
    start: (target, pipelineName) =>
      customer(target, {
        action: 'codepipeline:StartPipelineExecution',
        resource: pipeline(target, pipelineName),
      }),
    getExecution: (target, pipelineName) =>
      customer(target, {
        action: 'codepipeline:GetPipelineExecution',
        resource: pipeline(target, pipelineName),
      }),
  } satisfies IamOf<PipelinePort>,
  /** images.ts: the repository is in its own registry and region, which its URI names. */
  images: {
    findImage: (target, repositoryUri) => {
      const { registryId = '', region = '', repositoryName = '' } = repositoryOf(repositoryUri) ?? {};
      return customer(target, {
        action: 'ecr:DescribeImages',
        resource: `arn:${partitionOfArn(target.roleArn)}:ecr:${region}:${registryId}:repository/${repositoryName}`,
      });
    },
  } satisfies IamOf<ImageRegistryPort>,
};

export type IamPort = keyof typeof PORT_IAM;

/**
 * What Lambda itself does with a function's role: it writes the function's logs on every
 * invocation, and an SQS event source receives, deletes and reads the attributes of the queue's
 * messages (AWS Lambda developer guide, "execution role").
 */
export const LAMBDA_IAM = {
  invocation: (): IamRequest[] =>
    ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
      action,
      resource: own(
        'logs',
        'log-group:/aws/lambda/${AWS_LAMBDA_FUNCTION_NAME}:log-stream:2030/01/01/[$LATEST]0',
      ),
    })),
  /** A batch received from the queue whose URL the function's environment names. */
  sqsBatch: (queueUrlVariable: string, deleted: boolean): IamRequest[] =>
    ['sqs:ReceiveMessage', 'sqs:GetQueueAttributes', ...(deleted ? ['sqs:DeleteMessage'] : [])].map(
      (action) => ({ action, resource: `\${${queueUrlVariable}}` }),
    ),
};
