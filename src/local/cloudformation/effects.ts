/**
 * What some simulated resources do besides existing, so that the rest of the backend finds what it
 * would on AWS: a secret's generated password (Secrets Manager), a key pair's private key (SSM
 * Parameter Store at /ec2/keypair/<id>), the password a database took from a dynamic reference, a
 * final snapshot. Kept in a file under the data folder when given one, like the simulated stacks.
 */
import { generateKeyPairSync, randomInt } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { readJson, writeJsonAtomic } from '../state-files';
import { partitionOf, type KnownResource } from './physical';

export interface EffectResource {
  logicalId: string;
  type: string;
  physicalId: string;
  properties: Record<string, unknown>;
  attributes: Record<string, unknown>;
  deletionPolicy?: string;
}

export interface EffectContext {
  region: string;
  /** The resource before this update, if it is one. */
  previous?: Pick<EffectResource, 'properties' | 'attributes' | 'physicalId'>;
  findResource: (physicalIdOrArn: string) => KnownResource | undefined;
}

export interface ResourceEffects {
  /** Runs once a resource's ids are known; a returned reason fails the resource, as AWS would. */
  provisioned(resource: EffectResource, context: EffectContext): string | undefined;
  /** Why the resource cannot be deleted now, as its service would answer; undefined if it can. */
  deletionFailure?(resource: EffectResource): string | undefined;
  /** Runs when a resource is deleted (a stack deletion, a rollback, an update's cleanup). */
  deleted(resource: EffectResource): void;
}

/** Docker's names for the CPU architectures of images and tasks. */
export type ImageArchitecture = 'amd64' | 'arm64';

/** What a simulated build reads from its pipeline's stack: where artifacts and the image go. */
interface BuildSetup {
  artifactBucket?: string;
  project?: string;
}

/** What a build project makes: images for one architecture, pushed to a repository. */
interface BuildProject {
  architecture: ImageArchitecture;
  repositoryUri?: string;
}

/** What ECR holds to an image push and a repository's deletion. */
interface ImageRepository {
  /** `IMMUTABLE`: a tag, once pushed, cannot be pushed again (ECR's ImageTagAlreadyExistsException). */
  immutable: boolean;
  /** CloudFormation deletes the images with the repository; without it a repository with images stays. */
  emptyOnDelete: boolean;
}

/** Secrets Manager of the simulated accounts: secret values by ARN (one version: the current one). */
export class LocalSecretStore {
  constructor(
    private readonly onChange: () => void = () => {},
    private readonly values = new Map<string, string>(),
    private readonly names = new Map<string, string>(),
  ) {}

  put(arn: string, name: string, value: string): void {
    this.values.set(arn, value);
    this.names.set(name, arn);
    this.onChange();
  }

  /** By ARN, or by name like `{{resolve:secretsmanager:name}}`. */
  get(arnOrName: string): string | undefined {
    return this.values.get(arnOrName) ?? this.values.get(this.names.get(arnOrName) ?? '');
  }

  arnOf(arnOrName: string): string | undefined {
    if (this.values.has(arnOrName)) return arnOrName;
    return this.names.get(arnOrName);
  }

  delete(arn: string): void {
    this.values.delete(arn);
    for (const [name, value] of this.names) if (value === arn) this.names.delete(name);
    this.onChange();
  }

  toJSON() {
    return { values: [...this.values], names: [...this.names] };
  }
}

/** SSM Parameter Store of the simulated accounts, by region and name. */
export class LocalParameterStore {
  constructor(
    private readonly onChange: () => void = () => {},
    private readonly values = new Map<string, string>(),
  ) {}

  put(region: string, name: string, value: string): void {
    this.values.set(`${region}|${name}`, value);
    this.onChange();
  }

  get(region: string, name: string): string | undefined {
    return this.values.get(`${region}|${name}`);
  }

  delete(region: string, name: string): void {
    this.values.delete(`${region}|${name}`);
    this.onChange();
  }

  toJSON() {
    return [...this.values];
  }
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** Secrets Manager's GetRandomPassword, with the options GenerateSecretString takes. */
export function generatePassword(options: Record<string, unknown>): string {
  const length = typeof options.PasswordLength === 'number' ? options.PasswordLength : 32;
  const exclude = typeof options.ExcludeCharacters === 'string' ? options.ExcludeCharacters : '';
  let alphabet =
    (options.ExcludeUppercase ? '' : LETTERS.slice(0, 26)) +
    (options.ExcludeLowercase ? '' : LETTERS.slice(26)) +
    (options.ExcludeNumbers ? '' : DIGITS) +
    (options.ExcludePunctuation ? '' : PUNCTUATION) +
    (options.IncludeSpace ? ' ' : '');
  alphabet = [...alphabet].filter((c) => !exclude.includes(c)).join('');
  let password = '';
  for (let i = 0; i < length; i++) password += alphabet[randomInt(alphabet.length)];
  return password;
}

const DYNAMIC_SECRET = /\{\{resolve:secretsmanager:(.+?)(?::SecretString:([^:}]*)(?::[^}]*)?)?\}\}/g;
const DYNAMIC_SSM = /\{\{resolve:ssm(?:-secure)?:([^:}]+)(?::\d+)?\}\}/g;

/** What the simulated services hold, as written to the data folder. */
interface StoredServices {
  secrets: { values: [string, string][]; names: [string, string][] };
  parameters: [string, string][];
  databasePasswords: [string, string][];
  snapshots: { instance: string; snapshot: string; at: string }[];
  bucketObjects?: [string, number][];
  images?: [string, ImageArchitecture[]][];
  pipelines?: [string, BuildSetup][];
  buildProjects?: [string, BuildProject][];
  repositories?: [string, ImageRepository][];
  keyPairRegions: [string, string[]][];
}

/**
 * The simulated services behind the resources that have effects. `databasePasswords` holds what
 * each simulated database instance (RDS or ElastiCache) was last told its password is, so tests can
 * check that "Change Password" really reached the database. With a file, everything is read from
 * it at start and written back (atomically) after every resource's effect that changed something,
 * before the stack's next status is written.
 */
export class SimulatedServices implements ResourceEffects {
  readonly secrets: LocalSecretStore;
  readonly parameters: LocalParameterStore;
  readonly databasePasswords: Map<string, string>;
  /** Final snapshots taken on deletion (DeletionPolicy: Snapshot), by instance. */
  readonly snapshots: { instance: string; snapshot: string; at: string }[];
  /** Objects in each S3 bucket: what a pipeline run leaves in its artifact bucket. */
  readonly bucketObjects: Map<string, number>;
  /** Image URI → the architectures its manifest holds. Images not here (public ones) run anywhere. */
  readonly images: Map<string, ImageArchitecture[]>;
  private readonly pipelines: Map<string, BuildSetup>;
  private readonly buildProjects: Map<string, BuildProject>;
  /** ECR repositories by URI. */
  private readonly repositories: Map<string, ImageRepository>;
  private readonly keyPairRegions: Map<string, string[]>;
  private changed = false;

  constructor(private readonly file?: string) {
    const stored = file ? readJson<StoredServices>(file) : undefined;
    const changed = () => {
      this.changed = true;
    };
    this.secrets = new LocalSecretStore(
      changed,
      new Map(stored?.secrets.values),
      new Map(stored?.secrets.names),
    );
    this.parameters = new LocalParameterStore(changed, new Map(stored?.parameters));
    this.databasePasswords = new Map(stored?.databasePasswords);
    this.snapshots = stored?.snapshots ?? [];
    this.bucketObjects = new Map(stored?.bucketObjects);
    this.images = new Map(stored?.images);
    this.pipelines = new Map(stored?.pipelines);
    this.buildProjects = new Map(stored?.buildProjects);
    this.repositories = new Map(stored?.repositories);
    this.keyPairRegions = new Map(stored?.keyPairRegions);
  }

  /**
   * A pipeline run: the source and build artifacts land in the pipeline's artifact bucket and, when
   * the build succeeds, `<repository>:<commit>` is pushed for the build environment's architecture.
   * Returns the image URI, or undefined when the pipeline's stack is unknown here.
   */
  recordBuild(pipelineName: string, commit: string, succeeded: boolean): string | undefined {
    const setup = this.pipelines.get(pipelineName);
    if (!setup) return undefined;
    this.changed = true;
    try {
      if (setup.artifactBucket) {
        const artifacts = succeeded ? 2 : 1;
        this.bucketObjects.set(
          setup.artifactBucket,
          (this.bucketObjects.get(setup.artifactBucket) ?? 0) + artifacts,
        );
      }
      const project = setup.project ? this.buildProjects.get(setup.project) : undefined;
      if (!succeeded || !project?.repositoryUri) return undefined;
      const image = `${project.repositoryUri}:${commit}`;
      this.images.set(image, [project.architecture]);
      return image;
    } finally {
      this.save();
    }
  }

  /**
   * Why the push of a build of `commit` fails, as ECR answers it: the tag is in an IMMUTABLE
   * repository already (CodeBuild's `docker push` exits 1, and the build fails). Undefined: it goes.
   */
  pushRefusal(pipelineName: string, commit: string): string | undefined {
    const setup = this.pipelines.get(pipelineName);
    const repositoryUri = setup?.project ? this.buildProjects.get(setup.project)?.repositoryUri : undefined;
    if (!repositoryUri || !this.repositories.get(repositoryUri)?.immutable) return undefined;
    if (!this.images.has(`${repositoryUri}:${commit}`)) return undefined;
    const name = repositoryUri.slice(repositoryUri.indexOf('/') + 1);
    return (
      'Error while executing command: docker push "$REPOSITORY_URI:$IMAGE_TAG". Reason: exit status 1: ' +
      `tag invalid: The image tag '${commit}' already exists in the '${name}' repository and cannot be ` +
      'overwritten because the repository is immutable. (ECR: ImageTagAlreadyExistsException)'
    );
  }

  /** The images `<repositoryUri>:<tag>` a repository holds. */
  imagesIn(repositoryUri: string): string[] {
    return [...this.images.keys()].filter((image) => image.startsWith(`${repositoryUri}:`));
  }

  provisioned(resource: EffectResource, context: EffectContext): string | undefined {
    try {
      return this.provision(resource, context);
    } finally {
      this.save();
    }
  }

  deleted(resource: EffectResource): void {
    try {
      this.delete(resource);
    } finally {
      this.save();
    }
  }

  /** Writes the services' state if a resource changed it (every effect below marks what it changes). */
  private save(): void {
    if (!this.changed) return;
    this.changed = false;
    if (!this.file) return;
    const stored: StoredServices = {
      secrets: this.secrets.toJSON(),
      parameters: this.parameters.toJSON(),
      databasePasswords: [...this.databasePasswords],
      snapshots: this.snapshots,
      bucketObjects: [...this.bucketObjects],
      images: [...this.images],
      pipelines: [...this.pipelines],
      buildProjects: [...this.buildProjects],
      repositories: [...this.repositories],
      keyPairRegions: [...this.keyPairRegions],
    };
    writeJsonAtomic(this.file, stored);
  }

  private provision(resource: EffectResource, context: EffectContext): string | undefined {
    const resolved = this.resolveDynamicReferences(resource.properties, context.region);
    if (typeof resolved === 'string') return resolved;
    switch (resource.type) {
      case 'AWS::SecretsManager::Secret':
        return this.secret(resource, context);
      case 'AWS::SecretsManager::SecretTargetAttachment':
        return this.attachment(resource, context);
      case 'AWS::EC2::KeyPair':
        return this.keyPair(resource, context);
      case 'AWS::RDS::DBInstance':
        return this.rdsInstance(resource, context, resolved);
      case 'AWS::ElastiCache::ReplicationGroup':
        if (resolved.AuthToken !== undefined)
          this.setDatabasePassword(resource.physicalId, resolved.AuthToken);
        return undefined;
      case 'AWS::CodeBuild::Project':
        this.buildProjects.set(resource.physicalId, buildProjectOf(resource.properties));
        this.changed = true;
        return undefined;
      case 'AWS::CodePipeline::Pipeline':
        this.pipelines.set(resource.physicalId, buildSetupOf(resource.properties));
        this.changed = true;
        return undefined;
      case 'AWS::ECR::Repository':
        this.repositories.set(repositoryUriOf(resource), {
          immutable: String(resource.properties.ImageTagMutability ?? 'MUTABLE').startsWith('IMMUTABLE'),
          emptyOnDelete: String(resource.properties.EmptyOnDelete) === 'true',
        });
        this.changed = true;
        return undefined;
      case 'AWS::ECS::Service':
        return this.ecsService(resource, context);
      default:
        return undefined;
    }
  }

  deletionFailure(resource: EffectResource): string | undefined {
    if (resource.type === 'AWS::S3::Bucket' && (this.bucketObjects.get(resource.physicalId) ?? 0) > 0) {
      return 'The bucket you tried to delete is not empty (Service: S3, Status Code: 409, Error Code: BucketNotEmpty)';
    }
    // ECR refuses to delete a repository that holds images, unless CloudFormation is told to empty it.
    if (
      resource.type === 'AWS::ECR::Repository' &&
      String(resource.properties.EmptyOnDelete) !== 'true' &&
      this.imagesIn(repositoryUriOf(resource)).length > 0
    ) {
      const account = String(resource.attributes.Arn).split(':')[4];
      return (
        `Resource handler returned message: "The repository with name '${resource.physicalId}' in registry with id '${account}' ` +
        'cannot be deleted because it still contains images (Service: Ecr, Status Code: 400, Error Code: RepositoryNotEmptyException)" ' +
        '(HandlerErrorCode: GeneralServiceException)'
      );
    }
    return undefined;
  }

  /**
   * Fargate pulls the image variant of the task's platform (X86_64 unless RuntimePlatform says
   * otherwise). An image built for another architecture only fails to pull, every task stops, and
   * the deployment circuit breaker fails the service, which is how CloudFormation sees it.
   */
  private ecsService(resource: EffectResource, context: EffectContext): string | undefined {
    const taskDefinition = context.findResource(String(resource.properties.TaskDefinition));
    if (!taskDefinition) return undefined;
    const platform = taskDefinition.properties.RuntimePlatform as { CpuArchitecture?: string } | undefined;
    const wanted: ImageArchitecture = platform?.CpuArchitecture === 'ARM64' ? 'arm64' : 'amd64';
    const containers = (taskDefinition.properties.ContainerDefinitions ?? []) as { Image?: string }[];
    for (const { Image: image } of containers) {
      const built = image === undefined ? undefined : this.images.get(image);
      if (built && !built.includes(wanted)) {
        return (
          `Resource handler returned message: "Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'. ` +
          `Tasks stopped: CannotPullContainerError: pull image manifest has been retried 7 time(s): image Manifest does not contain descriptor matching platform 'linux/${wanted}'" ` +
          '(HandlerErrorCode: GeneralServiceException)'
        );
      }
    }
    return undefined;
  }

  private delete(resource: EffectResource): void {
    switch (resource.type) {
      case 'AWS::SecretsManager::Secret':
        this.secrets.delete(resource.physicalId);
        break;
      case 'AWS::EC2::KeyPair':
        for (const region of this.keyPairRegions.get(resource.physicalId) ?? []) {
          this.parameters.delete(region, `/ec2/keypair/${String(resource.attributes.KeyPairId)}`);
        }
        this.keyPairRegions.delete(resource.physicalId);
        break;
      case 'AWS::CodeBuild::Project':
        this.changed ||= this.buildProjects.delete(resource.physicalId);
        break;
      case 'AWS::CodePipeline::Pipeline':
        this.changed ||= this.pipelines.delete(resource.physicalId);
        break;
      case 'AWS::S3::Bucket':
        this.changed ||= this.bucketObjects.delete(resource.physicalId);
        break;
      case 'AWS::ECR::Repository': {
        const uri = repositoryUriOf(resource);
        for (const image of this.imagesIn(uri)) this.images.delete(image);
        this.repositories.delete(uri);
        this.changed = true;
        break;
      }
      case 'AWS::RDS::DBInstance':
      case 'AWS::ElastiCache::ReplicationGroup':
        this.changed ||= this.databasePasswords.delete(resource.physicalId);
        if (resource.deletionPolicy === 'Snapshot') {
          this.changed = true;
          this.snapshots.push({
            instance: resource.physicalId,
            snapshot: `${resource.physicalId}-final-${Date.now()}`,
            at: new Date().toISOString(),
          });
        }
        break;
      default:
    }
  }

  /**
   * `{{resolve:secretsmanager:...}}` and `{{resolve:ssm:...}}` in string properties: the values the
   * resource receives. A missing secret or parameter fails the resource, as CloudFormation does.
   * Returns the resolved values by property name (top level), or the failure reason.
   */
  private resolveDynamicReferences(
    properties: Record<string, unknown>,
    region: string,
  ): Record<string, string> | string {
    const resolved: Record<string, string> = {};
    for (const [name, value] of Object.entries(properties)) {
      if (typeof value !== 'string' || !value.includes('{{resolve:')) continue;
      let failure: string | undefined;
      const text = value
        .replace(DYNAMIC_SECRET, (_match, id: string, key: string | undefined) => {
          const secret = this.secrets.get(id);
          if (secret === undefined) {
            failure = `Secrets Manager can't find the specified secret. (Service: AWSSecretsManager; Status Code: 400; Error Code: ResourceNotFoundException)`;
            return '';
          }
          if (!key) return secret;
          const field = (JSON.parse(secret) as Record<string, unknown>)[key];
          if (field === undefined) failure = `Could not find SecretString key ${key} in secret ${id}`;
          return String(field ?? '');
        })
        .replace(DYNAMIC_SSM, (_match, parameter: string) => {
          // AWS's public parameters (latest AMIs, ...) exist everywhere.
          if (parameter.startsWith('/aws/service/')) return `ami-0${simulatedHex(parameter + region, 16)}`;
          const found = this.parameters.get(region, parameter);
          if (found === undefined) failure = `Parameters: [${parameter}] cannot be found.`;
          return found ?? '';
        });
      if (failure) return failure;
      resolved[name] = text;
    }
    return resolved;
  }

  /** GenerateSecretString: a new password on creation, and whenever GenerateSecretString changes. */
  private secret(resource: EffectResource, context: EffectContext): string | undefined {
    const arn = resource.physicalId;
    const name = String(resource.properties.Name ?? arn);
    const generate = resource.properties.GenerateSecretString as Record<string, unknown> | undefined;
    const previous = context.previous;
    const unchanged =
      previous &&
      isDeepStrictEqual(previous.properties.GenerateSecretString, generate) &&
      this.secrets.get(arn);
    if (unchanged && previous.properties.SecretString === resource.properties.SecretString) return undefined;
    if (typeof resource.properties.SecretString === 'string') {
      this.secrets.put(arn, name, resource.properties.SecretString);
      return undefined;
    }
    if (!generate) {
      this.secrets.put(arn, name, '');
      return undefined;
    }
    const password = generatePassword(generate);
    if (typeof generate.SecretStringTemplate === 'string' && typeof generate.GenerateStringKey === 'string') {
      let template: Record<string, unknown>;
      try {
        template = JSON.parse(generate.SecretStringTemplate) as Record<string, unknown>;
      } catch {
        return 'SecretStringTemplate is not valid JSON';
      }
      this.secrets.put(arn, name, JSON.stringify({ ...template, [generate.GenerateStringKey]: password }));
    } else {
      this.secrets.put(arn, name, password);
    }
    return undefined;
  }

  /** Adds the database's engine, host, port and names to the secret's JSON, as AWS does. */
  private attachment(resource: EffectResource, context: EffectContext): string | undefined {
    const secretId = String(resource.properties.SecretId);
    const arn = this.secrets.arnOf(secretId);
    const current = arn ? this.secrets.get(arn) : undefined;
    if (!arn || current === undefined) return `Secrets Manager can't find the specified secret ${secretId}.`;
    const target = context.findResource(String(resource.properties.TargetId));
    if (!target) return `Target ${String(resource.properties.TargetId)} does not exist.`;
    const value = JSON.parse(current || '{}') as Record<string, unknown>;
    const engine = String(target.properties.Engine ?? this.engineOf(target, context) ?? '');
    Object.assign(value, {
      engine,
      host: target.attributes['Endpoint.Address'],
      port: Number(target.attributes['Endpoint.Port']),
      dbInstanceIdentifier: target.physicalId,
      ...(target.properties.DBName ? { dbname: target.properties.DBName } : {}),
    });
    this.secrets.put(arn, arn, JSON.stringify(value));
    return undefined;
  }

  private engineOf(target: KnownResource, context: EffectContext): string | undefined {
    const source = target.properties.SourceDBInstanceIdentifier;
    if (typeof source === 'string')
      return context.findResource(source)?.properties.Engine as string | undefined;
    return undefined;
  }

  /** A real key pair: AWS keeps the private key in Parameter Store at /ec2/keypair/<KeyPairId>. */
  private keyPair(resource: EffectResource, context: EffectContext): string | undefined {
    if (context.previous) return undefined;
    const keyPairId = String(resource.attributes.KeyPairId);
    const { privateKey } =
      resource.properties.KeyType === 'ed25519'
        ? generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' } } as never)
        : generateKeyPairSync('rsa', {
            modulusLength: 2048,
            publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
            privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
          });
    this.parameters.put(context.region, `/ec2/keypair/${keyPairId}`, String(privateKey));
    this.keyPairRegions.set(resource.physicalId, [context.region]);
    return undefined;
  }

  /**
   * An instance takes its MasterUserPassword when created or updated. A read replica starts with
   * its source's password; a replica's source must exist, and one in another region needs a KMS
   * key of the replica's region (RDS refuses otherwise). Removing SourceDBInstanceIdentifier
   * promotes the replica; its source is untouched.
   */
  private setDatabasePassword(instance: string, password: string): void {
    this.databasePasswords.set(instance, password);
    this.changed = true;
  }

  private rdsInstance(
    resource: EffectResource,
    context: EffectContext,
    resolved: Record<string, string>,
  ): string | undefined {
    const sourceId = resource.properties.SourceDBInstanceIdentifier;
    if (typeof sourceId === 'string' && !context.previous) {
      const source = context.findResource(sourceId);
      if (!source || source.type !== 'AWS::RDS::DBInstance') {
        return `DBInstanceNotFound: The source instance could not be found: ${sourceId}`;
      }
      const sourceRegion = regionOfArn(sourceId);
      const crossRegion = sourceRegion !== undefined && sourceRegion !== context.region;
      if (crossRegion && resource.properties.KmsKeyId === undefined) {
        return 'InvalidParameterCombination: Cross-region read replica of an encrypted instance requires a KmsKeyId of the destination region';
      }
      // RDS: "If you create an encrypted read replica in the same AWS Region as the source DB
      // instance, don't specify a value for this parameter": it always uses the source's key.
      if (!crossRegion && resource.properties.KmsKeyId !== undefined) {
        return "InvalidParameterCombination: A read replica in the source's region is encrypted with the source's KMS key: don't specify KmsKeyId";
      }
      const password = this.databasePasswords.get(source.physicalId);
      if (password !== undefined) this.setDatabasePassword(resource.physicalId, password);
    }
    if (resolved.MasterUserPassword !== undefined) {
      if (typeof sourceId === 'string') {
        return "InvalidParameterCombination: a read replica takes its source's master password";
      }
      this.setDatabasePassword(resource.physicalId, resolved.MasterUserPassword);
    }
    return undefined;
  }
}

/** CodeBuild's ARM_CONTAINER environments build arm64 images, the others amd64. */
function buildProjectOf(properties: Record<string, unknown>) {
  const environment = (properties.Environment ?? {}) as {
    Type?: string;
    EnvironmentVariables?: { Name?: string; Value?: string }[];
  };
  const architecture: ImageArchitecture = environment.Type?.startsWith('ARM') ? 'arm64' : 'amd64';
  const repositoryUri = environment.EnvironmentVariables?.find((v) => v.Name === 'REPOSITORY_URI')?.Value;
  return { architecture, repositoryUri };
}

/** From the repository's ARN (`arn:aws:ecr:<region>:<account>:repository/<name>`), which every simulated repository has. */
function repositoryUriOf(resource: EffectResource): string {
  const [, , , region = '', account = ''] = String(resource.attributes.Arn).split(':');
  return `${account}.dkr.ecr.${region}.${partitionOf(region).urlSuffix}/${resource.physicalId}`;
}

function buildSetupOf(properties: Record<string, unknown>): BuildSetup {
  const store = properties.ArtifactStore as { Location?: string } | undefined;
  const stages = (properties.Stages ?? []) as {
    Actions?: { ActionTypeId?: { Provider?: string }; Configuration?: { ProjectName?: string } }[];
  }[];
  const build = stages
    .flatMap((stage) => stage.Actions ?? [])
    .find((action) => action.ActionTypeId?.Provider === 'CodeBuild');
  return { artifactBucket: store?.Location, project: build?.Configuration?.ProjectName };
}

function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts[3] ? parts[3] : undefined;
}

function simulatedHex(seed: string, length: number): string {
  let out = '';
  let h = 0;
  for (let i = 0; out.length < length; i++) {
    h = (h * 31 + seed.charCodeAt(i % seed.length) + i) >>> 0;
    out += (h % 16).toString(16);
  }
  return out;
}
