import middy from '@middy/core';

test('middy loads under native ESM', async () => {
  const handler = middy(async (n: number) => n + 1);
  await expect(handler(1, {} as never)).resolves.toBe(2);
});
