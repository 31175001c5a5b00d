/** Node unit tests compute on backend-ts (registered once per test file). */
import { createTsBackend } from '@gated/backend-ts';
import { listBackends, registerBackend, setBackend } from '@gated/tensor';

export async function useTs(name = 'ts'): Promise<void> {
  if (!listBackends().includes(name)) registerBackend(name, createTsBackend);
  await setBackend(name);
}
