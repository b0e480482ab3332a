import { ENGINE_SPECS, type Database } from './database';

/** The user Amazon Linux creates for the key pair's public key. */
export const BASTION_USER = 'ec2-user';
export const BASTION_INSTANCE_TYPE = 't4g.nano';
export const MAX_ALLOWED_CIDRS = 10;

export const BASTION_STATUSES = ['CREATING', 'AVAILABLE', 'DELETING', 'FAILED'] as const;
export type BastionStatus = (typeof BASTION_STATUSES)[number];

export interface Bastion {
  tenantId: string;
  stackId: string;
  stageName: string;
  status: BastionStatus;
  allowedCidrs: string[];
  cfnStackName: string;
  host?: string;
  instanceId?: string;
  /** The EC2 key pair's id; AWS keeps its private key in SSM at /ec2/keypair/<id>. */
  keyPairId?: string;
  lastOperationId: string;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

/** The bastion's CloudFormation stack: `tinystacks-<stack>-<stage>-bastion`. */
export function bastionStackName(stageCfnStackName: string): string {
  return `${stageCfnStackName}-bastion`;
}

/** Where AWS keeps the private key of a key pair that CloudFormation created. */
export function keyPairParameterName(keyPairId: string): string {
  return `/ec2/keypair/${keyPairId}`;
}

export interface Tunnel {
  engine: string;
  localPort: number;
  databaseHost: string;
  databasePort: number;
  command: string;
}

/**
 * The docs' command: `ssh -i KEY -f -N -L LOCALPORT:DBHOST:DBPORT USER@BASTION`, one per database;
 * each tunnel listens on the caller's machine on the engine's own port (5432, 3306, 6379).
 */
export function tunnels(bastionHost: string, databases: Database[], keyFile = 'bastion.pem'): Tunnel[] {
  return [...databases]
    .filter((db) => db.host && db.mode !== 'existing')
    .sort((a, b) => a.engine.localeCompare(b.engine))
    .map((db) => {
      const databasePort = db.port || ENGINE_SPECS[db.engine].port;
      return {
        engine: db.engine,
        localPort: ENGINE_SPECS[db.engine].port,
        databaseHost: db.host!,
        databasePort,
        command: `ssh -i ${keyFile} -f -N -L ${ENGINE_SPECS[db.engine].port}:${db.host}:${databasePort} ${BASTION_USER}@${bastionHost}`,
      };
    });
}
