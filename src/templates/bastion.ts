import { BASTION_INSTANCE_TYPE } from '../domain/bastion';
import { getAtt, ref } from './intrinsics';
import type { CfnTemplate } from './types';

export const BASTION_OUTPUTS = {
  host: 'BastionHost',
  publicIp: 'BastionPublicIp',
  instanceId: 'BastionInstanceId',
  keyPairId: 'KeyPairId',
} as const;

export const BASTION = {
  keyPair: 'BastionKeyPair',
  sshSecurityGroup: 'BastionSshSecurityGroup',
  instance: 'BastionInstance',
} as const;

/** The latest Amazon Linux 2023 for Graviton, from AWS's public SSM parameter. */
export const AMAZON_LINUX_AMI =
  '{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64}}';

export interface BastionTemplateInput {
  stackId: string;
  stackName: string;
  stageName: string;
  allowedCidrs: string[];
  vpcId: string;
  /** A public subnet of the stage: the bastion needs a public address to be reached over SSH. */
  subnetId: string;
  /** The stage's bastion group, which its databases let in. */
  bastionSecurityGroupId: string;
}

/**
 * A bastion host: the EC2 key pair (AWS keeps its private key in SSM Parameter Store at
 * /ec2/keypair/<KeyPairId>; it never passes through TinyStacks until an authorised user downloads
 * it), a t4g.nano with SSH open only to the given CIDRs, in the stage's bastion security group.
 */
export function renderBastionTemplate(input: BastionTemplateInput): CfnTemplate {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `TinyStacks bastion host of stage ${input.stageName}, stack ${input.stackName} (${input.stackId})`,
    Resources: {
      [BASTION.keyPair]: {
        Type: 'AWS::EC2::KeyPair',
        Properties: {
          // Key pair names are unique per account and region.
          KeyName: `tinystacks-${input.stackId}-${input.stageName}-bastion`,
          // RSA PEM: every OpenSSH client reads it.
          KeyType: 'rsa',
          KeyFormat: 'pem',
        },
      },
      [BASTION.sshSecurityGroup]: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: `TinyStacks ${input.stageName} bastion: SSH from the allowed CIDRs only`,
          VpcId: input.vpcId,
          SecurityGroupIngress: input.allowedCidrs.map((cidr) => ({
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            CidrIp: cidr,
            Description: 'SSH',
          })),
        },
      },
      [BASTION.instance]: {
        Type: 'AWS::EC2::Instance',
        Properties: {
          ImageId: AMAZON_LINUX_AMI,
          InstanceType: BASTION_INSTANCE_TYPE,
          KeyName: ref(BASTION.keyPair),
          SubnetId: input.subnetId,
          SecurityGroupIds: [getAtt(BASTION.sshSecurityGroup, 'GroupId'), input.bastionSecurityGroupId],
          // IMDSv2 only.
          MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
          Tags: [{ Key: 'Name', Value: `tinystacks-${input.stageName}-bastion` }],
        },
      },
    },
    Outputs: {
      [BASTION_OUTPUTS.host]: { Value: getAtt(BASTION.instance, 'PublicDnsName') },
      [BASTION_OUTPUTS.publicIp]: { Value: getAtt(BASTION.instance, 'PublicIp') },
      [BASTION_OUTPUTS.instanceId]: { Value: ref(BASTION.instance) },
      [BASTION_OUTPUTS.keyPairId]: { Value: getAtt(BASTION.keyPair, 'KeyPairId') },
    },
  };
}
