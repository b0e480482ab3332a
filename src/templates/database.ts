import { ENGINE_SPECS, logicalIdPart, type Engine } from '../domain/database';
import { getAtt, ref, sub } from './intrinsics';
import { shortHash } from './names';
import type { CfnResource, CfnTemplate, CfnValue } from './types';

/** Output keys of a database stack; RecordDatabaseReady reads them. */
export const DATABASE_OUTPUTS = {
  endpoint: 'Endpoint',
  port: 'Port',
  secretArn: 'SecretArn',
  instanceArn: 'InstanceArn',
  securityGroupId: 'SecurityGroupId',
} as const;

export const DATABASE = {
  securityGroup: 'DatabaseSecurityGroup',
  subnetGroup: 'DatabaseSubnetGroup',
  instance: 'Database',
  secretAttachment: 'DatabaseSecretAttachment',
} as const;

/** 40 letters and digits: about 238 bits, under MySQL's 41-character limit, safe in any URL or shell. */
export const PASSWORD_LENGTH = 40;

export interface DatabaseNetwork {
  vpcId: string;
  privateSubnetIds: string[];
  /** The stage's service security group, and its bastion group: the only ones let in. */
  clientSecurityGroupIds: string[];
}

export interface DatabaseTemplateInput {
  stackId: string;
  stackName: string;
  stageName: string;
  engine: Engine;
  /**
   * managed: a new instance with its own generated secret; replica: an RDS read replica of
   * `replica.sourceArn`; promoted: a former replica, now standalone with a secret of its own.
   */
  shape: 'managed' | 'replica' | 'promoted';
  instanceClass: string;
  storageGb?: number;
  /** Bumped by "Change Password": a new secret version, and the instance takes the new password. */
  passwordVersion: number;
  /** When the database record was created: keeps the secret's name unique across re-creations. */
  createdAt: string;
  network: DatabaseNetwork;
  /** replica and promoted: where the source is. */
  replica?: { sourceArn: string; sourceRegion: string; region: string };
}

/**
 * The secret's logical id names the stage and the engine, as the docs show ("dev…postgresSecret…"):
 * CloudFormation tags the secret with it (aws:cloudformation:logical-id).
 */
export function secretLogicalId(stageName: string, engine: Engine): string {
  return `${logicalIdPart(stageName)}${engine}Secret`;
}

/** Starts with the stage name, as the docs say, so `select(.Name|test("^dev"))` finds it. */
export function secretName(
  input: Pick<DatabaseTemplateInput, 'stageName' | 'stackId' | 'engine' | 'createdAt'>,
) {
  return `${input.stageName}/tinystacks/${input.stackId}/${input.engine}-${shortHash(input.createdAt)}`;
}

/** CloudFormation resolves it when it creates or updates the resource; the template never holds the value. */
const passwordReference = (secretId: string): CfnValue =>
  sub(`{{resolve:secretsmanager:\${${secretId}}:SecretString:password}}`);

function secret(input: DatabaseTemplateInput): CfnResource {
  const username = ENGINE_SPECS[input.engine].username;
  // An RDS final snapshot holds the users and their password hashes: its secret is kept with it,
  // or the restored database could not be logged into. A restored Redis snapshot gets a new AUTH
  // token, so a Redis secret goes with its stack.
  const policy = input.engine === 'redis' ? 'Delete' : 'Retain';
  return {
    Type: 'AWS::SecretsManager::Secret',
    DeletionPolicy: policy,
    UpdateReplacePolicy: policy,
    Properties: {
      Name: secretName(input),
      Description: `TinyStacks stack ${input.stackName} (${input.stackId}), stage ${input.stageName}: ${input.engine} credentials`,
      GenerateSecretString: {
        // Changing the template makes Secrets Manager generate a new version: "Change Password".
        SecretStringTemplate: JSON.stringify({
          ...(username ? { username } : {}),
          passwordVersion: String(input.passwordVersion),
        }),
        GenerateStringKey: 'password',
        PasswordLength: PASSWORD_LENGTH,
        // Letters and digits only: RDS refuses / " @ and spaces, ElastiCache more, URLs and shells others.
        ExcludePunctuation: true,
        IncludeSpace: false,
      },
      Tags: [
        { Key: 'tinystacks:stack', Value: input.stackName },
        { Key: 'tinystacks:stack-id', Value: input.stackId },
        { Key: 'tinystacks:stage', Value: input.stageName },
        { Key: 'tinystacks:engine', Value: input.engine },
      ],
    },
  };
}

function securityGroup(input: DatabaseTemplateInput): CfnResource {
  const port = ENGINE_SPECS[input.engine].port;
  return {
    Type: 'AWS::EC2::SecurityGroup',
    Properties: {
      // EC2 allows only a-zA-Z0-9. _-:/()#,@[]+=&;{}!$* here (no apostrophe).
      GroupDescription: `TinyStacks ${input.stageName} ${input.engine}: from the service and bastion of the stage only`,
      VpcId: input.network.vpcId,
      SecurityGroupIngress: input.network.clientSecurityGroupIds.map((groupId) => ({
        IpProtocol: 'tcp',
        FromPort: port,
        ToPort: port,
        SourceSecurityGroupId: groupId,
        Description: `${input.engine} from the stage`,
      })),
    },
  };
}

const passwordVersionTag = (input: DatabaseTemplateInput) => ({
  Key: 'tinystacks:password-version',
  Value: String(input.passwordVersion),
});

/**
 * RDS for Postgres or MySQL. The password comes from the secret through a dynamic reference; the
 * password-version tag changes with "Change Password", which makes CloudFormation update the
 * instance, re-resolve the reference, and send the new password (ModifyDBInstance).
 */
function rdsInstance(input: DatabaseTemplateInput, secretId: string | undefined): CfnResource {
  const spec = ENGINE_SPECS[input.engine];
  const common: Record<string, CfnValue> = {
    DBInstanceClass: input.instanceClass,
    DBSubnetGroupName: ref(DATABASE.subnetGroup),
    VPCSecurityGroups: [getAtt(DATABASE.securityGroup, 'GroupId')],
    PubliclyAccessible: false,
    CopyTagsToSnapshot: true,
  };
  if (input.shape === 'managed') {
    return {
      Type: 'AWS::RDS::DBInstance',
      // A deleted database leaves a final snapshot behind, and so does a replacement.
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Properties: {
        ...common,
        StorageEncrypted: true,
        Engine: input.engine,
        DBName: spec.databaseName,
        Port: String(spec.port),
        AllocatedStorage: String(input.storageGb ?? spec.defaultStorageGb),
        StorageType: 'gp3',
        MasterUsername: spec.username!,
        MasterUserPassword: passwordReference(secretId!),
        BackupRetentionPeriod: 7,
        Tags: [passwordVersionTag(input)],
      },
    };
  }
  const replica = input.replica!;
  // A replica inherits its encryption from the source: StorageEncrypted must not be given with
  // SourceDBInstanceIdentifier (cfn-lint E3020), nor a KMS key in the source's region (RDS uses the
  // source's). Across regions RDS needs a key of the replica's region, since KMS keys are regional.
  // All three are create-only: kept exactly as they were after promotion, or the instance is replaced.
  const kept: Record<string, CfnValue> = {
    ...common,
    ...(replica.sourceRegion !== replica.region
      ? {
          SourceRegion: replica.sourceRegion,
          KmsKeyId: sub('arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/rds'),
        }
      : {}),
  };
  if (input.shape === 'replica') {
    return {
      Type: 'AWS::RDS::DBInstance',
      // RDS takes no final snapshot of a replica; its data is its source's.
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: { ...kept, SourceDBInstanceIdentifier: replica.sourceArn },
    };
  }
  // Promoted: CloudFormation promotes a replica when SourceDBInstanceIdentifier leaves the template.
  // MasterUsername and DBName stay out (both would replace the instance): they are the source's.
  return {
    Type: 'AWS::RDS::DBInstance',
    DeletionPolicy: 'Snapshot',
    UpdateReplacePolicy: 'Snapshot',
    Properties: {
      ...kept,
      MasterUserPassword: passwordReference(secretId!),
      BackupRetentionPeriod: 7,
      Tags: [passwordVersionTag(input)],
    },
  };
}

/** ElastiCache for Redis: one encrypted node, AUTH token from the secret (AUTH needs TLS in transit). */
function redis(input: DatabaseTemplateInput, secretId: string): Record<string, CfnResource> {
  return {
    [DATABASE.subnetGroup]: {
      Type: 'AWS::ElastiCache::SubnetGroup',
      Properties: {
        Description: `TinyStacks ${input.stageName} redis`,
        SubnetIds: input.network.privateSubnetIds,
      },
    },
    [DATABASE.instance]: {
      Type: 'AWS::ElastiCache::ReplicationGroup',
      // A deleted (or replaced) cache leaves a final snapshot, like an RDS database.
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Properties: {
        ReplicationGroupDescription: `TinyStacks stack ${input.stackName}, stage ${input.stageName}`,
        Engine: 'redis',
        CacheNodeType: input.instanceClass,
        NumCacheClusters: 1,
        AutomaticFailoverEnabled: false,
        Port: ENGINE_SPECS.redis.port,
        CacheSubnetGroupName: ref(DATABASE.subnetGroup),
        SecurityGroupIds: [getAtt(DATABASE.securityGroup, 'GroupId')],
        AtRestEncryptionEnabled: true,
        TransitEncryptionEnabled: true,
        AuthToken: passwordReference(secretId),
        Tags: [passwordVersionTag(input)],
      },
    },
  };
}

/** The CloudFormation template of one database: `tinystacks-<stack>-<stage>-<engine>`. */
export function renderDatabaseTemplate(input: DatabaseTemplateInput): CfnTemplate {
  const secretId = input.shape === 'replica' ? undefined : secretLogicalId(input.stageName, input.engine);
  const resources: Record<string, CfnResource> = {
    [DATABASE.securityGroup]: securityGroup(input),
  };
  if (secretId) resources[secretId] = secret(input);

  if (input.engine === 'redis') {
    Object.assign(resources, redis(input, secretId!));
  } else {
    resources[DATABASE.subnetGroup] = {
      Type: 'AWS::RDS::DBSubnetGroup',
      Properties: {
        DBSubnetGroupDescription: `TinyStacks ${input.stageName} ${input.engine}`,
        SubnetIds: input.network.privateSubnetIds,
      },
    };
    resources[DATABASE.instance] = rdsInstance(input, secretId);
    if (secretId) {
      // Adds engine, host, port and dbname to the secret, so "View Secret" and the console show them.
      resources[DATABASE.secretAttachment] = {
        Type: 'AWS::SecretsManager::SecretTargetAttachment',
        Properties: {
          SecretId: ref(secretId),
          TargetId: ref(DATABASE.instance),
          TargetType: 'AWS::RDS::DBInstance',
        },
      };
    }
  }

  const endpoint = input.engine === 'redis' ? 'PrimaryEndPoint' : 'Endpoint';
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `TinyStacks ${input.engine} ${input.shape === 'replica' ? 'read replica' : 'database'} of stage ${input.stageName}, stack ${input.stackName} (${input.stackId})`,
    Resources: resources,
    Outputs: {
      [DATABASE_OUTPUTS.endpoint]: { Value: getAtt(DATABASE.instance, `${endpoint}.Address`) },
      [DATABASE_OUTPUTS.port]: { Value: getAtt(DATABASE.instance, `${endpoint}.Port`) },
      [DATABASE_OUTPUTS.securityGroupId]: { Value: getAtt(DATABASE.securityGroup, 'GroupId') },
      ...(secretId ? { [DATABASE_OUTPUTS.secretArn]: { Value: ref(secretId) } } : {}),
      ...(input.engine === 'redis'
        ? {}
        : { [DATABASE_OUTPUTS.instanceArn]: { Value: getAtt(DATABASE.instance, 'DBInstanceArn') } }),
    },
  };
}
