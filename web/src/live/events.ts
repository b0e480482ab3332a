import { reconnectDelay } from '../lib/backoff';
import { parseSse } from '../lib/sse';

/** A TinyStacks event as the bus carries it (events/schemas/). */
export interface BusEvent {
  id: string;
  'detail-type': string;
  time: string;
  detail: { status?: string; operationId?: string; stackId?: string; [key: string]: unknown };
}

type Listener = (event: BusEvent) => void;

/**
 * The tenant's events, streamed by `GET /v1/events` on `npm start` (AWS has no such route: pages poll
 * there). One connection for the whole app, read with fetch so it can carry the bearer token, and
 * re-opened with backoff when it drops.
 */
export class EventFeed {
  private readonly listeners = new Set<Listener>();
  private started = false;

  constructor(
    private readonly apiUrl: string,
    private readonly token: () => Promise<string | undefined>,
  ) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.started) {
      this.started = true;
      void this.run();
    }
    return () => this.listeners.delete(listener);
  }

  private async run(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const token = await this.token();
        const response = await fetch(`${this.apiUrl}/v1/events`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
        if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
        attempt = 0;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const { messages, rest } = parseSse(buffer + value);
          buffer = rest;
          for (const message of messages) this.dispatch(message.data);
        }
      } catch {
        // dropped or refused: try again below
      }
      await new Promise((resolve) => setTimeout(resolve, reconnectDelay(attempt)));
    }
  }

  private dispatch(data: string) {
    let event: BusEvent;
    try {
      event = JSON.parse(data) as BusEvent;
    } catch {
      return;
    }
    for (const listener of this.listeners) listener(event);
  }
}
