import type { Stack } from '@aws-sdk/client-cloudformation';
import { LocalCloudFormation } from '../../../src/local/cloudformation';
import { cfnStackNameOf as stageStackName } from '../../../src/domain/stage';
import { renderStageTemplate, STAGE_OUTPUTS } from '../../../src/templates/stage';
import type { StageTemplateInput } from '../../../src/templates/stage';
import type { CfnResource, CfnTemplate } from '../../../src/templates/types';

const REGION = 'us-east-1';
const STACK_ID = 'stk_01hx3k9d0q7s8y4w2v6t5r1p0n';

const cfn = new LocalCloudFormation({ delayMs: 1 });
afterAll(() => cfn.dispose());

function stageInput(overrides: Partial<StageTemplateInput> = {}): StageTemplateInput {
  return {
    stackId: STACK_ID,
    stackName: 'shop',
    stageName: 'dev',
    region: REGION,
    port: 8080,
    loadBalancer: false,
    environment: {},
    origins: ['http://localhost'],
    imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:abc123',
    deploymentId: 'dep_1',
    ...overrides,
  };
}

async function deploy(template: CfnTemplate, stackName: string): Promise<Stack> {
  const input = {
    StackName: stackName,
    TemplateBody: JSON.stringify(template),
    Capabilities: ['CAPABILITY_IAM' as const],
  };
  const exists = await cfn.describeStacks({ StackName: stackName }, REGION).catch(() => undefined);
  if (exists) await cfn.updateStack(input, REGION);
  else await cfn.createStack(input, REGION);
  await cfn.whenIdle();
  const { Stacks } = await cfn.describeStacks({ StackName: stackName }, REGION);
  return Stacks![0]!;
}

const outputsOf = (stack: Stack) =>
  Object.fromEntries((stack.Outputs ?? []).map((output) => [output.OutputKey!, output.OutputValue!]));

const resourcesOfType = (template: CfnTemplate, type: string): CfnResource[] =>
  Object.values(template.Resources).filter((resource) => resource.Type === type);

const onlyResource = (template: CfnTemplate, type: string): CfnResource => {
  const [resource, ...others] = resourcesOfType(template, type);
  expect(others).toHaveLength(0);
  return resource!;
};

const ENVIRONMENTS = { none: {}, several: { ZETA: 'z', ALPHA: 'a', DATABASE_URL: 'postgres://db:5432/app' } };
const ORIGINS = {
  one: ['https://shop.example.com'],
  several: ['https://shop.example.com', 'https://admin.example.com', 'http://localhost:3000'],
};

const combinations = [true, false].flatMap((loadBalancer) =>
  (['none', 'several'] as const).flatMap((environment) =>
    (['one', 'several'] as const).map((origins) => ({ loadBalancer, environment, origins })),
  ),
);

describe('renderStageTemplate', () => {
  test.each(combinations)(
    'loadBalancer=$loadBalancer, $environment environment, $origins origin(s): provisions with the expected outputs',
    async ({ loadBalancer, environment, origins }) => {
      // Prepare
      const stageName = `s-${loadBalancer ? 'lb' : 'map'}-${environment}-${origins}`.slice(0, 20);
      const template = renderStageTemplate(
        stageInput({
          stageName,
          loadBalancer,
          environment: ENVIRONMENTS[environment],
          origins: ORIGINS[origins],
        }),
      );

      // Act
      const stack = await deploy(template, stageStackName(STACK_ID, stageName));

      // Assess
      const outputs = outputsOf(stack);
      const expectedKeys = Object.values(STAGE_OUTPUTS).filter(
        (key) => loadBalancer || key !== STAGE_OUTPUTS.loadBalancerDnsName,
      );
      expect(stack.StackStatus).toBe('CREATE_COMPLETE');
      expect(Object.keys(outputs).sort()).toEqual([...expectedKeys].sort());
      expect(outputs[STAGE_OUTPUTS.url]).toMatch(
        /^https:\/\/[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$/,
      );
      expect(outputs[STAGE_OUTPUTS.vpcId]).toMatch(/^vpc-[0-9a-f]{17}$/);
      expect(outputs[STAGE_OUTPUTS.privateSubnetIds]).toMatch(/^subnet-[0-9a-f]{17},subnet-[0-9a-f]{17}$/);
      expect(outputs[STAGE_OUTPUTS.publicSubnetIds]).toMatch(/^subnet-[0-9a-f]{17},subnet-[0-9a-f]{17}$/);
      expect(outputs[STAGE_OUTPUTS.serviceSecurityGroupId]).toMatch(/^sg-[0-9a-f]{17}$/);
      expect(outputs[STAGE_OUTPUTS.clusterName]).toBe(`ts-${STACK_ID}-${stageName}`);
      expect(outputs[STAGE_OUTPUTS.appLogGroupName]).toBe(`/tinystacks/${STACK_ID}/${stageName}/app`);
      expect(outputs[STAGE_OUTPUTS.accessLogGroupName]).toBe(`/tinystacks/${STACK_ID}/${stageName}/access`);
      if (loadBalancer) {
        expect(outputs[STAGE_OUTPUTS.loadBalancerDnsName]).toMatch(
          /^internal-ts-.+-\d+\.us-east-1\.elb\.amazonaws\.com$/,
        );
      }
    },
  );

  test('passes the environment to the container sorted by name', () => {
    // Prepare
    const input = stageInput({ environment: { ZETA: 'z', ALPHA: 'a', MIDDLE: 'm' } });

    // Act
    const template = renderStageTemplate(input);

    // Assess
    const task = onlyResource(template, 'AWS::ECS::TaskDefinition');
    const [container] = task.Properties!.ContainerDefinitions as Record<string, unknown>[];
    expect(container).toMatchObject({
      Name: 'app',
      Image: input.imageUri,
      PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp' }],
      Environment: [
        { Name: 'ALPHA', Value: 'a' },
        { Name: 'MIDDLE', Value: 'm' },
        { Name: 'ZETA', Value: 'z' },
      ],
    });
    expect(task.Properties).toMatchObject({
      Cpu: '256',
      Memory: '512',
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
    });
  });

  test('allows exactly the given CORS origins on the HTTP API', () => {
    // Prepare
    const origins = ['https://a.example.com', 'https://b.example.com'];

    // Act
    const template = renderStageTemplate(stageInput({ origins }));

    // Assess
    expect(onlyResource(template, 'AWS::ApiGatewayV2::Api').Properties).toMatchObject({
      ProtocolType: 'HTTP',
      CorsConfiguration: { AllowOrigins: origins },
    });
  });

  test('without a load balancer, routes through Cloud Map and creates no ALB', () => {
    // Act
    const template = renderStageTemplate(stageInput({ loadBalancer: false }));

    // Assess
    const types = Object.values(template.Resources).map((resource) => resource.Type);
    expect(types.filter((type) => type.startsWith('AWS::ElasticLoadBalancingV2::'))).toEqual([]);
    expect(types).toEqual(
      expect.arrayContaining([
        'AWS::ServiceDiscovery::PrivateDnsNamespace',
        'AWS::ServiceDiscovery::Service',
      ]),
    );
    expect(onlyResource(template, 'AWS::ServiceDiscovery::Service').Properties).toMatchObject({
      DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] },
    });
    expect(onlyResource(template, 'AWS::ECS::Service').Properties?.ServiceRegistries).toEqual([
      {
        RegistryArn: { 'Fn::GetAtt': ['ServiceDiscoveryService', 'Arn'] },
        ContainerName: 'app',
        ContainerPort: 8080,
      },
    ]);
    expect(onlyResource(template, 'AWS::ApiGatewayV2::Integration').Properties).toMatchObject({
      IntegrationType: 'HTTP_PROXY',
      ConnectionType: 'VPC_LINK',
      IntegrationUri: { 'Fn::GetAtt': ['ServiceDiscoveryService', 'Arn'] },
    });
    expect(template.Outputs[STAGE_OUTPUTS.loadBalancerDnsName]).toBeUndefined();
  });

  test('with a load balancer, routes through an internal ALB and registers the tasks as ip targets', () => {
    // Act
    const template = renderStageTemplate(stageInput({ loadBalancer: true }));

    // Assess
    const types = Object.values(template.Resources).map((resource) => resource.Type);
    expect(types.filter((type) => type.startsWith('AWS::ServiceDiscovery::'))).toEqual([]);
    expect(onlyResource(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').Properties).toMatchObject({
      Scheme: 'internal',
      Type: 'application',
    });
    expect(onlyResource(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').Properties).toMatchObject({
      TargetType: 'ip',
      Port: 8080,
      HealthCheckPath: '/',
    });
    const service = onlyResource(template, 'AWS::ECS::Service');
    expect(service.Properties?.LoadBalancers).toEqual([
      { ContainerName: 'app', ContainerPort: 8080, TargetGroupArn: { Ref: 'TargetGroup' } },
    ]);
    expect(service.DependsOn).toContain('Listener');
    expect(onlyResource(template, 'AWS::ApiGatewayV2::Integration').Properties?.IntegrationUri).toEqual({
      Ref: 'Listener',
    });
  });

  test('runs the tasks in the public subnets with a public IP and admits traffic only from the entry point', () => {
    // Act
    const withoutLb = renderStageTemplate(stageInput({ loadBalancer: false }));
    const withLb = renderStageTemplate(stageInput({ loadBalancer: true }));

    // Assess
    expect(onlyResource(withoutLb, 'AWS::ECS::Service').Properties?.NetworkConfiguration).toEqual({
      AwsvpcConfiguration: {
        AssignPublicIp: 'ENABLED',
        Subnets: [{ Ref: 'PublicSubnet1' }, { Ref: 'PublicSubnet2' }],
        SecurityGroups: [{ 'Fn::GetAtt': ['ServiceSecurityGroup', 'GroupId'] }],
      },
    });
    const ingressSource = (template: CfnTemplate) =>
      (
        template.Resources.ServiceSecurityGroup!.Properties!.SecurityGroupIngress as Record<string, unknown>[]
      ).map((rule) => [rule.SourceSecurityGroupId, rule.FromPort, rule.ToPort]);
    expect(ingressSource(withoutLb)).toEqual([
      [{ 'Fn::GetAtt': ['EntryPointSecurityGroup', 'GroupId'] }, 8080, 8080],
    ]);
    expect(ingressSource(withLb)).toEqual([
      [{ 'Fn::GetAtt': ['LoadBalancerSecurityGroup', 'GroupId'] }, 8080, 8080],
    ]);
    expect(resourcesOfType(withoutLb, 'AWS::EC2::NatGateway')).toEqual([]);
  });

  test('keeps names within AWS limits for the longest stage names', () => {
    // Prepare
    const stageName = 'a-very-long-stage-nm';
    const input = stageInput({ stageName, loadBalancer: true });

    // Act
    const template = renderStageTemplate(input);
    const portChanged = renderStageTemplate({ ...input, port: 3000 });

    // Assess
    const name = (type: string, template_ = template) =>
      onlyResource(template_, type).Properties!.Name as string;
    for (const type of [
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
      'AWS::ElasticLoadBalancingV2::TargetGroup',
    ]) {
      expect(name(type).length).toBeLessThanOrEqual(32);
      expect(name(type)).toMatch(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/);
    }
    expect(name('AWS::ElasticLoadBalancingV2::TargetGroup', portChanged)).not.toBe(
      name('AWS::ElasticLoadBalancingV2::TargetGroup'),
    );
    expect(name('AWS::ApiGatewayV2::VpcLink').length).toBeLessThanOrEqual(128);
    const namespace = name(
      'AWS::ServiceDiscovery::PrivateDnsNamespace',
      renderStageTemplate({ ...input, loadBalancer: false }),
    );
    expect(namespace.split('.').every((label) => /^[a-z0-9-]{1,63}$/.test(label))).toBe(true);
    expect(
      (onlyResource(template, 'AWS::ECS::Cluster').Properties!.ClusterName as string).length,
    ).toBeLessThanOrEqual(255);
  });

  test('renders the same template for the same input', () => {
    // Act
    const first = JSON.stringify(renderStageTemplate(stageInput({ environment: { B: '2', A: '1' } })));
    const second = JSON.stringify(renderStageTemplate(stageInput({ environment: { A: '1', B: '2' } })));

    // Assess
    expect(first).toBe(second);
  });

  test('a new deployment id updates the task definition and service, and nothing else', async () => {
    // Prepare
    const stackName = stageStackName(STACK_ID, 'redeploy');
    const before = await deploy(renderStageTemplate(stageInput({ stageName: 'redeploy' })), stackName);

    // Act
    const after = await deploy(
      renderStageTemplate(stageInput({ stageName: 'redeploy', deploymentId: 'dep_2' })),
      stackName,
    );

    // Assess
    const { StackEvents } = await cfn.describeStackEvents({ StackName: stackName }, REGION);
    const updated = StackEvents!
      .filter(
        (event) =>
          event.ResourceStatus === 'UPDATE_COMPLETE' && event.ResourceType !== 'AWS::CloudFormation::Stack',
      )
      .map((event) => event.LogicalResourceId)
      .sort();
    expect(after.StackStatus).toBe('UPDATE_COMPLETE');
    expect(updated).toEqual(['Service', 'TaskDefinition']);
    expect(outputsOf(after)).toEqual(outputsOf(before));
  });
});

describe('stageStackName', () => {
  test('is a valid CloudFormation stack name', () => {
    // Act
    const name = stageStackName(STACK_ID, 'prod-eu');

    // Assess
    expect(name).toBe('tinystacks-stk-01hx3k9d0q7s8y4w2v6t5r1p0n-prod-eu');
    expect(name).toMatch(/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/);
  });
});
