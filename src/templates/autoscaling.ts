import type { StageScaling } from '../domain/scaling';
import { ref, sub } from './intrinsics';
import { SERVICE } from './service';
import type { TemplateFragment } from './types';

export const AUTOSCALING = {
  scalableTarget: 'ScalableTarget',
  cpuPolicy: 'CpuScalingPolicy',
} as const;

/**
 * Application Auto Scaling of the service's task count between `minCount` and `maxCount`, tracking
 * the tasks' average CPU. No RoleARN: Application Auto Scaling uses its service-linked role for ECS
 * (AWSServiceRoleForApplicationAutoScaling_ECSService), which it creates on first use; the
 * customer's role may create it (src/domain/customer-role.ts). The service's DesiredCount stays out
 * of the template on deploys that do not change `scaling` (src/templates/service.ts), so a redeploy
 * keeps the count the autoscaler chose.
 */
export function autoscaling(prefix: string, scaling: StageScaling): TemplateFragment {
  return {
    Resources: {
      [AUTOSCALING.scalableTarget]: {
        Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
        Properties: {
          ServiceNamespace: 'ecs',
          ScalableDimension: 'ecs:service:DesiredCount',
          // service/<cluster name>/<service name>, as Application Auto Scaling names an ECS service.
          ResourceId: sub(`service/\${${SERVICE.cluster}}/\${${SERVICE.service}.Name}`),
          MinCapacity: scaling.minCount,
          MaxCapacity: scaling.maxCount,
        },
      },
      [AUTOSCALING.cpuPolicy]: {
        Type: 'AWS::ApplicationAutoScaling::ScalingPolicy',
        Properties: {
          PolicyName: `${prefix}-cpu`,
          PolicyType: 'TargetTrackingScaling',
          ScalingTargetId: ref(AUTOSCALING.scalableTarget),
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: scaling.targetCpuPercent ?? 0,
            PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
            // Out quickly under load; in slowly, so a short lull does not stop tasks that are needed.
            ScaleOutCooldown: 60,
            ScaleInCooldown: 300,
          },
        },
      },
    },
  };
}
