import { availabilityZone, getAtt, join, ref } from './intrinsics';
import { STAGE_OUTPUTS } from './outputs';
import type { CfnResource, TemplateFragment } from './types';

export const NETWORK = {
  vpc: 'Vpc',
  internetGateway: 'InternetGateway',
  gatewayAttachment: 'InternetGatewayAttachment',
  publicRouteTable: 'PublicRouteTable',
  publicDefaultRoute: 'PublicDefaultRoute',
  publicSubnets: ['PublicSubnet1', 'PublicSubnet2'],
  privateRouteTable: 'PrivateRouteTable',
  privateSubnets: ['PrivateSubnet1', 'PrivateSubnet2'],
  entryPointSecurityGroup: 'EntryPointSecurityGroup',
  serviceSecurityGroup: 'ServiceSecurityGroup',
  bastionSecurityGroup: 'BastionSecurityGroup',
} as const;

const VPC_CIDR = '10.0.0.0/16';
const PUBLIC_CIDRS = ['10.0.0.0/24', '10.0.1.0/24'];
const PRIVATE_CIDRS = ['10.0.128.0/24', '10.0.129.0/24'];

export interface NetworkInput {
  prefix: string;
  port: number;
  /** The security group allowed to reach the containers: the entry point's, or the load balancer's. */
  serviceIngressFrom: string;
}

function subnet(index: number, cidr: string, isPublic: boolean, name: string): CfnResource {
  return {
    Type: 'AWS::EC2::Subnet',
    Properties: {
      VpcId: ref(NETWORK.vpc),
      CidrBlock: cidr,
      AvailabilityZone: availabilityZone(index),
      MapPublicIpOnLaunch: isPublic,
      Tags: [{ Key: 'Name', Value: name }],
    },
  };
}

function routeTableAssociation(subnetId: string, routeTableId: string): CfnResource {
  return {
    Type: 'AWS::EC2::SubnetRouteTableAssociation',
    Properties: { SubnetId: ref(subnetId), RouteTableId: ref(routeTableId) },
  };
}

/**
 * A VPC whose tasks live in public subnets with public IPs, so pulling images and calling out needs
 * no NAT gateway (the largest fixed cost of a small stage). The private subnets have no route out
 * and stay empty until a database is added.
 */
export function network({ prefix, port, serviceIngressFrom }: NetworkInput): TemplateFragment {
  const resources: Record<string, CfnResource> = {
    [NETWORK.vpc]: {
      Type: 'AWS::EC2::VPC',
      Properties: {
        CidrBlock: VPC_CIDR,
        EnableDnsSupport: true,
        EnableDnsHostnames: true,
        Tags: [{ Key: 'Name', Value: prefix }],
      },
    },
    [NETWORK.internetGateway]: {
      Type: 'AWS::EC2::InternetGateway',
      Properties: { Tags: [{ Key: 'Name', Value: prefix }] },
    },
    [NETWORK.gatewayAttachment]: {
      Type: 'AWS::EC2::VPCGatewayAttachment',
      Properties: { VpcId: ref(NETWORK.vpc), InternetGatewayId: ref(NETWORK.internetGateway) },
    },
    [NETWORK.publicRouteTable]: {
      Type: 'AWS::EC2::RouteTable',
      Properties: { VpcId: ref(NETWORK.vpc) },
    },
    [NETWORK.publicDefaultRoute]: {
      Type: 'AWS::EC2::Route',
      // A route to a gateway that is not yet attached to the VPC fails to create.
      DependsOn: NETWORK.gatewayAttachment,
      Properties: {
        RouteTableId: ref(NETWORK.publicRouteTable),
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: ref(NETWORK.internetGateway),
      },
    },
    [NETWORK.privateRouteTable]: {
      Type: 'AWS::EC2::RouteTable',
      Properties: { VpcId: ref(NETWORK.vpc) },
    },
    [NETWORK.entryPointSecurityGroup]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `${prefix} entry point (API Gateway VPC link)`,
        VpcId: ref(NETWORK.vpc),
      },
    },
    [NETWORK.serviceSecurityGroup]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `${prefix} service containers`,
        VpcId: ref(NETWORK.vpc),
        SecurityGroupIngress: [
          {
            IpProtocol: 'tcp',
            FromPort: port,
            ToPort: port,
            SourceSecurityGroupId: getAtt(serviceIngressFrom, 'GroupId'),
            Description: 'Container port, from the entry point only',
          },
        ],
      },
    },
    // Empty: a bastion host joins it (its SSH rules are its own), and the databases let it in.
    // It lives here, with the stage, so that no database stack depends on the bastion's stack.
    [NETWORK.bastionSecurityGroup]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `${prefix} bastion host (SSH tunnels to the databases)`,
        VpcId: ref(NETWORK.vpc),
      },
    },
  };

  NETWORK.publicSubnets.forEach((id, index) => {
    resources[id] = subnet(index, PUBLIC_CIDRS[index]!, true, `${prefix}-public-${index + 1}`);
    resources[`${id}RouteTableAssociation`] = routeTableAssociation(id, NETWORK.publicRouteTable);
  });
  NETWORK.privateSubnets.forEach((id, index) => {
    resources[id] = subnet(index, PRIVATE_CIDRS[index]!, false, `${prefix}-private-${index + 1}`);
    resources[`${id}RouteTableAssociation`] = routeTableAssociation(id, NETWORK.privateRouteTable);
  });

  return {
    Resources: resources,
    Outputs: {
      [STAGE_OUTPUTS.vpcId]: { Value: ref(NETWORK.vpc) },
      [STAGE_OUTPUTS.publicSubnetIds]: { Value: join(',', NETWORK.publicSubnets.map(ref)) },
      [STAGE_OUTPUTS.privateSubnetIds]: { Value: join(',', NETWORK.privateSubnets.map(ref)) },
      [STAGE_OUTPUTS.serviceSecurityGroupId]: { Value: getAtt(NETWORK.serviceSecurityGroup, 'GroupId') },
      [STAGE_OUTPUTS.bastionSecurityGroupId]: { Value: getAtt(NETWORK.bastionSecurityGroup, 'GroupId') },
    },
  };
}
