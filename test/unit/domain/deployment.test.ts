import {
  deployedSettingsView,
  deploymentIdOf,
  newDeployment,
  restoredSettings,
  rollbackRefusal,
  type Deployment,
} from '../../../src/domain/deployment';
import { newId } from '../../../src/domain/ids';
import type { StageSettings } from '../../../src/domain/stage';

const settings = (overrides: Partial<StageSettings> = {}): StageSettings => ({
  requireApproval: false,
  loadBalancer: false,
  port: 80,
  environment: { GREETING: 'hello' },
  origins: ['http://localhost'],
  ...overrides,
});
const stage = { tenantId: 'acme', stackId: 'stk_1', name: 'prod', createdAt: '2026-01-01T00:00:00.000Z' };
const deployment = (overrides: Partial<Deployment> = {}): Deployment => ({
  ...newDeployment(
    stage,
    { operationId: newId('op'), type: 'UPDATE_STAGE', createdAt: '2026-01-02T00:00:00.000Z' },
    { imageUri: 'repo:abc', settings: settings() },
  ),
  status: 'SUCCEEDED',
  ...overrides,
});

describe('deployment ids', () => {
  test('one per operation: its time-ordered id, under dep_', () => {
    // Prepare
    const earlier = newId('op', Date.parse('2026-01-01T00:00:00Z'));
    const later = newId('op', Date.parse('2026-01-01T00:00:01Z'));

    // Act
    const [a, b] = [deploymentIdOf(earlier), deploymentIdOf(later)];

    // Assess
    expect(a).toBe(`dep_${earlier.slice(3)}`);
    expect(a).toMatch(/^dep_[0-9a-z]{26}$/);
    expect(a < b).toBe(true);
  });
});

describe('restoredSettings', () => {
  test('the deployment’s settings, but the approval gate stays as it is now', () => {
    // Prepare
    const now = settings({ requireApproval: true, port: 8080, environment: { GREETING: 'bonjour', X: '1' } });

    // Act
    const restored = restoredSettings(now, settings());

    // Assess
    expect(restored).toEqual(settings({ requireApproval: true }));
  });

  test('a setting the deployment did not record (added since) stays as it is', () => {
    // Prepare
    const { origins: _origins, ...older } = settings({ port: 3000 });

    // Act
    const restored = restoredSettings(
      settings({ origins: ['https://shop.example'] }),
      older as StageSettings,
    );

    // Assess
    expect(restored).toMatchObject({ port: 3000, origins: ['https://shop.example'] });
  });
});

describe('rollbackRefusal', () => {
  test.each([
    ['another stage', { stageName: 'dev' }, /is a deployment of stage dev, not prod/],
    [
      'an earlier stage of that name',
      { stageCreatedAt: '2025-01-01T00:00:00.000Z' },
      /earlier stage named prod/,
    ],
    ['one that rolled back', { status: 'ROLLED_BACK' as const }, /never succeeded \(ROLLED_BACK\)/],
    ['one that failed', { status: 'FAILED' as const }, /never succeeded \(FAILED\)/],
    ['one still in progress', { status: 'IN_PROGRESS' as const }, /never succeeded \(IN_PROGRESS\)/],
  ])('refuses %s, naming the deployment', (_, overrides, message) => {
    // Prepare
    const refused = deployment(overrides);

    // Act
    const refusal = rollbackRefusal(refused, stage);

    // Assess
    expect(refusal).toMatch(message);
    expect(refusal).toContain(refused.deploymentId);
  });

  test('accepts a deployment of this stage that succeeded', () => {
    // Prepare
    const succeeded = deployment();

    // Act
    const refusal = rollbackRefusal(succeeded, stage);

    // Assess
    expect(refusal).toBeUndefined();
  });
});

test('a deployment shows its variables’ names, never their values', () => {
  // Prepare
  const deployed = settings({ environment: { TOKEN: 's3cr3t', A: '1' } });

  // Act
  const view = deployedSettingsView(deployed);

  // Assess
  expect(view).toEqual({
    requireApproval: false,
    loadBalancer: false,
    port: 80,
    origins: ['http://localhost'],
    environmentNames: ['A', 'TOKEN'],
  });
  expect(JSON.stringify(view)).not.toContain('s3cr3t');
});
