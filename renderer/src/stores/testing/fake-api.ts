/** An API client for store tests: answers from a table, records the calls, and pushes the events a test emits. */
import { nextTick } from 'vue';
import type { ApiClient, ApiEvent, Input, JobRecord, Method, Output } from '../../../../main/contract/index.ts';

export function fakeApi(answers: Partial<{ [M in Method]: (input: Input<M>) => Output<M> }>) {
  const calls: Array<{ method: Method; input: unknown }> = [];
  const listeners = new Set<(event: ApiEvent) => void>();
  const client: ApiClient = {
    async call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
      calls.push({ method, input });
      const answer = answers[method] as ((input: Input<M>) => Output<M>) | undefined;
      if (!answer) throw new Error(`unexpected call ${method}`);
      return answer(input);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { client, calls, emit: (job: JobRecord) => listeners.forEach((listener) => listener({ type: 'job.updated', job })) };
}

/** Lets watchers, promises and timers of zero delay run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await nextTick();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
