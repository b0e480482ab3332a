import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import { appendJsonLines, readJson, readJsonLines, writeJsonAtomic } from '../state-files';
import type { FailureRule, LiveResource, StackRecord } from './local-cloudformation';

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

/**
 * The simulated CloudFormation's stacks under the data folder: per stack, one document (its status,
 * template, parameters, resources, outputs, and the work an `*_IN_PROGRESS` status still has to do),
 * replaced atomically at every status change and before every pause of a transition, and its events
 * appended to a JSON-lines file beside it. Deleted stacks stay, as CloudFormation keeps them
 * describable by id. The failure rules (a test aid) have a document of their own.
 */
export class StackStateFiles {
  /** How many of each stack's events are already on disk. */
  private readonly eventsWritten = new Map<string, number>();

  constructor(private readonly dir: string) {}

  private fileOf(stack: Pick<StackRecord, 'stackId' | 'stackName'>, suffix: string): string {
    // arn:…:stack/<name>/<uuid>: the name for people, the uuid to tell a re-created stack apart.
    const uuid = stack.stackId.split('/').pop();
    return join(this.dir, 'stacks', `${stack.stackName}-${uuid}${suffix}`);
  }

  save(stack: StackRecord): void {
    const written = this.eventsWritten.get(stack.stackId) ?? 0;
    appendJsonLines(this.fileOf(stack, '.events.jsonl'), stack.events.slice(written));
    this.eventsWritten.set(stack.stackId, stack.events.length);
    const { events: _events, ...rest } = stack;
    const stored: StoredStack = {
      ...rest,
      creationTime: stack.creationTime.toISOString(),
      lastUpdatedTime: iso(stack.lastUpdatedTime),
      deletionTime: iso(stack.deletionTime),
      deployed: { ...stack.deployed, resources: [...stack.deployed.resources.values()] },
    };
    writeJsonAtomic(this.fileOf(stack, '.json'), stored);
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
