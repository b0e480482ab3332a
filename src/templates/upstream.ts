import type { CfnValue, TemplateFragment } from './types';

/** How the ECS service joins the thing the entry point forwards to. */
export type ServiceAttachment =
  | { kind: 'cloudMap'; registryArn: CfnValue }
  | { kind: 'loadBalancer'; targetGroupArn: CfnValue; dependsOn: string };

/**
 * What sits between the API Gateway VPC link and the containers: a Cloud Map service (cheapest) or
 * an internal Application Load Balancer. Both plug into the template the same way.
 */
export interface Upstream {
  fragment: TemplateFragment;
  /** What the HTTP API integration points at through the VPC link. */
  integrationUri: CfnValue;
  /** Logical id of the security group allowed to reach the containers. */
  ingressSecurityGroup: string;
  attachment: ServiceAttachment;
}
