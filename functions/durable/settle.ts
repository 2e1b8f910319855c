/**
 * Waiting for a group of tasks where one failure must not hide the others'
 * results. Task.all fails as soon as one child fails, while the others keep
 * running; so after a failure each child is waited for on its own. Yielding
 * a child that is already scheduled adds no new action, so replay sees the
 * same actions either way.
 */
import type { OrchestrationContext, Task } from "durable-functions";

export type Settled<T> = { ok: true; value: T } | { ok: false; error: string };

export function* settleAll<T>(context: OrchestrationContext, tasks: Task[]): Generator<Task, Settled<T>[], unknown> {
  if (tasks.length === 0) return [];
  try {
    const values = (yield context.df.Task.all(tasks)) as T[];
    return values.map((value) => ({ ok: true, value }));
  } catch {
    // At least one gave up; the loop below finds out which.
  }
  const settled: Settled<T>[] = [];
  for (const task of tasks) {
    if (task.isCompleted) {
      settled.push({ ok: true, value: task.result as T });
    } else if (task.isFaulted) {
      settled.push({ ok: false, error: failureMessage(task.result) });
    } else {
      try {
        settled.push({ ok: true, value: (yield task) as T });
      } catch (error) {
        settled.push({ ok: false, error: failureMessage(error) });
      }
    }
  }
  return settled;
}

/** The failure's message, bounded: it becomes evidence of a scan.* finding and travels through the history. */
export function failureMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const oneLine = message.replace(/\s+/g, " ").trim();
  return oneLine.length > 500 ? `${oneLine.slice(0, 497)}...` : oneLine;
}
