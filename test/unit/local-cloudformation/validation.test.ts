import { CloudFormationError } from '../../../src/local/cloudformation';
import { body, bucketTemplate, newCloudFormation, REGION } from './helpers';

const { cfn } = newCloudFormation();
afterAll(() => cfn.dispose());

async function createError(template: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  try {
    await cfn.createStack({ StackName: 'invalid', TemplateBody: body(template), ...extra }, REGION);
  } catch (error) {
    return error as CloudFormationError;
  }
  throw new Error('createStack accepted the template');
}

const withResources = (resources: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
  Resources: resources,
  ...rest,
});

describe('template validation at CreateStack', () => {
  test('rejects resource types the specification does not know', async () => {
    // Prepare
    const template = withResources({
      Thing: { Type: 'AWS::Foo::Bar' },
      Vpc: { Type: 'AWS::EC2::Vpc' },
      Bucket: { Type: 'AWS::S3::Bucket' },
    });

    // Act
    const error = await createError(template);

    // Assess
    expect(error).toBeInstanceOf(CloudFormationError);
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe(
      'Template format error: Unrecognized resource types: [AWS::Foo::Bar, AWS::EC2::Vpc]',
    );
  });

  test.each([
    ['Ref', { BucketName: { Ref: 'Missing' } }],
    ['Fn::GetAtt', { BucketName: { 'Fn::GetAtt': ['Missing', 'Arn'] } }],
    ['Fn::GetAtt string form', { BucketName: { 'Fn::GetAtt': 'Missing.Arn' } }],
    ['Fn::Sub', { BucketName: { 'Fn::Sub': 'x-${Missing}' } }],
    ['Fn::Sub attribute', { BucketName: { 'Fn::Sub': ['x-${Missing.Arn}', {}] } }],
  ])('rejects a dangling %s', async (_, properties) => {
    // Prepare
    const template = bucketTemplate(properties);

    // Act
    const error = await createError(template);

    // Assess
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe(
      'Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template',
    );
  });

  test('rejects a DependsOn on a resource that does not exist', async () => {
    // Prepare
    const template = withResources({ Bucket: { Type: 'AWS::S3::Bucket', DependsOn: ['Ghost'] } });

    // Act
    const error = await createError(template);

    // Assess
    expect(error.message).toBe(
      'Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template',
    );
  });

  test('rejects a dangling reference in the outputs', async () => {
    // Prepare
    const template = bucketTemplate({}, { Broken: { Value: { Ref: 'Nowhere' } } });

    // Act
    const error = await createError(template);

    // Assess
    expect(error.message).toBe(
      'Template format error: Unresolved resource dependencies [Nowhere] in the Outputs block of the template',
    );
  });

  test('rejects a GetAtt of an attribute the resource type does not have', async () => {
    // Prepare
    const template = bucketTemplate({}, { Url: { Value: { 'Fn::GetAtt': ['Bucket', 'Endpoint'] } } });

    // Act
    const error = await createError(template);

    // Assess
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe(
      'Template error: resource Bucket does not support attribute type Endpoint in Fn::GetAtt',
    );
  });

  test('accepts Sub variables, parameters and pseudo parameters', async () => {
    // Prepare
    const template = {
      Parameters: { Env: { Type: 'String' } },
      Resources: {
        Bucket: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            BucketName: {
              'Fn::Sub': [
                '${Env}-${Local}-${AWS::Region}-${AWS::AccountId}-${AWS::StackName}-${AWS::Partition}-${AWS::URLSuffix}',
                { Local: { Ref: 'AWS::StackId' } },
              ],
            },
            Tags: { 'Fn::If': ['Never', [{ Key: 'k', Value: 'v' }], { Ref: 'AWS::NoValue' }] },
          },
        },
      },
      Conditions: { Never: { 'Fn::Equals': [{ Ref: 'Env' }, 'never'] } },
    };

    // Act
    const created = await cfn.createStack(
      {
        StackName: 'pseudo',
        TemplateBody: body(template),
        Parameters: [{ ParameterKey: 'Env', ParameterValue: 'dev' }],
      },
      REGION,
    );

    // Assess
    expect(created.StackId).toMatch(
      /^arn:aws:cloudformation:eu-west-1:123456789012:stack\/pseudo\/[0-9a-f-]{36}$/,
    );
  });

  test('requires a value for every parameter without a default', async () => {
    // Prepare
    const template = bucketTemplate({ BucketName: { Ref: 'Name' } });
    const withParameters = {
      ...template,
      Parameters: {
        Name: { Type: 'String' },
        Suffix: { Type: 'String', Default: 'x' },
        Other: { Type: 'String' },
      },
    };

    // Act
    const error = await createError(withParameters);

    // Assess
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe('Parameters: [Name, Other] must have values');
  });

  test('rejects a parameter the template does not declare', async () => {
    // Prepare
    const template = bucketTemplate();

    // Act
    const error = await createError(template, {
      Parameters: [{ ParameterKey: 'Nope', ParameterValue: '1' }],
    });

    // Assess
    expect(error.message).toBe('Parameters: [Nope] do not exist in the template');
  });

  test('demands CAPABILITY_IAM for IAM resources, and CAPABILITY_NAMED_IAM for named ones', async () => {
    // Prepare
    const trust = { Version: '2012-10-17', Statement: [] };
    const unnamed = withResources({
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust } },
    });
    const named = withResources({
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust, RoleName: 'r' } },
    });

    // Act
    const withoutCapability = await createError(unnamed);
    const namedWithIam = await createError(named, { Capabilities: ['CAPABILITY_IAM'] });

    // Assess
    expect(withoutCapability.name).toBe('InsufficientCapabilitiesException');
    expect(withoutCapability.message).toBe('Requires capabilities : [CAPABILITY_IAM]');
    expect(namedWithIam.message).toBe('Requires capabilities : [CAPABILITY_NAMED_IAM]');
  });

  test('rejects circular dependencies', async () => {
    // Prepare
    const template = withResources({
      A: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'B' } } },
      B: { Type: 'AWS::S3::Bucket', DependsOn: 'A' },
    });

    // Act
    const error = await createError(template);

    // Assess
    expect(error.message).toBe('Circular dependency between resources: [A, B]');
  });

  test.each([
    ['not JSON', '{"Resources": ', /^Template format error: JSON not well-formed/],
    ['YAML', 'Resources:\n  B:\n    Type: AWS::S3::Bucket\n', /YAML templates are not supported/],
    [
      'no resources',
      '{"Resources": {}}',
      /^Template format error: At least one Resources member must be defined\.$/,
    ],
    [
      'an unknown section',
      '{"Resource": {}}',
      /^Template format error: Invalid template property or properties \[Resource\]$/,
    ],
    [
      'a misspelt resource attribute',
      '{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Propertie": {}}}}',
      /^Template format error: Invalid template resource property 'Propertie'$/,
    ],
    [
      'a null value',
      '{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": null}}}}',
      /\[\/Resources\/B\/Properties\/BucketName\] 'null' values are not allowed in templates/,
    ],
    [
      'an unsupported function',
      '{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Nope": "x"}}}}}',
      /Encountered unsupported function: Fn::Nope/,
    ],
    [
      'a list output',
      '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}, "Outputs": {"Zones": {"Value": {"Fn::GetAZs": ""}}}}',
      /must evaluate to a String and not a List/,
    ],
  ])('rejects %s', async (_, templateBody, message) => {
    // Act
    const attempt = cfn.createStack({ StackName: 'malformed', TemplateBody: templateBody }, REGION);

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(message),
    });
  });

  test('rejects stack names CloudFormation does not allow', async () => {
    // Act
    const attempt = cfn.createStack(
      { StackName: 'has_underscore', TemplateBody: body(bucketTemplate()) },
      REGION,
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining("Value 'has_underscore' at 'stackName' failed to satisfy constraint"),
    });
  });

  test('refuses a second stack with the same name in a region, but not in another region', async () => {
    // Prepare
    await cfn.createStack({ StackName: 'twice', TemplateBody: body(bucketTemplate()) }, REGION);

    // Act
    const again = cfn.createStack({ StackName: 'twice', TemplateBody: body(bucketTemplate()) }, REGION);
    const elsewhere = cfn.createStack(
      { StackName: 'twice', TemplateBody: body(bucketTemplate()) },
      'us-west-2',
    );

    // Assess
    await expect(again).rejects.toMatchObject({
      name: 'AlreadyExistsException',
      message: 'Stack [twice] already exists',
    });
    await expect(elsewhere).resolves.toEqual({ StackId: expect.stringContaining(':us-west-2:') });
  });

  test('treats a retried CreateStack with the same client request token as the same request', async () => {
    // Prepare
    const input = {
      StackName: 'retried',
      TemplateBody: body(bucketTemplate()),
      ClientRequestToken: 'token-1',
    };
    const first = await cfn.createStack(input, REGION);

    // Act
    const second = await cfn.createStack(input, REGION);

    // Assess
    expect(second.StackId).toBe(first.StackId);
  });
});
