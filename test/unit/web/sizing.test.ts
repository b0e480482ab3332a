import { stageScaling } from '../../../src/domain/input/scaling';
import { fargateSizes } from '../../../src/domain/fargate';
import {
  CPU_CHOICES,
  defaultDraft,
  draftOf,
  memoryChoices,
  sizeText,
  sizingBody,
  tasksText,
  withCpu,
} from '../../../web/src/lib/sizing';

describe('dashboard: Size & scaling', () => {
  test('the CPU and memory choices are exactly the pairs the API accepts', () => {
    // Act
    const offered = CPU_CHOICES.flatMap((cpu) => memoryChoices(cpu).map((memory) => ({ cpu, memory })));
    const refusedByApi = offered.filter(
      (size) => !stageScaling.safeParse({ ...size, desiredCount: 1 }).success,
    );

    // Assess
    expect(offered).toEqual(fargateSizes());
    expect(refusedByApi).toEqual([]);
  });

  test('a CPU change keeps the memory Fargate still allows, else takes the least it allows', () => {
    // Prepare
    const draft = { ...defaultDraft(), cpu: 1024, memory: 4096 };

    // Act / Assess
    expect(withCpu(draft, 2048).memory).toBe(4096);
    expect(withCpu(draft, 256).memory).toBe(512);
  });

  test("the form sends the issue's 1024/2048 with 2–6 tasks as the API takes it; alarms only with a load balancer", () => {
    // Prepare
    const draft = {
      ...withCpu(defaultDraft(), 1024),
      memory: 2048,
      desiredCount: '2',
      autoscaling: true,
      minCount: '2',
      maxCount: '6',
      targetCpuPercent: '60',
      healthCheckPath: ' /healthz ',
      http5xxPercent: '2.5',
      unhealthyHosts: '',
    };

    // Act
    const withLoadBalancer = sizingBody(draft, true);
    const withoutOne = sizingBody(draft, false);

    // Assess
    expect(withLoadBalancer).toEqual({
      body: {
        scaling: { cpu: 1024, memory: 2048, desiredCount: 2, minCount: 2, maxCount: 6, targetCpuPercent: 60 },
        healthCheckPath: '/healthz',
        rollbackAlarms: { http5xxPercent: 2.5 },
      },
      errors: {},
    });
    expect(stageScaling.safeParse(withLoadBalancer.body.scaling).success).toBe(true);
    expect(withoutOne.body.rollbackAlarms).toBeNull();
  });

  test('what is not a number is refused on its field, by the API’s name for it', () => {
    // Act
    const { errors } = sizingBody({ ...defaultDraft(), desiredCount: 'two', unhealthyHosts: '1.5' }, true);

    // Assess
    expect(Object.keys(errors)).toEqual(['scaling.desiredCount', 'rollbackAlarms.unhealthyHosts']);
  });

  test('a stage reads back into the form it was saved from, and reads as its size and task counts', () => {
    // Prepare
    const settings = {
      scaling: { cpu: 1024, memory: 2048, desiredCount: 2, minCount: 2, maxCount: 6, targetCpuPercent: 60 },
      healthCheckPath: '/healthz',
      rollbackAlarms: { unhealthyHosts: 1 },
    };

    // Act
    const round = sizingBody(draftOf(settings), true).body;

    // Assess
    expect(round).toEqual(settings);
    expect(sizeText(settings.scaling)).toBe('1 vCPU · 2 GB');
    expect(tasksText(settings.scaling)).toBe('2–6 tasks (autoscaling at 60 % CPU)');
    expect(tasksText({ ...settings.scaling, minCount: 1, maxCount: 1, desiredCount: 1 })).toBe('1 task');
    expect(sizeText({ ...settings.scaling, cpu: 256, memory: 512 })).toBe('0.25 vCPU · 512 MiB');
  });
});
