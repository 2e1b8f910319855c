/**
 * Runs Durable orchestrations the way the Functions host does, without it:
 * the handler that df.app.orchestration registers (captured by a spy on
 * app.generic, since outside the host @azure/functions registers nothing) is
 * called episode by episode with the history the host would have written
 * (OrchestratorStarted, ExecutionStarted, TaskScheduled, TaskCompleted,
 * TaskFailed, TimerCreated, TimerFired, SubOrchestrationInstance*...), so the
 * package's own replay engine runs the orchestrator code. Activities are run
 * by a function the test gives; sub-orchestrations by this host, recursively.
 *
 * Event ids follow the replay engine's numbering: one per scheduled task, in
 * the order the orchestrator schedules them, and for a task with a retry
 * policy one for the timer after each failure and one for each new attempt.
 */
import azfn from "@azure/functions";
import * as df from "durable-functions";
import { vi } from "vitest";

type Handler = (trigger: unknown, context: unknown) => Promise<unknown> | unknown;
export type RegisteredFunctions = Map<string, { handler: Handler; trigger?: { type?: string } }>;

/** Imports modules that register functions and returns what they registered through app.generic. */
export async function captureFunctions(load: () => Promise<unknown>): Promise<RegisteredFunctions> {
  const registered: RegisteredFunctions = new Map();
  const spy = vi.spyOn(azfn.app, "generic").mockImplementation((name: string, options: unknown) => {
    registered.set(name, options as { handler: Handler });
  });
  try {
    await load();
  } finally {
    spy.mockRestore();
  }
  return registered;
}

export type ActivityOutcome = { ok: true; value: unknown } | { ok: false; error: string };
/** Runs one attempt of an activity; attempt counts from 1. */
export type ActivityRunner = (name: string, input: unknown, attempt: number) => Promise<ActivityOutcome>;

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  Timestamp: string;
  IsPlayed: boolean;
  [field: string]: unknown;
}

export interface OrchestratorAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  retryOptions?: { maxNumberOfAttempts: number; firstRetryIntervalInMilliseconds: number };
  compoundActions?: OrchestratorAction[];
}

export interface OrchestrationRecord {
  name: string;
  instanceId: string;
  input: unknown;
  history: HistoryEvent[];
  /** Tasks the orchestration scheduled itself (activities and sub-orchestrations), retries not counted. */
  actions: OrchestratorAction[];
  episodes: number;
  output?: unknown;
  error?: string;
  children: OrchestrationRecord[];
}

export const EVENT = {
  ExecutionStarted: 0,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
} as const;

const ACTION = { CallActivity: 0, CallActivityWithRetry: 1, CallSubOrchestrator: 2, WhenAny: 11, WhenAll: 12 } as const;

interface Pending {
  id: number;
  action: OrchestratorAction;
  attempt: number;
}

export interface OrchestratorState {
  isDone: boolean;
  output?: unknown;
  actions: OrchestratorAction[];
}

export class DurableTestHost {
  private clock: number;
  readonly records: OrchestrationRecord[] = [];

  constructor(
    private readonly functions: RegisteredFunctions,
    private readonly runActivity: ActivityRunner,
    start = new Date("2026-11-30T06:00:00Z"),
  ) {
    this.clock = start.getTime();
  }

  /** Runs an orchestration to its end (or failure) and returns its record, children included. */
  async run(name: string, input: unknown, instanceId: string, parentInstanceId = ""): Promise<OrchestrationRecord> {
    const record: OrchestrationRecord = { name, instanceId, input, history: [], actions: [], episodes: 0, children: [] };
    this.records.push(record);
    const history = record.history;
    history.push(this.event(EVENT.OrchestratorStarted, -1), {
      ...this.event(EVENT.ExecutionStarted, -1),
      Name: name,
      Input: JSON.stringify(input),
      ParentInstance: parentInstanceId === "" ? null : { OrchestrationInstance: { InstanceId: parentInstanceId } },
    });
    let nextId = 0;
    let pending: Pending[] = [];

    for (;;) {
      record.episodes += 1;
      let state: OrchestratorState;
      try {
        state = await this.episode(name, input, instanceId, parentInstanceId, history);
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
        return record;
      }
      if (state.isDone) {
        record.output = state.output;
        return record;
      }
      for (const action of state.actions.slice(record.actions.length)) {
        const id = nextId++;
        record.actions.push(action);
        history.push(this.scheduled(action, id));
        pending.push({ id, action, attempt: 1 });
      }
      if (pending.length === 0) throw new Error(`${instanceId} waits for nothing after episode ${record.episodes}: the history does not match what it scheduled`);
      history.push(this.event(EVENT.OrchestratorCompleted, -1));

      const outcomes = await Promise.all(pending.map((p) => this.execute(p, instanceId, record)));
      this.clock += 1000;
      history.push(this.event(EVENT.OrchestratorStarted, -1));
      const next: Pending[] = [];
      pending.forEach((p, i) => {
        const outcome = outcomes[i]!;
        const sub = p.action.actionType === ACTION.CallSubOrchestrator;
        if (outcome.ok) {
          history.push({ ...this.event(sub ? EVENT.SubOrchestrationInstanceCompleted : EVENT.TaskCompleted, -1), TaskScheduledId: p.id, Result: JSON.stringify(outcome.value) });
          return;
        }
        history.push({
          ...this.event(sub ? EVENT.SubOrchestrationInstanceFailed : EVENT.TaskFailed, -1),
          TaskScheduledId: p.id,
          Reason: outcome.error,
          Details: "",
        });
        if (p.action.actionType === ACTION.CallActivityWithRetry) {
          // The host waits out the retry interval on a timer, then (attempts left) schedules the task again.
          const timerId = nextId++;
          history.push({ ...this.event(EVENT.TimerCreated, timerId), FireAt: new Date(this.clock).toISOString() });
          history.push({ ...this.event(EVENT.TimerFired, -1), TimerId: timerId, FireAt: new Date(this.clock).toISOString() });
          if (p.attempt < p.action.retryOptions!.maxNumberOfAttempts) {
            const retryId = nextId++;
            history.push(this.scheduled(p.action, retryId));
            next.push({ id: retryId, action: p.action, attempt: p.attempt + 1 });
          }
        }
      });
      pending = next;
    }
  }

  /** Runs the orchestrator once over a finished history, as the host does when it replays it. */
  replay(record: OrchestrationRecord): Promise<OrchestratorState> {
    return this.episode(record.name, record.input, record.instanceId, "", record.history);
  }

  private async episode(name: string, input: unknown, instanceId: string, parentInstanceId: string, history: HistoryEvent[]): Promise<OrchestratorState> {
    const registered = this.functions.get(name);
    if (!registered) throw new Error(`no orchestration named ${name} was registered`);
    const context = new df.DummyOrchestrationContext(name, `${instanceId}-episode`, () => {});
    const trigger = {
      history: JSON.parse(JSON.stringify(history)) as unknown,
      input: JSON.parse(JSON.stringify(input ?? null)) as unknown,
      instanceId,
      isReplaying: false,
      parentInstanceId,
      upperSchemaVersion: 2,
      upperSchemaVersionNew: 3,
    };
    try {
      const state = (await registered.handler(trigger, context)) as { isDone: boolean; output?: unknown; actions: unknown };
      return { isDone: state.isDone, output: state.output, actions: flatten(state.actions) };
    } catch (error) {
      // The package throws an OrchestrationFailureError whose message carries the orchestrator's error.
      throw new Error(error instanceof Error ? error.message : String(error));
    }
  }

  private async execute(p: Pending, parentId: string, parent: OrchestrationRecord): Promise<ActivityOutcome> {
    const input = JSON.parse(JSON.stringify(p.action.input ?? null)) as unknown;
    switch (p.action.actionType) {
      case ACTION.CallActivity:
      case ACTION.CallActivityWithRetry:
        try {
          return await this.runActivity(p.action.functionName!, input, p.attempt);
        } catch (error) {
          return { ok: false, error: error instanceof Error ? error.message : String(error) };
        }
      case ACTION.CallSubOrchestrator: {
        const child = await this.run(p.action.functionName!, input, p.action.instanceId ?? `${parentId}:${p.id}`, parentId);
        parent.children.push(child);
        return child.error === undefined ? { ok: true, value: child.output } : { ok: false, error: child.error };
      }
      default:
        throw new Error(`the test host does not run actions of type ${p.action.actionType}`);
    }
  }

  private event(type: number, id: number): HistoryEvent {
    return { EventType: type, EventId: id, Timestamp: new Date(this.clock).toISOString(), IsPlayed: false };
  }

  private scheduled(action: OrchestratorAction, id: number): HistoryEvent {
    const sub = action.actionType === ACTION.CallSubOrchestrator;
    return {
      ...this.event(sub ? EVENT.SubOrchestrationInstanceCreated : EVENT.TaskScheduled, id),
      Name: action.functionName,
      Input: JSON.stringify(action.input ?? null),
      ...(sub && { InstanceId: action.instanceId }),
    };
  }
}

/** The leaf actions, in order, of what the package returns (a list per yield, or compound actions). */
export function flatten(actions: unknown): OrchestratorAction[] {
  if (Array.isArray(actions)) return actions.flatMap(flatten);
  const action = actions as OrchestratorAction;
  if (action.actionType === ACTION.WhenAll || action.actionType === ACTION.WhenAny) return flatten(action.compoundActions ?? []);
  return [action];
}

/** Every record of a run, the root first. */
export function allRecords(root: OrchestrationRecord): OrchestrationRecord[] {
  return [root, ...root.children.flatMap(allRecords)];
}
