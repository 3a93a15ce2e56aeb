import { beforeAll, inject } from 'vitest';

// Every test file starts from an empty moto: reset once before the file's tests run.
beforeAll(async () => {
  const url = inject('motoUrl');
  if (url === '') return;
  const response = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`POST ${url}/moto-api/reset answered ${response.status}`);
});
