import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runningServerUrl, serverFileOf } from '../../../src/local/server-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinystacks-server-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record = (url: string, pid: number) => writeFileSync(serverFileOf(dir), JSON.stringify({ url, pid }));

test.each([
  [
    'the running server’s recorded URL',
    () => record('http://127.0.0.1:4000', process.pid),
    {},
    'http://127.0.0.1:4000',
  ],
  [
    'TINYSTACKS_URL over the record',
    () => record('http://127.0.0.1:4000', process.pid),
    { TINYSTACKS_URL: 'http://h:1/' },
    'http://h:1',
  ],
  [
    'PORT when the recorded server is gone',
    () => record('http://127.0.0.1:4000', 2 ** 22 + 7),
    { PORT: '5000' },
    'http://127.0.0.1:5000',
  ],
  ['PORT when nothing is recorded', () => {}, { PORT: '5000' }, 'http://127.0.0.1:5000'],
  [
    '3000 when the record is unreadable',
    () => writeFileSync(serverFileOf(dir), '{'),
    {},
    'http://127.0.0.1:3000',
  ],
])('%s', (_, prepare, env, expected) => {
  // Prepare
  prepare();

  // Act
  const url = runningServerUrl(dir, env);

  // Assess
  expect(url).toBe(expected);
});
