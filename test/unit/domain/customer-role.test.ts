import { readdirSync, readFileSync } from 'node:fs';
import { permissionsPolicy } from '../../../src/domain/customer-role';
import { matrixResourceTypes } from '../../support/template-matrix';

/**
 * The customer's role against what it must allow: every action CloudFormation's resource handlers
 * call for the types the templates use (the registry schemas' handler permissions, generated into
 * handler-permissions.json), and every call the platform's functions make in the customer's account
 * (the SDK commands in src/cloud/aws); and scoped: nothing on every resource without a condition.
 */
interface Statement {
  Sid: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}
const statements = permissionsPolicy.Statement as Statement[];
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

const handlerPermissions = JSON.parse(
  readFileSync(
    new URL('../../../src/local/cloudformation/schemas/handler-permissions.json', import.meta.url),
    'utf8',
  ),
) as { source: string; unpublished: string[]; types: Record<string, Record<string, string[]>> };

/**
 * Handler permissions the role leaves out on purpose: calls a handler makes only for properties the
 * templates never set, names the published schemas spell wrongly (their right spelling is granted),
 * and the resources only the customer creates (the role's own template).
 */
const NOT_NEEDED: [RegExp, string][] = [
  [/^AWS::Events::Rule /, "the event forwarding rule is the customer's (the role's own template)"],
  [
    / s3tables:| firehose:| docdb-elastic:| redshift(-serverless)?:| cognito-idp:/,
    'features the templates do not use',
  ],
  [/ ssm:\w*Association/, 'EC2 SSM associations: not used'],
  [/ iam:ListRoles$/, 'listing every role: only for AssociatedRoles and the like, not used'],
  [/ secretsmanager:(ReplicateSecretToRegions|RemoveRegionsFromReplication)$/, 'ReplicaRegions: not used'],
  [/ iam:(DeleteServiceLinkedRole|GetServiceLinkedRoleDeletionStatus)$/, 'service-linked roles are kept'],
  [/ (S3:GetBucketWebsite|s3:REST\.PUT\.OBJECT|s3:getObject)$/, 'misspelt in the published schema'],
  [
    / apigateway:(TagResource|UntagResource|unTagResource)$/,
    'no such IAM actions: API Gateway tags through PUT and DELETE',
  ],
];

/** The IAM prefix of each SDK client the platform uses with the customer's role. */
const CLIENT_PREFIX: Record<string, string> = {
  CloudFormationClient: 'cloudformation',
  CloudWatchLogsClient: 'logs',
  SecretsManagerClient: 'secretsmanager',
  SSMClient: 'ssm',
  CodePipelineClient: 'codepipeline',
  ECRClient: 'ecr',
  S3Client: 's3',
};

/** SDK commands whose IAM action has another name. */
const ACTION_OF_COMMAND: Record<string, string> = {
  's3:PutBucketLifecycleConfiguration': 's3:PutLifecycleConfiguration',
};

function matches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return regex.test(action);
}

const allowed = (action: string) =>
  statements.some((statement) => list(statement.Action).some((pattern) => matches(pattern, action)));

describe('the customer role', () => {
  test("allows every action the resource handlers of the templates' types call", () => {
    // Prepare
    const needed = Object.entries(handlerPermissions.types).flatMap(([type, byAction]) =>
      [...new Set(Object.values(byAction).flat())].map((action) => `${type} ${action}`),
    );

    // Act
    const missing = needed
      .filter((entry) => !NOT_NEEDED.some(([pattern]) => pattern.test(entry)))
      .filter((entry) => !allowed(entry.split(' ')[1]!));

    // Assess
    expect(Object.keys(handlerPermissions.types).concat(handlerPermissions.unpublished).sort()).toEqual(
      matrixResourceTypes(),
    );
    expect(handlerPermissions.source).toMatch(/registry schemas/);
    expect(needed.length).toBeGreaterThan(300);
    expect(missing).toEqual([]);
  });

  test("allows every call the platform makes in the customer's account", () => {
    // Prepare: the adapters that go through the customer's role
    const folder = new URL('../../../src/cloud/aws/', import.meta.url);
    const calls = readdirSync(folder)
      .map((file) => readFileSync(new URL(file, folder), 'utf8'))
      .filter((source) => /from '\.\/(role-provider|assume-role)'/.test(source))
      .flatMap((source) => {
        const prefix = Object.entries(CLIENT_PREFIX).find(([client]) => source.includes(client))?.[1];
        return [...source.matchAll(/new (\w+)Command\(/g)]
          .map((match) => `${prefix}:${match[1]}`)
          .map((call) => ACTION_OF_COMMAND[call] ?? call);
      });

    // Act
    const missing = calls.filter((call) => !allowed(call));

    // Assess
    expect(calls).toEqual(
      expect.arrayContaining([
        'cloudformation:CreateStack',
        'secretsmanager:GetSecretValue',
        'ssm:GetParameter',
        'codepipeline:StartPipelineExecution',
        'ecr:DescribeImages',
        'logs:FilterLogEvents',
      ]),
    );
    expect(missing).toEqual([]);
  });

  test("grants nothing on every resource without a condition, and passes roles only to the stacks' services", () => {
    // Act
    const unconditioned = statements.filter(
      (statement) => list(statement.Resource).includes('*') && !statement.Condition,
    );
    const passRole = statements.filter((statement) => list(statement.Action).includes('iam:PassRole'));

    // Assess
    expect(unconditioned.map((statement) => statement.Sid)).toEqual([]);
    expect(passRole).toHaveLength(1);
    expect(passRole[0]!.Condition).toEqual({
      StringEquals: {
        'iam:PassedToService': [
          'ecs-tasks.amazonaws.com',
          'codebuild.amazonaws.com',
          'codepipeline.amazonaws.com',
        ],
      },
    });
    for (const action of ['secretsmanager:*', 'ssm:*', 's3:*', 'rds:*', 'ec2:*', 'iam:*']) {
      const broad = statements.filter(
        (statement) => list(statement.Action).includes(action) && list(statement.Resource).includes('*'),
      );
      expect([action, broad.map((statement) => statement.Sid)]).toEqual([action, []]);
    }
  });

  test('fits in a managed policy (6,144 characters without white space)', () => {
    expect(JSON.stringify(permissionsPolicy).length).toBeLessThanOrEqual(6144);
  });
});
