import { expect, it } from '@jest/globals';
it('passes', () => {
  process.stdout.write('PASSING-INPROC-STDOUT\n');
  console.log('PASSING-CONSOLE');
  expect(1).toBe(1);
});
