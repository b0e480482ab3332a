import { getAtt, ref, sub } from './intrinsics';
import { LOGS } from './logs';
import { NETWORK } from './network';
import { STAGE_OUTPUTS } from './outputs';
import type { CfnValue, TemplateFragment } from './types';

export const ENTRY_POINT = {
  api: 'HttpApi',
  stage: 'HttpApiStage',
  vpcLink: 'VpcLink',
  integration: 'HttpApiIntegration',
  route: 'HttpApiRoute',
} as const;

/** Common Log Format, extended with the request id to find a request in the app's logs. */
export const ACCESS_LOG_FORMAT =
  '$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.path $context.protocol" ' +
  '$context.status $context.responseLength $context.requestId $context.integrationLatency';

export interface EntryPointInput {
  apiName: string;
  prefix: string;
  origins: string[];
  /** Cloud Map service ARN or ALB listener ARN, reached through the VPC link. */
  integrationUri: CfnValue;
}

/**
 * The stage's only public entry point: an HTTP API that forwards every request, through a VPC
 * link, into the VPC. Its `$default` stage serves at the API's root URL.
 */
export function entryPoint({ apiName, prefix, origins, integrationUri }: EntryPointInput): TemplateFragment {
  const api: Record<string, CfnValue> = { Name: apiName, ProtocolType: 'HTTP' };
  if (origins.length > 0) {
    api.CorsConfiguration = {
      AllowOrigins: origins,
      AllowMethods: ['*'],
      AllowHeaders: ['*'],
      MaxAge: 300,
    };
  }
  return {
    Resources: {
      [ENTRY_POINT.api]: { Type: 'AWS::ApiGatewayV2::Api', Properties: api },
      [ENTRY_POINT.stage]: {
        Type: 'AWS::ApiGatewayV2::Stage',
        Properties: {
          ApiId: ref(ENTRY_POINT.api),
          StageName: '$default',
          AutoDeploy: true,
          AccessLogSettings: { DestinationArn: getAtt(LOGS.access, 'Arn'), Format: ACCESS_LOG_FORMAT },
        },
      },
      [ENTRY_POINT.vpcLink]: {
        Type: 'AWS::ApiGatewayV2::VpcLink',
        Properties: {
          Name: prefix,
          SubnetIds: NETWORK.publicSubnets.map(ref),
          SecurityGroupIds: [getAtt(NETWORK.entryPointSecurityGroup, 'GroupId')],
        },
      },
      [ENTRY_POINT.integration]: {
        Type: 'AWS::ApiGatewayV2::Integration',
        Properties: {
          ApiId: ref(ENTRY_POINT.api),
          IntegrationType: 'HTTP_PROXY',
          IntegrationMethod: 'ANY',
          IntegrationUri: integrationUri,
          ConnectionType: 'VPC_LINK',
          ConnectionId: ref(ENTRY_POINT.vpcLink),
          PayloadFormatVersion: '1.0',
        },
      },
      [ENTRY_POINT.route]: {
        Type: 'AWS::ApiGatewayV2::Route',
        Properties: {
          ApiId: ref(ENTRY_POINT.api),
          RouteKey: '$default',
          Target: sub(`integrations/\${${ENTRY_POINT.integration}}`),
        },
      },
    },
    Outputs: {
      [STAGE_OUTPUTS.url]: { Value: getAtt(ENTRY_POINT.api, 'ApiEndpoint') },
    },
  };
}
