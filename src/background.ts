// Work that runs after the response (the runtime's waitUntil): mail, and the work that decides
// whether to send it, so an answer neither waits for it nor reveals it by its timing. A request's
// tasks start only once its answer is made (depsMiddleware), and each is tracked per isolate, so
// the dev mailbox (and tests) can wait until what started has ended.

/** Schedules a task after the response; its failure is logged (by type, never its data), not thrown. */
export type Defer = (name: string, task: () => Promise<unknown>) => void;

export interface Background {
  defer: Defer;
  /** Starts the tasks deferred so far; tasks deferred later start at once. */
  start(): void;
}

const pending = new Set<Promise<void>>();

/**
 * Tasks over a request's waitUntil (null without one: tasks just run), held until start(), which
 * releases them on the next turn of the event loop: after the answer has left the handler.
 */
export function backgroundWith(waitUntil: ((promise: Promise<unknown>) => void) | null): Background {
  let released = false;
  const gates: (() => void)[] = [];
  return {
    defer(name, task) {
      const gate = released ? Promise.resolve() : new Promise<void>((resolve) => gates.push(resolve));
      const running: Promise<void> = gate
        .then(task)
        .then(() => undefined)
        .catch((error: unknown) => {
          // Like app.onError: the type and the driver's message, never bound parameters or tokens.
          const err = error instanceof Error ? error : new Error(String(error));
          const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
          console.error(`Background task ${name} failed: ${err.name}${cause}`);
        })
        .finally(() => pending.delete(running));
      pending.add(running);
      waitUntil?.(running);
    },
    start() {
      released = true;
      if (gates.length === 0) return;
      setTimeout(() => {
        for (const open of gates.splice(0)) open();
      }, 0);
    },
  };
}

/** A Defer that starts tasks at once (cron runs, code outside a request). */
export const deferNow: Defer = (name, task) => {
  const background = backgroundWith(null);
  background.start();
  background.defer(name, task);
};

/** Resolves once every task started in this isolate so far (and any they started) has ended. */
export async function backgroundSettled(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}
