import { lazy } from '../../../src/cloud/aws/lazy';

describe('a port loaded on its first call', () => {
  test('loads once, on the first call, and calls the method on the loaded port', async () => {
    // Prepare
    let loads = 0;
    const port = lazy(async () => {
      loads += 1;
      return { greet: async (name: string) => `hello ${name}` };
    });

    // Act
    const before = loads;
    const answers = await Promise.all([port.greet('a'), port.greet('b')]);

    // Assess
    expect({ before, after: loads, answers }).toEqual({
      before: 0,
      after: 1,
      answers: ['hello a', 'hello b'],
    });
  });

  test('a failure to load is the call’s failure', async () => {
    // Prepare
    const port = lazy<{ greet(): Promise<string> }>(async () => {
      throw new Error('Missing environment variable X');
    });

    // Act
    const call = port.greet();

    // Assess
    await expect(call).rejects.toThrow('Missing environment variable X');
  });
});
