/**
 * What the platform is configured with: read from the environment on AWS (aws/settings.ts,
 * aws/pipeline-settings.ts), from the options of `npm start` on the embedded runtime.
 */

export interface ApiSettings {
  /** On AWS every stack needs a verified role; the embedded runtime simulates one when none is given. */
  requireRoleArn: boolean;
  simulatedRoleArn: string;
  /** The principal customers trust in their role (the state machines' execution role). */
  platformPrincipalArn: string;
  /** The principal that checks a role's external id at registration (the API's role). */
  verifierPrincipalArn: string;
  eventBusArn: string;
  defaultImageUri: string;
}

/** Where the pipeline features find their configuration (environment on AWS, options locally). */
export interface PipelineSettings {
  /** The API's public base URL, for webhook URLs and approval links. */
  publicApiUrl: string;
  /** Prefix of the platform's secrets: `<prefix>/webhooks/<stackId>`. */
  secretPrefix: string;
  /** The secret holding the key approval links are signed with. */
  linkKeySecretName: string;
  /** The secret holding `{ "signingSecret": … }` of the platform's Slack app. */
  slackSecretName: string;
  approvalTimeoutSeconds: number;
}
