import {
  changeLines,
  changesSummary,
  commitCount,
  commitOfImage,
  containerOf,
  environmentChanges,
  type DeployChanges,
} from '../../../src/domain/changes';

const REPO = '111122223333.dkr.ecr.us-east-1.amazonaws.com/tinystacks/stk_1';
const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);
const SHA_C = 'c'.repeat(40);

/** A stage template as src/templates/stage.ts renders it, reduced to the task definition. */
const templateWith = (container: Record<string, unknown>) => ({
  Resources: {
    Cluster: { Type: 'AWS::ECS::Cluster' },
    TaskDefinition: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [container] } },
  },
});

describe('containerOf', () => {
  test('reads the image, the plain variables and the secrets of the task definition', () => {
    // Prepare
    const template = templateWith({
      Image: `${REPO}:${SHA_A}`,
      Environment: [
        { Name: 'LOG_LEVEL', Value: 'info' },
        { Name: 'PG_HOST', Value: { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] } },
      ],
      Secrets: [{ Name: 'PG_PASSWORD', ValueFrom: 'arn:aws:secretsmanager:us-east-1:1:secret:db' }],
    });

    // Act
    const container = containerOf(template);

    // Assess
    expect(container).toEqual({
      image: `${REPO}:${SHA_A}`,
      variables: {
        LOG_LEVEL: 'info',
        PG_HOST: { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] },
        PG_PASSWORD: { secret: 'arn:aws:secretsmanager:us-east-1:1:secret:db' },
      },
    });
  });

  test('a template without a task definition (or none at all) has no container', () => {
    // Prepare
    // Act
    // Assess
    expect(containerOf({ Resources: { Cluster: { Type: 'AWS::ECS::Cluster' } } })).toBeUndefined();
    expect(containerOf(undefined)).toBeUndefined();
  });
});

describe('environmentChanges', () => {
  test('names what is added, removed and given another value, sorted; values never appear', () => {
    // Prepare
    const deployed = { B_KEEP: 'same', LOG_LEVEL: 'info', OLD: 'x', SECRET: { secret: 'arn:1' } };
    const planned = {
      B_KEEP: 'same',
      LOG_LEVEL: 'debug',
      A_NEW: 'y',
      Z_NEW: 'z',
      SECRET: { secret: 'arn:2' },
    };

    // Act
    const changes = environmentChanges(deployed, planned);

    // Assess
    expect(changes).toEqual({
      added: ['A_NEW', 'Z_NEW'],
      removed: ['OLD'],
      changed: ['LOG_LEVEL', 'SECRET'],
    });
    expect(JSON.stringify(changes)).not.toMatch(/debug|info|arn:/);
  });

  test('the deployment id, new on every deploy by design, is not a change', () => {
    // Prepare
    const deployed = { TINYSTACKS_DEPLOYMENT_ID: 'op_1' };
    const planned = { TINYSTACKS_DEPLOYMENT_ID: 'op_2' };

    // Act
    const changes = environmentChanges(deployed, planned);

    // Assess
    expect(changes).toEqual({ added: [], removed: [], changed: [] });
  });
});

describe('commitOfImage', () => {
  test.each([
    [`${REPO}:${SHA_A}`, REPO, SHA_A],
    [`${REPO}:latest`, REPO, undefined],
    ['public.ecr.aws/nginx/nginx:stable-alpine', REPO, undefined],
    [`${REPO}-other:${SHA_A}`, REPO, undefined],
    [`${REPO}:${SHA_A}`, undefined, undefined],
  ])('%s in %s was built from %s', (image, repository, expected) => {
    // Prepare
    // Act
    const commit = commitOfImage(image, repository);

    // Assess
    expect(commit).toBe(expected);
  });
});

describe('commitCount', () => {
  const pushes = [
    { before: SHA_A, after: SHA_B, count: 2 },
    { before: SHA_B, after: SHA_C, count: 3 },
  ];

  test('adds up the pushes along the chain from the deployed commit to the new one', () => {
    // Prepare
    // Act
    // Assess
    expect(commitCount(SHA_A, SHA_C, pushes)).toBe(5);
    expect(commitCount(SHA_B, SHA_C, pushes)).toBe(3);
    expect(commitCount(SHA_C, SHA_C, pushes)).toBe(0);
  });

  test('a gap in the chain, a forced push or an unknown count: unknown, not a guess', () => {
    // Prepare
    const forced = [pushes[0]!, { ...pushes[1]!, forced: true }];
    const uncounted = [pushes[0]!, { before: SHA_B, after: SHA_C }];

    // Act
    // Assess
    expect(commitCount(SHA_A, SHA_C, [pushes[1]!])).toBeUndefined();
    expect(commitCount(SHA_A, SHA_C, forced)).toBeUndefined();
    expect(commitCount(SHA_A, SHA_C, uncounted)).toBeUndefined();
  });

  test('a chain longer than the hops allowed is unknown (a cycle cannot loop forever)', () => {
    // Prepare
    const cycle = [
      { before: SHA_A, after: SHA_B, count: 1 },
      { before: SHA_B, after: SHA_A, count: 1 },
    ];

    // Act
    // Assess
    expect(commitCount(SHA_C, SHA_A, cycle, 10)).toBeUndefined();
  });
});

describe('what an approval shows', () => {
  const changes: DeployChanges = {
    image: { from: `${REPO}:${SHA_A}`, to: `${REPO}:${SHA_B}` },
    commits: { compareUrl: `https://github.com/acme/shop/compare/${SHA_A}...${SHA_B}`, count: 3 },
    environment: { added: ['FEATURE_FLAGS'], removed: [], changed: ['LOG_LEVEL'] },
    resources: [
      {
        logicalId: 'TaskDefinition',
        type: 'AWS::ECS::TaskDefinition',
        action: 'Modify',
        replacement: 'True',
      },
      { logicalId: 'Service', type: 'AWS::ECS::Service', action: 'Modify', replacement: 'Conditional' },
      { logicalId: 'Queue', type: 'AWS::SQS::Queue', action: 'Add', replacement: null },
    ],
  };

  test('a few readable lines: the image by tag, the commits linked, variables by name, replacement called out', () => {
    // Prepare
    // Act
    const lines = changeLines(changes);

    // Assess
    expect(lines).toEqual([
      `Image: stk_1:${SHA_A} → stk_1:${SHA_B}`,
      `3 commits: https://github.com/acme/shop/compare/${SHA_A}...${SHA_B}`,
      'Variables: added FEATURE_FLAGS; changed LOG_LEVEL',
      'Resources: Replace TaskDefinition (AWS::ECS::TaskDefinition); Modify Service (AWS::ECS::Service), may be replaced; Add Queue (AWS::SQS::Queue)',
    ]);
  });

  test('a first deploy and a plan that changes nothing say so', () => {
    // Prepare
    const first: DeployChanges = {
      image: { from: null, to: `${REPO}:${SHA_B}` },
      commits: { compareUrl: null },
      environment: { added: [], removed: [], changed: [] },
      resources: [],
    };

    // Act
    const lines = changeLines(first);

    // Assess
    expect(lines).toEqual([
      `Image: none → stk_1:${SHA_B}`,
      'Commits: first deploy of a commit to this stage',
      'Variables: no change',
      'Resources: no change',
    ]);
  });

  test('the event summary keeps names and counts only', () => {
    // Prepare
    // Act
    const summary = changesSummary(changes);

    // Assess
    expect(summary).toEqual({
      image: changes.image,
      commitCount: 3,
      environment: changes.environment,
      resources: { added: 1, modified: 2, removed: 0, replaced: 1 },
    });
  });
});
