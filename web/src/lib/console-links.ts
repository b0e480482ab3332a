/**
 * Stage Shortcut Links: where a stage's parts are in the AWS console of its region. The console's
 * URLs are not an API; these are the forms it uses today (CloudWatch Logs double-encodes the log
 * group in its fragment, `%` written `$25`).
 */
export interface StageLinkInput {
  region: string;
  cfnStackName: string;
  url: string | null;
  outputs: Record<string, string>;
}

export interface ShortcutLink {
  label: string;
  href: string;
}

const consoleBase = (region: string) => `https://${region}.console.aws.amazon.com`;

export function logGroupConsoleUrl(region: string, logGroupName: string): string {
  const encoded = encodeURIComponent(logGroupName).replace(/%/g, '$25');
  return `${consoleBase(region)}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${encoded}`;
}

export function stageShortcutLinks(stage: StageLinkInput): ShortcutLink[] {
  const { region, outputs } = stage;
  const links: ShortcutLink[] = [];
  if (stage.url) links.push({ label: 'The stage’s URL', href: stage.url });
  links.push({
    label: 'CloudFormation stack',
    href: `${consoleBase(region)}/cloudformation/home?region=${region}#/stacks/stackinfo?stackId=${encodeURIComponent(stage.cfnStackName)}`,
  });
  if (outputs.ClusterName && outputs.ServiceName) {
    links.push({
      label: 'ECS service',
      href: `${consoleBase(region)}/ecs/v2/clusters/${encodeURIComponent(outputs.ClusterName)}/services/${encodeURIComponent(outputs.ServiceName)}/health?region=${region}`,
    });
  }
  if (outputs.AppLogGroupName)
    links.push({ label: 'Application log', href: logGroupConsoleUrl(region, outputs.AppLogGroupName) });
  if (outputs.AccessLogGroupName)
    links.push({ label: 'Access log', href: logGroupConsoleUrl(region, outputs.AccessLogGroupName) });
  return links;
}
