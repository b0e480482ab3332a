import { randomUUID } from 'node:crypto';
import type { EventBusPort, PlatformEvent } from '../cloud/ports';
import { matches, type EventPattern } from '../events/pattern';

/** An event as EventBridge delivers it to a rule's target. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string | Record<string, unknown>;
  EventBusName?: string;
  Resources?: string[];
}

type Listener = (event: BusEvent) => void | Promise<void>;

/**
 * The custom EventBridge bus on one machine: state machines put events, rules (listeners) receive
 * them. Listeners run after the put returns, like EventBridge's asynchronous delivery, and one
 * failing listener never affects another.
 */
export class LocalEventBus implements EventBusPort {
  private readonly listeners = new Set<Listener>();
  private readonly history: BusEvent[] = [];

  constructor(
    private readonly region = 'local',
    private readonly account = '000000000000',
    private readonly onListenerError: (error: unknown, event: BusEvent) => void = () => {},
  ) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A rule: its target gets the events its pattern matches, as EventBridge's would. */
  addRule(pattern: EventPattern, target: Listener): () => void {
    return this.subscribe((event) => (matches(pattern, event) ? target(event) : undefined));
  }

  /** Stops delivering: at shutdown, rules must not run against a store that is closing. */
  close(): void {
    this.listeners.clear();
  }

  /** The events:putEvents integration. */
  putEntries(entries: PutEventsEntry[]): { Entries: { EventId: string }[]; FailedEntryCount: number } {
    const events = entries.map((entry) =>
      this.deliver({
        source: entry.Source,
        'detail-type': entry.DetailType,
        detail:
          typeof entry.Detail === 'string'
            ? (JSON.parse(entry.Detail) as Record<string, unknown>)
            : entry.Detail,
        resources: entry.Resources ?? [],
      }),
    );
    return { Entries: events.map((e) => ({ EventId: e.id })), FailedEntryCount: 0 };
  }

  async publish(events: PlatformEvent[]): Promise<void> {
    for (const event of events) {
      this.deliver({
        source: 'tinystacks',
        'detail-type': event.detailType,
        detail: event.detail,
        resources: [],
      });
    }
  }

  /** Events from other AWS services (CloudFormation), already in EventBridge shape. */
  forward(event: BusEvent): void {
    this.dispatch(event);
  }

  recent(): readonly BusEvent[] {
    return this.history;
  }

  private deliver(partial: Pick<BusEvent, 'source' | 'detail-type' | 'detail' | 'resources'>): BusEvent {
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      account: this.account,
      time: new Date().toISOString(),
      region: this.region,
      ...partial,
    };
    this.dispatch(event);
    return event;
  }

  private dispatch(event: BusEvent): void {
    this.history.push(event);
    if (this.history.length > 10_000) this.history.shift();
    for (const listener of this.listeners) {
      setImmediate(() => {
        if (!this.listeners.has(listener)) return;
        Promise.resolve()
          .then(() => listener(event))
          .catch((error: unknown) => this.onListenerError(error, event));
      });
    }
  }
}
