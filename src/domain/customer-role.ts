/**
 * The IAM role a customer creates in their own account so the platform can build stages there.
 * The state machines assume it through their Task states' `Credentials` field. That field takes no
 * external id, so the id is checked once, when the role is registered: the API assumes the role
 * with the tenant's external id, which only succeeds if the customer's trust policy names it.
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
 * CloudFormation reports stack status changes to the default bus of the account the stack is in;
 * this rule forwards the platform's stacks to the platform's bus, so workflows resume on events
 * instead of polling.
 */
export function eventForwardingRule(platformBusArn: string) {
  return {
    EventPattern: {
      source: ['aws.cloudformation'],
      'detail-type': ['CloudFormation Stack Status Change'],
      detail: { 'stack-id': [{ wildcard: 'arn:aws:cloudformation:*:*:stack/tinystacks-*' }] },
    },
    Targets: [{ Id: 'tinystacks', Arn: platformBusArn }],
  };
}
