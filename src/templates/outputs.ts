/** Output keys of the stage stack; workflows read the stack outputs by these names. */
export const STAGE_OUTPUTS = {
  url: 'StageUrl',
  clusterName: 'ClusterName',
  serviceName: 'ServiceName',
  appLogGroupName: 'AppLogGroupName',
  accessLogGroupName: 'AccessLogGroupName',
  vpcId: 'VpcId',
  /** Comma-joined; where databases go. */
  privateSubnetIds: 'PrivateSubnetIds',
  /** Comma-joined; where a bastion host goes. */
  publicSubnetIds: 'PublicSubnetIds',
  serviceSecurityGroupId: 'ServiceSecurityGroupId',
  /** The group a bastion host joins; databases let it in (src/templates/database.ts). */
  bastionSecurityGroupId: 'BastionSecurityGroupId',
  /** Only when the stage has a load balancer. */
  loadBalancerDnsName: 'LoadBalancerDnsName',
} as const;

export type StageOutputKey = (typeof STAGE_OUTPUTS)[keyof typeof STAGE_OUTPUTS];
