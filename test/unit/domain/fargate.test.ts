import { execFileSync } from 'node:child_process';
import { domainErrorOf } from '../../support/domain-errors';
import {
  DEFAULT_FARGATE_SIZE,
  fargateMemoryFor,
  fargateSize,
  fargateSizes,
} from '../../../src/domain/fargate';
import { fargateTaskSize } from '../../../src/domain/input/fargate';
import { resolveScaling } from '../../../src/domain/scaling';
import { renderStageTemplate } from '../../../src/templates/stage';

const errorOf = domainErrorOf;

/** cfn-lint's copy of AWS's table, as pairs, or undefined where cfn-lint is not installed. */
function cfnLintPairs(): Set<string> | undefined {
  try {
    const out = execFileSync(
      'python3',
      [
        '-c',
        `import cfnlint, json, os
print(open(os.path.join(os.path.dirname(cfnlint.__file__), "data/schemas/extensions/aws_ecs_taskdefinition/fargate_cpu_memory.json")).read())`,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    type Rule = {
      properties: {
        Cpu: { then: { enum: string[] } };
        Memory: { then: { enum?: number[]; minimum?: number; maximum?: number; multipleOf?: number } };
      };
    };
    const pairs = new Set<string>();
    for (const rule of (JSON.parse(out) as { then: { anyOf: Rule[] } }).then.anyOf) {
      const cpu = Number(rule.properties.Cpu.then.enum[0]);
      const memory = rule.properties.Memory.then;
      const values = memory.enum ?? [];
      for (let m = memory.minimum ?? 1; memory.maximum && m <= memory.maximum; m += memory.multipleOf!) {
        values.push(m);
      }
      for (const m of values) pairs.add(`${cpu}/${m}`);
    }
    return pairs;
  } catch {
    return undefined;
  }
}

describe('Fargate task sizes', () => {
  test.each([
    [256, 512],
    [256, 2048],
    [512, 4096],
    [1024, 8192],
    [4096, 30720],
    [8192, 61440],
    [16384, 122880],
  ])('%i CPU units with %i MiB runs', (cpu, memory) => {
    // Act / Assess
    expect(fargateSize(cpu, memory)).toEqual({ cpu, memory });
  });

  test.each([
    [256, 4096, 'scaling.memory', '512, 1024, 2048'],
    [1024, 1024, 'scaling.memory', '2048 to 8192 in steps of 1024'],
    [8192, 18432, 'scaling.memory', '16384 to 61440 in steps of 4096'],
    [300, 512, 'scaling.cpu', '256, 512, 1024, 2048, 4096, 8192, 16384'],
  ])('%i CPU units with %i MiB is refused on %s', (cpu, memory, field, allowed) => {
    // Act
    const error = errorOf(() => fargateSize(cpu, memory));

    // Assess
    expect(error).toMatchObject({ status: 400, details: { field } });
    expect(error.message).toContain(allowed);
  });

  test('the table is AWS’s: the same pairs as cfn-lint’s copy of it (where cfn-lint is installed)', () => {
    // Prepare
    const theirs = cfnLintPairs();
    if (!theirs) {
      console.log('skipped: cfn-lint is not installed, so the Fargate table was not compared with its copy');
      return;
    }

    // Act
    const ours = new Set(fargateSizes().map((s) => `${s.cpu}/${s.memory}`));

    // Assess
    expect([...ours].sort()).toEqual([...theirs].sort());
  });

  test('the schema names the field Fargate refuses and lists what it allows', () => {
    // Act
    const refused = fargateTaskSize.safeParse({ cpu: 512, memory: 512 });
    const badCpu = fargateTaskSize.safeParse({ cpu: 3, memory: 512 });
    const ok = fargateTaskSize.safeParse({ cpu: 512, memory: 2048 });

    // Assess
    expect(refused.error?.issues[0]).toMatchObject({ path: ['memory'] });
    expect(refused.error?.issues[0]?.message).toContain('1024 to 4096');
    expect(badCpu.error?.issues[0]).toMatchObject({ path: ['cpu'] });
    expect(ok.success).toBe(true);
  });

  test('the task definition takes its CPU and memory from the size, 256/512 by default', () => {
    // Prepare
    const input = {
      stackId: 'stk_1',
      stackName: 'shop',
      stageName: 'dev',
      region: 'us-east-1',
      port: 80,
      loadBalancer: false,
      environment: {},
      origins: [],
      imageUri: 'nginx',
      deploymentId: 'op_1',
    };
    const taskDefinition = (size?: { cpu: number; memory: number }) =>
      renderStageTemplate({ ...input, scaling: size && resolveScaling({ ...size, desiredCount: 1 }) })
        .Resources.TaskDefinition!.Properties!;

    // Act / Assess
    expect(taskDefinition()).toMatchObject({ Cpu: '256', Memory: '512' });
    expect(DEFAULT_FARGATE_SIZE).toEqual({ cpu: 256, memory: 512 });
    expect(taskDefinition({ cpu: 2048, memory: 16384 })).toMatchObject({ Cpu: '2048', Memory: '16384' });
    expect(() => taskDefinition({ cpu: 256, memory: 4096 })).toThrow(/scaling\.memory/);
    expect(fargateMemoryFor(123)).toEqual([]);
  });
});
