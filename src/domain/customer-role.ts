/**
 * The IAM role a customer creates in their own account so the platform can build stages there.
 * The platform's task functions reach it through one platform principal role, presenting the
 * tenant's external id on every AssumeRole; the API's verifier assumes it once more when the role is
 * registered, which only succeeds if the customer's trust policy names this tenant's external id.
 */
export function trustPolicy(platformPrincipalArn: string, verifierPrincipalArn: string, externalId: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TinyStacksWorkflows',
        Effect: 'Allow',
        Principal: { AWS: platformPrincipalArn },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
      {
        Sid: 'TinyStacksRegistrationCheck',
        Effect: 'Allow',
        Principal: { AWS: verifierPrincipalArn },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  };
}

/**
 * Only CloudFormation, working on the platform's stacks, may create, change or delete resources:
 * the provisioning statements hold only for calls CloudFormation makes on the role's behalf
 * (`aws:CalledVia`), and CloudFormation itself only for stacks named `tinystacks-*`. So the platform
 * cannot touch anything of the customer's except through its own stacks.
 */
const VIA_CLOUDFORMATION = {
  'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] },
};

/** The database templates name their secrets `<stage>/tinystacks/<stackId>/<engine>-<hash>`. */
const DATABASE_SECRETS = 'arn:aws:secretsmanager:*:*:secret:*/tinystacks/stk_*';

/** EC2 keeps a key pair's private key at /ec2/keypair/<KeyPairId> (ids, not names: not scoped further). */
const KEY_PAIR_PARAMETERS = 'arn:aws:ssm:*:*:parameter/ec2/keypair/*';

/** Buckets `tinystacks-templates-<account>-<region>`, where templates wait for CloudFormation. */
export const TEMPLATE_BUCKET_PREFIX = 'tinystacks-templates-';

/** The services whose roles the stacks create and hand over (ECS tasks, the build, the pipeline). */
const PASSED_TO = ['ecs-tasks.amazonaws.com', 'codebuild.amazonaws.com', 'codepipeline.amazonaws.com'];

/** The service-linked roles those services create on first use in an account. */
const SERVICE_LINKED = [
  'ecs.amazonaws.com',
  'elasticloadbalancing.amazonaws.com',
  'rds.amazonaws.com',
  'elasticache.amazonaws.com',
  'ops.apigateway.amazonaws.com',
  // Application Auto Scaling's role for ECS services (AWSServiceRoleForApplicationAutoScaling_ECSService)
  'ecs.application-autoscaling.amazonaws.com',
];

/**
 * The role's permissions. Each statement is scoped to what the platform creates: its stacks
 * (`tinystacks-*`), the roles, buckets and database instances CloudFormation names after them, the
 * secrets the database templates name (`<stage>/tinystacks/…`), its log groups (`/tinystacks/…`),
 * its pipelines (`tinystacks-stk_…`). The actions are what CloudFormation's resource handlers call
 * for the resource types the templates use (their registry schemas' `handlers.*.permissions`:
 * src/local/cloudformation/schemas/handler-permissions.json, checked by the customer role's test),
 * and the calls the platform's own functions make (src/cloud/aws).
 */
export const permissionsPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'StageStacks',
      Effect: 'Allow',
      Action: [
        'cloudformation:CreateStack',
        'cloudformation:UpdateStack',
        'cloudformation:DeleteStack',
        'cloudformation:DescribeStacks',
        'cloudformation:DescribeStackEvents',
        'cloudformation:DescribeStackResources',
        'cloudformation:ContinueUpdateRollback',
        'cloudformation:CreateChangeSet',
        'cloudformation:DescribeChangeSet',
        'cloudformation:ExecuteChangeSet',
        'cloudformation:DeleteChangeSet',
        'cloudformation:GetTemplate',
        'cloudformation:TagResource',
        'cloudformation:UntagResource',
      ],
      Resource: 'arn:aws:cloudformation:*:*:stack/tinystacks-*/*',
    },
    {
      Sid: 'ProvisionThroughStacks',
      Effect: 'Allow',
      Action: [
        'ec2:Describe*',
        'ec2:Create*',
        'ec2:Delete*',
        'ec2:Modify*',
        'ec2:Associate*',
        'ec2:Disassociate*',
        'ec2:Attach*',
        'ec2:Detach*',
        'ec2:AuthorizeSecurityGroup*',
        'ec2:RevokeSecurityGroup*',
        'ec2:UpdateSecurityGroupRuleDescriptions*',
        'ec2:Replace*',
        'ec2:ImportKeyPair',
        'ec2:RunInstances',
        'ec2:StartInstances',
        'ec2:StopInstances',
        'ec2:TerminateInstances',
        'ec2:MonitorInstances',
        'ec2:UnmonitorInstances',
        'ecs:*',
        'application-autoscaling:*',
        'cloudwatch:PutMetricAlarm',
        'cloudwatch:DeleteAlarms',
        'cloudwatch:DescribeAlarms',
        'cloudwatch:GetMetricData',
        'cloudwatch:TagResource',
        'cloudwatch:UntagResource',
        'cloudwatch:ListTagsForResource',
        'elasticloadbalancing:*',
        'apigateway:DELETE',
        'apigateway:GET',
        'apigateway:PATCH',
        'apigateway:POST',
        'apigateway:PUT',
        'servicediscovery:*',
        'route53:CreateHostedZone',
        'route53:DeleteHostedZone',
        'route53:GetHostedZone',
        'route53:ChangeResourceRecordSets',
        'route53:ListResourceRecordSets',
        'logs:*',
        'elasticache:*',
        'rds:Describe*',
        'rds:ListTagsForResource',
        'ecr:*',
        'codebuild:CreateProject',
        'codebuild:UpdateProject',
        'codebuild:DeleteProject',
        'codebuild:BatchGetProjects',
        'codepipeline:CreatePipeline',
        'codepipeline:UpdatePipeline',
        'codepipeline:DeletePipeline',
        'codepipeline:GetPipeline',
        'codepipeline:GetPipelineState',
        'codepipeline:EnableStageTransition',
        'codepipeline:DisableStageTransition',
        'codepipeline:ListTagsForResource',
        'codepipeline:TagResource',
        'codepipeline:UntagResource',
        'codestar-connections:*',
        'secretsmanager:GetRandomPassword',
        'kms:DescribeKey',
        'kms:CreateGrant',
        'kms:RetireGrant',
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey',
      ],
      Resource: '*',
      Condition: VIA_CLOUDFORMATION,
    },
    {
      Sid: 'DatabasesOfTheStacks',
      Effect: 'Allow',
      Action: ['rds:*'],
      Resource: [
        'arn:aws:rds:*:*:db:tinystacks-*',
        'arn:aws:rds:*:*:subgrp:tinystacks-*',
        'arn:aws:rds:*:*:snapshot:tinystacks-*',
        'arn:aws:rds:*:*:pg:default*',
        'arn:aws:rds:*:*:og:default*',
      ],
      Condition: VIA_CLOUDFORMATION,
    },
    {
      Sid: 'ArtifactBuckets',
      Effect: 'Allow',
      Action: ['s3:*'],
      Resource: ['arn:aws:s3:::tinystacks-*', 'arn:aws:s3:::tinystacks-*/*'],
      Condition: VIA_CLOUDFORMATION,
    },
    {
      Sid: 'DatabaseSecrets',
      Effect: 'Allow',
      Action: [
        'secretsmanager:CreateSecret',
        'secretsmanager:UpdateSecret',
        'secretsmanager:DeleteSecret',
        'secretsmanager:DescribeSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:TagResource',
        'secretsmanager:UntagResource',
      ],
      Resource: DATABASE_SECRETS,
      Condition: VIA_CLOUDFORMATION,
    },
    {
      Sid: 'KeyPairParameters',
      Effect: 'Allow',
      Action: ['ssm:PutParameter', 'ssm:DeleteParameter'],
      Resource: KEY_PAIR_PARAMETERS,
      Condition: VIA_CLOUDFORMATION,
    },
    {
      // "View Secret" and the bastion's key (the platform's own calls), and CloudFormation resolving
      // {{resolve:secretsmanager:…}} and {{resolve:ssm:/aws/service/…}} (the latest AMI).
      Sid: 'ReadSecretsAndKeys',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameters'],
      Resource: [DATABASE_SECRETS, KEY_PAIR_PARAMETERS, 'arn:aws:ssm:*::parameter/aws/service/*'],
    },
    {
      Sid: 'StageRoles',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:GetRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:ListRolePolicies',
        'iam:GetRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:ListAttachedRolePolicies',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePermissionsBoundary',
        'iam:DeleteRolePermissionsBoundary',
      ],
      Resource: 'arn:aws:iam::*:role/tinystacks-*',
      Condition: VIA_CLOUDFORMATION,
    },
    {
      Sid: 'PassStageRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: 'arn:aws:iam::*:role/tinystacks-*',
      Condition: { StringEquals: { 'iam:PassedToService': PASSED_TO } },
    },
    {
      Sid: 'ServiceLinkedRoles',
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: 'arn:aws:iam::*:role/aws-service-role/*',
      Condition: { StringEquals: { 'iam:AWSServiceName': SERVICE_LINKED } },
    },
    {
      Sid: 'StageLogs',
      Effect: 'Allow',
      Action: ['logs:FilterLogEvents'],
      Resource: 'arn:aws:logs:*:*:log-group:/tinystacks/*',
    },
    {
      Sid: 'RunPipelines',
      Effect: 'Allow',
      Action: ['codepipeline:StartPipelineExecution', 'codepipeline:GetPipelineExecution'],
      Resource: 'arn:aws:codepipeline:*:*:tinystacks-stk_*',
    },
    {
      // A run of a commit built before reuses its image (src/cloud/aws/images.ts): the repository is
      // IMMUTABLE, so building the commit again would fail at the push.
      Sid: 'FindBuiltImages',
      Effect: 'Allow',
      Action: ['ecr:DescribeImages'],
      Resource: 'arn:aws:ecr:*:*:repository/tinystacks/stk_*',
    },
    {
      // Templates on their way to CloudFormation (src/cloud/template-bucket.ts): the platform makes
      // the account's bucket and puts them there; CloudFormation reads them as this role.
      Sid: 'TemplateBucket',
      Effect: 'Allow',
      Action: ['s3:CreateBucket', 's3:PutLifecycleConfiguration', 's3:PutObject', 's3:GetObject'],
      Resource: [`arn:aws:s3:::${TEMPLATE_BUCKET_PREFIX}*`, `arn:aws:s3:::${TEMPLATE_BUCKET_PREFIX}*/*`],
    },
  ],
};

/**
 * CloudFormation reports stack status changes to the default bus of the account and region the
 * stack is in; this rule, created in every region the customer's stages use, forwards the platform's
 * stacks to the platform's bus, so workflows resume on events instead of polling. EventBridge needs
 * a role to put events on a bus in another account or region: `forwardingRole` is that role.
 */
export function eventForwardingRule(platformBusArn: string) {
  return {
    EventPattern: {
      source: ['aws.cloudformation', 'aws.codepipeline'],
      'detail-type': ['CloudFormation Stack Status Change', 'CodePipeline Pipeline Execution State Change'],
      // The platform's stacks, and its build pipelines (whose state changes resume pipeline runs).
      $or: [
        { detail: { 'stack-id': [{ wildcard: 'arn:aws:cloudformation:*:*:stack/tinystacks-*' }] } },
        { detail: { pipeline: [{ prefix: 'tinystacks-stk_' }] } },
      ],
    },
    Targets: [
      {
        Id: 'tinystacks',
        Arn: platformBusArn,
        RoleArn: 'arn:aws:iam::<your account>:role/tinystacks-event-forwarding',
      },
    ],
    forwardingRole: {
      RoleName: 'tinystacks-event-forwarding',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      },
      Policy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: platformBusArn }],
      },
    },
  };
}

export interface CustomerRoleTemplateInput {
  platformPrincipalArn: string;
  verifierPrincipalArn: string;
  externalId: string;
  eventBusArn: string;
}

/**
 * The same setup as a CloudFormation template the customer can deploy in one step (and that CI
 * lints): the role, the event forwarding rule and the role EventBridge uses to forward.
 */
export function customerRoleTemplate(input: CustomerRoleTemplateInput) {
  const forwarding = eventForwardingRule(input.eventBusArn);
  return {
    AWSTemplateFormatVersion: '2010-09-09' as const,
    Description: 'TinyStacks: the role the platform builds stages with, and the forwarding of their events',
    Resources: {
      TinyStacksRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Description: 'Assumed by TinyStacks with your external id to build and run your stages',
          AssumeRolePolicyDocument: trustPolicy(
            input.platformPrincipalArn,
            input.verifierPrincipalArn,
            input.externalId,
          ),
          Policies: [{ PolicyName: 'tinystacks', PolicyDocument: permissionsPolicy }],
        },
      },
      EventForwardingRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: forwarding.forwardingRole.RoleName,
          AssumeRolePolicyDocument: forwarding.forwardingRole.AssumeRolePolicyDocument,
          Policies: [{ PolicyName: 'forward-events', PolicyDocument: forwarding.forwardingRole.Policy }],
        },
      },
      EventForwardingRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Description: 'Forwards the status changes of TinyStacks stacks and pipelines to the platform',
          EventPattern: forwarding.EventPattern,
          Targets: forwarding.Targets.map((target) => ({
            ...target,
            RoleArn: { 'Fn::GetAtt': ['EventForwardingRole', 'Arn'] },
          })),
        },
      },
    },
    Outputs: {
      RoleArn: { Value: { 'Fn::GetAtt': ['TinyStacksRole', 'Arn'] } },
    },
  };
}
