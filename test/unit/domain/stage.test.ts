import { permissionsPolicy } from '../../../src/domain/customer-role';
import { newId } from '../../../src/domain/ids';
import {
  applyStageUpdate,
  cfnStackNameOf,
  DEFAULT_ORIGINS,
  DEFAULT_PORT,
  stageSettings,
  type StageSettings,
} from '../../../src/domain/stage';

/** CloudFormation's rule for stack names: a letter, then letters, digits and hyphens; 128 at most. */
const CLOUDFORMATION_STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;

const current: StageSettings = {
  requireApproval: true,
  approval: { required: 2, approvers: null, allowSelfApproval: false },
  loadBalancer: true,
  port: 8080,
  environment: { API_URL: 'https://api.example.com', LOG_LEVEL: 'debug' },
  origins: ['https://app.example.com', 'https://admin.example.com'],
};

describe('stageSettings', () => {
  test('a stage given only a name listens on port 80 and allows only http://localhost', () => {
    // Prepare
    const body = { name: 'dev' };

    // Act
    const settings = stageSettings(body);

    // Assess
    expect(settings).toEqual({
      requireApproval: false,
      approval: null,
      loadBalancer: false,
      port: 80,
      environment: {},
      origins: ['http://localhost'],
    });
    expect([DEFAULT_PORT, DEFAULT_ORIGINS]).toEqual([80, ['http://localhost']]);
  });

  test('given settings are kept as given', () => {
    // Prepare
    const body = {
      name: 'prod',
      requireApproval: true,
      loadBalancer: true,
      port: 3000,
      environment: { NODE_ENV: 'production' },
      origins: ['https://shop.example.com'],
    };

    // Act
    const settings = stageSettings(body);

    // Assess
    expect(settings).toEqual({
      requireApproval: true,
      approval: { required: 1, approvers: null, allowSelfApproval: true },
      loadBalancer: true,
      port: 3000,
      environment: { NODE_ENV: 'production' },
      origins: ['https://shop.example.com'],
    });
  });

  test('an empty origin list stays empty rather than falling back to the default', () => {
    // Prepare
    // Act
    const settings = stageSettings({ name: 'dev', origins: [] });

    // Assess
    expect(settings.origins).toEqual([]);
  });
});

describe('applyStageUpdate', () => {
  test('a given environment replaces the current one whole', () => {
    // Prepare
    const patch = { environment: { FEATURE_X: 'on' } };

    // Act
    const updated = applyStageUpdate(current, patch);

    // Assess
    expect(updated.environment).toEqual({ FEATURE_X: 'on' });
  });

  test('environment: {} clears the variables', () => {
    // Prepare
    // Act
    const updated = applyStageUpdate(current, { environment: {} });

    // Assess
    expect(updated.environment).toEqual({});
  });

  test('given origins replace the current list whole', () => {
    // Prepare
    // Act
    const updated = applyStageUpdate(current, { origins: ['https://new.example.com'] });

    // Assess
    expect(updated.origins).toEqual(['https://new.example.com']);
  });

  test('false is a value, not an absence: it turns the approval gate and load balancer off', () => {
    // Prepare
    // Act
    const updated = applyStageUpdate(current, { requireApproval: false, loadBalancer: false });

    // Assess
    expect([updated.requireApproval, updated.approval, updated.loadBalancer]).toEqual([false, null, false]);
  });

  test('settings the patch does not name are kept', () => {
    // Prepare
    // Act
    const updated = applyStageUpdate(current, { port: 9000 });

    // Assess
    expect(updated).toEqual({ ...current, port: 9000 });
  });

  test('does not change the current settings', () => {
    // Prepare
    const before = structuredClone(current);

    // Act
    applyStageUpdate(current, { environment: {}, origins: [], port: 1 });

    // Assess
    expect(current).toEqual(before);
  });
});

describe('cfnStackNameOf', () => {
  test('is a valid CloudFormation stack name even for the longest stage name', () => {
    // Prepare
    const stackId = newId('stk');
    const stageName = 'a1234567890123456-yz';

    // Act
    const name = cfnStackNameOf(stackId, stageName);

    // Assess
    expect(name).toMatch(CLOUDFORMATION_STACK_NAME);
    expect(name).toBe(`tinystacks-${stackId.replace('_', '-')}-${stageName}`);
  });

  test('falls under the stacks the customer role lets the platform manage', () => {
    // Prepare
    const stackResource = permissionsPolicy.Statement.find((s) => s.Sid === 'StageStacks')!
      .Resource as string;
    const allowedPrefix = stackResource.split(':stack/')[1]!.replace(/\*.*$/, '');

    // Act
    const name = cfnStackNameOf(newId('stk'), 'dev');

    // Assess
    expect(name.startsWith(allowedPrefix)).toBe(true);
  });

  test('differs between stages, and between stacks', () => {
    // Prepare
    const [stackA, stackB] = [newId('stk'), newId('stk')];

    // Act
    const names = new Set([
      cfnStackNameOf(stackA, 'dev'),
      cfnStackNameOf(stackA, 'prod'),
      cfnStackNameOf(stackB, 'dev'),
    ]);

    // Assess
    expect(names.size).toBe(3);
  });
});
