import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export interface Receiver {
  url: string;
  received: ReceivedDelivery[];
  /** Waits until `count` deliveries matching `filter` arrived; bounded so a missing one fails the test. */
  waitFor(
    count: number,
    filter?: (d: ReceivedDelivery) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedDelivery[]>;
  close(): Promise<void>;
}

/** A local HTTP endpoint standing in for a subscriber: it records every request and answers `status`. */
export async function startReceiver(status: number | (() => number) = 204): Promise<Receiver> {
  const received: ReceivedDelivery[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body, receivedAt: Date.now() });
      res.writeHead(typeof status === 'function' ? status() : status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/tinystacks`,
    received,
    async waitFor(count, filter = () => true, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.filter(filter).length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} deliveries, got ${received.filter(filter).length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received.filter(filter);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
