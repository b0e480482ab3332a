import { getAtt, ref } from './intrinsics';
import { NETWORK } from './network';
import type { Upstream } from './upstream';

export const SERVICE_DISCOVERY = {
  namespace: 'ServiceNamespace',
  service: 'ServiceDiscoveryService',
} as const;

export interface ServiceDiscoveryInput {
  /** DNS-safe stage prefix; the namespace is private to the stage's VPC. */
  dnsPrefix: string;
}

/**
 * Without a load balancer, the HTTP API reaches the tasks through Cloud Map. API Gateway needs SRV
 * records (they carry the port) to integrate with a Cloud Map service.
 */
export function serviceDiscovery({ dnsPrefix }: ServiceDiscoveryInput): Upstream {
  return {
    fragment: {
      Resources: {
        [SERVICE_DISCOVERY.namespace]: {
          Type: 'AWS::ServiceDiscovery::PrivateDnsNamespace',
          Properties: { Name: `${dnsPrefix}.internal`, Vpc: ref(NETWORK.vpc) },
        },
        [SERVICE_DISCOVERY.service]: {
          Type: 'AWS::ServiceDiscovery::Service',
          Properties: {
            Name: 'app',
            NamespaceId: ref(SERVICE_DISCOVERY.namespace),
            DnsConfig: {
              DnsRecords: [{ Type: 'SRV', TTL: 10 }],
              RoutingPolicy: 'MULTIVALUE',
            },
            HealthCheckCustomConfig: { FailureThreshold: 1 },
          },
        },
      },
    },
    integrationUri: getAtt(SERVICE_DISCOVERY.service, 'Arn'),
    ingressSecurityGroup: NETWORK.entryPointSecurityGroup,
    attachment: { kind: 'cloudMap', registryArn: getAtt(SERVICE_DISCOVERY.service, 'Arn') },
  };
}
