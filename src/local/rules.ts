import { consumers, type ConsumerName, type PatternNames } from '../events/consumers';
import type { BusEvent, LocalEventBus } from './bus';
import { localStateMachineArn } from './workflows';

/** The state machines' ARNs in the patterns, as the embedded runtime names them. */
export const localPatternNames: PatternNames = {
  stateMachine: (workflow) => localStateMachineArn(workflow),
  anyStateMachine: { prefix: localStateMachineArn('' as never) },
};

/**
 * The EventBridge rules of src/events/consumers.ts on the local bus: each consumer's own pattern,
 * matched as EventBridge matches it (src/events/pattern.ts), sends its events to `target`. The
 * platform's bus and the account's default bus are one bus here.
 */
export function addConsumerRules(
  bus: LocalEventBus,
  target: (consumer: ConsumerName, event: BusEvent) => Promise<unknown> | undefined,
): void {
  for (const [name, consumer] of Object.entries(consumers) as [
    ConsumerName,
    (typeof consumers)[ConsumerName],
  ][]) {
    if (!('bus' in consumer.source)) continue;
    bus.addRule(consumer.source.pattern(localPatternNames), async (event) => {
      await target(name, event);
    });
  }
}
