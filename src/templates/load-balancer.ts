import { getAtt, ref } from './intrinsics';
import { elbName } from './names';
import { NETWORK } from './network';
import { STAGE_OUTPUTS } from './outputs';
import type { Upstream } from './upstream';

export const LOAD_BALANCER = {
  loadBalancer: 'LoadBalancer',
  securityGroup: 'LoadBalancerSecurityGroup',
  targetGroup: 'TargetGroup',
  listener: 'Listener',
} as const;

const LISTENER_PORT = 80;

export interface LoadBalancerInput {
  stackId: string;
  stageName: string;
  prefix: string;
  port: number;
  /** What the target group asks each task for; a 2xx or 3xx answer is healthy. */
  healthCheckPath: string;
}

/**
 * An internal ALB behind the HTTP API's VPC link: API Gateway stays the only public entry point,
 * and the ALB adds health-checked routing across tasks.
 */
export function loadBalancer(input: LoadBalancerInput): Upstream {
  const { stackId, stageName, prefix, port } = input;
  return {
    fragment: {
      Resources: {
        [LOAD_BALANCER.securityGroup]: {
          Type: 'AWS::EC2::SecurityGroup',
          Properties: {
            GroupDescription: `${prefix} load balancer`,
            VpcId: ref(NETWORK.vpc),
            SecurityGroupIngress: [
              {
                IpProtocol: 'tcp',
                FromPort: LISTENER_PORT,
                ToPort: LISTENER_PORT,
                SourceSecurityGroupId: getAtt(NETWORK.entryPointSecurityGroup, 'GroupId'),
                Description: 'HTTP from the API Gateway VPC link',
              },
            ],
          },
        },
        [LOAD_BALANCER.loadBalancer]: {
          Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
          Properties: {
            Name: elbName(stageName, stackId, stageName),
            Type: 'application',
            Scheme: 'internal',
            Subnets: NETWORK.publicSubnets.map(ref),
            SecurityGroups: [getAtt(LOAD_BALANCER.securityGroup, 'GroupId')],
          },
        },
        [LOAD_BALANCER.targetGroup]: {
          Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
          Properties: {
            // The port is part of the name: changing it replaces the target group, and a
            // replacement cannot reuse the name of the group it replaces.
            Name: elbName(stageName, stackId, stageName, port),
            TargetType: 'ip',
            Protocol: 'HTTP',
            Port: port,
            VpcId: ref(NETWORK.vpc),
            HealthCheckPath: input.healthCheckPath,
            HealthCheckIntervalSeconds: 30,
            HealthyThresholdCount: 2,
            UnhealthyThresholdCount: 3,
            Matcher: { HttpCode: '200-399' },
            // The 300 s default would hold every deploy for five minutes per replaced task.
            TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
          },
        },
        [LOAD_BALANCER.listener]: {
          Type: 'AWS::ElasticLoadBalancingV2::Listener',
          Properties: {
            LoadBalancerArn: ref(LOAD_BALANCER.loadBalancer),
            Port: LISTENER_PORT,
            Protocol: 'HTTP',
            DefaultActions: [{ Type: 'forward', TargetGroupArn: ref(LOAD_BALANCER.targetGroup) }],
          },
        },
      },
      Outputs: {
        [STAGE_OUTPUTS.loadBalancerDnsName]: { Value: getAtt(LOAD_BALANCER.loadBalancer, 'DNSName') },
      },
    },
    integrationUri: ref(LOAD_BALANCER.listener),
    ingressSecurityGroup: LOAD_BALANCER.securityGroup,
    attachment: {
      kind: 'loadBalancer',
      targetGroupArn: ref(LOAD_BALANCER.targetGroup),
      // ECS refuses a target group that no load balancer uses yet.
      dependsOn: LOAD_BALANCER.listener,
    },
  };
}
