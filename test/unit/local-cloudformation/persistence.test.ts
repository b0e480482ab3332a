import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCloudFormation } from '../../../src/local/cloudformation';
import type { StackStatusChangeEvent } from '../../../src/local/cloudformation';
import { SimulatedServices } from '../../../src/local/cloudformation/effects';
import { allEvents, body, bucketTemplate, describe as describeStack, outputsOf, REGION } from './helpers';

/**
 * The simulated CloudFormation and the services behind its resources with a state folder: what one
 * process wrote, the next one finds, and what a stack was doing when its process went away (tests
 * stop it with dispose(), which writes nothing more: as a `kill -9` would leave it) is finished.
 */

let dir: string;
const running: LocalCloudFormation[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cfn-state-'));
});
afterEach(() => {
  for (const cfn of running.splice(0)) cfn.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** A process of the simulator on the shared folder; `delayMs` long enough leaves it mid-transition. */
function start(delayMs = 1) {
  const published: StackStatusChangeEvent[] = [];
  const services = new SimulatedServices(join(dir, 'customer-account.json'));
  const cfn = new LocalCloudFormation({
    delayMs,
    stateDir: join(dir, 'cloudformation'),
    effects: services,
    onStatusChange: (event) => void published.push(event),
  });
  running.push(cfn);
  const statuses = () => published.map((event) => event.detail['status-details'].status);
  return { cfn, services, statuses };
}

/**
 * Stops a process as a crash would: its pending steps never run, nothing more is written (the
 * writes already handed to the file system end, as the kernel would finish them).
 */
async function crash(cfn: LocalCloudFormation) {
  cfn.dispose();
  await cfn.whenIdle();
}

const secretTemplate = (version: number) => ({
  Resources: {
    Secret: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        Name: 'dev/db',
        GenerateSecretString: {
          SecretStringTemplate: JSON.stringify({ username: 'app', version }),
          GenerateStringKey: 'password',
          PasswordLength: 40,
          ExcludePunctuation: true,
        },
      },
    },
    Key: { Type: 'AWS::EC2::KeyPair', Properties: { KeyName: 'bastion' } },
  },
  Outputs: {
    SecretArn: { Value: { Ref: 'Secret' } },
    KeyPairId: { Value: { 'Fn::GetAtt': ['Key', 'KeyPairId'] } },
  },
});

describe('a restart on the same state folder', () => {
  test('finds every stack as it was, with its events, and can update it', async () => {
    // Prepare
    const first = start();
    await first.cfn.createStack({ StackName: 'kept', TemplateBody: body(bucketTemplate()) }, REGION);
    await first.cfn.whenIdle();
    const before = await describeStack(first.cfn, 'kept');
    const eventsBefore = await allEvents(first.cfn, 'kept');
    await crash(first.cfn);

    // Act
    const second = start();
    const after = await describeStack(second.cfn, 'kept');
    await second.cfn.updateStack(
      { StackName: 'kept', TemplateBody: body(bucketTemplate({ BucketName: 'kept-site' })) },
      REGION,
    );
    await second.cfn.whenIdle();

    // Assess
    expect(after).toEqual(before);
    expect(await allEvents(second.cfn, 'kept')).toEqual(
      expect.arrayContaining(eventsBefore.map((event) => expect.objectContaining(event))),
    );
    expect((await describeStack(second.cfn, 'kept')).StackStatus).toBe('UPDATE_COMPLETE');
    expect(outputsOf(await describeStack(second.cfn, 'kept')).BucketName).toBe('kept-site');
  });

  test('keeps generated secrets and key pairs, and forgets them with their stack', async () => {
    // Prepare
    const first = start();
    await first.cfn.createStack({ StackName: 'db', TemplateBody: body(secretTemplate(1)) }, REGION);
    await first.cfn.whenIdle();
    const outputs = outputsOf(await describeStack(first.cfn, 'db'));
    const secret = first.services.secrets.get(outputs.SecretArn!);
    const key = first.services.parameters.get(REGION, `/ec2/keypair/${outputs.KeyPairId}`);
    await crash(first.cfn);

    // Act
    const second = start();
    const secretAfter = second.services.secrets.get(outputs.SecretArn!);
    const keyAfter = second.services.parameters.get(REGION, `/ec2/keypair/${outputs.KeyPairId}`);
    await second.cfn.deleteStack({ StackName: 'db' }, REGION);
    await second.cfn.whenIdle();
    const third = start();

    // Assess
    expect(JSON.parse(secret!)).toMatchObject({
      username: 'app',
      password: expect.stringMatching(/^\w{40}$/),
    });
    expect(secretAfter).toBe(secret);
    expect(key).toContain('PRIVATE KEY');
    expect(keyAfter).toBe(key);
    expect(third.services.secrets.get(outputs.SecretArn!)).toBeUndefined();
    expect(third.services.parameters.get(REGION, `/ec2/keypair/${outputs.KeyPairId}`)).toBeUndefined();
    await expect(describeStack(third.cfn, 'db')).rejects.toThrow('does not exist');
  });

  test('finishes a create that was in progress, and publishes its status', async () => {
    // Prepare: a step of 10 minutes leaves the stack CREATE_IN_PROGRESS
    const first = start(600_000);
    await first.cfn.createStack({ StackName: 'cut', TemplateBody: body(secretTemplate(1)) }, REGION);
    await crash(first.cfn);

    // Act
    const second = start();
    const found = (await describeStack(second.cfn, 'cut')).StackStatus;
    second.cfn.resume();
    await second.cfn.whenIdle();

    // Assess
    expect(found).toBe('CREATE_IN_PROGRESS');
    expect(second.statuses()).toEqual(['CREATE_COMPLETE']);
    const outputs = outputsOf(await describeStack(second.cfn, 'cut'));
    expect(second.services.secrets.get(outputs.SecretArn!)).toContain('password');
  });

  test('finishes an update that was in progress with its new template', async () => {
    // Prepare
    const first = start();
    await first.cfn.createStack({ StackName: 'upd', TemplateBody: body(bucketTemplate()) }, REGION);
    await first.cfn.whenIdle();
    first.cfn.setDelay(600_000);
    await first.cfn.updateStack(
      { StackName: 'upd', TemplateBody: body(bucketTemplate({ BucketName: 'upd-new' })) },
      REGION,
    );
    await crash(first.cfn);

    // Act
    const second = start();
    second.cfn.resume();
    await second.cfn.whenIdle();

    // Assess
    expect(second.statuses()).toEqual(['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE']);
    expect(outputsOf(await describeStack(second.cfn, 'upd')).BucketName).toBe('upd-new');
  });

  test('rolls back an interrupted update that fails, and a spent failure rule stays spent', async () => {
    // Prepare
    const first = start();
    await first.cfn.createStack({ StackName: 'rb', TemplateBody: body(bucketTemplate()) }, REGION);
    await first.cfn.whenIdle();
    first.cfn.failWhen({ stackName: 'rb', logicalId: 'Bucket', reason: 'quota reached', once: true });
    first.cfn.setDelay(600_000);
    await first.cfn.updateStack(
      { StackName: 'rb', TemplateBody: body(bucketTemplate({ BucketName: 'rb-new' })) },
      REGION,
    );
    await crash(first.cfn);

    // Act
    const second = start();
    second.cfn.resume();
    await second.cfn.whenIdle();
    const third = start();
    await third.cfn.updateStack(
      { StackName: 'rb', TemplateBody: body(bucketTemplate({ BucketName: 'rb-again' })) },
      REGION,
    );
    await third.cfn.whenIdle();

    // Assess
    expect(second.statuses()).toEqual([
      'UPDATE_ROLLBACK_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE',
    ]);
    expect((await allEvents(second.cfn, 'rb')).map((e) => e.ResourceStatusReason)).toContain('quota reached');
    expect((await describeStack(third.cfn, 'rb')).StackStatus).toBe('UPDATE_COMPLETE');
  });

  test('finishes an interrupted delete: the name is free again', async () => {
    // Prepare
    const first = start();
    await first.cfn.createStack({ StackName: 'gone', TemplateBody: body(secretTemplate(1)) }, REGION);
    await first.cfn.whenIdle();
    first.cfn.setDelay(600_000);
    await first.cfn.deleteStack({ StackName: 'gone' }, REGION);
    await crash(first.cfn);

    // Act
    const second = start();
    second.cfn.resume();
    await second.cfn.whenIdle();
    await second.cfn.createStack({ StackName: 'gone', TemplateBody: body(bucketTemplate()) }, REGION);
    await second.cfn.whenIdle();

    // Assess
    expect(second.statuses()).toEqual(['DELETE_COMPLETE', 'CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    expect((await describeStack(second.cfn, 'gone')).StackStatus).toBe('CREATE_COMPLETE');
  });

  test('skips an events line cut short by a crash, and goes on appending after it', async () => {
    // Prepare
    const first = start();
    await first.cfn.createStack({ StackName: 'torn', TemplateBody: body(bucketTemplate()) }, REGION);
    await first.cfn.whenIdle();
    const count = (await allEvents(first.cfn, 'torn')).length;
    await crash(first.cfn);
    const folder = join(dir, 'cloudformation', 'stacks');
    const eventsFile = join(
      folder,
      readdirSync(folder).find((name) => name.endsWith('.events.jsonl'))!,
    );
    appendFileSync(eventsFile, '{"EventId":"cut sho');

    // Act
    const second = start();
    const found = (await allEvents(second.cfn, 'torn')).length;
    await second.cfn.deleteStack({ StackName: 'torn' }, REGION);
    await second.cfn.whenIdle();

    // Assess
    expect(found).toBe(count);
    expect(
      readFileSync(eventsFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    ).toHaveLength(count + 4);
  });
});
