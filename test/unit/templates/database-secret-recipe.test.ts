import { databaseStackName, ENGINE_SPECS, type Engine } from '../../../src/domain/database';
import { cfnStackNameOf } from '../../../src/domain/stage';
import { renderDatabaseTemplate, secretLogicalId } from '../../../src/templates/database';

/**
 * The README's recipe for finding a stage's database secret with the AWS CLI ("Databases, read
 * replicas and bastions"):
 *
 *   aws secretsmanager list-secrets --region us-east-1 \
 *     --filters Key=tag-key,Values=tinystacks:stack Key=tag-value,Values=shop \
 *     | jq '.SecretList[] | select(any(.Tags[]; .Key == "tinystacks:stack" and .Value == "shop"))
 *           | select(.Name | startswith("dev/")) | {Name, ARN}'
 *
 * run here against the secrets the database templates create, tagged as CloudFormation tags them.
 * Secrets Manager's filters are case-sensitive prefix matches (API reference, Filter), ANDed: hence
 * the exact match in jq, so `shop` does not find `shop2`'s secrets.
 */
interface ListedSecret {
  Name: string;
  Tags: { Key: string; Value: string }[];
}

function secretOf(stackName: string, stackId: string, stageName: string, engine: Engine): ListedSecret {
  const template = renderDatabaseTemplate({
    stackId,
    stackName,
    stageName,
    engine,
    shape: 'managed',
    instanceClass: ENGINE_SPECS[engine].defaultInstanceClass,
    storageGb: ENGINE_SPECS[engine].defaultStorageGb,
    passwordVersion: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    network: { vpcId: 'vpc-1', privateSubnetIds: ['subnet-1', 'subnet-2'], clientSecurityGroupIds: ['sg-1'] },
  });
  const logicalId = secretLogicalId(stageName, engine);
  const properties = template.Resources[logicalId]!.Properties as unknown as ListedSecret;
  const cfnStackName = databaseStackName(cfnStackNameOf(stackId, stageName), engine);
  return {
    Name: properties.Name,
    // What CloudFormation adds to every resource it creates, beside the template's own tags.
    Tags: [
      ...properties.Tags,
      { Key: 'aws:cloudformation:stack-name', Value: cfnStackName },
      { Key: 'aws:cloudformation:logical-id', Value: logicalId },
    ],
  };
}

/** The recipe: `--filters` (prefix, case-sensitive, ANDed), then the jq selection. */
function recipe(secrets: ListedSecret[], stackName: string, stageName: string): string[] {
  const filtered = secrets.filter(
    (s) =>
      s.Tags.some((t) => t.Key.startsWith('tinystacks:stack')) &&
      s.Tags.some((t) => t.Value.startsWith(stackName)),
  );
  return filtered
    .filter((s) => s.Tags.some((t) => t.Key === 'tinystacks:stack' && t.Value === stackName))
    .filter((s) => s.Name.startsWith(`${stageName}/`))
    .map((s) => s.Name);
}

describe('the README’s recipe for finding a stage’s database secret', () => {
  const shop = 'stk_01hx3k9d0q7s8y4w2v6t5r1p0n';
  const shop2 = 'stk_01hx3k9d0q7s8y4w2v6t5r1p0p';
  const secrets = [
    secretOf('shop', shop, 'dev', 'postgres'),
    secretOf('shop', shop, 'dev', 'mysql'),
    secretOf('shop', shop, 'staging', 'postgres'),
    secretOf('shop2', shop2, 'dev', 'postgres'),
  ];

  test('finds exactly the stack’s secrets of that stage, one per engine', () => {
    // Act
    const found = recipe(secrets, 'shop', 'dev');

    // Assess
    expect(found).toEqual([secrets[0]!.Name, secrets[1]!.Name]);
    expect(found.every((name) => name.startsWith(`dev/tinystacks/${shop}/`))).toBe(true);
  });

  test('another stage and another stack whose name starts the same are not found', () => {
    // Act
    const staging = recipe(secrets, 'shop', 'staging');
    const other = recipe(secrets, 'shop2', 'dev');

    // Assess
    expect(staging).toEqual([secrets[2]!.Name]);
    expect(other).toEqual([secrets[3]!.Name]);
  });
});
