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

/** What CloudFormation needs to build a stage with the caller's credentials. */
export const permissionsPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'StageStacks',
      Effect: 'Allow',
      Action: ['cloudformation:*'],
      Resource: 'arn:aws:cloudformation:*:*:stack/tinystacks-*',
    },
    {
      Sid: 'StageResources',
      Effect: 'Allow',
      Action: [
        'ec2:*',
        'ecs:*',
        'elasticloadbalancing:*',
        'apigateway:*',
        'servicediscovery:*',
        'route53:*',
        'logs:*',
        'rds:*',
        'elasticache:*',
        'secretsmanager:*',
        'ssm:*',
        // The stack's build pipeline (src/templates/pipeline.ts): started for each push, read back after.
        'codepipeline:*',
        'codebuild:*',
        'ecr:*',
        'codestar-connections:*',
        's3:*',
        'kms:DescribeKey',
        'kms:CreateGrant',
      ],
      Resource: '*',
    },
    {
      Sid: 'StageRoles',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:GetRole',
        'iam:PassRole',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:TagRole',
        'iam:CreateServiceLinkedRole',
      ],
      Resource: ['arn:aws:iam::*:role/tinystacks-*', 'arn:aws:iam::*:role/aws-service-role/*'],
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
