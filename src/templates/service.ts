import { fargateSize } from '../domain/fargate';
import { DEFAULT_SCALING, type StageScaling } from '../domain/scaling';
import { RUNTIME_PLATFORM } from './architecture';
import { getAtt, ref, REGION, sub } from './intrinsics';
import { LOGS } from './logs';
import { NETWORK } from './network';
import { STAGE_OUTPUTS } from './outputs';
import type { CfnResource, CfnValue, TemplateFragment } from './types';
import type { ServiceAttachment } from './upstream';

export const SERVICE = {
  cluster: 'Cluster',
  executionRole: 'TaskExecutionRole',
  taskRole: 'TaskRole',
  taskDefinition: 'TaskDefinition',
  service: 'Service',
} as const;

export const CONTAINER_NAME = 'app';

export interface ServiceInput {
  prefix: string;
  imageUri: string;
  port: number;
  environment: Record<string, string>;
  deploymentId: string;
  attachment: ServiceAttachment;
  /** Variables ECS fills from Secrets Manager at task start (name → `<secret ARN>:<json key>::`). */
  secrets?: Record<string, string>;
  /** The secrets those come from: the task execution role may read them, and nothing else. */
  secretArns?: string[];
  /** Task size (a pair Fargate runs: src/domain/fargate.ts) and count. Default: one task of 256/512. */
  scaling?: StageScaling;
  /**
   * Leaves DesiredCount out, so that the update keeps the count the service runs (the autoscaler's),
   * as ECS does when UpdateService is not given one. For deploys of an autoscaled stage that do not
   * change its `scaling`.
   */
  keepTaskCount?: boolean;
  /** CloudWatch alarm names: a deployment during which one goes into ALARM is rolled back. */
  deploymentAlarms?: CfnValue[];
}

const ecsTasksTrust: CfnValue = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
};

/** Sorted like the environment: the database passwords, which never appear in the template as text. */
export function containerSecrets(secrets: Record<string, string>): CfnValue[] {
  return Object.keys(secrets)
    .sort()
    .map((name) => ({ Name: name, ValueFrom: secrets[name]! }));
}

/** Sorted so that the same variables always render the same template, and an update diffs cleanly. */
export function containerEnvironment(environment: Record<string, string>): CfnValue[] {
  return Object.keys(environment)
    .sort()
    .map((name) => ({ Name: name, Value: environment[name]! }));
}

function ecsService(input: ServiceInput, desiredCount: number | undefined): CfnResource {
  const { attachment, port, deploymentAlarms = [] } = input;
  const properties: Record<string, CfnValue> = {
    Cluster: ref(SERVICE.cluster),
    TaskDefinition: ref(SERVICE.taskDefinition),
    LaunchType: 'FARGATE',
    ...(desiredCount === undefined ? {} : { DesiredCount: desiredCount }),
    NetworkConfiguration: {
      AwsvpcConfiguration: {
        AssignPublicIp: 'ENABLED',
        Subnets: NETWORK.publicSubnets.map(ref),
        SecurityGroups: [getAtt(NETWORK.serviceSecurityGroup, 'GroupId')],
      },
    },
    // Without the circuit breaker, a deploy of an image that never starts keeps the stack
    // UPDATE_IN_PROGRESS for hours instead of rolling back.
    DeploymentConfiguration: {
      MinimumHealthyPercent: 100,
      MaximumPercent: 200,
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      ...(deploymentAlarms.length > 0
        ? { Alarms: { AlarmNames: deploymentAlarms, Enable: true, Rollback: true } }
        : {}),
    },
  };
  // Tasks pull their image over the internet gateway, so the route must exist before they start.
  const dependsOn: string[] = [NETWORK.publicDefaultRoute];

  if (attachment.kind === 'cloudMap') {
    // SRV records carry the port, which an awsvpc task must name.
    properties.ServiceRegistries = [
      { RegistryArn: attachment.registryArn, ContainerName: CONTAINER_NAME, ContainerPort: port },
    ];
  } else {
    properties.LoadBalancers = [
      {
        ContainerName: CONTAINER_NAME,
        ContainerPort: port,
        TargetGroupArn: attachment.targetGroupArn,
      },
    ];
    properties.HealthCheckGracePeriodSeconds = 60;
    dependsOn.push(attachment.dependsOn);
  }
  return { Type: 'AWS::ECS::Service', DependsOn: dependsOn, Properties: properties };
}

export function service(input: ServiceInput): TemplateFragment {
  const { prefix, imageUri, port, environment, deploymentId } = input;
  const secrets = input.secrets ?? {};
  const secretArns = input.secretArns ?? [];
  const scaling = input.scaling ?? DEFAULT_SCALING;
  // A pair Fargate does not run would fail the whole stack at RegisterTaskDefinition.
  const { cpu, memory } = fargateSize(scaling.cpu, scaling.memory);
  return {
    Resources: {
      [SERVICE.cluster]: {
        Type: 'AWS::ECS::Cluster',
        Properties: { ClusterName: prefix },
      },
      [SERVICE.executionRole]: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: ecsTasksTrust,
          ManagedPolicyArns: [
            sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'),
          ],
          // The database secrets the container receives (`Secrets` below), read when a task starts.
          ...(secretArns.length > 0
            ? {
                Policies: [
                  {
                    PolicyName: 'database-secrets',
                    PolicyDocument: {
                      Version: '2012-10-17',
                      Statement: [
                        { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: secretArns },
                      ],
                    },
                  },
                ],
              }
            : {}),
        },
      },
      [SERVICE.taskRole]: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: ecsTasksTrust },
      },
      [SERVICE.taskDefinition]: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          Family: prefix,
          RequiresCompatibilities: ['FARGATE'],
          NetworkMode: 'awsvpc',
          Cpu: String(cpu),
          Memory: String(memory),
          // The architecture the pipeline builds images for: an image of the other one cannot start.
          RuntimePlatform: RUNTIME_PLATFORM,
          ExecutionRoleArn: getAtt(SERVICE.executionRole, 'Arn'),
          TaskRoleArn: getAtt(SERVICE.taskRole, 'Arn'),
          ContainerDefinitions: [
            {
              Name: CONTAINER_NAME,
              Image: imageUri,
              Essential: true,
              PortMappings: [{ ContainerPort: port, Protocol: 'tcp' }],
              Environment: containerEnvironment(environment),
              ...(Object.keys(secrets).length > 0 ? { Secrets: containerSecrets(secrets) } : {}),
              // A redeploy of the same image tag must still roll the tasks, which only a new
              // task definition revision does.
              DockerLabels: { 'tinystacks.deployment-id': deploymentId },
              LogConfiguration: {
                LogDriver: 'awslogs',
                Options: {
                  'awslogs-group': ref(LOGS.app),
                  'awslogs-region': REGION,
                  'awslogs-stream-prefix': CONTAINER_NAME,
                },
              },
            },
          ],
        },
      },
      [SERVICE.service]: ecsService(input, input.keepTaskCount ? undefined : scaling.desiredCount),
    },
    Outputs: {
      [STAGE_OUTPUTS.clusterName]: { Value: ref(SERVICE.cluster) },
      [STAGE_OUTPUTS.serviceName]: { Value: getAtt(SERVICE.service, 'Name') },
    },
  };
}
