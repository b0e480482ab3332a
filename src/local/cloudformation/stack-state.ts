import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import { errorFields, log } from '../../log';
import {
  appendJsonLinesAsync,
  jsonLines,
  readJson,
  readJsonLines,
  writeFileAtomicAsync,
  writeJsonAtomic,
} from '../state-files';
import type { FailureRule, LiveResource, StackRecord } from './records';

/** A stack as written: dates as ISO strings, resources as a list, events in a file of their own. */
interface StoredStack extends Omit<
  StackRecord,
  'creationTime' | 'lastUpdatedTime' | 'deletionTime' | 'deployed' | 'events'
> {
  creationTime: string;
  lastUpdatedTime?: string;
  deletionTime?: string;
  deployed: Omit<StackRecord['deployed'], 'resources'> & { resources: LiveResource[] };
}

type StoredEvent = Omit<StackEvent, 'Timestamp'> & { Timestamp: string };

const iso = (date: Date | undefined) => date?.toISOString();
const date = (text: string | undefined) => (text === undefined ? undefined : new Date(text));

/** A write of a stack waiting for the one before it: a later save replaces its document. */
interface QueuedWrite {
  document: string;
  events: string;
  done: Promise<void>;
}

/**
 * The simulated CloudFormation's stacks under the data folder: per stack, one document (its status,
 * template, parameters, resources, outputs, and the work an `*_IN_PROGRESS` status still has to do),
 * replaced atomically at every status change and before every pause of a transition, and its events
 * appended to a JSON-lines file beside it. Deleted stacks stay, as CloudFormation keeps them
 * describable by id. The failure rules (a test aid) have a document of their own.
 *
 * The snapshot is taken when `save` is called; the writing (fsync included) happens off the event
 * loop, one write at a time per stack, and a snapshot taken while another waits replaces it.
 */
export class StackStateFiles {
  /** How many of each stack's events have been handed to a write. */
  private readonly eventsWritten = new Map<string, number>();
  /** Per stack, the write that has not started yet, and the last one scheduled. */
  private readonly queued = new Map<string, QueuedWrite>();
  private readonly last = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {
    mkdirSync(join(dir, 'stacks'), { recursive: true });
  }

  private fileOf(stack: Pick<StackRecord, 'stackId' | 'stackName'>, suffix: string): string {
    // arn:…:stack/<name>/<uuid>: the name for people, the uuid to tell a re-created stack apart.
    const uuid = stack.stackId.split('/').pop();
    return join(this.dir, 'stacks', `${stack.stackName}-${uuid}${suffix}`);
  }

  /** Resolves once this snapshot (or a later one) of the stack is on disk; never rejects. */
  save(stack: StackRecord): Promise<void> {
    const written = this.eventsWritten.get(stack.stackId) ?? 0;
    const events = jsonLines(stack.events.slice(written));
    this.eventsWritten.set(stack.stackId, stack.events.length);
    const { events: _events, ...rest } = stack;
    const stored: StoredStack = {
      ...rest,
      creationTime: stack.creationTime.toISOString(),
      lastUpdatedTime: iso(stack.lastUpdatedTime),
      deletionTime: iso(stack.deletionTime),
      deployed: { ...stack.deployed, resources: [...stack.deployed.resources.values()] },
    };
    const document = JSON.stringify(stored);
    const waiting = this.queued.get(stack.stackId);
    if (waiting) {
      waiting.document = document;
      waiting.events += events;
      return waiting.done;
    }
    const write: QueuedWrite = { document, events, done: Promise.resolve() };
    const eventsFile = this.fileOf(stack, '.events.jsonl');
    const documentFile = this.fileOf(stack, '.json');
    write.done = (this.last.get(stack.stackId) ?? Promise.resolve())
      .then(async () => {
        this.queued.delete(stack.stackId);
        await appendJsonLinesAsync(eventsFile, write.events);
        await writeFileAtomicAsync(documentFile, write.document);
      })
      .catch((error: unknown) => {
        log.error('simulated stack not written', { stackId: stack.stackId, ...errorFields(error) });
      });
    this.queued.set(stack.stackId, write);
    this.last.set(stack.stackId, write.done);
    return write.done;
  }

  saveFailureRules(rules: FailureRule[]): void {
    writeJsonAtomic(join(this.dir, 'failure-rules.json'), rules);
  }

  load(): { stacks: StackRecord[]; failureRules: FailureRule[] } {
    const folder = join(this.dir, 'stacks');
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      names = [];
    }
    const stacks = names
      .filter((name) => name.endsWith('.json'))
      .map((name) => {
        const stored = readJson<StoredStack>(join(folder, name))!;
        const events = readJsonLines<StoredEvent>(this.fileOf(stored, '.events.jsonl')).map(
          (event): StackEvent => ({ ...event, Timestamp: new Date(event.Timestamp) }),
        );
        this.eventsWritten.set(stored.stackId, events.length);
        const stack: StackRecord = {
          ...stored,
          creationTime: new Date(stored.creationTime),
          lastUpdatedTime: date(stored.lastUpdatedTime),
          deletionTime: date(stored.deletionTime),
          deployed: {
            ...stored.deployed,
            resources: new Map(stored.deployed.resources.map((resource) => [resource.logicalId, resource])),
          },
          events,
        };
        return stack;
      });
    return { stacks, failureRules: readJson<FailureRule[]>(join(this.dir, 'failure-rules.json')) ?? [] };
  }
}
