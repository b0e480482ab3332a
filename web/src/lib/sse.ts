/** One server-sent event: the lines of one block, as the EventSource specification reads them. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Splits what has arrived of a `text/event-stream` into complete messages and the unfinished rest.
 * Comments (`: keep-alive`) are dropped; multi-line `data:` fields are joined with newlines. Read
 * with fetch rather than EventSource because EventSource cannot send the Authorization header.
 */
export function parseSse(buffer: string): { messages: SseMessage[]; rest: string } {
  const text = buffer.replace(/\r\n?/g, '\n');
  const blocks = text.split('\n\n');
  const rest = blocks.pop() ?? '';
  const messages: SseMessage[] = [];
  for (const block of blocks) {
    const data: string[] = [];
    const message: SseMessage = { data: '' };
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'data') data.push(value);
      else if (name === 'event') message.event = value;
      else if (name === 'id') message.id = value;
    }
    if (data.length === 0) continue;
    message.data = data.join('\n');
    messages.push(message);
  }
  return { messages, rest };
}
