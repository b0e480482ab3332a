/**
 * Simulated physical ids and attributes. Values look like the real ones (formats, lengths,
 * prefixes) and are derived from the stack id and logical id, so a resource keeps its ids across
 * updates and two stacks never share one.
 */
import { createHash } from 'node:crypto';
import type { Resource } from '@aws-cdk/service-spec-types';

export interface SimulatedResource {
  physicalId: string;
  attributes: Record<string, unknown>;
}

/** A resource provisioned earlier, possibly in another stack (a read replica names its source). */
export interface KnownResource {
  type: string;
  physicalId: string;
  properties: Record<string, unknown>;
  attributes: Record<string, unknown>;
}

export interface SimulationInput {
  logicalId: string;
  type: string;
  properties: Record<string, unknown>;
  schema: Resource | undefined;
  stackId: string;
  stackName: string;
  region: string;
  accountId: string;
  /** The same logical id before this update, if it existed. */
  previous?: SimulatedResource;
  findResource?: (physicalIdOrArn: string) => KnownResource | undefined;
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function partitionOf(region: string): { partition: string; urlSuffix: string } {
  if (region.startsWith('cn-')) return { partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn' };
  if (region.startsWith('us-gov-')) return { partition: 'aws-us-gov', urlSuffix: 'amazonaws.com' };
  return { partition: 'aws', urlSuffix: 'amazonaws.com' };
}

/** `us-east-1` → `use1`, `ap-southeast-2` → `apse2`: the region code inside ElastiCache host names. */
function regionCode(region: string): string {
  return region
    .split('-')
    .map((part, i) => (i === 0 ? part : part.replace(/north|south|east|west|central/g, (word) => word[0]!)))
    .join('');
}

class Context {
  readonly props: Record<string, unknown>;
  readonly partition: string;
  readonly urlSuffix: string;

  constructor(readonly input: SimulationInput) {
    this.props = input.properties;
    ({ partition: this.partition, urlSuffix: this.urlSuffix } = partitionOf(input.region));
  }

  get region() {
    return this.input.region;
  }

  prop(name: string): string | undefined {
    const value = this.props[name];
    return value === undefined || typeof value === 'object' ? undefined : String(value);
  }

  /** Deterministic characters for this resource and purpose. */
  chars(
    alphabet: string,
    length: number,
    purpose = '',
    scope = `${this.input.stackId}/${this.input.logicalId}`,
  ) {
    let out = '';
    for (let round = 0; out.length < length; round++) {
      const digest = createHash('sha256').update(`${scope}/${purpose}/${round}`).digest();
      for (const byte of digest) if (out.length < length) out += alphabet[byte % alphabet.length];
    }
    return out;
  }

  hex = (length: number, purpose = '') => this.chars('0123456789abcdef', length, purpose);
  lower = (length: number, purpose = '') => this.chars(LOWER, length, purpose);
  upper = (length: number, purpose = '') => this.chars(UPPER, length, purpose);
  digits = (length: number, purpose = '') => this.chars('0123456789', length, purpose);
  /** Same for every resource of the account in the region, like the hash inside RDS host names. */
  accountScoped = (length: number) => this.chars(LOWER, length, '', `${this.input.accountId}/${this.region}`);

  /** EC2-style id: `vpc-0a1b2c3d4e5f67890`. */
  ec2Id = (prefix: string, purpose = '') => `${prefix}-0${this.hex(16, purpose)}`;

  /** The name CloudFormation generates for an unnamed resource: `stack-LogicalId-1A2B3C4D5E6F`. */
  generatedName(maxLength = 128): string {
    const suffix = `-${this.upper(12, 'name')}`;
    return `${this.input.stackName}-${this.input.logicalId}`.slice(0, maxLength - suffix.length) + suffix;
  }

  arn(service: string, resource: string, options: { regional?: boolean } = {}): string {
    const region = options.regional === false ? '' : this.region;
    return `arn:${this.partition}:${service}:${region}:${this.input.accountId}:${resource}`;
  }

  ipv4(first: number, purpose: string): string {
    const [a, b, c] = [
      ...createHash('sha256').update(`${this.input.stackId}/${this.input.logicalId}/${purpose}`).digest(),
    ];
    return `${first}.${a}.${b}.${(c ?? 0) % 254 || 1}`;
  }
}

interface Simulated {
  ref: string;
  attributes?: Record<string, unknown>;
}
type Simulator = (r: Context) => Simulated;

const ec2Id =
  (prefix: string): Simulator =>
  (r) => ({ ref: r.ec2Id(prefix) });
const shortId =
  (length: number): Simulator =>
  (r) => ({ ref: r.lower(length) });

const DB_PORTS: [RegExp, string][] = [
  [/postgres/, '5432'],
  [/mysql|mariadb/, '3306'],
  [/sqlserver/, '1433'],
  [/oracle/, '1521'],
];

function databaseEngine(r: Context): string {
  const source = r.prop('SourceDBInstanceIdentifier');
  const sourceEngine = source ? r.input.findResource?.(source)?.properties.Engine : undefined;
  return (r.prop('Engine') ?? (typeof sourceEngine === 'string' ? sourceEngine : 'postgres')).toLowerCase();
}

function endpoint(address: string, port: string, prefix: string): Record<string, unknown> {
  return {
    [prefix]: { Address: address, Port: port },
    [`${prefix}.Address`]: address,
    [`${prefix}.Port`]: port,
  };
}

const SIMULATORS: Record<string, Simulator> = {
  'AWS::EC2::VPC': (r) => ({
    ref: r.ec2Id('vpc'),
    attributes: {
      DefaultSecurityGroup: r.ec2Id('sg', 'default'),
      DefaultNetworkAcl: r.ec2Id('acl'),
      CidrBlockAssociations: [r.ec2Id('vpc-cidr-assoc')],
      Ipv6CidrBlocks: [],
    },
  }),
  'AWS::EC2::Subnet': (r) => ({
    ref: r.ec2Id('subnet'),
    attributes: {
      AvailabilityZone: r.prop('AvailabilityZone') ?? `${r.region}a`,
      NetworkAclAssociationId: r.ec2Id('aclassoc'),
      Ipv6CidrBlocks: [],
    },
  }),
  'AWS::EC2::SecurityGroup': (r) => {
    const id = r.ec2Id('sg');
    return { ref: id, attributes: { GroupId: id, Id: id } };
  },
  'AWS::EC2::SecurityGroupIngress': ec2Id('sgr'),
  'AWS::EC2::SecurityGroupEgress': ec2Id('sgr'),
  'AWS::EC2::InternetGateway': ec2Id('igw'),
  'AWS::EC2::RouteTable': ec2Id('rtb'),
  'AWS::EC2::SubnetRouteTableAssociation': ec2Id('rtbassoc'),
  'AWS::EC2::NatGateway': ec2Id('nat'),
  'AWS::EC2::NetworkAcl': ec2Id('acl'),
  'AWS::EC2::NetworkInterface': ec2Id('eni'),
  'AWS::EC2::VPCEndpoint': ec2Id('vpce'),
  'AWS::EC2::LaunchTemplate': ec2Id('lt'),
  'AWS::EC2::EIP': (r) => {
    const ip = r.ipv4(3, 'public');
    return { ref: ip, attributes: { PublicIp: ip, AllocationId: r.ec2Id('eipalloc') } };
  },
  'AWS::EC2::KeyPair': (r) => ({
    ref: r.prop('KeyName') ?? r.generatedName(255),
    attributes: { KeyPairId: r.ec2Id('key'), KeyFingerprint: r.hex(40).replace(/(..)(?!$)/g, '$1:') },
  }),
  'AWS::EC2::Instance': (r) => {
    const publicIp = r.ipv4(3, 'public');
    const privateIp = r.ipv4(10, 'private');
    const east1 = r.region === 'us-east-1';
    return {
      ref: r.ec2Id('i'),
      attributes: {
        PublicIp: publicIp,
        PublicDnsName: `ec2-${publicIp.replaceAll('.', '-')}.${east1 ? 'compute-1' : `${r.region}.compute`}.${r.urlSuffix}`,
        PrivateIp: privateIp,
        PrivateDnsName: `ip-${privateIp.replaceAll('.', '-')}.${east1 ? 'ec2.internal' : `${r.region}.compute.internal`}`,
        AvailabilityZone: r.prop('AvailabilityZone') ?? `${r.region}a`,
        State: { Code: '16', Name: 'running' },
      },
    };
  },

  // ECR: `<account>.dkr.ecr.<region>.<suffix>/<name>`, the URI images are pushed to and looked up by.
  'AWS::ECR::Repository': (r) => {
    const name = r.prop('RepositoryName') ?? r.generatedName(256).toLowerCase();
    return {
      ref: name,
      attributes: {
        Arn: r.arn('ecr', `repository/${name}`),
        RepositoryUri: `${r.input.accountId}.dkr.ecr.${r.region}.${r.urlSuffix}/${name}`,
      },
    };
  },
  'AWS::Logs::LogGroup': (r) => {
    const name = r.prop('LogGroupName') ?? r.generatedName(512);
    return { ref: name, attributes: { Arn: r.arn('logs', `log-group:${name}:*`) } };
  },
  'AWS::IAM::Role': (r) => {
    const name = r.prop('RoleName') ?? r.generatedName(64);
    return {
      ref: name,
      attributes: {
        Arn: r.arn('iam', `role${r.prop('Path') ?? '/'}${name}`, { regional: false }),
        RoleId: `AROA${r.upper(17)}`,
      },
    };
  },
  'AWS::IAM::InstanceProfile': (r) => {
    const name = r.prop('InstanceProfileName') ?? r.generatedName(128);
    return {
      ref: name,
      attributes: {
        Arn: r.arn('iam', `instance-profile${r.prop('Path') ?? '/'}${name}`, { regional: false }),
      },
    };
  },
  'AWS::IAM::ManagedPolicy': (r) => {
    const name = r.prop('ManagedPolicyName') ?? r.generatedName(128);
    const arn = r.arn('iam', `policy${r.prop('Path') ?? '/'}${name}`, { regional: false });
    return { ref: arn, attributes: { PolicyArn: arn } };
  },

  'AWS::ECS::Cluster': (r) => {
    const name = r.prop('ClusterName') ?? r.generatedName(255);
    return { ref: name, attributes: { Arn: r.arn('ecs', `cluster/${name}`) } };
  },
  // Task definitions are immutable: every update registers the next revision of the family.
  'AWS::ECS::TaskDefinition': (r) => {
    const family = r.prop('Family') ?? r.generatedName(255).replaceAll('-', '');
    const previous = /task-definition\/(.+):(\d+)$/.exec(r.input.previous?.physicalId ?? '');
    const revision = previous?.[1] === family ? Number(previous[2]) + 1 : 1;
    const arn = r.arn('ecs', `task-definition/${family}:${revision}`);
    return { ref: arn, attributes: { TaskDefinitionArn: arn } };
  },
  'AWS::ECS::Service': (r) => {
    const cluster = (r.prop('Cluster') ?? 'default').replace(/^arn:.*:cluster\//, '');
    const name = r.prop('ServiceName') ?? r.generatedName(255);
    const arn = r.arn('ecs', `service/${cluster}/${name}`);
    return { ref: arn, attributes: { ServiceArn: arn, Name: name } };
  },

  'AWS::ApiGatewayV2::Api': (r) => {
    const id = r.lower(10);
    const scheme = r.prop('ProtocolType') === 'WEBSOCKET' ? 'wss' : 'https';
    return {
      ref: id,
      attributes: {
        ApiEndpoint: `${scheme}://${id}.execute-api.${r.region}.${r.urlSuffix}`,
        ExecuteApiArn: r.arn('execute-api', id),
      },
    };
  },
  'AWS::ApiGatewayV2::Stage': (r) => ({ ref: r.prop('StageName') ?? '$default' }),
  'AWS::ApiGatewayV2::Route': shortId(7),
  'AWS::ApiGatewayV2::Integration': shortId(7),
  'AWS::ApiGatewayV2::VpcLink': shortId(6),
  'AWS::ApiGatewayV2::Deployment': shortId(6),
  'AWS::ApiGatewayV2::Authorizer': shortId(6),

  'AWS::ServiceDiscovery::PrivateDnsNamespace': (r) => {
    const id = `ns-${r.lower(16)}`;
    return {
      ref: id,
      attributes: { Arn: r.arn('servicediscovery', `namespace/${id}`), HostedZoneId: `Z${r.upper(20)}` },
    };
  },
  'AWS::ServiceDiscovery::Service': (r) => {
    const id = `srv-${r.lower(16)}`;
    return {
      ref: id,
      attributes: {
        Arn: r.arn('servicediscovery', `service/${id}`),
        Name: r.prop('Name') ?? r.input.logicalId,
      },
    };
  },

  'AWS::ElasticLoadBalancingV2::LoadBalancer': (r) => {
    const name = r.prop('Name') ?? r.generatedName(32);
    const fullName = `${r.prop('Type') === 'network' ? 'net' : 'app'}/${name}/${r.hex(16)}`;
    const arn = r.arn('elasticloadbalancing', `loadbalancer/${fullName}`);
    const internal = r.prop('Scheme') === 'internal' ? 'internal-' : '';
    return {
      ref: arn,
      attributes: {
        LoadBalancerName: name,
        LoadBalancerFullName: fullName,
        DNSName: `${internal}${name}-${r.digits(10)}.${r.region}.elb.${r.urlSuffix}`,
        CanonicalHostedZoneID: `Z${r.upper(13)}`,
        SecurityGroups: r.props.SecurityGroups ?? [],
      },
    };
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': (r) => {
    const name = r.prop('Name') ?? r.generatedName(32);
    const fullName = `targetgroup/${name}/${r.hex(16)}`;
    const arn = r.arn('elasticloadbalancing', fullName);
    return {
      ref: arn,
      attributes: { TargetGroupName: name, TargetGroupFullName: fullName, LoadBalancerArns: [] },
    };
  },
  'AWS::ElasticLoadBalancingV2::Listener': (r) => {
    const loadBalancer =
      r.prop('LoadBalancerArn') ?? r.arn('elasticloadbalancing', 'loadbalancer/app/unknown/0');
    return { ref: `${loadBalancer.replace(':loadbalancer/', ':listener/')}/${r.hex(16)}` };
  },

  'AWS::RDS::DBInstance': (r) => {
    const id = (r.prop('DBInstanceIdentifier') ?? r.generatedName(63)).toLowerCase();
    const engine = databaseEngine(r);
    // A promoted replica names neither its engine nor a source any more: it keeps the port it had.
    const previousPort = r.input.previous?.attributes['Endpoint.Port'];
    const keeps =
      !r.prop('Engine') && !r.prop('SourceDBInstanceIdentifier') && typeof previousPort === 'string';
    const port =
      r.prop('Port') ??
      (keeps ? previousPort : undefined) ??
      DB_PORTS.find(([pattern]) => pattern.test(engine))?.[1] ??
      '5432';
    const address = `${id}.${r.accountScoped(12)}.${r.region}.rds.${r.urlSuffix}`;
    return {
      ref: id,
      attributes: {
        ...endpoint(address, port, 'Endpoint'),
        'Endpoint.HostedZoneId': `Z${r.upper(13, 'zone')}`,
        DBInstanceArn: r.arn('rds', `db:${id}`),
        DbiResourceId: `db-${r.upper(26)}`,
        'MasterUserSecret.SecretArn': r.arn(
          'secretsmanager',
          `secret:rds!db-${r.lower(36)}-${r.chars(MIXED, 6)}`,
        ),
      },
    };
  },
  'AWS::RDS::DBSubnetGroup': (r) => {
    const name = (r.prop('DBSubnetGroupName') ?? r.generatedName(255)).toLowerCase();
    return { ref: name, attributes: { DBSubnetGroupArn: r.arn('rds', `subgrp:${name}`) } };
  },
  'AWS::ElastiCache::CacheCluster': (r) => {
    const name = (r.prop('ClusterName') ?? r.generatedName(40)).toLowerCase();
    const host = `${name}.${r.accountScoped(6)}`;
    const suffix = `${regionCode(r.region)}.cache.${r.urlSuffix}`;
    return {
      ref: name,
      attributes:
        r.prop('Engine') === 'memcached'
          ? endpoint(`${host}.cfg.${suffix}`, r.prop('Port') ?? '11211', 'ConfigurationEndpoint')
          : endpoint(`${host}.0001.${suffix}`, r.prop('Port') ?? '6379', 'RedisEndpoint'),
    };
  },
  'AWS::ElastiCache::ReplicationGroup': (r) => {
    const id = (r.prop('ReplicationGroupId') ?? r.generatedName(40)).toLowerCase();
    const port = r.prop('Port') ?? '6379';
    const hash = r.accountScoped(6);
    const suffix = `${regionCode(r.region)}.cache.${r.urlSuffix}`;
    const replicas = [1, 2].map((n) => `${id}-00${n}.${id}.${hash}.${suffix}`);
    return {
      ref: id,
      attributes: {
        ...endpoint(`${id}.${hash}.ng.0001.${suffix}`, port, 'PrimaryEndPoint'),
        ...endpoint(`${id}-ro.${hash}.ng.0001.${suffix}`, port, 'ReaderEndPoint'),
        ...endpoint(`${id}.${hash}.clustercfg.${suffix}`, port, 'ConfigurationEndPoint'),
        'ReadEndPoint.Addresses': replicas.join(','),
        'ReadEndPoint.Ports': replicas.map(() => port).join(','),
        'ReadEndPoint.AddressesList': replicas,
        'ReadEndPoint.PortsList': replicas.map(() => port),
      },
    };
  },
  'AWS::ElastiCache::SubnetGroup': (r) => ({
    ref: (r.prop('CacheSubnetGroupName') ?? r.generatedName(255)).toLowerCase(),
  }),
  'AWS::SecretsManager::Secret': (r) => {
    const name = r.prop('Name') ?? `${r.input.logicalId}-${r.chars(MIXED, 12, 'name')}`;
    const arn = r.arn('secretsmanager', `secret:${name}-${r.chars(MIXED, 6)}`);
    return { ref: arn, attributes: { Id: arn } };
  },
  'AWS::SSM::Parameter': (r) => ({
    ref: r.prop('Name') ?? `CFN-${r.input.logicalId}-${r.chars(MIXED, 12)}`,
  }),
  'AWS::S3::Bucket': (r) => {
    const name = (r.prop('BucketName') ?? r.generatedName(63)).toLowerCase();
    return {
      ref: name,
      attributes: {
        Arn: `arn:${r.partition}:s3:::${name}`,
        DomainName: `${name}.s3.${r.urlSuffix}`,
        RegionalDomainName: `${name}.s3.${r.region}.${r.urlSuffix}`,
        DualStackDomainName: `${name}.s3.dualstack.${r.region}.${r.urlSuffix}`,
        WebsiteURL: `http://${name}.s3-website-${r.region}.${r.urlSuffix}`,
      },
    };
  },
  'AWS::SQS::Queue': (r) => {
    const name = r.prop('QueueName') ?? r.generatedName(80);
    return {
      ref: `https://sqs.${r.region}.${r.urlSuffix}/${r.input.accountId}/${name}`,
      attributes: { Arn: r.arn('sqs', name), QueueName: name },
    };
  },
};

/** The property or attribute whose value `Ref` returns, per the spec. */
function refIdentifier(schema: Resource | undefined): string[] {
  return schema?.cfnRefIdentifier ?? schema?.primaryIdentifier ?? [];
}

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** Ref of a type without its own simulator: the identifier's property if set, else a made-up id. */
function genericRef(r: Context): string {
  const [, service = '', resource = ''] = r.input.type.split('::');
  const identifiers = refIdentifier(r.input.schema);
  const value = (key: string) => {
    const given = r.prop(key);
    if (given !== undefined) return given;
    if (key.endsWith('Arn')) return r.arn(service.toLowerCase(), `${kebab(resource)}/${r.generatedName(64)}`);
    if (key.endsWith('Name')) return r.generatedName(128);
    return `${kebab(resource)}-${r.hex(17, key)}`;
  };
  return identifiers.length === 0 ? r.generatedName(128) : identifiers.map(value).join('|');
}

/** Any attribute the spec lists gets a value: the same-named property, else one shaped by its name. */
function genericAttribute(r: Context, name: string, ref: string): unknown {
  if (r.props[name] !== undefined) return r.props[name];
  const [, service = '', resource = ''] = r.input.type.split('::');
  const leaf = name.split('.').pop()!;
  const type = r.input.schema?.attributes[name]?.type.type;
  let value: unknown;
  if (leaf.endsWith('Arn')) value = r.arn(service.toLowerCase(), `${kebab(resource)}/${ref}`);
  else if (leaf.endsWith('Name')) value = ref;
  else if (leaf === 'Port') value = '443';
  else if (/(Address|Endpoint|DnsName|DomainName)$/.test(leaf)) {
    value = `${r.lower(12, name)}.${service.toLowerCase()}.${r.region}.${r.urlSuffix}`;
  } else if (/(Url|URL)$/.test(leaf))
    value = `https://${r.lower(12, name)}.${service.toLowerCase()}.${r.urlSuffix}`;
  else if (type === 'integer' || type === 'number') value = Number(r.digits(3, name));
  else if (type === 'boolean') value = false;
  else value = `${kebab(leaf)}-${r.hex(17, name)}`;
  return type === 'array' ? [value] : value;
}

export function simulateResource(input: SimulationInput): SimulatedResource {
  const r = new Context(input);
  const simulated = SIMULATORS[input.type]?.(r) ?? { ref: genericRef(r) };
  const attributes: Record<string, unknown> = {};
  for (const name of Object.keys(input.schema?.attributes ?? {})) {
    attributes[name] = simulated.attributes?.[name] ?? genericAttribute(r, name, simulated.ref);
  }
  const identifiers = refIdentifier(input.schema);
  if (identifiers.length === 1 && identifiers[0]! in attributes && !simulated.attributes?.[identifiers[0]!]) {
    attributes[identifiers[0]!] = simulated.ref;
  }
  return { physicalId: simulated.ref, attributes: { ...attributes, ...simulated.attributes } };
}
