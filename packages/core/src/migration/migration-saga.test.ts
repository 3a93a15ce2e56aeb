import { describe, expect, it } from 'vitest';
import { runSaga } from './migration-saga.js';

describe('runSaga', () => {
  it('journals each step and compensates done steps in reverse when one fails', async () => {
    const journal: string[] = [];
    const effects: string[] = [];
    const steps = [
      {
        name: 'stop',
        run: async () => void effects.push('stopped'),
        compensate: async () => void effects.push('restarted'),
      },
      {
        name: 'export',
        run: async () => void effects.push('exported'),
        compensate: async () => void effects.push('export removed'),
      },
      {
        name: 'import',
        run: async () => {
          throw new Error('import failed');
        },
      },
    ];
    await expect(
      runSaga(steps, {}, { record: async (step, status) => void journal.push(`${step}:${status}`) }),
    ).rejects.toThrow('import failed');
    expect(effects).toEqual(['stopped', 'exported', 'export removed', 'restarted']);
    expect(journal).toEqual([
      'stop:running',
      'stop:done',
      'export:running',
      'export:done',
      'import:running',
      'import:failed',
      'export:compensated',
      'stop:compensated',
    ]);
  });
});
